"""The two models that read on as the user scrolls pass Qt's model tester before and after
reading more: rows inserted at the end must be announced exactly as they are added."""

from __future__ import annotations

from datetime import timedelta

from relapp.db.models import Interaction
from relapp.domain.clock import utc_now
from relapp.ui.timeline.model import FIRST_PAGE, TimelineModel
from relapp.ui.today.activity_model import PAGE, ActivityFeedModel
from tests.factories import add_contact


def add_history(contact, count: int) -> None:
    start = utc_now() - timedelta(hours=1)
    for number in range(count):
        when = start - timedelta(hours=5 * number)
        Interaction.create(contact=contact, kind=("visit", "note")[number % 2],
                           occurred_at=when, created_at=when, updated_at=when,
                           summary=f"entry {number}")  # fmt: skip


def read_everything(model) -> int:
    """fetchMore until the model has no more, as a scrolling view asks; the pages read.

    The tester stays attached to the model and checks every row insertion as it happens."""
    pages = 0
    while model.canFetchMore():
        model.fetchMore()
        pages += 1
    return pages


def test_the_timeline_model_passes_the_model_tester_while_reading_on(qtmodeltester, app, db):
    ann = add_contact("Ann", "Long")
    add_history(ann, 1_000)
    model = TimelineModel()
    model.show_contact(ann.id)
    assert model.entry_count() == FIRST_PAGE
    qtmodeltester.check(model)  # Qt's tester fetches one page more itself
    assert model.entry_count() > FIRST_PAGE
    assert read_everything(model) >= 1
    assert model.entry_count() == 1_000 and not model.canFetchMore()
    qtmodeltester.check(model)
    model.reload()  # a change: the same entries, read again from the top
    assert model.entry_count() == 1_000
    qtmodeltester.check(model)


def test_the_activity_feed_model_passes_the_model_tester_while_reading_on(qtmodeltester, app, db):
    ann = add_contact("Ann", "Long")
    add_history(ann, PAGE * 4 + 7)
    model = ActivityFeedModel()
    model.reload()
    assert model.rowCount() == PAGE
    qtmodeltester.check(model)  # Qt's tester fetches one page more itself
    assert model.rowCount() > PAGE
    assert read_everything(model) >= 1
    assert model.rowCount() == PAGE * 4 + 7 and not model.canFetchMore()
    qtmodeltester.check(model)
