"""Reading the audit log: pages newest first by every route, filters, summaries."""

from __future__ import annotations

import json

import pytest

from relapp.db.models import AuditLog, Staff, database
from relapp.domain.clock import utc_now
from relapp.domain.contacts.bulk_actions import tag_contacts
from relapp.domain.shop import staff
from relapp.domain.shop.audit import (
    AuditFilter,
    audit_actions,
    audit_details,
    audit_page,
    count_audit,
    latest_audit_id,
    pinned,
    summarise,
)
from relapp.domain.shop.staff import add_staff, hash_pin
from tests.factories import add_contact

ACTIONS = ("contact edited", "contacts tagged", "staff added")


@pytest.fixture
def log(db, monkeypatch):
    """450 rows: actions in turn, staff 1, 2 or nobody, one row mentioning Zoë."""
    monkeypatch.setattr(staff, "_SCRYPT_N", 2**4)
    now = utc_now()
    for name in ("Maya", "Sam"):
        Staff.create(name=name, role="manager", pin_hash=hash_pin("1234"), created_at=now)
    actions = {0: "contact edited", 1: "contacts tagged", 2: "staff added"}
    AuditLog.insert_many(
        [
            {
                "occurred_at": f"2026-01-01 00:{i // 60:02d}:{i % 60:02d}",
                "staff": None if i % 3 == 0 else i % 3,
                "action": actions[i % 3],
                "entity": "contact",
                "entity_id": i,
                "details": json.dumps({"n": i}),
            }
            for i in range(1, 451)
        ]
    ).execute()
    database.execute_sql(
        "UPDATE audit_log SET details = ? WHERE id = 100",
        (json.dumps({"fields": ["given_name"], "values": {"given_name": ["Zoe", "Zoë"]}}),),
    )


def ids(rows) -> list[int]:
    return [row.id for row in rows]


def expected_ids(where: str = "1", params: tuple = ()) -> list[int]:
    sql = f"SELECT id FROM audit_log WHERE {where} ORDER BY id DESC"
    return [row[0] for row in database.execute_sql(sql, params)]


FILTERS = [
    (AuditFilter(), "true", ()),
    (AuditFilter(action="contacts tagged"), "action = ?", ("contacts tagged",)),
    (AuditFilter(staff_id=2), "staff_id = ?", (2,)),
    (AuditFilter(action="contact edited", staff_id=1), "false", ()),
]


@pytest.mark.parametrize(("audit_filter", "where", "params"), FILTERS)
@pytest.mark.parametrize("gaps", [False, True])
def test_every_page_route_gives_the_same_rows_newest_first(log, audit_filter, where, params, gaps):
    if gaps:  # rows gone from the middle and the oldest end: ids no longer dense
        database.execute_sql("DELETE FROM audit_log WHERE id BETWEEN 200 AND 230 OR id < 5")
    audit_filter = pinned(audit_filter)
    everything = expected_ids(where, params)
    total = count_audit(audit_filter)
    assert total == len(everything)
    for offset in (0, 1, 57, total // 2, total // 2 + 1, total - 60, total - 1, total, total + 5):
        wanted = everything[max(0, offset) : max(0, offset) + 50]
        assert ids(audit_page(audit_filter, offset, 50)) == wanted, offset
        assert ids(audit_page(audit_filter, offset, 50, total)) == wanted, offset
    # Paging on by key from the last row of each page reaches every row once.
    seen, key = [], None
    while True:
        page = audit_page(audit_filter, 0, 40, total, before_id=key)
        if not page:
            break
        seen += ids(page)
        key = page[-1].id
    assert seen == everything


def test_a_pinned_listing_ignores_rows_written_later(log):
    listing = pinned(AuditFilter())
    before = count_audit(listing)
    newest = latest_audit_id()
    tag_contacts([add_contact("Ann", "Lee").id], "VIP")
    assert latest_audit_id() == newest + 1
    assert count_audit(listing) == before
    assert audit_page(listing, 0, 1, before)[0].id == newest
    assert count_audit(AuditFilter()) == before + 1
    assert audit_page(pinned(AuditFilter()), 0, 1)[0].action == "contacts tagged"


def test_filters_by_action_staff_and_text(log):
    assert count_audit(AuditFilter(action="staff added")) == 150
    assert count_audit(AuditFilter(staff_id=1)) == 150
    assert count_audit(AuditFilter(action="nothing of the sort")) == 0
    # Text: the action, the details, the staff name; any case.
    assert count_audit(AuditFilter(text="STAFF ADD")) == 150
    assert count_audit(AuditFilter(text="sam")) == 150
    assert ids(audit_page(AuditFilter(text="given_name"), 0, 10)) == [100]
    assert ids(audit_page(AuditFilter(text="Zoë"), 0, 10)) == [100]  # stored as Zo\u00eb
    assert ids(audit_page(AuditFilter(text="#42"), 0, 10)) == [42]
    # % and _ are letters here, not wildcards.
    assert count_audit(AuditFilter(text="%")) == 0
    assert count_audit(AuditFilter(text="given_nam_")) == 0
    assert count_audit(AuditFilter(text="sam", action="contact edited")) == 0


def test_rows_carry_the_staff_name_and_a_summary(log):
    (row,) = audit_page(AuditFilter(text="#100"), 0, 5)
    assert (row.staff_name, row.action, row.entity, row.entity_id) == (
        "Maya", "contacts tagged", "contact", 100
    )  # fmt: skip
    assert row.summary == "fields: given_name"
    assert row.occurred_at.isoformat() == "2026-01-01T00:01:40+00:00"
    (nobody,) = audit_page(AuditFilter(text="#99"), 0, 5)
    assert nobody.staff_name is None
    assert audit_details(100)["values"] == {"given_name": ["Zoe", "Zoë"]}
    assert audit_details(100_000) is None


def test_the_actions_listed_are_distinct_and_sorted(log):
    assert audit_actions() == sorted(ACTIONS)


def test_staff_changes_show_in_the_log(db, monkeypatch):
    monkeypatch.setattr(staff, "_SCRYPT_N", 2**4)
    owner = staff.ensure_owner("Ada", "2580")
    add_staff("Sam", "counter", "0000", owner.id)
    staff.set_role(find_id("Sam"), "manager", owner.id)
    rows = audit_page(pinned(AuditFilter()), 0, 10)
    assert [(row.action, row.staff_name, row.summary) for row in rows] == [
        ("staff role changed", "Ada", "Sam · counter → manager"),
        ("staff added", "Ada", "Sam · role counter"),
        ("owner account created", "Ada", "Ada · role manager"),
    ]


def find_id(name: str) -> int:
    return Staff.get(Staff.name == name).id


@pytest.mark.parametrize(
    ("entity", "details", "summary"),
    [
        ("contact", {"tag": "VIP", "count": 3, "ids": [1, 2, 3]}, "tag VIP · 3 contacts"),
        ("contact", {"count": 1, "ids": [7]}, "1 contact"),
        ("contact", {"ids": [7, 8]}, "2 contacts"),
        ("contact", {"fields": ["phone", "email"], "values": {"phone": ["1", "2"]}},
         "fields: phone, email"),
        ("contact", {"stage": "client", "count": 2, "ids": [1, 2]}, "stage client · 2 contacts"),
        ("contact", {"card_number": "20000001"}, "card 20000001"),
        ("contact", {"contact_ids": [4, 9]}, "contacts: #4, #9"),
        ("contact", {"survivor_id": 4, "merged_id": 9, "survivor_before": {"id": 4},
                     "points_entries": [11, 12]}, "#9 merged into #4 · points entries: 2"),
        ("shop", {"as_of": "2026-11-22"}, "as of 2026-11-22"),
        ("contact", {"reason": "damaged card", "points": -50, "manual": True, "note": ""},
         "reason: damaged card · points: -50 · manual: yes"),
        ("contact", {"fields": list("abcdefg")}, "fields: a, b, c, d, e and 2 more"),
        ("contact", {}, ""),
    ],
)  # fmt: skip
def test_summaries_are_one_readable_line(entity, details, summary):
    assert summarise(entity, json.dumps(details)) == summary
    assert summarise(entity, details) == summary


def test_a_summary_survives_odd_details():
    assert summarise("contact", "not json") == ""
    assert summarise("contact", "[1, 2]") == ""
    assert summarise("contact", None) == ""
    long = summarise("contact", {"reason": "x" * 500})
    assert len(long) == 160 and long.endswith("…")
