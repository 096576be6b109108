"""What the outbox tests send to and keep passwords in: a real SMTP server on 127.0.0.1
(aiosmtpd, in a thread of its own) that keeps what it receives and can be told to refuse, and
a password store (keyring backend) in memory.

Each test module makes its own fixtures from these (`with MailServer() as server`,
`with memory_keyring() as store`), so nothing here is shared between tests.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import keyring
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from keyring.backend import KeyringBackend

USER = "shop"
PASSWORD = "s3cret pässword"  # not ASCII: sent as UTF-8 (AUTH PLAIN)
TYPED_PASSWORD = "s3cret password"  # what a flow types (qtbot types ASCII only)
SENDER = "Lantern Lane <shop@lantern.example>"
OPT_OUT = "Reply STOP, or unsubscribe at https://lantern.example/stop."


class MemoryKeyring(KeyringBackend):
    """A password store that forgets everything when the test ends."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        from keyring.errors import PasswordDeleteError

        if self.passwords.pop((service, username), None) is None:
            raise PasswordDeleteError("no such password")


@contextmanager
def password_store(backend: KeyringBackend) -> Iterator[KeyringBackend]:
    """backend as this process's keyring for the block; the one before is put back."""
    before = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(before)


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    def email(self) -> EmailMessage:
        return BytesParser(policy=policy.default).parsebytes(self.data)  # type: ignore[return-value]


class _Handler:
    def __init__(self, server: MailServer) -> None:
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.server.rcpt_replies.get(address)
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.server.data_delay:
            await asyncio.sleep(self.server.data_delay)
        if self.server.data_reply is not None:
            return self.server.data_reply
        with self.server.lock:
            self.server.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
            )
        return "250 Message accepted for delivery"


class MailServer:
    """An SMTP server on 127.0.0.1 and a free port, taking USER and password (AUTH without
    TLS, as a server on the shop's own network may), keeping every message it accepts.

    rcpt_replies: address -> the reply to RCPT TO for it ("550 5.1.1 No such user").
    data_reply: the reply to every message (None: accept it).
    data_delay: seconds to wait before answering a message (longer than the client's
        timeout: the connection breaks while the message is on its way).
    """

    def __init__(self, password: str = PASSWORD) -> None:
        self.password = password
        self.port = _free_port()
        self.received: list[Received] = []
        self.rcpt_replies: dict[str, str] = {}
        self.data_reply: str | None = None
        self.data_delay = 0.0
        self.lock = threading.Lock()
        self.logins: list[bytes] = []
        self.controller = Controller(
            _Handler(self),
            hostname="127.0.0.1",
            port=self.port,
            authenticator=self._authenticate,
            auth_require_tls=False,
            enable_SMTPUTF8=True,
        )

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        self.logins.append(auth_data.login)
        good = auth_data.login == USER.encode() and auth_data.password == self.password.encode()
        return AuthResult(success=good, handled=False)  # aiosmtpd then answers 535

    def __enter__(self) -> MailServer:
        self.controller.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.controller.stop()

    def emails(self) -> list[EmailMessage]:
        with self.lock:
            return [received.email() for received in self.received]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def mail_settings(port: int, *, username: str = USER) -> dict[str, str | int]:
    """The shop settings that send through MailServer on port."""
    return {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_security": "none",
        "smtp_username": username,
        "smtp_sender": SENDER,
        "email_opt_out": OPT_OUT,
    }
