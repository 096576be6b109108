"""Find duplicates: pairs of contacts that look like one customer, to merge or dismiss.

The search runs in the background with progress (on a large shop the name comparison reads
every contact). Each pair is reviewed by a person: merge it, or mark it "not the same person"
so it is not suggested again.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from relapp.domain.changes import Change
from relapp.domain.contacts.duplicates import (
    DuplicatePair,
    DuplicateSearchCancelled,
    dismiss_pair,
    find_duplicate_pairs,
)
from relapp.domain.contacts.phones import display_phone
from relapp.domain.contacts.search import ContactHit
from relapp.errors import RelappError
from relapp.ui.contacts.merge_dialog import MergeDialog
from relapp.ui.widgets.background_task import run_with_progress

_Index = QModelIndex | QPersistentModelIndex
FIRST, SECOND, REASONS = range(3)


class DuplicatePairsModel(QAbstractTableModel):
    def __init__(self, pairs: list[DuplicatePair], parent=None) -> None:
        super().__init__(parent)
        self.pairs = list(pairs)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.pairs)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 3

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            titles = (self.tr("Customer"), self.tr("Possible duplicate"), self.tr("Why"))
            return titles[section] if 0 <= section < 3 else None
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.pairs):
            return None
        pair = self.pairs[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == REASONS:
                return ", ".join(self.tr(reason) for reason in pair.reasons)
            return _describe(pair.first if index.column() == FIRST else pair.second)
        if role == Qt.ItemDataRole.ToolTipRole and index.column() in (FIRST, SECOND):
            return _describe(pair.first if index.column() == FIRST else pair.second)
        return None

    def remove_rows(self, unwanted: Callable[[DuplicatePair], bool]) -> None:
        for row in reversed(range(len(self.pairs))):
            if unwanted(self.pairs[row]):
                self.beginRemoveRows(QModelIndex(), row, row)
                del self.pairs[row]
                self.endRemoveRows()


def _describe(contact: ContactHit) -> str:
    details = [
        display_phone(contact.phone) if contact.phone else "",
        contact.email or "",
        f"card {contact.card_number}" if contact.card_number else "",
    ]
    archived = " (archived)" if contact.archived else ""
    return f"{contact.name}{archived}\n" + " · ".join(part for part in details if part)


class DuplicatesDialog(QDialog):
    def __init__(self, pairs: list[DuplicatePair], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Find duplicates"))
        self.resize(900, 560)
        self.changes: list[Change] = []
        self.model = DuplicatePairsModel(pairs, self)
        self.table = QTableView(objectName="duplicatePairs")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(
            self.table.fontMetrics().lineSpacing() * 2 + 12
        )
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(FIRST, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(SECOND, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(REASONS, QHeaderView.ResizeMode.ResizeToContents)
        # A double click merges; Enter is the default button's (activated would fire for
        # Enter too, and the dialog then opened a second merge for the next pair).
        self.table.doubleClicked.connect(lambda _index: self.merge_current())
        self.summary = QLabel(objectName="duplicatesSummary", wordWrap=True)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.merge_button = QPushButton(self.tr("&Merge…"))
        self.merge_button.setDefault(True)
        self.dismiss_button = QPushButton(self.tr("&Not the same person"))
        self.dismiss_button.setToolTip(self.tr("Do not suggest this pair again"))
        buttons.addButton(self.merge_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.dismiss_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.merge_button.clicked.connect(self.merge_current)
        self.dismiss_button.clicked.connect(self.dismiss_current)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self._update()
        if self.model.rowCount():
            self.table.selectRow(0)

    def current_pair(self) -> DuplicatePair | None:
        row = self.table.currentIndex().row()
        return self.model.pairs[row] if 0 <= row < self.model.rowCount() else None

    def merge_current(self) -> None:
        pair = self.current_pair()
        if pair is None:
            return
        change = MergeDialog.ask(self, *pair.ids)
        if change is None:
            return
        self.changes.append(change)
        self._forget(set(pair.ids))

    def dismiss_current(self) -> None:
        pair = self.current_pair()
        if pair is None:
            return
        self.changes.append(dismiss_pair(*pair.ids))
        row = self.table.currentIndex().row()
        self.model.remove_rows(lambda candidate: candidate.ids == pair.ids)
        self._select_near(row)

    def _forget(self, contact_ids: set[int]) -> None:
        row = self.table.currentIndex().row()
        # A merged contact is gone: every other pair naming it is moot.
        self.model.remove_rows(lambda candidate: bool(set(candidate.ids) & contact_ids))
        self._select_near(row)

    def _select_near(self, row: int) -> None:
        if self.model.rowCount():
            self.table.selectRow(min(max(row, 0), self.model.rowCount() - 1))
        self._update()

    def _update(self) -> None:
        count = self.model.rowCount()
        self.summary.setText(
            self.tr(
                "{count} possible duplicates, strongest first. Select a pair and press Enter "
                "to merge it, or mark it as not the same person."
            ).format(count=count)
            if count
            else self.tr(
                "No likely duplicates: no two customers share a phone number, an email "
                "address or their full name."
            )
        )
        self.merge_button.setEnabled(bool(count))
        self.dismiss_button.setEnabled(bool(count))

    @classmethod
    def ask(cls, parent: QWidget | None) -> Change | None:
        """Search (with progress), then let the owner review; what changed, or None."""
        try:
            pairs = run_with_progress(
                parent,
                parent.tr("Looking for customers entered twice…") if parent else "",
                lambda report, should_stop: find_duplicate_pairs(
                    progress=report, cancelled=should_stop
                ),
                (DuplicateSearchCancelled,),
            )
        except RelappError as error:
            QMessageBox.warning(parent, "Relapp", str(error))
            return None
        if pairs is None:
            return None
        dialog = cls(pairs, parent)
        dialog.exec()
        return Change.union(*dialog.changes) if dialog.changes else None
