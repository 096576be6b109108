"""The counter's search results: a short list of ContactHit, best first, each with what tells
it apart from another customer of the same name."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QSize, Qt

from relapp.domain.contacts.phones import display_phone
from relapp.domain.contacts.profiles import CustomerClues
from relapp.domain.contacts.search import ContactHit
from relapp.domain.shop.formats import ShopFormat
from relapp.ui.counter.clues import clue_line

HIT_ROLE = Qt.ItemDataRole.UserRole + 1

Index = QModelIndex | QPersistentModelIndex


class SearchResultsModel(QAbstractListModel):
    def __init__(self, parent=None, row_height: int = 48) -> None:
        super().__init__(parent)
        self._hits: list[ContactHit] = []
        self._lines: list[str] = []  # each hit's second line
        # Set by the view from its font: two lines with room for taller scripts (CJK, Arabic),
        # whose fallback fonts the item delegate does not measure.
        self.row_height = row_height

    def set_hits(
        self,
        hits: list[ContactHit],
        clues: dict[int, CustomerClues] | None = None,
        shop: ShopFormat | None = None,
    ) -> None:
        """clues (with shop, which formats the last visit): what tells the hits apart."""
        self.beginResetModel()
        self._hits = list(hits)
        self._lines = [
            clue_line(clues.get(hit.id), shop) if clues and shop else "" for hit in self._hits
        ]
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
            archived = " (archived)" if hit.archived else ""
            second_line = self._lines[index.row()]
            return f"{hit.name}{archived}\n{second_line}" if second_line else hit.name + archived
        if role == Qt.ItemDataRole.SizeHintRole:
            return QSize(0, self.row_height)
        if role == Qt.ItemDataRole.ToolTipRole:
            details = [display_phone(hit.phone) if hit.phone else "", hit.email or ""]
            if hit.card_number:
                details.append(f"card {hit.card_number}")
            return "\n".join(part for part in details if part) or None
        if role == HIT_ROLE:
            return hit
        return None
