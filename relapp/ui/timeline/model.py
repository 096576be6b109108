"""A customer's history as a list model that reads pages as the list scrolls.

The first page is read when a customer is shown; Qt asks canFetchMore/fetchMore when the view
nears the end of what is loaded, and the next page is read by key (timeline_page(before=);
the paging is relapp.ui.widgets.key_paged.FetchMoreByKey),
so a history of tens of thousands of entries opens as fast as one of ten and scrolls without
a pause. A day heading row is put before the first entry of each local day.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from relapp.domain.shop.formats import shop_format
from relapp.domain.timeline.history import TimelineEntry, TimelineKey, local_day, timeline_page
from relapp.ui.timeline.entry_text import entry_text
from relapp.ui.widgets.key_paged import FetchMoreByKey

FIRST_PAGE = 100
NEXT_PAGE = 300
ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
DAY_ROLE = Qt.ItemDataRole.UserRole + 2

_Index = QModelIndex | QPersistentModelIndex


class TimelineModel(FetchMoreByKey[TimelineEntry, TimelineEntry | date], QAbstractListModel):
    """One customer's history, newest first: entries, each day's headed by a day row."""

    page_size = NEXT_PAGE

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.contact_id: int | None = None
        self.kinds: frozenset[str] | None = None
        self._forget_pages(nothing_to_read=True)
        # How the shop writes money and times, read with each load rather than each paint.
        self.shop = shop_format()

    # -- loading ----------------------------------------------------------------------------

    def show_contact(self, contact_id: int | None, kinds: frozenset[str] | None = None) -> None:
        """Show this customer's history (None: nobody) from the newest entry."""
        self.beginResetModel()
        self.shop = shop_format()
        self.contact_id = contact_id
        self.kinds = kinds
        self._read_from_the_top(FIRST_PAGE, nothing_to_read=contact_id is None)
        self.endResetModel()

    def reload(self) -> None:
        """Read again from the top, keeping as many entries loaded as before (at least a page),
        so that a change does not throw the user back to the newest entries."""
        loaded = max(FIRST_PAGE, self.entry_count())
        self.beginResetModel()
        self.shop = shop_format()
        self._read_from_the_top(loaded, nothing_to_read=self.contact_id is None)
        self.endResetModel()

    def _page_after(self, key: TimelineKey | None, limit: int) -> Sequence[TimelineEntry]:
        assert self.contact_id is not None  # nobody shown: there is nothing to read
        return timeline_page(self.contact_id, self.kinds, before=key, limit=limit)

    def _rows_of(self, entries: Sequence[TimelineEntry]) -> list[TimelineEntry | date]:
        """The entries, with a day row before the first entry of each day not yet headed."""
        previous = self._last_day()
        rows: list[TimelineEntry | date] = []
        for entry in entries:
            day = local_day(entry)
            if day != previous:
                rows.append(day)
                previous = day
            rows.append(entry)
        return rows

    def _last_day(self) -> date | None:
        for row in reversed(self._rows):
            if isinstance(row, TimelineEntry):
                return local_day(row)
        return None

    # -- reading ----------------------------------------------------------------------------

    def entry_count(self) -> int:
        return sum(1 for row in self._rows if isinstance(row, TimelineEntry))

    def entry(self, row: int) -> TimelineEntry | None:
        if 0 <= row < len(self._rows):
            found = self._rows[row]
            return found if isinstance(found, TimelineEntry) else None
        return None

    def day(self, row: int) -> date | None:
        if 0 <= row < len(self._rows):
            found = self._rows[row]
            return None if isinstance(found, TimelineEntry) else found
        return None

    def row_of(self, entry_id: int, kind: str) -> int:
        """The row showing this entry (an interaction, or a points line), or -1."""
        for row, found in enumerate(self._rows):
            if (
                isinstance(found, TimelineEntry)
                and found.id == entry_id
                and (found.kind == "points") == (kind == "points")
            ):
                return row
        return -1

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if self.day(index.row()) is not None:
            return Qt.ItemFlag.ItemIsEnabled  # a heading cannot be selected
        return super().flags(index)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        if role == ENTRY_ROLE:
            return row if isinstance(row, TimelineEntry) else None
        if role == DAY_ROLE:
            return None if isinstance(row, TimelineEntry) else row
        if role == Qt.ItemDataRole.DisplayRole:
            if isinstance(row, TimelineEntry):
                return row.summary
            return row.isoformat()
        if role == Qt.ItemDataRole.ToolTipRole and isinstance(row, TimelineEntry):
            # The whole entry: the line on screen is elided.
            text = entry_text(row, self.shop)
            return "\n".join(part for part in (text.title, row.details, text.badge) if part)
        return None
