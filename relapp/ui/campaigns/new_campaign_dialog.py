"""The New campaign dialog: a name, a saved segment, a channel and a message with merge
fields, previewed as the first customer it reaches would get it, with who it leaves out.

The preview reads the audience again only when the segment, the channel or the service
choice changes (typing the message only merges it again), a moment after the last change.
Nothing is saved until Create campaign; a refusal is one sentence under the preview.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from relapp.domain.campaigns.campaigns import (
    MAX_NAME,
    Audience,
    CampaignError,
    audience,
    create_campaign,
)
from relapp.domain.campaigns.listing import planned_reach, preview_message
from relapp.domain.campaigns.sms import sms_length_text, sms_segments
from relapp.domain.campaigns.templates import TemplateError
from relapp.domain.changes import Change
from relapp.domain.contacts.listing import filter_choices
from relapp.domain.partners.partners import partner_choices
from relapp.errors import RelappError
from relapp.ui.campaigns.campaign_fields import MergeFieldsButton, OfferFields, buddy_label
from relapp.ui.campaigns.texts import CHANNEL_TITLES, left_out_summary, reach_summary, tr

PREVIEW_DELAY_MS = 250  # after the last key: the preview follows typing without stuttering


class NewCampaignDialog(QDialog):
    def __init__(self, staff_id: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.staff_id = staff_id
        self.change: Change | None = None
        # The audience of the last (segment, channel, service, partner's offer) previewed, or
        # why there is none.
        self._audience_key: tuple[str, str, bool, bool] | None = None
        self._audience: Audience | CampaignError | None = None
        self.setWindowTitle(self.tr("New campaign"))
        self.setMinimumWidth(620)

        self.name = QLineEdit(objectName="campaignName", maxLength=MAX_NAME)
        self.name.setPlaceholderText(self.tr("e.g. Spring offer 2026"))
        self.segment = QComboBox(objectName="campaignSegment")
        self.segment.addItems(filter_choices().segments)
        self.segment.setPlaceholderText(self.tr("No saved segments yet (Contacts view)"))
        self.channel = QComboBox(objectName="campaignChannel")
        for code, title in CHANNEL_TITLES.items():
            self.channel.addItem(tr(title), code)
        self.subject = QLineEdit(objectName="campaignSubject")
        self.subject.setPlaceholderText(self.tr("The email's subject; merge fields work here too"))
        self.message = QPlainTextEdit(objectName="campaignMessage")
        self.message.setTabChangesFocus(True)  # Tab moves on, as in every other field
        self.message.setPlaceholderText(
            self.tr("Hello {first_name}, you have {points} points at {shop_name}…")
        )
        self.message.setFixedHeight(self.message.fontMetrics().lineSpacing() * 6 + 12)
        self.fields_button = MergeFieldsButton(self.message)
        self.holdout = QSpinBox(objectName="campaignHoldout", minimum=0, maximum=50)
        self.holdout.setSuffix(" %")
        holdout_hint = QLabel(
            self.tr("chosen at random to get nothing, to compare what the campaign brought"),
            objectName="settingsHint",
            wordWrap=True,
        )
        self.transactional = QCheckBox(
            self.tr("Ser&vice message (not held back by the contact cap)"),
            objectName="campaignTransactional",
        )
        # The offer: a voucher with a code of their own for each customer sent the message.
        self.offer = OfferFields(shared_code=True)
        # Its fields by the names the flows know them by.
        self.offer_kind, self.offer_points = self.offer.kind, self.offer.points
        self.offer_amount, self.offer_shared = self.offer.amount, self.offer.shared
        # A partner's offer (schema 20): only for customers who agreed to partner offers.
        self.partner = QComboBox(objectName="campaignPartner")
        self.partner.addItem(self.tr("No: the shop's own message"), None)
        for partner_id, partner_name in partner_choices():
            self.partner.addItem(partner_name, partner_id)
        self.partner.setToolTip(
            self.tr("A partner's offer reaches only the customers who agreed to partner offers")
        )
        self.reach = QLabel(objectName="campaignReach", wordWrap=True)
        self.reach.setTextFormat(Qt.TextFormat.PlainText)
        self.preview_title = QLabel(objectName="detailTitle", wordWrap=True)
        self.preview_title.setTextFormat(Qt.TextFormat.PlainText)
        self.preview = QPlainTextEdit(objectName="campaignPreview", readOnly=True)
        self.preview.setTabChangesFocus(True)
        # It gives up room to a refusal or a note below it rather than let them overlap.
        self.preview.setMinimumHeight(self.preview.fontMetrics().lineSpacing() * 3 + 12)
        self.preview_note = QLabel(objectName="settingsHint", wordWrap=True)
        self.preview_note.setTextFormat(Qt.TextFormat.PlainText)
        self.problem = QLabel(objectName="fieldProblems", wordWrap=True)
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.hide()

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.create_button = QPushButton(self.tr("Create campaign"), objectName="createCampaign")
        self.create_button.setDefault(True)
        self.create_button.setToolTip(self.tr("Create the campaign (Enter, or Ctrl+Enter)"))
        buttons.addButton(self.create_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.create_button.clicked.connect(self.create)
        buttons.rejected.connect(self.reject)
        # Enter makes a new line in the message; Ctrl+Enter creates from there too.
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, activated=self.create)

        message_box = QVBoxLayout()
        message_box.setSpacing(4)
        message_box.addWidget(self.message)
        under_message = QHBoxLayout()
        under_message.addWidget(self.fields_button)
        under_message.addStretch(1)
        message_box.addLayout(under_message)
        holdout_row = QHBoxLayout()
        holdout_row.addWidget(self.holdout)
        holdout_row.addWidget(holdout_hint, 1)
        form = QFormLayout()
        form.addRow(self.tr("&Name:"), self.name)
        form.addRow(self.tr("&Segment:"), self.segment)
        form.addRow(self.tr("&Channel:"), self.channel)
        form.addRow(self.tr("S&ubject:"), self.subject)
        # A row of several widgets gets no buddy from addRow: the label is given its own.
        form.addRow(buddy_label(self.tr("&Message:"), self.message), message_box)
        form.addRow(buddy_label(self.tr("&Hold out:"), self.holdout), holdout_row)
        form.addRow("", self.transactional)
        form.addRow(buddy_label(self.tr("&Voucher:"), self.offer.kind), self.offer)
        form.addRow(self.tr("&Partner's offer:"), self.partner)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addSpacing(6)
        layout.addWidget(self.reach)
        layout.addWidget(self.preview_title)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.preview_note)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

        self.preview_timer = QTimer(self, singleShot=True, interval=PREVIEW_DELAY_MS)
        self.preview_timer.timeout.connect(self.refresh_preview)
        for signal in (
            self.segment.currentIndexChanged,
            self.channel.currentIndexChanged,
            self.subject.textChanged,
            self.message.textChanged,
            self.holdout.valueChanged,
            self.transactional.toggled,
            self.offer.kind.currentIndexChanged,
            self.offer_shared.textChanged,
            self.partner.currentIndexChanged,
        ):
            signal.connect(self._changed)
        self.channel.currentIndexChanged.connect(self._channel_chosen)
        self._channel_chosen()
        self.refresh_preview()
        self.name.setFocus()

    # -- the fields -----------------------------------------------------------------------------

    def chosen_channel(self) -> str:
        return str(self.channel.currentData())

    def chosen_partner(self) -> int | None:
        """The partner whose offer the campaign carries, None for the shop's own."""
        return self.partner.currentData()

    def _channel_chosen(self) -> None:
        email = self.chosen_channel() == "email"
        self.subject.setEnabled(email)

    def _changed(self) -> None:
        self.problem.hide()  # an earlier refusal may no longer hold
        self.preview_timer.start()

    # -- the preview ----------------------------------------------------------------------------

    def _current_audience(self) -> Audience | CampaignError | None:
        segment = self.segment.currentText()
        if not segment:
            return None
        partner_offer = self.chosen_partner() is not None
        key = (segment, self.chosen_channel(), self.transactional.isChecked(), partner_offer)
        if key != self._audience_key:
            try:
                self._audience = audience(
                    segment, key[1], transactional=key[2], partner_offer=partner_offer
                )
            except CampaignError as error:  # the segment was deleted meanwhile, or damaged
                self._audience = error
            self._audience_key = key
        return self._audience

    def refresh_preview(self) -> None:
        """Who the campaign would reach, and the message its first customer would get."""
        self.preview_timer.stop()
        found = self._current_audience()
        self.preview_note.clear()
        self.preview_note.hide()
        if found is None:
            self.reach.setText(self.tr("Choose a saved segment to see who the campaign reaches."))
            self._show_preview("", "")
            return
        if isinstance(found, CampaignError):
            self.reach.setText(str(found))
            self._show_preview("", "")
            return
        reach = planned_reach(found, self.holdout.value())
        left_out = left_out_summary(reach, self.chosen_partner() is not None)
        self.reach.setText(f"{reach_summary(reach, produced=False)}. {left_out}")
        template = self.message.toPlainText()
        if not template.strip():
            self._show_preview(
                self.tr("Preview"),
                self.tr("The message the first customer gets appears here as you write it."),
            )
            return
        try:
            message = preview_message(
                found, self.chosen_channel(), template, self.subject.text(),
                voucher=self.offer.chosen_kind() != "none",
                shared_code=self.offer_shared.text(),
            )  # fmt: skip
        except TemplateError as error:
            self._show_preview(self.tr("Preview"), "")
            self.show_problem(str(error))
            return
        if message is None:
            self._show_preview(self.tr("Preview"), self.tr("Nobody to send it to."))
            return
        recipient = message.recipient
        title = self.tr("Preview for {name} (customer {number}):").format(
            name=recipient.name, number=recipient.contact_id
        )
        body = message.body
        if message.subject:
            body = self.tr("Subject: {subject}").format(subject=message.subject) + "\n\n" + body
        self._show_preview(title, body)
        if self.chosen_channel() == "sms":
            self.preview_note.setText(sms_length_text(sms_segments(message.body), self.tr))
            self.preview_note.show()

    def _show_preview(self, title: str, body: str) -> None:
        self.preview_title.setText(title)
        self.preview_title.setVisible(bool(title))
        self.preview.setPlainText(body)

    def show_problem(self, sentence: str) -> None:
        self.problem.setText(sentence)
        self.problem.show()

    # -- creating -------------------------------------------------------------------------------

    def create(self) -> None:
        """Make the campaign; on a refusal say why (one sentence) and save nothing."""
        if self.change is not None:
            return  # made already: a second Enter must not try again
        if not self.segment.currentText():
            self.show_problem(
                self.tr("Choose a saved segment; save one in the Contacts view first.")
            )
            return
        try:
            offer = self.offer.offer()
            self.change = create_campaign(
                self.name.text(),
                self.segment.currentText(),
                self.chosen_channel(),
                self.message.toPlainText(),
                subject=self.subject.text() if self.chosen_channel() == "email" else "",
                holdout_percent=self.holdout.value(),
                transactional=self.transactional.isChecked(),
                offer=offer,
                partner_id=self.chosen_partner(),
                staff_id=self.staff_id,
            )
        except RelappError as error:  # TemplateError, CampaignError
            self.show_problem(str(error))
            return
        self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None, staff_id: int | None) -> Change | None:
        """What the new campaign changed, or None if cancelled."""
        dialog = cls(staff_id, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.change
