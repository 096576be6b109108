"""Whether the Counter should offer a customer a survey now, and what they said when asked.

Rules chosen here:

* After a sale the Counter offers at most one survey: the oldest active survey the customer
  is due for. A customer asked a survey (answered or declined) on the shop's calendar day D
  is due for it again from day D + ask_every_days (0: at every sale).
* The contact cap. A survey asked at the till takes the customer's time as an outbound
  contact does, so the Counter offers one only while the customer's outbound contacts of the
  last 30 days (relapp.domain.contacts.rhythm) plus the surveys they were asked in those 30
  days stay under the shop's contact_cap_per_30_days. The asking itself is not an outbound
  contact: it is not an interaction, so it does not count against campaigns or the Today
  list (the customer was at the till and could say no).
* F10 lists every active survey whatever these rules say: the cashier (or a customer who
  asks) chooses to, and the list says when each was last asked.
* Declining notes it (survey_asked, outcome declined): not offered again within
  ask_every_days. Answering notes it too (relapp.domain.listening.answers).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from relapp.db.busy import write_transaction
from relapp.db.fields import format_timestamp, parse_timestamp
from relapp.db.store import surveys as store
from relapp.domain import clock
from relapp.domain.changes import Change, Entity
from relapp.domain.contacts.rhythm import CAP_WINDOW, contact_pressure
from relapp.domain.listening.surveys import SurveyRefused
from relapp.domain.loyalty.ledger import live_customer
from relapp.domain.memberships.status import shop_today


@dataclass(frozen=True)
class SurveyChoice:
    """An active survey the shop can ask a customer, as the F10 menu lists it."""

    survey_id: int
    name: str
    kind: str  # survey | poll
    anonymous: bool
    last_asked_on: date | None  # the shop's day the customer was last asked it, if ever
    due: bool  # whether the Counter would offer it now (ask_every_days and the cap)


def _local_day(stamp: str) -> date:
    return parse_timestamp(stamp).astimezone().date()


def _due(ask_every_days: int, last_asked_on: date | None, today: date) -> bool:
    return last_asked_on is None or today >= last_asked_on + timedelta(days=ask_every_days)


def under_cap(contact_id: int, now: datetime | None = None) -> bool:
    """Whether one more asking keeps the customer under the contact cap (module docstring)."""
    moment = now or clock.utc_now()
    pressure = contact_pressure(contact_id, moment)
    asked = store.askings_between(
        contact_id, format_timestamp(moment - CAP_WINDOW), format_timestamp(moment)
    )
    return pressure.count + asked < pressure.cap


def surveys_to_ask(contact_id: int, now: datetime | None = None) -> list[SurveyChoice]:
    """Every active survey, oldest first, with when the customer was last asked it and
    whether it is due (the cap included)."""
    moment = now or clock.utc_now()
    today = shop_today(moment)
    last = store.last_asked(contact_id)
    rows = store.active_survey_rows()
    capped = not under_cap(contact_id, moment) if rows else False
    choices = []
    for row in rows:
        day = _local_day(last[row.id]) if row.id in last else None
        due = not capped and _due(row.ask_every_days, day, today)
        choices.append(SurveyChoice(row.id, row.name, row.kind, row.anonymous, day, due))
    return choices


def survey_to_offer(contact_id: int, now: datetime | None = None) -> SurveyChoice | None:
    """The one survey the Counter offers after a sale: the oldest active one the customer is
    due for, under the contact cap; None if there is none."""
    return next((choice for choice in surveys_to_ask(contact_id, now) if choice.due), None)


def record_declined(survey_id: int, contact_id: int) -> Change:
    """The customer was asked and said no: not offered again within ask_every_days."""
    with write_transaction():
        if store.survey_row(survey_id) is None:
            raise SurveyRefused(f"There is no survey number {survey_id}.")
        live_customer(contact_id)
        store.record_asked(survey_id, contact_id, format_timestamp(clock.utc_now()), "declined")
    return Change.of(Entity.SURVEYS, contact_ids=frozenset({contact_id}))


def has_active_surveys() -> bool:
    """Whether the shop offers any survey at the Counter (the panel's Ask… button)."""
    return bool(store.active_survey_rows())
