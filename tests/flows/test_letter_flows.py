"""Letters from the real window: a letter campaign produced (Campaigns, Produce) with an
address label sheet and envelopes chosen in the Produce dialog by keys; the three PDFs hold
a page (or a label) for each customer reached."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader

from relapp.domain.campaigns.campaigns import audience, create_campaign
from relapp.domain.campaigns.listing import list_campaigns
from tests.flows.harness import Flow
from tests.flows.test_campaign_flows import choose

SEGMENT = "VIP customers"


def test_letters_with_labels_and_envelopes(flow: Flow, tmp_path: Path):
    reached = audience(SEGMENT, "letter").reached
    assert reached, "the demo shop has VIPs who agreed to post and have an address"
    create_campaign("Winter letter", SEGMENT, "letter", "Dear {first_name}, see you soon.")
    flow.press("Ctrl+7")
    view = flow.current_view()
    flow.wait_until(lambda: view.table.rowCount() == 1)
    view.table.selectRow(0)
    out = tmp_path / "letters"
    out.mkdir()
    seen = {}

    def where(file_dialog):
        flow.press("Ctrl+A")
        flow.type(str(out))
        flow.press("Return")

    def options(dialog):
        flow.press("Alt+L")
        choose(flow, dialog.labels, "A4 3x8")
        flow.press("Alt+E")
        choose(flow, dialog.envelopes, "DL")
        flow.press("Return")

    def told(box):
        seen["told"] = box.text()
        flow.press("Return")

    flow.in_next_dialog(where, "Folder for the files of Winter letter")
    flow.in_next_dialog(options, "Produce Winter letter")
    flow.in_next_dialog(told, "Campaign produced")
    flow.click(view.produce_button)
    flow.wait_for_dialogs()

    [made] = list_campaigns()
    stem = f"winter-letter-{made.id}"
    assert f"{len(reached):,} letters for Winter letter" in seen["told"]
    assert f"{stem}-envelopes.pdf" in seen["told"]
    letters = PdfReader(out / f"{stem}-letters.pdf")
    envelopes = PdfReader(out / f"{stem}-envelopes.pdf")
    labels = PdfReader(out / f"{stem}-labels.pdf")
    assert len(letters.pages) >= len(reached)
    assert len(envelopes.pages) == len(reached)
    assert round(float(envelopes.pages[0].mediabox.width)) == 624  # 220 mm: DL
    assert len(labels.pages) == -(-len(reached) // 24)  # 3 x 8 to a sheet
