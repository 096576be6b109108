"""Producing a campaign from the window: where its files go, what emails and letters need
besides, then the work off the GUI thread with progress and Cancel, as `relapp campaign
produce` does it.

The folder, the sender, the opt-out text and the label layout are remembered (QSettings) for
the next campaign: a shop sends from the same address to the same folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import cast

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from relapp.db.store.campaigns import CampaignRow
from relapp.domain.campaigns.campaigns import CHANNEL_WORDS, Produced, produce_campaign
from relapp.domain.shop.settings import load_settings
from relapp.exchange.campaign_output import OutputCancelled, write_campaign_files
from relapp.ui.campaigns.texts import count, tr
from relapp.ui.change_bus import ChangeBus
from relapp.ui.operations import run_slow_change

FOLDER_KEY = "campaigns/folder"
SENDER_KEY = "campaigns/sender"
OPT_OUT_KEY = "campaigns/opt_out"
LABELS_KEY = "campaigns/labels"
DEFAULT_OPT_OUT = "Reply “unsubscribe” to hear no more from us."
FILES_LISTED = 5


@dataclass(frozen=True)
class OutputOptions:
    """What write_campaign_files needs besides the messages and the folder."""

    sender: str = ""
    opt_out: str = ""
    labels: str | None = None  # a LABEL_LAYOUTS name; None: no label sheet


class OutputOptionsDialog(QDialog):
    """Emails: the sender and the opt-out text. Letters: an address label sheet, or none."""

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
        if campaign.channel == "email":
            intro = self.tr("Each email is sent from this address and ends with the opt-out text.")
            self.sender.setText(str(settings.value(SENDER_KEY, "")))
            self.sender.setPlaceholderText(
                self.tr("{shop} <hello@example.com>").format(shop=load_settings().shop_name)
            )
            self.opt_out.setText(str(settings.value(OPT_OUT_KEY, "")) or self.tr(DEFAULT_OPT_OUT))
            form.addRow(self.tr("&From:"), self.sender)
            form.addRow(self.tr("&Opt-out text:"), self.opt_out)
        else:
            # Being written alongside this view: read only when a letter is produced.
            from relapp.reports.campaign_letters import LABEL_LAYOUTS

            intro = self.tr(
                "The letters come as one PDF. An address label sheet for the same customers "
                "can come with them."
            )
            self.labels.addItem(self.tr("No labels"), None)
            for name, layout in LABEL_LAYOUTS.items():
                self.labels.addItem(f"{name} ({layout.stock})", name)
            remembered = settings.value(LABELS_KEY, "")
            self.labels.setCurrentIndex(max(0, self.labels.findData(remembered or None)))
            form.addRow(self.tr("&Labels:"), self.labels)
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
            return OutputOptions(sender=self.sender.text().strip(), opt_out=self.opt_out.text())
        return OutputOptions(labels=self.labels.currentData())

    def remember(self) -> None:
        settings = QSettings()
        if self.campaign.channel == "email":
            settings.setValue(SENDER_KEY, self.sender.text().strip())
            settings.setValue(OPT_OUT_KEY, self.opt_out.text())
        else:
            settings.setValue(LABELS_KEY, self.labels.currentData() or "")

    @classmethod
    def ask(cls, parent: QWidget | None, campaign: CampaignRow) -> OutputOptions | None:
        """The options chosen, or None if cancelled."""
        dialog = cls(campaign, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        dialog.remember()
        return dialog.options()


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
    made. None if cancelled or refused (the refusal told in one sentence)."""
    folder = ask_folder(parent, campaign)
    if folder is None:
        return None
    options = OutputOptions()
    if campaign.channel in ("email", "letter"):
        asked = OutputOptionsDialog.ask(parent, campaign)
        if asked is None:
            return None
        options = asked

    def work(report, should_stop) -> Produced:
        def progress(done: int, total: int) -> bool:
            report(done, total)
            return not should_stop()

        def write(row, messages, reporting):
            return write_campaign_files(
                row, messages, folder, progress=reporting, sender=options.sender,
                opt_out=options.opt_out, labels=options.labels,
            )  # fmt: skip

        return produce_campaign(campaign.id, write, progress=progress, staff_id=staff_id)

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
    box = QMessageBox(
        QMessageBox.Icon.Information,
        tr("Campaign produced"),
        produced_text(campaign, produced, folder),
        QMessageBox.StandardButton.Ok,
        parent,
    )
    box.setTextFormat(Qt.TextFormat.PlainText)  # a campaign named "<b>" shows as typed
    box.exec()
    return produced


def produced_text(campaign: CampaignRow, produced: Produced, folder: Path) -> str:
    """ "35 text messages for Spring offer, each logged on the customer's history. ...
    The files are in /home/shop/Campaigns: ..." """
    kind = tr(CHANNEL_WORDS.get(campaign.channel, "messages"))
    lines = [
        tr("{sent} {kind} for {name}, each logged on the customer's history.").format(
            sent=count(produced.sent), kind=kind, name=campaign.name
        ),
        tr("{held} held out for comparison, {left} left out.").format(
            held=count(produced.held_out), left=count(sum(produced.left_out.values()))
        ),
    ]
    lines.append(tr("The files are in {folder}:").format(folder=folder))
    lines += [f"  {path.relative_to(folder)}" for path in produced.files[:FILES_LISTED]]
    if len(produced.files) > FILES_LISTED:
        lines.append(
            tr("  … and {more} more").format(more=count(len(produced.files) - FILES_LISTED))
        )
    return "\n".join(lines)
