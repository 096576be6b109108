"""The contacts table model: a million rows, of which only the visible pages are ever loaded.

rowCount comes from one COUNT over a covering index. data() asks for the block of ids holding
the row (one query by position in the sort order), then for the table lines of a small chunk
of those ids (by primary key); both are kept in small caches of recent blocks. A jump to any
row therefore costs one skip through the index and one short lookup. Sorting and filtering
change the query and reset the model; they run in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtCore import (
    QAbstractTableModel,
    QDateTime,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimeZone,
)
from PySide6.QtGui import QColor

from relapp.domain.contacts.listing import (
    ContactFilter,
    ContactQuery,
    ContactRow,
    SortKey,
    contact_ids_page,
    contact_rows,
    count_contacts,
)
from relapp.domain.contacts.phones import display_phone
from relapp.ui.widgets.key_paged import BlockCache, LruCache

ID_BLOCK = 1_000  # a screen, and several on either side
CACHED_ID_BLOCKS = 20
LINE_CHUNK = 100  # rows whose table lines are read at once
CACHED_LINE_CHUNKS = 30
CONTACT_ID_ROLE = Qt.ItemDataRole.UserRole


@dataclass(frozen=True)
class Column:
    title: str
    sort: SortKey | None  # None: not sortable (no index serves it on a large shop)
    numeric: bool = False


COLUMNS = (
    Column("Name", SortKey.NAME),
    Column("Phone", None),
    Column("Email", None),
    Column("Card", SortKey.CARD),
    Column("Stage", SortKey.STAGE),
    Column("Tier", SortKey.TIER),
    Column("Points", SortKey.POINTS, numeric=True),
    Column("Last visit", None),
    Column("Customer since", SortKey.SINCE),
    Column("Tags", None),
)
NAME, PHONE, EMAIL, CARD, STAGE, TIER, POINTS, LAST_VISIT, SINCE, TAGS = range(len(COLUMNS))
_ARCHIVED_COLOUR = QColor("#7a8684")
_Index = QModelIndex | QPersistentModelIndex


class ContactsTableModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.query = ContactQuery()
        self._ids: BlockCache[int] = BlockCache(ID_BLOCK, CACHED_ID_BLOCKS, self._read_ids)
        self._line_chunks: LruCache[int, dict[int, ContactRow]] = LruCache(CACHED_LINE_CHUNKS)

    # -- what is listed -----------------------------------------------------------------------

    def set_filter(self, contact_filter: ContactFilter) -> None:
        self.set_query(replace(self.query, filter=contact_filter))

    def set_query(self, query: ContactQuery) -> None:
        self.query = query
        self.reload()

    def reload(self) -> None:
        """Count again and forget every page (after a filter, a sort or someone's edit)."""
        self.beginResetModel()
        self._line_chunks.clear()
        self._ids.reset(count_contacts(self.query.filter))
        self.endResetModel()

    def refresh_rows(self) -> None:
        """Re-read the visible pages in place, when rows changed but not which rows are listed."""
        self._line_chunks.clear()
        if self._ids.row_count:
            self.dataChanged.emit(
                self.index(0, 0), self.index(self._ids.row_count - 1, len(COLUMNS) - 1)
            )

    def contact_id(self, row: int) -> int | None:
        line = self._line(row)
        return None if line is None else line.id

    def row_near(self, contact_id: int, row: int, span: int = 200) -> int | None:
        """The row listing contact_id, looked for within span rows of row: after a reload the
        list may have moved by a few rows (a customer added or archived above). Searching a
        million rows for one who moved far is not worth it."""
        for distance in range(span + 1):
            for candidate in (row - distance, row + distance):
                if self._ids.row(candidate) == contact_id:
                    return candidate
        return None

    def contact_ids(self, rows: list[int]) -> list[int]:
        return [contact_id for contact_id in map(self.contact_id, rows) if contact_id]

    # -- Qt model interface -------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._ids.row_count

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        column = COLUMNS[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.tr(column.title)
        if role == Qt.ItemDataRole.ToolTipRole and column.sort is None:
            return self.tr("This column cannot be sorted")
        if role == Qt.ItemDataRole.TextAlignmentRole and column.numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        line = self._line(index.row())
        if line is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(line, index.column())
        if role == CONTACT_ID_ROLE:
            return line.id
        if role == Qt.ItemDataRole.TextAlignmentRole and COLUMNS[index.column()].numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and line.archived:
            return _ARCHIVED_COLOUR
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == NAME and line.archived:
            return self.tr("Archived")
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS) or COLUMNS[column].sort is None:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        query = replace(self.query, sort=COLUMNS[column].sort, descending=descending)
        if query != self.query:
            # Qt sorts when sorting is enabled and when the indicator is set: unchanged, the
            # list (and its count of a big shop) need not be read again.
            self.set_query(query)

    # -- pages --------------------------------------------------------------------------------

    def _line(self, row: int) -> ContactRow | None:
        contact_id = self._ids.row(row)
        if contact_id is None:
            return None
        number = row // LINE_CHUNK
        chunk = self._line_chunks.get(number, lambda: self._read_chunk(number))
        return chunk.get(contact_id)

    def _read_ids(self, first: int, count: int, _after: int | None) -> list[int]:
        """A block of contact ids by position in the sort order. Always by position: a block
        holds ids, not the sort values a key would need (contact_ids_page skips from whichever
        end of the list is nearer)."""
        return contact_ids_page(self.query, first, count, self._ids.row_count)

    def _read_chunk(self, number: int) -> dict[int, ContactRow]:
        first = number * LINE_CHUNK
        rows = range(first, min(first + LINE_CHUNK, self._ids.row_count))
        ids = [contact_id for contact_id in map(self._ids.row, rows) if contact_id is not None]
        return {line.id: line for line in contact_rows(ids)}

    def _text(self, line: ContactRow, column: int) -> str:
        locale = QLocale()
        if column == NAME:
            return line.name
        if column == PHONE:
            return display_phone(line.phone) if line.phone else ""
        if column == EMAIL:
            return line.email or ""
        if column == CARD:
            return line.card_number or ""
        if column == STAGE:
            return self.tr(line.ladder_stage.capitalize())
        if column == TIER:
            return line.tier or ""
        if column == POINTS:
            return locale.toString(line.points_balance)
        if column == LAST_VISIT:
            return _local_date(locale, line.last_visit) if line.last_visit else ""
        if column == SINCE:
            return _local_date(locale, line.created_at)
        if column == TAGS:
            return ", ".join(line.tags)
        return ""


def _local_date(locale: QLocale, moment) -> str:
    stamp = QDateTime(moment.date(), moment.time(), QTimeZone.utc()).toLocalTime()
    return locale.toString(stamp.date(), QLocale.FormatType.ShortFormat)
