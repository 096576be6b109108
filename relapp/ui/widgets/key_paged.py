"""Reading a long listing a page at a time, for the models of views that may list a million rows.

Two ways of paging, each written once here:

* BlockCache: rows by position, for a table the user can jump about in (Contacts, the audit
  log). Rows are read in blocks of a fixed size and only the most recently used blocks are
  kept. A block that follows a full block still held may be read by key, after that block's
  last row, which an index serves without skipping the rows before it; any other block is
  read by position.
* FetchMoreByKey: a mixin for a list model that reads on as its view scrolls (a customer's
  history, the activity feed). Qt asks canFetchMore/fetchMore as the view nears the end of
  what is loaded; the next page is read after the last entry's key (no count, no OFFSET), its
  rows are added at the end, and a page that comes back short means there is no more.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Any, Generic, Protocol, TypeVar, cast

from PySide6.QtCore import QModelIndex, QPersistentModelIndex

KeyT = TypeVar("KeyT", bound=Hashable)
ValueT = TypeVar("ValueT")
RowT = TypeVar("RowT")
_Index = QModelIndex | QPersistentModelIndex


class LruCache(Generic[KeyT, ValueT]):
    """Values by key, loaded on a miss; beyond `size` values the least recently used goes."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[KeyT, ValueT] = OrderedDict()

    def get(self, key: KeyT, load: Callable[[], ValueT]) -> ValueT:
        """The value for key, from load() if it is not held; either way it is now the newest."""
        value = self._values.get(key)
        if value is None:
            value = self._values[key] = load()
            while len(self._values) > self.size:
                self._values.popitem(last=False)
        else:
            self._values.move_to_end(key)
        return value

    def peek(self, key: KeyT) -> ValueT | None:
        """The value for key if it is held, without making it any more recent."""
        return self._values.get(key)

    def clear(self) -> None:
        self._values.clear()

    def __len__(self) -> int:
        return len(self._values)


# read(first, count, after): the rows from position first on, at most count of them. after is
# the last row of the block before when that block is held and full (the reader may read the
# rows after it by key), otherwise None (the reader reads by position).
ReadBlock = Callable[[int, int, RowT | None], Sequence[RowT]]


class BlockCache(Generic[RowT]):
    """The rows of a listing by position, read block_size at a time; cached_blocks are kept."""

    def __init__(self, block_size: int, cached_blocks: int, read: ReadBlock[RowT]) -> None:
        self.block_size = block_size
        self.row_count = 0
        self._read = read
        self._blocks: LruCache[int, Sequence[RowT]] = LruCache(cached_blocks)

    def reset(self, row_count: int) -> None:
        """Forget every block read: the listing now has row_count rows (a new count)."""
        self._blocks.clear()
        self.row_count = row_count

    def row(self, position: int) -> RowT | None:
        """The row at position, reading its block if it is not held; None outside the listing."""
        if not 0 <= position < self.row_count:
            return None
        number, offset = divmod(position, self.block_size)
        block = self._blocks.get(number, lambda: self._read_block(number))
        # Someone may have removed rows since the count: a short block leaves blanks.
        return block[offset] if offset < len(block) else None

    def _read_block(self, number: int) -> Sequence[RowT]:
        previous = self._blocks.peek(number - 1)
        after = previous[-1] if previous and len(previous) == self.block_size else None
        return self._read(number * self.block_size, self.block_size, after)


class Keyed(Protocol):
    """An entry of a listing read by key: the next page starts after the last entry's key."""

    @property
    def key(self) -> Any: ...


EntryT = TypeVar("EntryT", bound=Keyed)


class FetchMoreByKey(Generic[EntryT, RowT]):
    """Mixin for a Qt list or table model whose rows are read a page at a time after a key.

    Put it before the Qt model class (class M(FetchMoreByKey[E, R], QAbstractListModel)): its
    canFetchMore and fetchMore are the model's. The model sets page_size, writes
    _page_after(key, limit) (the entries after key, at most limit of them; key None: from the
    first) and, if its rows are not just the entries, _rows_of(entries). It calls
    _forget_pages in __init__ and _read_from_the_top inside a model reset; its rows are
    self._rows.
    """

    page_size: int  # entries read each time the view asks for more
    # Set while a page is being inserted: a view (or Qt's model tester) may ask for more while
    # it hears of the insertion, before the new rows are in; the same page would be read and
    # added twice.
    _inserting: bool = False
    _rows: list[RowT]
    _last_key: Any
    exhausted: bool  # the last page read came back short: there is nothing more to read

    # -- what the model writes ------------------------------------------------------------

    def _page_after(self, key: Any, limit: int) -> Sequence[EntryT]:
        """The entries after key (None: from the first), at most limit of them."""
        raise NotImplementedError

    def _rows_of(self, entries: Sequence[EntryT]) -> list[RowT]:
        """The rows that show these entries, to be added after the rows already listed."""
        return cast(list[RowT], list(entries))

    # -- reading --------------------------------------------------------------------------

    def _forget_pages(self, *, nothing_to_read: bool) -> None:
        """No rows and no key: the next page read is the first (or none, if nothing_to_read)."""
        self._rows = []
        self._last_key = None
        self.exhausted = nothing_to_read

    def _read_from_the_top(self, count: int, *, nothing_to_read: bool = False) -> None:
        """List the first count entries afresh (fewer if there are fewer), read in pages of at
        most page_size. Call it between beginResetModel and endResetModel."""
        self._forget_pages(nothing_to_read=nothing_to_read)
        read = 0
        while not self.exhausted and read < count:
            entries = self._read_page(min(self.page_size, count - read))
            self._rows += self._rows_of(entries)
            read += len(entries)

    def _read_page(self, limit: int) -> Sequence[EntryT]:
        entries = self._page_after(self._last_key, limit)
        if len(entries) < limit:
            self.exhausted = True
        if entries:
            self._last_key = entries[-1].key
        return entries

    # -- Qt's reading on ------------------------------------------------------------------

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008 (Qt signature)
        return not parent.isValid() and not self.exhausted and not self._inserting

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        rows = self._rows_of(self._read_page(self.page_size))
        if rows:
            self._insert_at_end(rows)

    def _insert_at_end(self, rows: list[RowT]) -> None:
        model = cast(Any, self)  # the Qt model this is mixed into
        first = len(self._rows)
        self._inserting = True
        try:
            model.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self._rows += rows
            model.endInsertRows()
        finally:
            self._inserting = False
