"""Reports for one shop, from the window: on a shop file (one shop) the Reports view shows no
Shop choice; once the business has a second shop it does (All shops, then each shop), and the
retention summary made for that shop counts only the sales made there."""

from __future__ import annotations

from datetime import timedelta

from pypdf import PdfReader
from PySide6.QtWidgets import QApplication

from relapp.db.models import Contact, Interaction
from relapp.domain.clock import utc_now
from relapp.domain.shop.shops import add_shop
from tests.flows.harness import Flow

SALES_DAYS_AGO = (20, 10, 2)  # three sales each: every one a repeat buyer, active


def pdf_lines(path) -> list[str]:
    text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    return [line.strip() for line in text.splitlines() if line.strip()]


def test_the_retention_summary_of_one_shop(flow: Flow):
    flow.press("Ctrl+5")
    reports = flow.current_view()
    flow.move_to(reports.catalogue, "Retention summary")
    assert not reports.shop.isVisible()  # a shop file is one shop: nothing to choose

    harbour = add_shop("Harbour Street", "2 Harbour St")
    customers = list(
        Contact.select()
        .where(Contact.archived_at.is_null() & Contact.erased_at.is_null())
        .order_by(Contact.id)
        .limit(3)
    )
    now = utc_now().replace(microsecond=0)
    for customer in customers:
        for days in SALES_DAYS_AGO:
            moment = now - timedelta(days=days)
            Interaction.create(contact=customer, kind="purchase", amount_cents=2_450,
                               summary="Walking boots", occurred_at=moment, created_at=moment,
                               updated_at=moment, shop=harbour.id)  # fmt: skip

    flow.press("Ctrl+1")  # away and back: the view reads the shops when shown
    flow.press("Ctrl+5")
    flow.move_to(reports.catalogue, "Retention summary")
    assert reports.shop.isVisible()
    choices = [reports.shop.itemText(index) for index in range(reports.shop.count())]
    assert choices == ["All shops", "Harbour Street", "Lantern Lane"]
    assert reports.shop.currentText() == "All shops"
    # Its label (a mnemonic's owner) is shown by the layout once events run, as for a person.
    flow.wait_until(lambda: reports.parameters.labelForField(reports.shop).isVisible())
    flow.press("Alt+O")  # Sh&op:
    assert QApplication.focusWidget() is reports.shop
    flow.press("Down")
    assert reports.shop.currentText() == "Harbour Street"
    reports.status.setText("")
    flow.press("Ctrl+Return")
    flow.wait_until(lambda: "page" in reports.status.text(), 30_000)
    assert reports.request.shop == "Harbour Street"

    lines = pdf_lines(reports.preview.path)
    assert lines[0] == "Retention summary · Harbour Street"
    figures = {"customers": "3", "active": "3", "drifting away": "0", "lapsed": "0"}
    for label, value in figures.items():
        assert lines[lines.index(label) - 1] == value, label
    assert "3 have visited" in lines
    assert lines[lines.index("repeat-purchase") - 1] == "100.0%"
    text = " ".join(lines)
    assert "3 of 3 buyers bought again" in text
    assert "Harbour Street only:" in text

    # The other reports about the business offer the choice too; those about customers not.
    flow.move_to(reports.catalogue, "Loyalty liability")
    assert reports.shop.isVisible() and reports.shop.currentText() == "Harbour Street"
    flow.move_to(reports.catalogue, "Customer dossier")
    assert not reports.shop.isVisible()
