"""Two tills redeeming one voucher code at the same moment: one gets it, the other is told it
was used; the customer's points are given once. Real processes on one shop file."""

from __future__ import annotations

import subprocess
import sys

from relapp.db.models import PointsEntry
from relapp.db.store import campaigns as store
from relapp.db.store import vouchers as voucher_store
from relapp.domain.campaigns.campaigns import create_campaign, produce_campaign
from relapp.domain.campaigns.vouchers import Offer
from relapp.domain.contacts.editing import record_consent
from relapp.domain.contacts.listing import ContactFilter, save_segment
from tests.factories import add_contact


def test_two_tills_at_once_redeem_a_code_once(db, db_path):
    save_segment("Everyone", ContactFilter())
    ann = add_contact("Ann", "Lee", phone="0412 000 000").id
    record_consent(ann, "sms", True, "in person")
    create_campaign("Points", "Everyone", "sms", "{voucher_code}", offer=Offer("points", 300))
    (campaign,) = store.campaigns()
    produce_campaign(campaign.id, lambda row, messages, progress: [])
    code = voucher_store.codes_of_campaign(campaign.id)[ann]
    db.close()

    command = [sys.executable, "-m", "relapp", "voucher", "redeem", code, f"#{ann}",
               "--db", str(db_path)]  # fmt: skip
    tills = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(4)]  # fmt: skip
    outcomes = [(till.wait(timeout=60), *till.communicate()) for till in tills]

    assert sorted(code for code, _, _ in outcomes) == [0, 1, 1, 1]
    refusals = [err for code, _, err in outcomes if code == 1]
    assert all("was used" in err and "Traceback" not in err for err in refusals)
    db.connect()
    given = [e.points for e in PointsEntry.select().where(PointsEntry.contact == ann)]
    assert given == [300]
