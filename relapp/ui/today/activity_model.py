"""The shop's activity feed as a table model that reads on as the user scrolls.

Pages come from relapp.domain.timeline.history.activity_feed by key (before = the last entry's key):
no count of the whole table and no OFFSET, so the first screen of a million-customer shop
is one short index walk, and so is every page after it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from relapp.domain import clock
from relapp.domain.shop.formats import ShopFormat, shop_format
from relapp.domain.terms import DIRECTION_NAMES
from relapp.domain.timeline.history import ActivityEntry, TimelineKey, activity_feed
from relapp.ui.timeline.kind_style import kind_icon, kind_name
from relapp.ui.today.texts import local, tr, when
from relapp.ui.widgets.key_paged import FetchMoreByKey

PAGE = 200
COLUMNS = ("When", "Kind", "Customer", "Summary", "Staff")
WHEN, KIND, CUSTOMER, SUMMARY, STAFF = range(len(COLUMNS))
ENTRY_ROLE = Qt.ItemDataRole.UserRole
ALERT = QColor("#b42318")
_Index = QModelIndex | QPersistentModelIndex


class ActivityFeedModel(FetchMoreByKey[ActivityEntry, ActivityEntry], QAbstractTableModel):
    """The latest interactions, newest first, optionally of some kinds or one staff member."""

    page_size = PAGE

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.kinds: frozenset[str] | None = None
        self.staff_id: int | None = None
        self._forget_pages(nothing_to_read=True)
        self.today = date.today()
        self.shop = shop_format()  # read again with each reload: Settings may change it

    def set_filter(self, kinds: frozenset[str] | None, staff_id: int | None) -> None:
        self.kinds, self.staff_id = kinds, staff_id
        self.reload()

    def reload(self) -> None:
        """The first page again, from the newest entry."""
        self.beginResetModel()
        self.today = local(clock.utc_now()).date()
        self.shop = shop_format()
        self._read_from_the_top(PAGE)
        self.endResetModel()

    @property
    def entries(self) -> list[ActivityEntry]:
        """The entries read so far, one a row."""
        return self._rows

    def entry(self, row: int) -> ActivityEntry | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def _page_after(self, key: TimelineKey | None, limit: int) -> Sequence[ActivityEntry]:
        return activity_feed(self.kinds, self.staff_id, before=key, limit=limit)

    # -- Qt model interface -------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(COLUMNS)
        ):
            return tr(COLUMNS[section])
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        line = self.entry(index.row()) if index.isValid() else None
        if line is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(line, column)
        if role == Qt.ItemDataRole.DecorationRole and column == KIND:
            return kind_icon(line.entry.kind)
        if role == Qt.ItemDataRole.ForegroundRole and column == SUMMARY and line.entry.overdue:
            return QBrush(ALERT)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(line, column)
        if role == ENTRY_ROLE:
            return line
        return None

    def text(self, line: ActivityEntry, column: int) -> str:
        entry = line.entry
        if column == WHEN:
            return when(entry.occurred_at, self.today, self.shop)
        if column == KIND:
            name = kind_name(entry.kind)
            return f"{name} · {tr(DIRECTION_NAMES[entry.direction])}" if entry.direction else name
        if column == CUSTOMER:
            return line.contact_name
        if column == SUMMARY:
            return summary_text(line, self.shop)
        if column == STAFF:
            return entry.staff_name or ""
        return ""

    def tooltip(self, line: ActivityEntry, column: int) -> str | None:
        if column == WHEN:
            return self.shop.moment(line.entry.occurred_at)
        if column == SUMMARY:
            summary = summary_text(line, self.shop)
            return "\n\n".join(part for part in (summary, line.entry.details) if part)
        return self.text(line, column) or None


def summary_text(line: ActivityEntry, shop: ShopFormat) -> str:
    """The summary and what else matters about the entry: "Scarf · $45.00", "score 8/10",
    "Instagram", "open" or "overdue" for a case."""
    entry = line.entry
    parts = [entry.summary] if entry.summary else []
    if entry.network:
        parts.append(entry.network)
    if entry.amount_cents is not None:
        parts.append(shop.money(entry.amount_cents))
    if entry.feedback_score is not None:
        parts.append(tr("score {score}/10").format(score=entry.feedback_score))
    if entry.status == "open":
        parts.append(tr("overdue") if entry.overdue else tr("open"))
    elif entry.status == "resolved":
        parts.append(tr("resolved"))
    if entry.refunded_at is not None:
        parts.append(tr("refunded"))
    return " · ".join(parts)
