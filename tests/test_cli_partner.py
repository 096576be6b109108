"""Partners from the command line: a till redeems a partner's bearer code with `relapp voucher
redeem` (the partner recorded as the customer's referral source), and `relapp report partner`
writes the partner report for a partner and a period, refusing an unknown partner or a day
that is not one."""

from __future__ import annotations

from datetime import date

import pytest
from pypdf import PdfReader

from relapp import cli
from relapp.db.models import Staff
from relapp.db.store import partners as partner_store
from relapp.domain import clock
from relapp.domain.campaigns.vouchers import Offer
from relapp.domain.partners.batches import make_batch
from relapp.domain.partners.partners import Partner, find_partner, save_partner
from tests.factories import add_contact


@pytest.fixture
def luna(db):
    """A partner with a batch of 3 of their codes; (partner id, codes, a customer's id)."""
    manager = Staff.create(name="Maya", role="manager", pin_hash="x", created_at=clock.utc_now())
    save_partner(Partner("Café Luna", offers="Coffee", agreement_from=date(2026, 1, 1)),
                 manager.id)  # fmt: skip
    partner_id = find_partner("Café Luna").id
    assert partner_id is not None
    made = make_batch(partner_id, "theirs_here", Offer("amount", 500), 3, "Spring",
                      staff_id=manager.id)  # fmt: skip
    return partner_id, made.codes, add_contact("Ann", "Lee").id


def run(capsys, db_path, *args: str) -> tuple[int, str, str]:
    code = cli.main([*args, "--db", str(db_path)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def text_of(path) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(path).pages)


def test_a_till_redeems_a_partners_code_and_the_customer_came_through_them(
    capsys, luna, db_path, tmp_path
):
    partner_id, codes, ann = luna
    code, printed, errors = run(capsys, db_path, "voucher", "redeem", codes[0], f"#{ann}")
    assert (code, errors) == (0, "")
    assert printed == (
        f"Voucher {codes[0]} (Café Luna, Spring) redeemed: take $5.00 off the purchase;"
        " Ann Lee is recorded as coming through Café Luna.\n"
    )
    assert partner_store.referral_partner(ann) == partner_id
    code, _printed, errors = run(capsys, db_path, "voucher", "redeem", codes[0], f"#{ann}")
    assert code == 1 and "was used already" in errors

    out = tmp_path / "luna.pdf"
    today = clock.utc_now().astimezone().date()
    code, printed, errors = run(capsys, db_path, "report", "partner", "--partner", "café luna",
                                "--from", "2026-01-01", "--to", today.isoformat(),
                                "--out", str(out))  # fmt: skip
    assert (code, errors) == (0, "") and printed.startswith(f"Wrote {out} (")
    text = text_of(out)
    assert "Partner report: Café Luna" in text
    assert "Customers who joined in the period: 1. Of them, 0 bought, spending $0.00" in text
    assert "Their codes, redeemable here 3 1" in text
    assert "Our codes, handed out there 0 0" in text


def test_the_report_refuses_an_unknown_partner_and_a_day_that_is_not_one(
    capsys, luna, db_path, tmp_path
):
    out = tmp_path / "x.pdf"
    code, printed, errors = run(capsys, db_path, "report", "partner", "--partner", "Bakery",
                                "--out", str(out))  # fmt: skip
    assert (code, printed) == (1, "")
    assert errors == "relapp: There is no partner called 'Bakery'; the partners: 'Café Luna'.\n"
    assert not out.exists()
    with pytest.raises(SystemExit) as stopped:
        run(capsys, db_path, "report", "partner", "--from", "2026-13-01", "--out", str(out))
    assert stopped.value.code == 2
    assert "'2026-13-01' is not a day as YYYY-MM-DD" in capsys.readouterr().err
    code, _printed, errors = run(capsys, db_path, "report", "partner", "--from", "2026-06-01",
                                 "--to", "2026-05-01", "--out", str(out))  # fmt: skip
    assert code == 1 and "The period cannot end before it begins." in errors


def test_every_partner_over_the_last_quarter_by_default(capsys, luna, db_path, tmp_path):
    out = tmp_path / "all.pdf"
    code, _printed, errors = run(capsys, db_path, "report", "partner", "--out", str(out))
    assert (code, errors) == (0, "")
    text = text_of(out)
    assert "Partner report: Café Luna" in text and "How it is counted" in text
