"""The partner report on paper: one section per partner with its figures, in the shop's fonts
(a partner's name in Chinese drawn by the CJK font), and cancelling leaves nothing behind."""

from __future__ import annotations

from datetime import date

import pikepdf
import pytest
from pypdf import PdfReader

from relapp.db.models import Staff
from relapp.db.store import partners as partner_store
from relapp.domain import clock
from relapp.domain.campaigns.vouchers import Offer, redeem_voucher
from relapp.domain.partners.batches import make_batch
from relapp.domain.partners.partners import Partner, find_partner, save_partner
from relapp.reports.document import ReportCancelled
from relapp.reports.partner_report import partner_report
from tests.factories import add_contact

TEA_HOUSE = "王记茶馆"


def fonts_of(path) -> set[str]:
    with pikepdf.open(path) as pdf:
        return {str(font.BaseFont).partition("+")[2] for page in pdf.pages
                for _name, font in page.Resources.Font.items()}  # fmt: skip


def text_of(path) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(path).pages)


@pytest.fixture
def partners(db):
    manager = Staff.create(name="Maya", role="manager", pin_hash="x", created_at=clock.utc_now())
    save_partner(Partner(TEA_HOUSE, contact_person="김민준", offers="Tea",
                         agreement_from=date(2026, 1, 1)), manager.id)  # fmt: skip
    save_partner(Partner("Café Luna"), manager.id)
    tea = find_partner(TEA_HOUSE).id
    assert tea is not None
    made = make_batch(tea, "ours_there", Offer("points", 100), 2, staff_id=manager.id)
    ann = add_contact("Ann", "Lee").id
    redeem_voucher(made.codes[0], ann)
    return tea


def test_each_partner_gets_its_section_in_the_shops_fonts(partners, tmp_path):
    today = clock.utc_now().astimezone().date()
    out = partner_report(tmp_path / "partners.pdf", None, date(2026, 1, 1), today)
    pages = PdfReader(out).pages
    assert len(pages) == 2  # one partner a page
    first, second = (" ".join(page.extract_text().split()) for page in pages)
    assert f"Partner report: {TEA_HOUSE}" in second and "Contact: 김민준" in second
    assert "Partner report: Café Luna" in first and "No agreement dates recorded." in first
    assert "Customers who joined in the period: 1. Of them, 0 bought" in second
    assert "Our codes, handed out there 2 1" in second
    assert {"DejaVuSans", "DejaVuSans-Bold", "DroidSansFallback", "NanumGothic"} <= fonts_of(out)


def test_one_partner_and_nothing_written_when_cancelled(partners, tmp_path):
    tea = partner_store.partner_row(partners)
    assert tea is not None
    out = tmp_path / "tea.pdf"
    with pytest.raises(ReportCancelled):
        partner_report(out, [find_partner(TEA_HOUSE)], date(2026, 1, 1), date(2026, 3, 31),
                       cancelled=lambda: True)  # fmt: skip
    assert not out.exists()
    partner_report(out, [find_partner(TEA_HOUSE)], date(2026, 1, 1), date(2026, 3, 31))
    assert "Partner report: Café Luna" not in text_of(out)
    assert f"Partner report · {TEA_HOUSE}" in text_of(out)  # the page header
