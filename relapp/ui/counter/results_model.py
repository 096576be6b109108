"""The counter's search results: a short list of ContactHit, best first."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QSize, Qt

from relapp.domain.phones import display_phone
from relapp.domain.search import ContactHit

HIT_ROLE = Qt.ItemDataRole.UserRole + 1

Index = QModelIndex | QPersistentModelIndex


class SearchResultsModel(QAbstractListModel):
    def __init__(self, parent=None, row_height: int = 48) -> None:
        super().__init__(parent)
        self._hits: list[ContactHit] = []
        # Set by the view from its font: two lines with room for taller scripts (CJK, Arabic),
        # whose fallback fonts the item delegate does not measure.
        self.row_height = row_height

    def set_hits(self, hits: list[ContactHit]) -> None:
        self.beginResetModel()
        self._hits = list(hits)
        self.endResetModel()

    def hit(self, row: int) -> ContactHit:
        return self._hits[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt signature)
        return 0 if parent.isValid() else len(self._hits)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._hits):
            return None
        hit = self._hits[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            details = [display_phone(hit.phone) if hit.phone else "", hit.card_number or ""]
            second_line = "  ·  ".join(part for part in details if part)
            archived = " (archived)" if hit.archived else ""
            return f"{hit.name}{archived}\n{second_line}" if second_line else hit.name + archived
        if role == Qt.ItemDataRole.SizeHintRole:
            return QSize(0, self.row_height)
        if role == Qt.ItemDataRole.ToolTipRole:
            return hit.email or None
        if role == HIT_ROLE:
            return hit
        return None
