"""The shop-wide reports run for one shop: the retention summary counts that shop's visits,
the loyalty liability says points are shared, the follow-up list has that shop's tasks; each
names the shop in its title line. Without a shop, each is as it always was."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader

from relapp.db.models import Interaction, Task
from relapp.domain.loyalty.program import loyalty_liability
from relapp.domain.shop.shops import Shop, add_shop, list_shops
from relapp.domain.timeline.retention import retention_summary
from relapp.errors import RelappError
from relapp.reports.catalogue import ReportRequest, write_report
from relapp.reports.document import report_context
from relapp.reports.followups import followup_list
from relapp.reports.liability import liability_report
from relapp.reports.retention import retention_report
from tests.conftest import AS_OF
from tests.factories import add_contact
from tests.reports.test_dossier import assert_sound, flat, pdf_text
from tests.reports.test_retention import lines_of

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.fixture
def harbour(db) -> Shop:
    return add_shop("Harbour Street", "2 Harbour St")


@pytest.fixture
def two_shops(demo_db, harbour) -> Shop:
    """The demo with every third sale, visit and call made at Harbour Street."""
    third = Interaction.id - Interaction.id / 3 * 3
    Interaction.update(shop=harbour.id).where(third == 0).execute()
    return harbour


def test_the_retention_summary_of_one_shop_has_its_figures_and_says_so(two_shops, tmp_path):
    out = retention_report(tmp_path / "harbour.pdf", as_of=AS_OF, shop=two_shops)
    summary = retention_summary(AS_OF, shop_id=two_shops.id)
    every = retention_summary(AS_OF)
    assert summary.visited < every.visited
    number = report_context().number
    lines = lines_of(out)
    assert lines[0] == "Retention summary · Harbour Street"
    figures = {"customers": summary.customers, "active": summary.active,
               "drifting away": summary.drifting, "lapsed": summary.lapsed}  # fmt: skip
    for label, value in figures.items():
        assert lines[lines.index(label) - 1] == number(value), label
    assert f"{number(summary.visited)} have visited" in lines
    table = lines[lines.index("Visitors") + 1 :]
    for index, month in enumerate(summary.months):
        row = table[index * 4 : index * 4 + 4]
        assert row[1:] == [number(month.new), number(month.returning), number(month.visitors)]
    text = flat(" ".join(lines))
    assert "Harbour Street only: its customers are those with anything recorded at" in text
    assert "new in the month of their first visit to Harbour Street" in text
    assert "History recorded before" not in text  # said of shop 1 only
    assert PdfReader(out).metadata.title.startswith("Retention summary · Harbour Street · ")
    assert_sound(out)
    assert len(PdfReader(out).pages) <= 2


def test_shop_1s_summary_says_the_history_from_before_is_its(two_shops, tmp_path):
    first = first_shop()
    text = flat(pdf_text(retention_report(tmp_path / "first.pdf", as_of=AS_OF, shop=first)))
    assert text.startswith(f"Retention summary · {first.name}")
    assert (
        f"History recorded before the business had several shops counts as {first.name}'s." in text
    )


def test_the_retention_summary_for_all_shops_is_as_before(two_shops, tmp_path):
    lines = lines_of(retention_report(tmp_path / "all.pdf", as_of=AS_OF))
    assert lines[0] == "Retention summary"
    text = flat(" ".join(lines))
    assert " only: " not in text
    assert "Drifting away: the Today view's list" in text
    assert "new in the month of their first visit ever" in text
    number = report_context().number
    assert lines[lines.index("customers") - 1] == number(retention_summary(AS_OF).customers)


def test_the_liability_of_one_shop_is_the_business_and_says_points_are_shared(two_shops, tmp_path):
    shared = liability_report(tmp_path / "harbour.pdf", shop=two_shops)
    every = liability_report(tmp_path / "all.pdf")
    lines = lines_of(shared)
    assert lines[0] == "Loyalty liability · Harbour Street"
    text = flat(" ".join(lines))
    assert (
        "Points are shared across shops: a customer earns and spends them at any shop, from one"
        " balance, so these figures are what the whole business owes, not Harbour Street alone."
        in text
    )
    owed = loyalty_liability()
    context = report_context()
    total = lines.index("Total")
    assert lines[total + 1 : total + 4] == [context.number(owed.customers_with_points),
                                            context.number(owed.points),
                                            context.money(owed.value_cents)]  # fmt: skip
    all_lines = lines_of(every)
    assert all_lines[0] == "Loyalty liability" and "shared across shops" not in " ".join(all_lines)
    at = all_lines.index("Total")
    assert all_lines[at : at + 4] == lines[total : total + 4]
    assert_sound(shared)


def test_the_follow_up_list_of_one_shop_has_its_tasks_only(harbour, tmp_path, time_zone):
    time_zone("UTC")  # the shop's day ends at 24:00 UTC
    ann = add_contact("Ann", "Harbour")
    bob = add_contact("Bob", "Lantern")
    for contact, title, shop, due in (
        (ann, "Ring about the boots", harbour.id, NOW - timedelta(hours=3)),
        (bob, "Old shop 1 task", None, NOW - timedelta(hours=2)),
        (bob, "Post the catalogue", 1, NOW + timedelta(hours=2)),
        (ann, "Fit the insoles", harbour.id, NOW + timedelta(hours=3)),
    ):
        Task.create(contact=contact, title=title, due_at=due, created_at=NOW - timedelta(days=1),
                    shop=shop)  # fmt: skip
    text = flat(pdf_text(followup_list(tmp_path / "harbour.pdf", now=NOW, shop=harbour)))
    assert text.startswith("Follow-up list · Harbour Street")
    assert ("Follow-ups: Harbour Street's only. Open queries and complaints, birthdays and "
            "customers drifting away: every shop's, as customers are shared.") in text  # fmt: skip
    assert "Overdue follow-ups (1)" in text and "Follow-ups due today (1)" in text
    assert "Ring about the boots" in text and "Fit the insoles" in text
    assert "Old shop 1 task" not in text and "Post the catalogue" not in text
    first = flat(pdf_text(followup_list(tmp_path / "first.pdf", now=NOW, shop=first_shop())))
    assert "Old shop 1 task" in first and "Post the catalogue" in first
    assert "Ring about the boots" not in first
    every = flat(pdf_text(followup_list(tmp_path / "all.pdf", now=NOW)))
    assert every.startswith("Follow-up list ") and "Follow-ups:" not in every
    assert "Overdue follow-ups (2)" in every and "Follow-ups due today (2)" in every


def first_shop() -> Shop:
    """Shop 1: the file's own, named as the shop was when the file reached schema 11."""
    return next(shop for shop in list_shops() if shop.id == 1)


def test_a_report_request_names_its_shop_in_any_letter_case(harbour, tmp_path):
    result = write_report(ReportRequest("loyalty", shop="HARBOUR street"), tmp_path / "l.pdf")
    assert pdf_text(result.path).startswith("Loyalty liability · Harbour Street")


def test_an_unknown_shop_is_one_sentence_listing_the_shops(harbour, tmp_path):
    with pytest.raises(RelappError) as refused:
        write_report(ReportRequest("retention", shop="Dockside"), tmp_path / "r.pdf")
    assert str(refused.value) == (
        "There is no shop called 'Dockside'; the shops are 'Harbour Street', 'My shop'."
    )
    assert not (tmp_path / "r.pdf").exists()


def test_a_report_about_customers_takes_no_shop(harbour, tmp_path):
    with pytest.raises(RelappError, match="the same for every shop"):
        write_report(ReportRequest("segment", segment="Any", shop="Harbour Street"),
                     tmp_path / "s.pdf")  # fmt: skip
