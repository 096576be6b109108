"""A campaign's results on paper: who came back, sent against held out, with the interval."""

from __future__ import annotations

from datetime import timedelta

import pikepdf
import pytest
from pypdf import PdfReader

from relapp.db.models import Interaction
from relapp.db.store import campaigns as store
from relapp.domain.campaigns.campaigns import CampaignError, create_campaign, produce_campaign
from relapp.domain.clock import utc_now
from relapp.domain.contacts.editing import record_consent
from relapp.domain.contacts.listing import ContactFilter, save_segment
from relapp.reports.campaign_results import campaign_results_report
from tests.factories import add_contact


def text_of(path) -> str:
    with pikepdf.open(path) as pdf:
        assert pdf.check_pdf_syntax() == []
    text = " ".join(page.extract_text() for page in PdfReader(path).pages)
    return " ".join(text.split())  # lines wrap where the page width says


def produced(holdout: int) -> int:
    save_segment("Everyone", ContactFilter())
    for n in range(20):
        record_consent(add_contact(f"P{n}", "Lee", phone="0412 000 000").id, "sms", True, "form")
    create_campaign("Spring", "Everyone", "sms", "Hi {first_name}", holdout_percent=holdout)
    (campaign,) = store.campaigns()
    produce_campaign(campaign.id, lambda row, messages, progress: [])
    return campaign.id


def test_the_results_compare_those_sent_with_those_held_out(db, tmp_path):
    campaign_id = produced(holdout=50)
    soon = utc_now() + timedelta(minutes=1)
    for contact_id in store.recipient_ids(campaign_id, "sent")[:4]:
        Interaction.create(contact=contact_id, kind="purchase", amount_cents=2500,
                           occurred_at=soon, created_at=soon, updated_at=soon)  # fmt: skip
    text = text_of(campaign_results_report(campaign_id, tmp_path / "results.pdf"))
    assert "Campaign results · Spring" in text
    assert "10 sent, 10 held out for comparison" in text
    assert "4 / 10 (40.0%)" in text and "$100.00" in text and "0 / 10 (0.0%)" in text
    assert "+40.0 (" in text and "(so far)" in text
    assert "Sent the campaign" in text  # the chart's legend


def test_without_a_hold_out_group_it_says_there_is_nothing_to_compare(db, tmp_path):
    campaign_id = produced(holdout=0)
    text = text_of(campaign_results_report(campaign_id, tmp_path / "results.pdf"))
    assert "no hold-out group" in text and "Difference" not in text


def test_an_unproduced_campaign_has_no_results_and_no_file(db, tmp_path):
    save_segment("Everyone", ContactFilter())
    add_contact("Ann", "Lee", phone="0412 000 000")
    create_campaign("Later", "Everyone", "sms", "Hi")
    (later,) = store.campaigns()
    with pytest.raises(CampaignError, match="not been produced"):
        campaign_results_report(later.id, tmp_path / "results.pdf")
    assert not (tmp_path / "results.pdf").exists()
