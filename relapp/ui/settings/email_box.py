"""Settings' Email group: the mail server Relapp sends campaign emails through (server, port,
how the connection is protected, the account's user name and password), the From address and
the opt-out text that ends every email, and a test email to an address the owner types.

The password goes to this computer's password store (the keyring) when the settings are
saved, never to the database, and is never shown again: the group only says whether one is
kept. The rest are shop settings, saved with the others (relapp.domain.shop.settings).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QWidget,
)

from relapp.domain.campaigns.outbox import (
    SmtpSettings,
    save_password,
    saved_password,
    send_test_email,
    smtp_connection,
)
from relapp.domain.shop.settings import MAX_OPT_OUT, ShopSettings
from relapp.errors import RelappError
from relapp.ui.widgets.background_task import run_with_progress

# How the connection is protected, as offered, with the port that usually goes with it.
SECURITY_CHOICES = (
    ("starttls", "STARTTLS (usually port 587)", 587),
    ("ssl", "SSL/TLS (usually port 465)", 465),
    ("none", "None (a server on this computer or network)", 25),
)
OPT_OUT_EXAMPLE = "Reply “unsubscribe” to hear no more from us."


class EmailBox(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Email"))
        intro = _plain(
            QLabel(
                self.tr(
                    "To send email campaigns from Relapp, give the mail server of the shop's "
                    "email account (your email provider's help calls it the outgoing or SMTP "
                    "server). Without one, campaigns write their emails as files for a mail "
                    "program or Mailchimp."
                ),
                objectName="settingsHint",
                wordWrap=True,
            )
        )
        self.host = QLineEdit(objectName="smtpHost", maxLength=253)
        self.host.setPlaceholderText("smtp.example.com")
        self.port = QSpinBox(minimum=1, maximum=65535, objectName="smtpPort")
        self.port.setAccessibleName(self.tr("Port"))
        self.security = QComboBox(objectName="smtpSecurity")
        self.security.setAccessibleName(self.tr("Connection security"))
        for code, words, _port in SECURITY_CHOICES:
            self.security.addItem(self.tr(words), code)
        self.security.currentIndexChanged.connect(self._security_chosen)
        self.username = QLineEdit(objectName="smtpUsername", maxLength=254)
        self.username.setPlaceholderText(self.tr("usually the email address"))
        self.password = QLineEdit(objectName="smtpPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName(self.tr("Password"))
        self.password_state = _plain(QLabel(objectName="smtpPasswordState", wordWrap=True))
        self.sender = QLineEdit(objectName="smtpSender", maxLength=320)
        self.sender.setPlaceholderText(self.tr("Lantern Lane <hello@example.com>"))
        self.opt_out = QLineEdit(objectName="emailOptOut", maxLength=MAX_OPT_OUT)
        self.opt_out.setPlaceholderText(self.tr(OPT_OUT_EXAMPLE))
        self.test_button = QPushButton(self.tr("Send a test email…"), objectName="sendTestEmail")
        self.test_button.setToolTip(
            self.tr("Send one email, as these settings say (before saving too), to an address")
        )
        self.test_button.clicked.connect(self.send_test)

        host_label = QLabel(self.tr("Out&going mail server:"))
        host_label.setBuddy(self.host)
        server_row = QHBoxLayout()
        server_row.addWidget(self.host, 1)
        server_row.addWidget(QLabel(self.tr("Port:")))
        server_row.addWidget(self.port)
        sender_label = QLabel(self.tr("Sen&der (From):"))
        sender_label.setBuddy(self.sender)
        opt_out_label = QLabel(self.tr("Opt-out te&xt:"))
        opt_out_label.setBuddy(self.opt_out)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addStretch(1)
        # A grid, not a form: a form gives a wrapped line the height of its narrowest layout.
        grid = QGridLayout(self)
        grid.addWidget(intro, 0, 0, 1, 2)
        grid.addWidget(host_label, 1, 0)
        grid.addLayout(server_row, 1, 1)
        grid.addWidget(QLabel(self.tr("Connection:")), 2, 0)
        grid.addWidget(self.security, 2, 1)
        grid.addWidget(QLabel(self.tr("User name:")), 3, 0)
        grid.addWidget(self.username, 3, 1)
        grid.addWidget(QLabel(self.tr("Password:")), 4, 0)
        grid.addWidget(self.password, 4, 1)
        grid.addWidget(self.password_state, 5, 1)
        grid.addWidget(sender_label, 6, 0)
        grid.addWidget(self.sender, 6, 1)
        grid.addWidget(opt_out_label, 7, 0)
        grid.addWidget(self.opt_out, 7, 1)
        grid.addLayout(test_row, 8, 1)
        grid.setColumnStretch(1, 1)
        for before, after in ((self.host, self.port), (self.port, self.security),
                              (self.security, self.username), (self.username, self.password),
                              (self.password, self.sender), (self.sender, self.opt_out),
                              (self.opt_out, self.test_button)):  # fmt: skip
            QWidget.setTabOrder(before, after)

    # -- the settings ----------------------------------------------------------------------

    def fields(self) -> dict[str, QWidget]:
        """The settings edited here by name, for the view's problems and its edits."""
        return {
            "smtp_host": self.host,
            "smtp_port": self.port,
            "smtp_security": self.security,
            "smtp_username": self.username,
            "smtp_sender": self.sender,
            "email_opt_out": self.opt_out,
        }

    def load(self, settings: ShopSettings) -> None:
        self.host.setText(settings.smtp_host)
        self.security.blockSignals(True)  # the stored port stays as stored
        self.security.setCurrentIndex(max(0, self.security.findData(settings.smtp_security)))
        self.security.blockSignals(False)
        self.port.setValue(settings.smtp_port)
        self.username.setText(settings.smtp_username)
        self.password.clear()
        self.sender.setText(settings.smtp_sender)
        self.opt_out.setText(settings.email_opt_out)
        self.show_password_state()

    def edited(self) -> dict[str, str | int]:
        return {
            "smtp_host": self.host.text().strip(),
            "smtp_port": self.port.value(),
            "smtp_security": str(self.security.currentData()),
            "smtp_username": self.username.text().strip(),
            "smtp_sender": " ".join(self.sender.text().split()),
            "email_opt_out": self.opt_out.text().strip(),
        }

    def typed_password(self) -> str:
        return self.password.text()

    def save_typed_password(self) -> dict[str, str]:
        """Keep the password typed (if any) in this computer's password store, for the user
        name and server typed; a problem by field name if it cannot be kept."""
        typed = self.password.text()
        if not typed:
            return {}
        host, username = self.host.text().strip(), self.username.text().strip()
        if not (host and username):
            return {
                "smtp_password": self.tr(
                    "A password goes with a mail server and a user name: type them too."
                )
            }
        try:
            save_password(host, username, typed)
        except RelappError as error:
            return {"smtp_password": str(error)}
        self.password.clear()
        self.show_password_state()
        return {}

    def show_password_state(self) -> None:
        """Whether this computer keeps a password for the user name and server shown."""
        host, username = self.host.text().strip(), self.username.text().strip()
        if not (host and username):
            text = self.tr("A password is asked for only with a user name.")
        else:
            try:
                kept = saved_password(host, username) is not None
            except RelappError as error:
                text = str(error)
            else:
                text = (
                    self.tr("A password is saved on this computer; type a new one to replace it.")
                    if kept
                    else self.tr("No password is saved on this computer yet.")
                )
        self.password_state.setText(text)

    def _security_chosen(self, _index: int) -> None:
        """The usual port for the protection chosen, unless another port was typed."""
        usual = {port for _code, _words, port in SECURITY_CHOICES}
        if self.port.value() in usual:
            chosen = self.security.currentData()
            self.port.setValue(next(port for code, _w, port in SECURITY_CHOICES if code == chosen))

    # -- a test email ----------------------------------------------------------------------

    def typed_settings(self) -> SmtpSettings:
        edited = self.edited()
        return SmtpSettings(
            str(edited["smtp_host"]), int(edited["smtp_port"]), str(edited["smtp_security"]),
            str(edited["smtp_username"]), str(edited["smtp_sender"]),
            str(edited["email_opt_out"]),
        )  # fmt: skip

    def send_test(self) -> None:
        """Ask for an address, then send it one email through the server as typed here (the
        password typed, else the one kept), off the GUI thread; say how it went."""
        settings = self.typed_settings()
        if not settings.host:
            QMessageBox.warning(
                self, self.tr("Send a test email"), self.tr("Type the mail server first.")
            )
            return
        address, accepted = QInputDialog.getText(
            self, self.tr("Send a test email"), self.tr("Send a test email &to:"),
            QLineEdit.EchoMode.Normal, _address_of(settings.sender),
        )  # fmt: skip
        if not accepted or not address.strip():
            return
        connect = smtp_connection(settings, password=self.password.text() or None, timeout=30)

        def work(_report, _should_stop) -> str:
            send_test_email(connect, address, settings)
            return address.strip()

        try:
            sent = run_with_progress(
                self, self.tr("Sending a test email to {address}…").format(address=address),
                work, (), cancellable=False,
            )  # fmt: skip
        except RelappError as error:
            QMessageBox.warning(self, self.tr("Send a test email"), str(error))
            return
        QMessageBox.information(
            self,
            self.tr("Send a test email"),
            self.tr("The mail server took a test email to {address}.").format(address=sent),
        )


def _address_of(sender: str) -> str:
    """The address in "Name <address>", for the test email's default recipient."""
    from email.utils import parseaddr

    return parseaddr(sender)[1]


def _plain(label: QLabel) -> QLabel:
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label
