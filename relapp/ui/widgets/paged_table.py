"""Setting up a QTableView over a key-paged model of many thousands of rows."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView


def configure_paged_table(
    table: QTableView,
    column_chars: Sequence[int],
    selection: QAbstractItemView.SelectionMode = QAbstractItemView.SelectionMode.SingleSelection,
) -> None:
    """Rows selected whole, fixed row heights and column widths from average characters.

    Fixed sizes matter: measuring rows or contents would make Qt read every row of the model.
    """
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(selection)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
    character = table.fontMetrics().averageCharWidth()
    for column, chars in enumerate(column_chars):
        table.setColumnWidth(column, chars * character + 16)
    table.horizontalHeader().setStretchLastSection(True)
