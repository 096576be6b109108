"""Producing a campaign from the window: where its files go, what emails and letters need
besides, then the work off the GUI thread with progress and Cancel, as `relapp campaign
produce` does it.

An email campaign is sent from Relapp when the shop's mail server is set up (Settings,
Email): that is offered first, files for a mail program or Mailchimp the other choice. Sent,
its emails are queued in the outbox with the campaign, then sent at once with progress and
Cancel (relapp.ui.campaigns.outbox_dialog); Cancel stops after the email on its way and the
rest wait in the outbox.

The folder and the label layout are remembered (QSettings) for the next campaign; the sender
and the opt-out text come from the shop's Email settings (else the ones last typed here).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import cast

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from relapp.db.store.campaigns import CampaignRow
from relapp.domain.campaigns.campaigns import CHANNEL_WORDS, Produced, produce_campaign
from relapp.domain.campaigns.outbox import SendReport, check_ready, smtp_settings
from relapp.domain.shop.settings import load_settings
from relapp.errors import RelappError
from relapp.exchange.campaign_output import (
    OutputCancelled,
    emails_to_send,
    write_campaign_files,
)
from relapp.ui.campaigns.outbox_dialog import report_text, send_with_progress
from relapp.ui.campaigns.texts import count, tr
from relapp.ui.change_bus import ChangeBus
from relapp.ui.operations import run_slow_change

FOLDER_KEY = "campaigns/folder"
SENDER_KEY = "campaigns/sender"
OPT_OUT_KEY = "campaigns/opt_out"
LABELS_KEY = "campaigns/labels"
ENVELOPES_KEY = "campaigns/envelopes"
DEFAULT_OPT_OUT = "Reply “unsubscribe” to hear no more from us."
FILES_LISTED = 5


@dataclass(frozen=True)
class OutputOptions:
    """What write_campaign_files needs besides the messages and the folder."""

    sender: str = ""
    opt_out: str = ""
    labels: str | None = None  # a LABEL_LAYOUTS name; None: no label sheet
    envelopes: str | None = None  # an ENVELOPE_LAYOUTS name; None: no envelopes
    send: bool = False  # emails: sent from Relapp through the outbox, no files


class OutputOptionsDialog(QDialog):
    """Emails: sent from Relapp or written as files, the sender and the opt-out text.
    Letters: an address label sheet, or none."""

    def __init__(self, campaign: CampaignRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.campaign = campaign
        self.setWindowTitle(self.tr("Produce {name}").format(name=campaign.name))
        self.setMinimumWidth(520)
        settings = QSettings()
        form = QFormLayout()
        self.sender = QLineEdit(objectName="campaignSender")
        self.opt_out = QLineEdit(objectName="campaignOptOut")
        self.labels = QComboBox(objectName="campaignLabels")
        self.envelopes = QComboBox(objectName="campaignEnvelopes")
        self.send: QRadioButton | None = None  # emails: sent from Relapp, or files
        if campaign.channel == "email":
            self.send = QRadioButton(objectName="sendFromRelapp")
            self.files = QRadioButton(
                self.tr("&Write files for a mail program or Mailchimp"),
                objectName="writeEmailFiles",
            )
            how = QButtonGroup(self)
            how.addButton(self.send)
            how.addButton(self.files)
            self.how_note = QLabel(objectName="settingsHint", wordWrap=True)
            self.how_note.setTextFormat(Qt.TextFormat.PlainText)
            intro = self.tr("Each email is sent from this address and ends with the opt-out text.")
            mail = smtp_settings()
            self.sender.setText(mail.sender or str(settings.value(SENDER_KEY, "")))
            self.sender.setPlaceholderText(
                self.tr("{shop} <hello@example.com>").format(shop=load_settings().shop_name)
            )
            self.opt_out.setText(
                mail.opt_out or str(settings.value(OPT_OUT_KEY, "")) or self.tr(DEFAULT_OPT_OUT)
            )
            self.send.setText(
                self.tr("&Send from Relapp through {host}").format(host=mail.host)
                if mail.host
                else self.tr("&Send from Relapp")
            )
            problem = _sending_problem()
            self.send.setEnabled(problem is None)
            (self.send if problem is None else self.files).setChecked(True)
            self.how_note.setText(
                self.tr(
                    "The emails wait in the outbox and go at once; what cannot go now goes "
                    "later (Campaigns, Outbox)."
                )
                if problem is None
                else problem
            )
            form.addRow(self.send)
            form.addRow(self.files)
            form.addRow(self.how_note)
            form.addRow(self.tr("&From:"), self.sender)
            form.addRow(self.tr("&Opt-out text:"), self.opt_out)
        else:
            # Read only when a letter is produced: reportlab is slow to import.
            from relapp.reports.campaign_letters import ENVELOPE_LAYOUTS, LABEL_LAYOUTS

            intro = self.tr(
                "The letters come as one PDF. An address label sheet, or envelopes to print, "
                "for the same customers can come with them."
            )
            self.labels.addItem(self.tr("No labels"), None)
            for name, layout in LABEL_LAYOUTS.items():
                self.labels.addItem(f"{name} ({layout.stock})", name)
            remembered = settings.value(LABELS_KEY, "")
            self.labels.setCurrentIndex(max(0, self.labels.findData(remembered or None)))
            form.addRow(self.tr("&Labels:"), self.labels)
            self.envelopes.addItem(self.tr("No envelopes"), None)
            for name in ENVELOPE_LAYOUTS:
                self.envelopes.addItem(name, name)
            remembered = settings.value(ENVELOPES_KEY, "")
            self.envelopes.setCurrentIndex(max(0, self.envelopes.findData(remembered or None)))
            form.addRow(self.tr("&Envelopes:"), self.envelopes)
        heading = QLabel(intro, wordWrap=True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Produce"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def options(self) -> OutputOptions:
        if self.campaign.channel == "email":
            return OutputOptions(
                sender=self.sender.text().strip(), opt_out=self.opt_out.text(),
                send=self.send is not None and self.send.isChecked(),
            )  # fmt: skip
        return OutputOptions(
            labels=self.labels.currentData(), envelopes=self.envelopes.currentData()
        )

    def remember(self) -> None:
        settings = QSettings()
        if self.campaign.channel == "email":
            settings.setValue(SENDER_KEY, self.sender.text().strip())
            settings.setValue(OPT_OUT_KEY, self.opt_out.text())
        else:
            settings.setValue(LABELS_KEY, self.labels.currentData() or "")
            settings.setValue(ENVELOPES_KEY, self.envelopes.currentData() or "")

    @classmethod
    def ask(cls, parent: QWidget | None, campaign: CampaignRow) -> OutputOptions | None:
        """The options chosen, or None if cancelled."""
        dialog = cls(campaign, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        dialog.remember()
        return dialog.options()


def _sending_problem() -> str | None:
    """Why this computer cannot send from Relapp now (no mail server set up, no password
    store, no password kept), or None."""
    try:
        check_ready()
    except RelappError as error:
        return str(error)
    return None


def ask_folder(parent: QWidget, campaign: CampaignRow) -> Path | None:
    """The folder for the campaign's files (the last one used offered first), or None."""
    settings = QSettings()
    start = str(settings.value(FOLDER_KEY, "")) or str(Path.home())
    chosen = QFileDialog.getExistingDirectory(
        parent, tr("Folder for the files of {name}").format(name=campaign.name), start
    )
    if not chosen:
        return None
    settings.setValue(FOLDER_KEY, chosen)
    return Path(chosen)


def produce(
    parent: QWidget, change_bus: ChangeBus, campaign: CampaignRow, staff_id: int | None
) -> Produced | None:
    """Ask where and how, produce the campaign with progress and Cancel, and say what was
    made (an email campaign sent from Relapp: then send it, with progress and Cancel). None
    if cancelled or refused (the refusal told in one sentence)."""
    options = OutputOptions()
    folder: Path | None = None
    if campaign.channel == "email":  # how first: sent from Relapp, no folder is asked for
        asked = OutputOptionsDialog.ask(parent, campaign)
        if asked is None:
            return None
        options = asked
    if not options.send:
        folder = ask_folder(parent, campaign)
        if folder is None:
            return None
    if campaign.channel == "letter":
        asked = OutputOptionsDialog.ask(parent, campaign)
        if asked is None:
            return None
        options = asked

    def work(report, should_stop) -> Produced:
        def progress(done: int, total: int) -> bool:
            report(done, total)
            return not should_stop()

        def write(row, messages, reporting):
            assert folder is not None
            return write_campaign_files(
                row, messages, folder, progress=reporting, sender=options.sender,
                opt_out=options.opt_out, labels=options.labels, envelopes=options.envelopes,
            )  # fmt: skip

        emails = (
            partial(emails_to_send, sender=options.sender, opt_out=options.opt_out)
            if options.send
            else None
        )
        return produce_campaign(
            campaign.id, write if folder is not None else None, emails=emails,
            progress=progress, staff_id=staff_id,
        )  # fmt: skip

    outcome = run_slow_change(
        parent,
        change_bus,
        tr("Producing {name}…").format(name=campaign.name),
        work,
        (OutputCancelled,),
        title=tr("Produce campaign"),
    )
    if outcome is None:
        return None
    produced = cast(Produced, outcome)
    report = send_with_progress(parent) if options.send else None
    problem = report is not None and bool(report.stopped or report.failed or report.in_doubt)
    box = QMessageBox(
        QMessageBox.Icon.Warning if problem else QMessageBox.Icon.Information,
        tr("Campaign produced"),
        produced_text(campaign, produced, folder, report),
        QMessageBox.StandardButton.Ok,
        parent,
    )
    box.setTextFormat(Qt.TextFormat.PlainText)  # a campaign named "<b>" shows as typed
    box.exec()
    return produced


def produced_text(
    campaign: CampaignRow, produced: Produced, folder: Path | None,
    report: SendReport | None = None,
) -> str:  # fmt: skip
    """ "35 text messages for Spring offer, each logged on the customer's history. ...
    The files are in /home/shop/Campaigns: ..." (sent from Relapp: what the sending did)"""
    kind = tr(CHANNEL_WORDS.get(campaign.channel, "messages"))
    lines = [
        tr("{sent} {kind} for {name}, each logged on the customer's history.").format(
            sent=count(produced.sent), kind=kind, name=campaign.name
        ),
        tr("{held} held out for comparison, {left} left out.").format(
            held=count(produced.held_out), left=count(sum(produced.left_out.values()))
        ),
    ]
    if folder is None:  # sent from Relapp
        lines.append(
            tr("{queued} emails went into the outbox.").format(queued=count(produced.queued))
        )
        if report is not None:
            lines.append(report_text(report))
        else:
            lines.append(tr("They wait there: Campaigns, Outbox (Alt+B), Send now."))
        return "\n".join(lines)
    lines.append(tr("The files are in {folder}:").format(folder=folder))
    lines += [f"  {path.relative_to(folder)}" for path in produced.files[:FILES_LISTED]]
    if len(produced.files) > FILES_LISTED:
        lines.append(
            tr("  … and {more} more").format(more=count(len(produced.files) - FILES_LISTED))
        )
    return "\n".join(lines)
