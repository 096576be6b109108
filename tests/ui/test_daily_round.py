"""The app's daily round publishes what it changed, and shrugs off a busy database."""

from __future__ import annotations

from datetime import date

from relapp.db.models import Contact
from relapp.domain.changes import Entity
from relapp.domain.shop.settings import save_settings
from relapp.errors import DatabaseBusy
from relapp.ui import daily_round
from relapp.ui.daily_round import DailyRound
from tests.factories import add_contact


def test_a_birthday_bonus_reaches_the_views(app, qtbot, db, change_bus):
    save_settings(birthday_bonus_points=50)
    today = date.today()
    ann = add_contact("Ann", "Lee", birth_month=today.month, birth_day=today.day)
    round_ = DailyRound(change_bus)
    with qtbot.waitSignal(change_bus.changed, timeout=5000) as published:
        round_.start()
    round_.timer.stop()
    round_.wait()
    assert published.args[0].touches(Entity.POINTS)
    assert Contact.get_by_id(ann.id).points_balance == 50


def test_a_busy_database_waits_for_the_next_round(app, qtbot, db, change_bus, monkeypatch):
    def busy():
        raise DatabaseBusy("The database is busy: another program is writing to it.")

    monkeypatch.setattr(daily_round, "run_daily_jobs", busy)
    round_ = DailyRound(change_bus)
    with qtbot.assertNotEmitted(change_bus.changed, wait=200):
        round_.run()
        round_.wait()
    qtbot.waitUntil(lambda: "busy" in round_.last_problem, timeout=2000)
