"""A competition's papers: the draw's record (seed, entries, winners, excluded counts by
reason, how to run it again) and the paper entry form with its rules; in the shop's fonts (a
name in Chinese and Korean drawn by their fonts)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pikepdf
import pytest
from pypdf import PdfReader

from relapp.db.models import database
from relapp.domain import clock
from relapp.domain.listening.competitions import (
    CompetitionRefused,
    Draft,
    enter,
    save_competition,
)
from relapp.domain.listening.winners import make_draw
from relapp.errors import RelappError
from relapp.reports.catalogue import ReportRequest, write_report
from relapp.reports.competition_draw import draw_report
from relapp.reports.competition_form import entry_form
from tests.factories import add_contact

NOW = datetime(2026, 4, 10, 12, 0, tzinfo=UTC)
AFTER = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
RULES = "1. One entry per person.\n2. 王记茶馆 prize: tea for two.\n3. 김민준 draws on 1 May."


def fonts_of(path) -> set[str]:
    with pikepdf.open(path) as pdf:
        return {str(font.BaseFont).partition("+")[2] for page in pdf.pages
                for _name, font in page.Resources.Font.items()}  # fmt: skip


def text_of(path) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(path).pages)


@pytest.fixture
def spring(db, monkeypatch):
    monkeypatch.setattr(clock, "utc_now", lambda: NOW)
    competition_id = save_competition(Draft(
        "Spring hamper", date(2026, 4, 1), date(2026, 4, 30), rules=RULES, by_purchase=True,
        no_purchase_route="Write your name on a postcard to the shop.", winners=2,
    ), as_owner=True).competition.id  # fmt: skip
    return competition_id


def test_the_entry_form_prints_the_rules_and_no_purchase_necessary(spring, tmp_path):
    out = entry_form(tmp_path / "form.pdf", spring)
    text = text_of(out)
    assert "Prize draw: Spring hamper" in text
    assert "No purchase necessary. To enter without buying: Write your name on a postcard" in text
    assert "Your name" in text and "Loyalty card (if you have one)" in text
    assert "2. 王记茶馆 prize: tea for two." in text
    assert {"DejaVuSans", "DejaVuSans-Bold", "DroidSansFallback", "NanumGothic"} <= fonts_of(out)


def test_the_draw_record(spring, tmp_path, monkeypatch):
    people = [add_contact(f"P{n}", "Lee").id for n in range(4)]
    entries = [enter(spring, who, "no_purchase").entry_id for who in people]
    database.execute_sql(
        "INSERT INTO competition_entry (competition_id, contact_id, route, entered_at)"
        " VALUES (?, ?, 'counter', '2026-04-12 12:00:00')",
        (spring, people[0]),
    )
    monkeypatch.setattr(clock, "utc_now", lambda: AFTER)
    drawn = make_draw(spring, as_owner=True, seed="0123456789abcdef").draw
    out = draw_report(tmp_path / "draw.pdf", spring)
    text = text_of(out)
    assert "Prize draw: Spring hamper" in text
    assert "Entries: 5, of which 4 valid, from 4 people; 1 left out" in text
    assert "Seed: 0123456789abcdef" in text
    for winner in drawn.winners:
        assert winner.name in text
    assert "Over the limit per person 1" in text
    assert "relapp competition verify " + str(spring) in text
    assert "the same winners, in the same order" in text
    assert ", ".join(f"{entry}/{n}" for n, entry in enumerate(entries, start=1)) in text
    assert {"DejaVuSans", "DejaVuSans-Bold", "DroidSansFallback", "NanumGothic"} <= fonts_of(out)


def test_a_competition_not_drawn_has_no_draw_record(spring, tmp_path):
    with pytest.raises(CompetitionRefused, match="not been drawn yet"):
        draw_report(tmp_path / "draw.pdf", spring)
    assert not (tmp_path / "draw.pdf").exists()


def test_the_catalogue_writes_the_draws_record_of_a_drawn_competition_only(
    spring, tmp_path, monkeypatch
):
    """`relapp report draw ID` and the Reports view."""
    out = tmp_path / "draw.pdf"
    for request, sentence in (
        (ReportRequest("draw"), "Say which competition: its number"),
        (ReportRequest("draw", competition=999), "There is no competition number 999."),
        (ReportRequest("draw", competition=spring),
         "Spring hamper has not been drawn yet, so there is no draw to print."),
    ):  # fmt: skip
        with pytest.raises(RelappError, match=sentence):
            write_report(request, out)
        assert not out.exists()
    enter(spring, add_contact("Ann", "Lee").id, "no_purchase")
    monkeypatch.setattr(clock, "utc_now", lambda: AFTER)
    make_draw(spring, as_owner=True, seed="0123456789abcdef")
    result = write_report(ReportRequest("draw", competition=spring), out)
    assert result.pages == 1
    text = text_of(out)
    assert "Prize draw: Spring hamper" in text and "Seed: 0123456789abcdef" in text
    assert "Ann Lee" in text
