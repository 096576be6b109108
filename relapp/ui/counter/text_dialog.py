"""A text message to one customer from the Counter ("your order is ready").

Relapp sends no text itself. The dialog makes the message an sms: link (RFC 5724) and shows
it as a QR code: scanned with the shop's phone, its messages app opens with the number and
the text ready to send, the practical way from a counter PC. Open in messages app hands the
link to this computer's own app, if it has one (it says so when it has none); Copy link puts
it on the clipboard. Log as sent (Ctrl+Enter) adds the text to the customer's history as an
outbound message; Cancel logs nothing.

No consent to marketing texts, or one contact over the shop's cap, is a warning above the
message, not a refusal: a message the customer needs may still go (relapp.domain.contacts.
texting). The line under the message counts it as the network does (GSM-7, or UCS-2 once
a character outside it is typed), and the code follows the text a moment after typing stops.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import (
    QDesktopServices,
    QGuiApplication,
    QImage,
    QKeySequence,
    QPainter,
    QPixmap,
    QShortcut,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from relapp.domain.contacts.phones import display_phone
from relapp.domain.contacts.texting import length_line, log_text_sent, texting_warnings
from relapp.domain.timeline.history import LoggedInteraction
from relapp.errors import RelappError
from relapp.exchange.campaign_files import sms_link
from relapp.reports.barcodes import qr_runs
from relapp.ui.change_bus import ChangeBus
from relapp.ui.operations import run_change
from relapp.ui.timeline.log_dialog import plain_label

QR_PAUSE_MS = 200  # the code is made again once typing pauses, not for every key
QR_PIXELS = 264  # the code's side on screen, quiet zone included (at least 2 pixels a module)
QR_QUIET = 4  # modules of white around the code (ISO/IEC 18004)
MIN_MODULE_PIXELS = 2


def qr_image(text: str, pixels: int = QR_PIXELS, scale: float = 1.0) -> QImage | None:
    """The QR code of text, black on white with its quiet zone, as close to pixels square
    as whole pixels per module allow (never under MIN_MODULE_PIXELS a module); None if the
    text is too long for a QR code. scale: the screen's device pixels per pixel, so the
    modules stay sharp on a high-density screen."""
    symbol = qr_runs(text)
    if symbol is None:
        return None
    count, runs = symbol
    across = count + 2 * QR_QUIET
    module = max(MIN_MODULE_PIXELS, round(pixels * scale) // across)
    image = QImage(across * module, across * module, QImage.Format.Format_Grayscale8)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    for row, column, length in runs:
        left, top = (QR_QUIET + column) * module, (QR_QUIET + row) * module
        painter.fillRect(left, top, length * module, module, Qt.GlobalColor.black)
    painter.end()
    image.setDevicePixelRatio(scale)
    return image


class TextMessageDialog(QDialog):
    def __init__(
        self,
        change_bus: ChangeBus,
        contact_id: int,
        name: str,
        phone: str,
        staff_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """phone: the customer's mobile number, E.164 (relapp.domain.contacts.texting.
        mobile_number)."""
        super().__init__(parent)
        self.change_bus = change_bus
        self.contact_id = contact_id
        self.phone = phone
        self.staff_id = staff_id
        self.logged: LoggedInteraction | None = None
        self.link = ""  # the sms: link of the text as it is now ("" if there is none)
        self.setWindowTitle(self.tr("Text message to {name}").format(name=name))

        who = plain_label(name, "saleCustomer")  # as in the sale and voucher dialogs
        number = plain_label(
            self.tr("To {number}").format(number=display_phone(phone)), "textNumber"
        )
        number.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.warnings = plain_label("\n".join(texting_warnings(contact_id, name)), "capWarning")
        self.warnings.setVisible(bool(self.warnings.text()))
        self.message = QPlainTextEdit(objectName="textMessage")
        self.message.setPlaceholderText(self.tr("Your order is ready to collect."))
        self.message.setTabChangesFocus(True)
        self.message.setMinimumWidth(360)
        message_label = QLabel(self.tr("&Message:"))
        message_label.setBuddy(self.message)
        self.length = plain_label("", "textLength")
        # What came of Open in messages app or Copy link, or what to do first.
        self.status = plain_label("", "textStatus")
        self.status.hide()

        # The code, or a sentence in its place when there can be none.
        self.code = QLabel(
            objectName="textCode", alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True
        )
        self.code.setTextFormat(Qt.TextFormat.PlainText)
        self.code.setMinimumSize(QR_PIXELS, QR_PIXELS)
        self.code_hint = plain_label(
            self.tr(
                "Scan with the shop's phone: its messages app opens with this text, ready to send."
            ),
            "editorHint",
        )
        self.code_hint.setFixedWidth(QR_PIXELS)
        self.code_timer = QTimer(self, singleShot=True, interval=QR_PAUSE_MS)
        self.code_timer.timeout.connect(self.update_code)
        self.message.textChanged.connect(self.on_text_changed)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.open_button = QPushButton(self.tr("&Open in messages app"), objectName="openSms")
        self.copy_button = QPushButton(self.tr("Cop&y link"), objectName="copySmsLink")
        self.log_button = QPushButton(self.tr("&Log as sent"), objectName="logSent")
        self.log_button.setToolTip(self.tr("Log as sent (Ctrl+Enter)"))
        for button in (self.open_button, self.copy_button):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
            button.setAutoDefault(False)
        buttons.addButton(self.log_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.log_button.setDefault(True)
        self.open_button.clicked.connect(self.open_in_app)
        self.copy_button.clicked.connect(self.copy_link)
        self.log_button.clicked.connect(self.log_sent)
        buttons.rejected.connect(self.reject)
        # Enter makes a new line in the message; Ctrl+Enter logs it from there.
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, activated=self.log_sent)

        left = QVBoxLayout()
        left.addWidget(who)
        left.addWidget(number)
        left.addWidget(self.warnings)
        left.addWidget(message_label)
        left.addWidget(self.message, 1)
        left.addWidget(self.length)
        left.addWidget(self.status)
        right = QVBoxLayout()
        right.addWidget(self.code, 0, Qt.AlignmentFlag.AlignHCenter)
        right.addWidget(self.code_hint, 0, Qt.AlignmentFlag.AlignHCenter)
        right.addStretch(1)
        body = QHBoxLayout()
        body.addLayout(left, 1)
        body.addSpacing(12)
        body.addLayout(right)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(buttons)
        self.on_text_changed()
        self.update_code()
        self.message.setFocus()

    def text(self) -> str:
        return self.message.toPlainText()

    def on_text_changed(self) -> None:
        self.length.setText(length_line(self.text(), self.tr))
        self.code_timer.start()

    def update_code(self) -> None:
        """The sms: link of the text as it is now, and its QR code."""
        self.code_timer.stop()
        try:
            self.link = sms_link(self.phone, self.text())
        except RelappError as error:  # a stored number not in international form
            self.link = ""
            self.code.setPixmap(QPixmap())
            self.code.setText(str(error))
        else:
            image = qr_image(self.link, scale=self.devicePixelRatioF())
            if image is None:
                self.code.setPixmap(QPixmap())
                self.code.setText(
                    self.tr("Too long for a code: shorten the message, or use Copy link.")
                )
            else:
                self.code.setPixmap(QPixmap.fromImage(image))
        self.open_button.setEnabled(bool(self.link))
        self.copy_button.setEnabled(bool(self.link))

    def open_in_app(self) -> None:
        """The link to this computer's messages app, if it has one."""
        self.update_code()  # the text as typed, even within the pause
        if QDesktopServices.openUrl(QUrl(self.link)):
            self._say(self.tr("Opened in the messages app. Once it is sent, log it (Ctrl+Enter)."))
        else:
            self._say(
                self.tr(
                    "This computer has no app for text messages: scan the code with a phone"
                    " instead."
                )
            )

    def copy_link(self) -> None:
        self.update_code()
        QGuiApplication.clipboard().setText(self.link)
        self._say(self.tr("The link is copied: paste it where it can be sent."))

    def log_sent(self) -> None:
        """Log the text as sent to the customer and close; a refusal is told."""
        if self.logged is not None:
            return  # logged already: a second Ctrl+Enter must not log it twice
        if not self.text().strip():
            self._say(self.tr("Type the message first: the history keeps what was sent."))
            self.message.setFocus()
            return
        self.logged = run_change(
            self,
            self.change_bus,
            lambda: log_text_sent(self.contact_id, self.text(), self.staff_id),
            title=self.windowTitle(),
        )
        if self.logged is not None:
            self.accept()

    def _say(self, text: str) -> None:
        self.status.setText(text)
        self.status.show()

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        change_bus: ChangeBus,
        contact_id: int,
        name: str,
        phone: str,
        staff_id: int | None = None,
    ) -> LoggedInteraction | None:
        """The text logged as sent (its Change published), or None if cancelled."""
        dialog = cls(change_bus, contact_id, name, phone, staff_id, parent)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        dialog.deleteLater()
        return dialog.logged if accepted else None
