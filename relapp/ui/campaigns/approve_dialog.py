"""Approving an automatic campaign's list from Today: see who it reaches, then produce it.

Approving makes the campaign of today's list at once (so the owner sees exactly whom it
reaches and leaves out, counted as producing will count them); producing then goes as for
any campaign (relapp.ui.campaigns.produce). If the owner does not produce it (Discard, Esc,
or a Cancel while producing), the campaign is removed and its customers are listed again.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from relapp.db.store.campaigns import CampaignRow
from relapp.domain.campaigns.automatic import approve, discard
from relapp.domain.campaigns.campaigns import (
    CHANNEL_WORDS,
    Audience,
    campaign_audience,
    campaign_or_error,
    produce_campaign,
)
from relapp.domain.campaigns.listing import Reach, offer_text, planned_reach, preview_message
from relapp.domain.campaigns.recipients import Message
from relapp.errors import RelappError
from relapp.ui.campaigns.produce import produce
from relapp.ui.campaigns.texts import count, left_out_summary, tr
from relapp.ui.change_bus import ChangeBus
from relapp.ui.operations import run_change
from relapp.ui.widgets.background_task import run_with_progress


class ApproveDialog(QDialog):
    """The list's campaign as it would go out: counts, who is left out, the first message."""

    def __init__(
        self, campaign: CampaignRow, reach: Reach, first: Message | None,
        parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent, objectName="approveDialog")
        self.setWindowTitle(tr("Approve {name}").format(name=campaign.name))
        kind = tr(CHANNEL_WORDS.get(campaign.channel, "messages"))
        lines = [
            tr("{sent} {kind} will be produced, each logged on the customer's history.").format(
                sent=count(reach.sent), kind=kind
            ),
            left_out_summary(reach),
        ]
        self.summary = summary = QLabel(
            "\n".join(lines), objectName="approveSummary", wordWrap=True
        )
        summary.setTextFormat(Qt.TextFormat.PlainText)
        self.preview = preview = QPlainTextEdit(objectName="approvePreview", readOnly=True)
        if first is None:
            preview.setPlainText(tr("Nobody on the list can be reached on this channel."))
        else:
            subject = (
                tr("Subject: {subject}").format(subject=first.subject) if first.subject else ""
            )
            preview.setPlainText("\n\n".join(part for part in (subject, first.body) if part))
        preview.setMinimumSize(480, 200)
        buttons = QDialogButtonBox()
        self.produce_button = buttons.addButton(
            tr("&Produce…"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.produce_button.setDefault(True)
        if reach.sent == 0:  # recorded as done, so the list does not come back every day
            self.produce_button.setText(tr("&Mark as done"))
            self.produce_button.setToolTip(
                tr("Nobody on the list can be reached: record them so they are not listed again")
            )
        discard_button = buttons.addButton(tr("&Not now"), QDialogButtonBox.ButtonRole.RejectRole)
        discard_button.setToolTip(tr("Nothing is produced; the list stays in Today (Esc)"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(QLabel(tr("The first customer's message:")))
        layout.addWidget(preview, 1)
        layout.addWidget(buttons)


def approve_list(parent: QWidget, change_bus: ChangeBus, rule: str, staff_id: int | None) -> bool:
    """Approve the rule's list of today and produce it; whether it was produced."""

    def prepare(_report, _should_stop) -> tuple[CampaignRow, Audience, Message | None]:
        # Off the GUI thread: a list of 330,000 takes seconds to record and count.
        campaign_id = approve(rule, staff_id=staff_id)
        try:
            campaign = campaign_or_error(campaign_id)
            found = campaign_audience(campaign)
            first = preview_message(
                found, campaign.channel, campaign.template, campaign.subject,
                voucher=offer_text(campaign) is not None,
            )  # fmt: skip
        except BaseException:
            discard(campaign_id)
            raise
        return campaign, found, first

    try:
        prepared = run_with_progress(
            parent, tr("Reading today's list…"), prepare, (), cancellable=False
        )
    except RelappError as error:
        QMessageBox.warning(parent, tr("Automatic campaign"), str(error))
        return False
    campaign, found, first = prepared
    produced = None
    try:
        dialog = ApproveDialog(campaign, planned_reach(found, 0), first, parent)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            if found.reached:
                produced = produce(parent, change_bus, campaign, staff_id)
            else:
                produced = run_change(
                    parent, change_bus, lambda: produce_campaign(campaign.id, None,
                                                                 staff_id=staff_id),
                )  # fmt: skip
    finally:
        if produced is None:
            discard(campaign.id)
    return produced is not None
