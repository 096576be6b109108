"""The retention summary report: its figures are retention_summary's, its PDF is sound, and
cancelling leaves nothing behind."""

from __future__ import annotations

import pikepdf
import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import LETTER

from relapp.db.models import Tier
from relapp.domain.shop.settings import save_settings
from relapp.domain.timeline.retention import retention_summary
from relapp.reports.document import ReportCancelled, report_context
from relapp.reports.retention import retention_report
from tests.conftest import AS_OF
from tests.factories import add_contact


def lines_of(path) -> list[str]:
    """Each line of text in the PDF, stripped; a table cell or a figure is a line of its own."""
    text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    return [line.strip() for line in text.splitlines() if line.strip()]


def assert_sound(path) -> None:
    """The file opens and qpdf finds nothing wrong in its syntax or streams."""
    with pikepdf.open(path) as pdf:
        assert pdf.check_pdf_syntax() == []


def test_the_headline_and_the_tables_are_the_summarys_figures(demo_db, tmp_path):
    out = retention_report(tmp_path / "retention.pdf", as_of=AS_OF)
    summary = retention_summary(AS_OF)
    number = report_context().number
    lines = lines_of(out)
    for value, label in (
        (summary.customers, "customers"),
        (summary.active, "active"),
        (summary.drifting, "drifting away"),
        (summary.lapsed, "lapsed"),
    ):
        assert lines[lines.index(label) - 1] == number(value), label
    rate = lines[lines.index("repeat-purchase") - 1]
    assert rate == f"{summary.repeat.rate:.1%}"
    assert f"{number(summary.visited)} have visited" in lines
    # The month table: month, new, returning, visitors, for each month in turn.
    table = lines[lines.index("Visitors") + 1 :]
    for index, month in enumerate(summary.months):
        row = table[index * 4 : index * 4 + 4]
        assert row[1:] == [number(month.new), number(month.returning), number(month.visitors)]
    assert table[0] == "Dec 2025" and table[4] == "Jan 2026" and table[8] == "Feb"
    # The mixes, each row as its table has it.
    for entry in summary.stages:
        at = lines.index(entry.name.capitalize(), lines.index("Stage"))
        assert lines[at + 1] == number(entry.customers)
    assert sum(entry.customers for entry in summary.tiers) == summary.customers
    assert_sound(out)
    assert len(PdfReader(out).pages) <= 2


def test_tier_names_are_printed_as_typed(db, tmp_path):
    tier = Tier.create(name="<b>Gold</b> & <img src='x'/>", min_spend_cents=0)
    add_contact("Ann", tier=tier)
    out = retention_report(tmp_path / "retention.pdf")
    assert "<b>Gold</b> & <img src='x'/>" in " ".join(lines_of(out))
    assert_sound(out)


def test_an_empty_shop_still_gets_its_page(db, tmp_path):
    save_settings(paper_size="Letter")
    out = retention_report(tmp_path / "retention.pdf")
    text = " ".join(lines_of(out))
    assert "Nobody visited in these months." in text
    assert "nobody has bought yet" in text
    page = PdfReader(out).pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(LETTER)
    assert_sound(out)


@pytest.mark.parametrize("calls_before_cancel", [0, 1, 3])
def test_cancelling_leaves_no_file(demo_db, tmp_path, calls_before_cancel):
    asked = []

    def cancelled() -> bool:
        asked.append(True)
        return len(asked) > calls_before_cancel

    with pytest.raises(ReportCancelled):
        retention_report(tmp_path / "retention.pdf", cancelled=cancelled, as_of=AS_OF)
    assert not [path for path in tmp_path.iterdir() if path.name.endswith((".pdf", ".part"))]


def test_progress_rises_to_the_end(demo_db, tmp_path):
    seen: list[float] = []
    retention_report(tmp_path / "retention.pdf", progress=seen.append, as_of=AS_OF)
    assert seen == sorted(seen) and seen[-1] == 1.0 and 0 < seen[0] < 1
