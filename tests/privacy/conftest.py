"""A customer with every kind of data the shop keeps, each holding a distinctive string.

Every personal string contains MARK ("zzyzx", any case) or the phone's digits, so a raw scan
of the database files for those bytes finds any copy, wherever SQLite left it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import timedelta

import pytest

from relapp.db.models import database
from relapp.domain.clock import utc_now
from relapp.domain.contacts.editing import (
    load_contact_details,
    record_consent,
    save_contact_details,
)
from relapp.domain.contacts.merge import merge_contacts
from relapp.domain.loyalty.points import adjust_points
from relapp.domain.loyalty.sales import record_sale
from relapp.domain.shop.settings import save_settings
from relapp.domain.shop.staff import add_staff, ensure_owner, list_staff
from relapp.domain.timeline.follow_ups import add_task
from relapp.domain.timeline.history import log_interaction
from tests.factories import add_contact

MARK = b"zzyzx"
PHONE_DIGITS = b"491570156"
EMAIL = "zzyzx.qwerty@example.org"


@dataclass
class Person:
    id: int
    shell_id: int  # a duplicate merged into the person
    referrer_id: int
    bystander_id: int
    manager_id: int
    counter_id: int


def make_person() -> Person:
    """The person: an edit (old values in the audit), tags, preferences, handles, consent, a
    complaint, sales, a manager's adjustment, a task, a merged duplicate and a referrer."""
    owner = ensure_owner("Morgan Manager", "1234")
    add_staff("Casey Counter", "counter", "5678", owner.id)
    counter = next(member for member in list_staff() if member.name == "Casey Counter")
    save_settings(referral_bonus_points=25)
    referrer = add_contact("Rita", "Referrer", email="rita@example.org")
    bystander = add_contact("Bob", "Bystander", phone="0400 000 111")
    save_contact_details(
        dataclasses.replace(load_contact_details(bystander.id), tags=("VIP",)), "AU", owner.id
    )
    person = add_contact("Zzyzxann", "Qwertyzzyzx", phone="0491 570 156",
                         email="old.zzyzx@example.org", referred_by=referrer.id,
                         card_number="99887766")  # fmt: skip
    details = load_contact_details(person.id)
    save_contact_details(
        dataclasses.replace(
            details, email=EMAIL, street="12 Zzyzxstreet", locality="Zzyzxtown",
            notes="Zzyzxnote: told us in confidence", birth_year=1980, birth_month=2,
            birth_day=29, tags=("VIP", "Zzyzxtag-only-hers"),
            preferences=(("like", "Zzyzxpreference scarves"), ("size", "M")),
            social_handles=(("instagram", "@zzyzxhandle"),),
        ),
        "AU",
        owner.id,
    )  # fmt: skip
    record_consent(person.id, "email", True, "zzyzx paper form", counter.id)
    record_consent(person.id, "sms", True, "in person")
    record_consent(person.id, "sms", False, "replied STOP")
    logged = log_interaction(person.id, "complaint", summary="Zzyzxsummary broken zip",
                             details="Zzyzxdetails: lives at 12 Zzyzxstreet",
                             direction="inbound", staff_id=counter.id)  # fmt: skip
    add_task(person.id, "Call Zzyzxann back", utc_now() + timedelta(days=1))
    record_sale(person.id, 12_345, summary="Zzyzxsale gift for her mother")
    record_sale(person.id, 2_000)
    adjust_points(person.id, 40, "Goodwill for Zzyzxann Qwertyzzyzx", owner.id)
    shell = add_contact("Zzyzxann", "Qwertyzzyzx", email="dup.zzyzx@example.org")
    record_sale(shell.id, 5_000)
    merge_contacts(person.id, shell.id, staff_id=owner.id)
    assert logged
    return Person(person.id, shell.id, referrer.id, bystander.id, owner.id, counter.id)


@pytest.fixture
def person(db) -> Person:
    return make_person()


def database_files(db_path) -> dict[str, bytes]:
    """The raw bytes of the database and its -wal and -shm files (those that exist)."""
    files = {}
    for suffix in ("", "-wal", "-shm", "-journal"):
        path = db_path.with_name(db_path.name + suffix)
        if path.exists():
            files[path.name] = path.read_bytes()
    return files


def traces(db_path) -> dict[str, list[bytes]]:
    """Which files still hold which of the person's strings (lower-cased scan)."""
    found = {}
    for name, data in database_files(db_path).items():
        lowered = data.lower()
        hits = [needle for needle in (MARK, PHONE_DIGITS, b"99887766") if needle in lowered]
        if hits:
            found[name] = hits
    return found


def ledger_totals() -> tuple:
    return database.execute_sql(
        "SELECT count(*), sum(points), (SELECT sum(points_balance) FROM contact),"
        " (SELECT sum(amount_cents) FROM interaction), (SELECT count(*) FROM interaction)"
        " FROM points_entry"
    ).fetchone()
