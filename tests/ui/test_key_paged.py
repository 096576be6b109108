"""The shared paging of long listings (relapp.ui.widgets.key_paged), over fake page readers:
which rows are read, when, and by key or by position; no database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pytest
from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QListView

from relapp.ui.widgets.key_paged import BlockCache, FetchMoreByKey, LruCache

_Index = QModelIndex | QPersistentModelIndex

# ------------------------------------------------------------------------------- LruCache


def test_the_cache_loads_a_value_once_and_forgets_the_least_recently_used():
    cache: LruCache[int, str] = LruCache(2)
    loads = []

    def load(key: int) -> str:
        loads.append(key)
        return f"value {key}"

    assert cache.get(1, lambda: load(1)) == "value 1"
    assert cache.get(2, lambda: load(2)) == "value 2"
    assert cache.get(1, lambda: load(1)) == "value 1"  # held: 1 is now the newest
    cache.get(3, lambda: load(3))  # one too many: 2, the least recently used, goes
    assert loads == [1, 2, 3] and len(cache) == 2
    assert cache.peek(2) is None and cache.peek(1) == "value 1"


def test_peek_does_not_make_a_value_recent():
    cache: LruCache[int, str] = LruCache(2)
    cache.get(1, lambda: "one")
    cache.get(2, lambda: "two")
    assert cache.peek(1) == "one"
    cache.get(3, lambda: "three")
    assert cache.peek(1) is None and cache.peek(2) == "two"
    cache.clear()
    assert len(cache) == 0


# ----------------------------------------------------------------------------- BlockCache


class FakeListing:
    """Rows 0..size-1 (each row is its own number), read as BlockCache reads them: every read
    is recorded as ("position", first) or ("key", the row it follows)."""

    def __init__(self, size: int) -> None:
        self.rows = list(range(size))
        self.reads: list[tuple[str, int]] = []

    def read(self, first: int, count: int, after: int | None) -> list[int]:
        if after is None:
            self.reads.append(("position", first))
            return self.rows[first : first + count]
        self.reads.append(("key", after))
        start = self.rows.index(after) + 1
        return self.rows[start : start + count]


def test_a_block_cache_gives_rows_by_position_and_none_outside_the_listing():
    listing = FakeListing(25)
    cache = BlockCache(10, 5, listing.read)
    cache.reset(25)
    assert [cache.row(position) for position in range(25)] == list(range(25))
    assert cache.row(-1) is None and cache.row(25) is None
    assert cache.row_count == 25


def test_a_block_after_a_full_block_held_is_read_by_key_any_other_by_position():
    listing = FakeListing(100)
    cache = BlockCache(10, 5, listing.read)
    cache.reset(100)
    for position in range(25):
        cache.row(position)
    cache.row(75)  # a jump: nothing held before it
    assert listing.reads == [("position", 0), ("key", 9), ("key", 19), ("position", 70)]


def test_a_block_is_read_once_while_held_and_again_once_forgotten():
    listing = FakeListing(100)
    cache = BlockCache(10, 2, listing.read)
    cache.reset(100)
    cache.row(5)
    cache.row(55)
    cache.row(6)  # held: block 0 is now the newer of the two
    cache.row(95)  # one too many: block 5 goes
    cache.row(56)
    assert listing.reads == [("position", 0), ("position", 50), ("position", 90), ("position", 50)]


def test_a_short_block_leaves_blanks_and_the_next_block_is_read_by_position():
    listing = FakeListing(30)
    cache = BlockCache(10, 5, listing.read)
    cache.reset(30)
    del listing.rows[5:8]  # three rows removed after the count
    assert cache.row(0) == 0 and cache.row(9) == 12
    assert cache.row(10) == 13  # the block before is full: read after its last row
    assert cache.row(20) == 23 and cache.row(26) == 29
    assert cache.row(27) is None and cache.row(29) is None  # the block came back short
    assert listing.reads == [("position", 0), ("key", 12), ("key", 22)]


def test_reset_forgets_every_block_and_takes_the_new_count():
    listing = FakeListing(30)
    cache = BlockCache(10, 5, listing.read)
    cache.reset(30)
    cache.row(3)
    listing.rows.insert(0, -1)
    cache.reset(31)
    assert cache.row(3) == 2 and cache.row(30) == 29
    assert listing.reads == [("position", 0), ("position", 0), ("position", 30)]


# ------------------------------------------------------------------------- FetchMoreByKey


@dataclass(frozen=True)
class Entry:
    number: int
    day: str

    @property
    def key(self) -> int:
        return self.number


def entries(count: int, per_day: int = 1_000) -> list[Entry]:
    return [Entry(number, f"day {number // per_day}") for number in range(count)]


class FakeFeed(FetchMoreByKey[Entry, Entry | str], QAbstractListModel):
    """A list model over fake entries read after a key, one row an entry."""

    page_size = 10

    def __init__(self, source: list[Entry]) -> None:
        super().__init__()
        self.source = source
        self.reads: list[tuple[int | None, int]] = []  # (after key, limit) of each read
        self._forget_pages(nothing_to_read=True)

    def load(self, count: int, nothing_to_read: bool = False) -> None:
        self.beginResetModel()
        self._read_from_the_top(count, nothing_to_read=nothing_to_read)
        self.endResetModel()

    def _page_after(self, key: int | None, limit: int) -> Sequence[Entry]:
        self.reads.append((key, limit))
        after = [entry for entry in self.source if key is None or entry.key > key]
        return after[:limit]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> str | None:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        row = self._rows[index.row()]
        return row if isinstance(row, str) else f"entry {row.number}"


class HeadedFeed(FakeFeed):
    """The same, with a heading row before the first entry of each day, as the history has."""

    def _rows_of(self, entries: Sequence[Entry]) -> list[Entry | str]:
        shown = [row for row in self._rows if isinstance(row, Entry)]
        previous = shown[-1].day if shown else None
        rows: list[Entry | str] = []
        for entry in entries:
            if entry.day != previous:
                rows.append(entry.day)
                previous = entry.day
            rows.append(entry)
        return rows


def read_everything(model: FakeFeed) -> None:
    while model.canFetchMore():
        model.fetchMore()


def test_nothing_is_read_until_asked_or_when_there_is_nothing_to_read(qapp):
    model = FakeFeed(entries(30))
    assert model.rowCount() == 0 and not model.canFetchMore()
    model.load(10, nothing_to_read=True)
    assert model.rowCount() == 0 and not model.canFetchMore() and model.reads == []


def test_the_first_pages_then_each_page_after_the_last_key_until_one_comes_back_short(qapp):
    model = FakeFeed(entries(35))
    model.load(25)
    assert model.rowCount() == 25 and model.canFetchMore()
    assert model.reads == [(None, 10), (9, 10), (19, 5)]  # pages of at most page_size
    model.fetchMore()
    assert model.rowCount() == 35 and model.canFetchMore()  # a full page: there may be more
    model.fetchMore()
    assert model.rowCount() == 35 and not model.canFetchMore()  # an empty page: no more
    assert model.reads[3:] == [(24, 10), (34, 10)]
    model.fetchMore()  # asking again reads nothing
    assert len(model.reads) == 5


def test_a_short_page_means_there_is_no_more(qapp):
    model = FakeFeed(entries(17))
    model.load(10)
    model.fetchMore()
    assert model.rowCount() == 17 and not model.canFetchMore()
    model.load(30)  # fewer than asked for: the reading stops at the short page
    assert model.rowCount() == 17 and not model.canFetchMore()
    assert model.reads[-2:] == [(None, 10), (9, 10)]


def test_rows_read_on_are_announced_as_they_are_added(qapp, qtmodeltester):
    model = FakeFeed(entries(47))
    model.load(10)
    qtmodeltester.check(model)  # the tester reads a page more itself
    assert model.rowCount() > 10
    read_everything(model)
    assert model.rowCount() == 47
    qtmodeltester.check(model)
    assert not model.canFetchMore(model.index(0, 0))  # a list: no children to read


@pytest.mark.parametrize("signal", ["rowsAboutToBeInserted", "rowsInserted"])
def test_asking_for_more_while_a_page_is_inserted_reads_nothing(qapp, signal):
    model = FakeFeed(entries(100))
    model.load(10)
    asked = []

    def ask_again(*_args) -> None:  # as a view may, hearing of the insertion
        asked.append(model.canFetchMore())
        model.fetchMore()

    getattr(model, signal).connect(ask_again)
    model.fetchMore()
    assert asked == [False] and model.rowCount() == 20 and len(model.reads) == 2
    assert model.canFetchMore()  # the guard is lifted once the page is in


def test_the_model_decides_the_rows_of_each_page_and_the_key_follows_the_entries(qapp):
    model = HeadedFeed(entries(25, per_day=8))
    model.load(10)
    assert [model.index(row).data() for row in range(model.rowCount())] == [
        "day 0", *(f"entry {n}" for n in range(8)), "day 1", "entry 8", "entry 9"
    ]  # fmt: skip
    model.fetchMore()
    rows = [model.index(row).data() for row in range(model.rowCount())]
    assert rows[12:] == [
        *(f"entry {n}" for n in range(10, 16)), "day 2", *(f"entry {n}" for n in range(16, 20))
    ]  # fmt: skip
    assert model.reads == [(None, 10), (9, 10)]


def test_a_view_scrolled_to_the_end_reads_on(qapp, qtbot):
    model = FakeFeed(entries(500))
    model.load(10)
    view = QListView()
    view.setUniformItemSizes(True)
    view.setModel(model)
    qtbot.addWidget(view)
    view.resize(200, 100)
    view.show()
    qtbot.waitExposed(view)
    view.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() > 10, timeout=2000)
    assert model.reads[1] == (9, 10)
