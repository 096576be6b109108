"""Sending a campaign's emails from Relapp, through the outbox (schema 15).

Rules chosen here:

* Set up in Settings: the shop's mail server (host, port, how the connection is protected),
  the account's user name, the From address and the opt-out text are shop settings. The
  account's password is never in the database: it is in this computer's password store (the
  keyring: Windows Credential Manager, the macOS Keychain, GNOME Keyring or KWallet), under
  the service KEYRING_SERVICE and the name "user@host". Each till that sends keeps its own.
  Without a usable password store Relapp says so in one sentence and keeps the password
  nowhere else.
* Queued with the campaign: producing an email campaign "to send from Relapp" puts one row
  per message in the outbox in the transaction that records the campaign
  (relapp.domain.campaigns.campaigns.produce_campaign), each message made once, as it will
  go on the wire (its Message-ID, its date, its opt-out text).
* Sent at most once. A sender claims one message (committed), sends it, then records what
  the mail server said (committed). Only the sender whose claim changed the row sends it, so
  two tills or two processes sending at once never send one message twice. A message left
  claimed but never recorded (the power went) is not sent again by itself: after
  STALE_AFTER it counts as in doubt, and the owner looks in the mail account's Sent folder,
  then sends it again (send_again) or marks it sent (mark_sent).
* What the mail server says: taken (sent); the recipient or the message refused for good, a
  5xx reply (failed, with the server's words); refused for now, a 4xx reply, or the
  connection lost before the message went (queued again, one attempt more, and the round
  stops with one sentence: the rest wait for the next round); the connection lost while the
  message was on its way (in doubt, and the round stops). A wrong password or a server that
  cannot be reached stops before anything is claimed: nothing changes.
* A round ends when nothing is queued, when should_stop() says so (after the message in
  flight), or at the first stop above. Resuming after a restart is the next round.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.parser import HeaderParser
from email.utils import format_datetime, make_msgid, parseaddr
from types import ModuleType
from typing import TYPE_CHECKING

from relapp.db.busy import write_transaction
from relapp.db.fields import format_timestamp
from relapp.db.migrations.m0015_outbox import STATUSES
from relapp.db.store import outbox as store
from relapp.domain.clock import utc_now
from relapp.domain.contacts.naming import display_name
from relapp.domain.shop.settings import load_settings
from relapp.errors import RelappError

if TYPE_CHECKING:
    import smtplib

KEYRING_SERVICE = "relapp-smtp"
# A message claimed this long ago and never recorded was cut off (a crash, the power): it
# may have been sent. Far longer than any one message takes (SMTP_TIMEOUT per reply).
STALE_AFTER = timedelta(minutes=10)
SMTP_TIMEOUT = 60.0
NEEDING_THE_OWNER = 500  # refused and in-doubt messages listed at most
STATUS_WORDS = {
    "queued": "waiting to be sent",
    "sending": "being sent",
    "sent": "sent",
    "failed": "refused",
    "in_doubt": "may have been sent: check the Sent folder of the mail account",
}
NOT_SET_UP = (
    "Sending emails from Relapp needs the shop's mail server; set it up in Settings, under"
    " Email (server, From address and opt-out text)."
)
NO_PASSWORD_STORE = (
    "This computer has no password store Relapp can use (a keyring), so the mail server's"
    " password cannot be kept; set one up (on Linux: GNOME Keyring or KWallet) and try"
    " again, or produce the campaign's emails as files."
)


class OutboxError(RelappError):
    """Sending cannot start or had to stop; what is not sent waits in the outbox."""


class NoPasswordStore(OutboxError):
    """No keyring this process can use: the password cannot be kept or read."""


@dataclass(frozen=True)
class OutgoingEmail:
    """One message to queue: whose it is, the address it goes to (the envelope's) and the
    whole message as it goes on the wire (RFC 5322 text, CRLF line ends)."""

    contact_id: int
    recipient: str
    message: str


# The emails to queue for a campaign's messages, made by relapp.exchange (which builds them):
# emails(campaign, messages, progress) -> what to queue, in produce_campaign's transaction.


@dataclass(frozen=True)
class SmtpSettings:
    host: str = ""
    port: int = 587
    security: str = "starttls"  # starttls, ssl or none
    username: str = ""
    sender: str = ""  # the From address
    opt_out: str = ""

    @property
    def account(self) -> str:
        """The password store's name for the account: "user@host"."""
        return f"{self.username}@{self.host}"

    @property
    def is_set_up(self) -> bool:
        return bool(self.host.strip() and self.sender.strip() and self.opt_out.strip())


def smtp_settings() -> SmtpSettings:
    settings = load_settings()
    return SmtpSettings(
        settings.smtp_host.strip(), settings.smtp_port, settings.smtp_security,
        settings.smtp_username.strip(), settings.smtp_sender.strip(), settings.email_opt_out,
    )  # fmt: skip


# --------------------------------------------------------------------- the password store


def _keyring() -> ModuleType:
    """The keyring module, once its backend is known to be usable."""
    import keyring  # here: the command line starts without it

    try:
        backend = keyring.get_keyring()
        usable = float(type(backend).priority) > 0  # the fail and null backends are not
    except Exception:  # a backend that cannot tell (no D-Bus) is no use either
        usable = False
    if not usable:
        raise NoPasswordStore(NO_PASSWORD_STORE)
    return keyring


def _password_store_call(action: Callable[[], object]) -> object:
    from keyring.errors import KeyringError, NoKeyringError, PasswordDeleteError

    try:
        return action()
    except PasswordDeleteError:
        return None  # there was none to forget
    except NoKeyringError:
        raise NoPasswordStore(NO_PASSWORD_STORE) from None
    except KeyringError as error:
        raise OutboxError(
            f"This computer's password store refused ({_one_line(str(error)) or 'locked'});"
            " unlock it and try again."
        ) from None


def save_password(host: str, username: str, password: str) -> None:
    """Keep the account's password in this computer's password store (replacing one kept)."""
    keyring = _keyring()
    account = f"{username.strip()}@{host.strip()}"
    _password_store_call(lambda: keyring.set_password(KEYRING_SERVICE, account, password))


def saved_password(host: str, username: str) -> str | None:
    """The account's password as kept on this computer, or None."""
    keyring = _keyring()
    account = f"{username.strip()}@{host.strip()}"
    found = _password_store_call(lambda: keyring.get_password(KEYRING_SERVICE, account))
    return None if found is None else str(found)


def forget_password(host: str, username: str) -> None:
    """Remove the account's password from this computer's password store, if it is there."""
    keyring = _keyring()
    account = f"{username.strip()}@{host.strip()}"
    _password_store_call(lambda: keyring.delete_password(KEYRING_SERVICE, account))


def check_ready(settings: SmtpSettings | None = None) -> SmtpSettings:
    """The settings, once sending can be tried: a server, a From address, an opt-out text,
    and the password kept on this computer if the server wants a user name. Raises
    OutboxError (NoPasswordStore) in one sentence otherwise."""
    chosen = settings or smtp_settings()
    if not chosen.is_set_up:
        raise OutboxError(NOT_SET_UP)
    if chosen.username and saved_password(chosen.host, chosen.username) is None:
        raise OutboxError(_no_password(chosen))
    return chosen


def _no_password(settings: SmtpSettings) -> str:
    return (
        f"No password for {settings.account} is kept on this computer; type it in Settings,"
        " under Email."
    )


# ------------------------------------------------------------------------ the mail server

Connect = Callable[[], "smtplib.SMTP"]


def smtp_connection(
    settings: SmtpSettings | None = None, *, password: str | None = None,
    timeout: float = SMTP_TIMEOUT,
) -> Connect:  # fmt: skip
    """connect() to the shop's mail server, protected and logged in as set up; the password
    given, else the one kept on this computer. connect() raises OutboxError in one sentence
    (the server cannot be reached, refuses the password, or has no STARTTLS)."""
    chosen = settings or smtp_settings()

    def connect() -> smtplib.SMTP:
        import smtplib
        import ssl

        if not chosen.host:
            raise OutboxError(NOT_SET_UP)
        secret = password
        if chosen.username and not secret:
            secret = saved_password(chosen.host, chosen.username)
            if secret is None:
                raise OutboxError(_no_password(chosen))
        where = f"{chosen.host}:{chosen.port}"
        context = ssl.create_default_context()
        try:
            if chosen.security == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    chosen.host, chosen.port, timeout=timeout, context=context
                )
            else:
                smtp = smtplib.SMTP(chosen.host, chosen.port, timeout=timeout)
        except (OSError, smtplib.SMTPException) as error:
            raise OutboxError(
                f"The mail server {where} cannot be reached ({_reason(error)}); check the"
                " server and port in Settings, under Email, and this computer's connection."
            ) from None
        try:
            smtp.ehlo()
            if chosen.security == "starttls":
                if not smtp.has_extn("starttls"):
                    raise OutboxError(
                        f"The mail server {where} does not offer STARTTLS; choose SSL (usually"
                        " port 465) in Settings, under Email."
                    )
                smtp.starttls(context=context)
                smtp.ehlo()
            if chosen.username:
                _login(smtp, chosen.username, secret or "")
        except smtplib.SMTPAuthenticationError as error:
            _close(smtp)
            raise OutboxError(
                f"The mail server {chosen.host} refused the user name or password"
                f" ({_reply(error.smtp_code, error.smtp_error)}); check them in Settings,"
                " under Email."
            ) from None
        except smtplib.SMTPNotSupportedError:
            _close(smtp)
            raise OutboxError(
                f"The mail server {where} does not take a user name and password on this"
                " connection; choose STARTTLS or SSL in Settings, under Email."
            ) from None
        except (OSError, smtplib.SMTPException) as error:
            _close(smtp)
            raise OutboxError(
                f"The mail server {where} did not let Relapp in ({_reason(error)}); check the"
                " settings under Email."
            ) from None
        except BaseException:
            _close(smtp)
            raise
        return smtp

    return connect


def _login(smtp: smtplib.SMTP, username: str, password: str) -> None:
    """smtplib's login, which sends only ASCII; a name or password with other characters
    goes as UTF-8 through AUTH PLAIN (RFC 4616), as mail programs send it."""
    import base64
    import smtplib

    if (username + password).isascii():
        smtp.login(username, password)
        return
    mechanisms = str(smtp.esmtp_features.get("auth", "")).upper().split()
    if "PLAIN" not in mechanisms:
        raise smtplib.SMTPNotSupportedError("AUTH PLAIN")
    token = base64.b64encode(b"\0" + username.encode() + b"\0" + password.encode()).decode()
    code, reply = smtp.docmd("AUTH", f"PLAIN {token}")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, reply)


def send_test_email(connect: Connect, to: str, settings: SmtpSettings | None = None) -> None:
    """One email to the address given, from the shop's From address, ending with its opt-out
    text: proof that the settings work. Raises OutboxError in one sentence."""
    import smtplib

    chosen = settings or smtp_settings()
    if not chosen.sender.strip():
        raise OutboxError("Write the From address first.")
    if "@" not in to.strip() or any(c.isspace() for c in to.strip()):
        raise OutboxError(f"{to.strip()[:80]!r} is not an email address.")
    email = EmailMessage()
    try:
        email["From"] = chosen.sender
        email["To"] = to.strip()
    except (ValueError, IndexError):
        raise OutboxError("The From address or the address to send to is not one.") from None
    email["Subject"] = f"Relapp test email from {load_settings().shop_name}"
    email["Date"] = format_datetime(utc_now())
    email["Message-ID"] = make_msgid(domain=_domain_of(chosen.sender))
    opt_out = chosen.opt_out.strip()
    email.set_content(
        "Relapp sends the shop's campaign emails through this mail server; this one shows"
        " that it works. Every campaign email ends with the opt-out text:\n\n"
        f"{opt_out or '(no opt-out text yet)'}\n"
    )
    smtp = connect()
    try:
        smtp.send_message(email)
    except smtplib.SMTPRecipientsRefused as error:
        code, reply = next(iter(error.recipients.values()))
        words = _reply(code, reply)
        raise OutboxError(f"The mail server refused {to.strip()} ({words}).") from None
    except smtplib.SMTPSenderRefused as error:
        raise OutboxError(
            f"The mail server refused the From address {chosen.sender}"
            f" ({_reply(error.smtp_code, error.smtp_error)}); check it in Settings."
        ) from None
    except smtplib.SMTPResponseException as error:
        raise OutboxError(
            f"The mail server refused the email ({_reply(error.smtp_code, error.smtp_error)})."
        ) from None
    except (OSError, smtplib.SMTPException) as error:
        raise OutboxError(f"The test email could not be sent ({_reason(error)}).") from None
    finally:
        _quit(smtp)


# ------------------------------------------------------------------------------- queueing


def queue_emails(campaign_id: int, emails: Sequence[OutgoingEmail], now: datetime) -> None:
    """Queue the campaign's emails, in the caller's transaction (produce_campaign's)."""
    store.queue_messages(
        campaign_id,
        [(email.contact_id, email.recipient, email.message) for email in emails],
        format_timestamp(now),
    )


# -------------------------------------------------------------------------------- sending


@dataclass(frozen=True)
class SendReport:
    """What one round did, and why it stopped before the outbox was empty (if it did)."""

    sent: int = 0
    failed: int = 0
    in_doubt: int = 0
    waiting: int = 0  # still queued at the end (tried again next round)
    stopped: str | None = None  # one sentence: a temporary refusal, a lost connection
    cancelled: bool = False


@dataclass
class _Round:
    sent: int = 0
    failed: int = 0
    in_doubt: int = 0
    stopped: str | None = None


def send_outbox(
    connect: Connect,
    *,
    progress: Callable[[int, int], object] | None = None,
    should_stop: Callable[[], bool] | None = None,
    now: Callable[[], datetime] = utc_now,
) -> SendReport:
    """Send what is queued, one message at a time, each at most once (see the module's
    rules). progress(done, total) after each message; should_stop() is asked before each.

    Raises:
        OutboxError: the mail server cannot be reached or refuses the password, or there is
            no password store: nothing was claimed, nothing changed.
        DatabaseBusy: a claim or a record could not be written (a message claimed and not
            recorded is in doubt after STALE_AFTER, never sent again by itself).
    """
    with write_transaction():
        store.mark_stale_in_doubt(format_timestamp(now() - STALE_AFTER))
    total = store.queued_count()
    if total == 0:
        return SendReport()
    smtp = connect()
    done = _Round()
    cancelled = False
    attempted = 0
    try:
        while True:
            if should_stop is not None and should_stop():
                cancelled = True
                break
            claimed = _claim_next(now)
            if claimed is None:
                break
            message_id, recipient, text = claimed
            outcome = _deliver(smtp, recipient, dated(text, now()))
            _record(message_id, outcome, now, done)
            attempted += 1
            if progress is not None:
                progress(min(attempted, total), max(total, attempted))
            if done.stopped is not None:
                break
    finally:
        _quit(smtp)
    return SendReport(
        done.sent, done.failed, done.in_doubt, store.queued_count(), done.stopped, cancelled
    )


_DATE_HEADER = re.compile(r"^Date:[^\r\n]*", re.IGNORECASE | re.MULTILINE)


def dated(text: str, moment: datetime) -> str:
    """The queued message with its Date header set to the moment it goes.

    A message waits in the outbox for hours or days when the mail server is down, and a
    mail program sorts and shows it by its Date: it should say when it was sent, not when
    the campaign was produced. Only the header block is touched; the Message-ID made at
    queue time stays, so a message sent again is still recognised as the same one.
    """
    head, blank, body = text.partition("\r\n\r\n")
    if not blank:
        head, blank, body = text.partition("\n\n")
    return _DATE_HEADER.sub(f"Date: {format_datetime(moment)}", head, count=1) + blank + body


def _claim_next(now: Callable[[], datetime]) -> tuple[int, str, str] | None:
    """The next queued message, claimed by this sender (committed), or None when none is
    left. A message another sender claimed first is passed over."""
    while True:
        with write_transaction():
            message_id = store.next_queued()
            if message_id is None:
                return None
            if store.claim(message_id, format_timestamp(now())):
                found = store.claimed_message(message_id)
                if found is not None:
                    return (message_id, *found)


@dataclass(frozen=True)
class _Outcome:
    status: str  # sent, failed, queued or in_doubt
    error: str | None = None
    stop: str | None = None  # the sentence that ends the round


def _deliver(smtp: smtplib.SMTP, recipient: str, text: str) -> _Outcome:
    """Hand one message to the mail server; what became of it. Every failure that may have
    let the message through (the connection lost after the message began to go) is in
    doubt: never sent again by itself."""
    import smtplib

    data = text.encode("utf-8")
    headers = HeaderParser().parsestr(text, headersonly=True)
    sender = parseaddr(str(headers.get("From", "")))[1]
    on_its_way = False
    try:
        smtp.ehlo_or_helo_if_needed()
        options = []
        if not data.isascii() and smtp.has_extn("8bitmime"):
            options.append("BODY=8BITMIME")
        if not (sender.isascii() and recipient.isascii() and _ascii_headers(text)):
            if not smtp.has_extn("smtputf8"):
                return _Outcome(
                    "failed",
                    "The mail server cannot send to or from an address with letters other"
                    " than English ones (it does not offer SMTPUTF8).",
                )
            options.append("SMTPUTF8")
        code, reply = smtp.mail(sender, options)
        if code != 250:
            _reset(smtp)
            words = _reply(code, reply)
            if _temporary(code):
                return _Outcome("queued", words, _try_later(words))
            return _Outcome(
                "queued", words,
                f"The mail server refused the From address {sender} ({words}); check it in"
                " Settings, under Email. The emails wait in the outbox.",
            )  # fmt: skip
        code, reply = smtp.rcpt(recipient)
        if code not in (250, 251):
            _reset(smtp)
            words = _reply(code, reply)
            if _temporary(code):
                return _Outcome("queued", words, _try_later(words))
            return _Outcome("failed", words)
        on_its_way = True
        code, reply = smtp.data(data)
        words = _reply(code, reply)
        if code == 250:
            return _Outcome("sent")
        if _temporary(code):
            return _Outcome("queued", words, _try_later(words))
        return _Outcome("failed", words)
    except smtplib.SMTPDataError as error:  # DATA itself refused: nothing of it went
        words = _reply(error.smtp_code, error.smtp_error)
        _reset(smtp)
        if _temporary(error.smtp_code):
            return _Outcome("queued", words, _try_later(words))
        return _Outcome("failed", words)
    except (OSError, smtplib.SMTPException) as error:
        reason = _reason(error)
        if on_its_way:
            return _Outcome(
                "in_doubt", reason,
                f"The connection to the mail server broke while the email to {recipient} was"
                f" on its way ({reason}); it may have been sent, so Relapp will not send it"
                " again by itself: see the Outbox. The others wait in the outbox.",
            )  # fmt: skip
        return _Outcome(
            "queued", reason,
            f"The connection to the mail server was lost ({reason}); the emails not sent wait"
            " in the outbox and go with the next round.",
        )  # fmt: skip


def _record(message_id: int, outcome: _Outcome, now: Callable[[], datetime], done: _Round) -> None:
    with write_transaction():
        if outcome.status == "sent":
            store.mark_sent(message_id, format_timestamp(now()))
            done.sent += 1
        elif outcome.status == "failed":
            store.mark_failed(message_id, outcome.error or "")
            done.failed += 1
        elif outcome.status == "in_doubt":
            store.mark_in_doubt(message_id, outcome.error or "")
            done.in_doubt += 1
        else:
            store.requeue(message_id, outcome.error or "")
    if outcome.stop is not None:
        done.stopped = outcome.stop


def _try_later(words: str) -> str:
    return (
        f"The mail server asked Relapp to try again later ({words}); the emails not sent wait"
        " in the outbox and go with the next round."
    )


def _temporary(code: int) -> bool:
    return 400 <= code < 500


def _reset(smtp: smtplib.SMTP) -> None:
    with contextlib.suppress(Exception):  # the next command says what is wrong, if anything
        smtp.rset()


def _quit(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except Exception:  # gone already: nothing to say goodbye to
        _close(smtp)


def _close(smtp: smtplib.SMTP) -> None:
    with contextlib.suppress(Exception):
        smtp.close()


def _ascii_headers(text: str) -> bool:
    head = text.split("\r\n\r\n", 1)[0]
    return head.isascii()


def _domain_of(sender: str) -> str:
    return parseaddr(sender)[1].rpartition("@")[2] or "localhost"


def _reply(code: int, reply: bytes | str) -> str:
    """ "550 5.1.1 No such user": the server's reply on one line."""
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return f"{code} {_one_line(text)}".strip()


def _reason(error: BaseException) -> str:
    import smtplib

    if isinstance(error, smtplib.SMTPResponseException):
        return _reply(error.smtp_code, error.smtp_error)
    if isinstance(error, OSError) and error.strerror:
        return _one_line(error.strerror)
    return _one_line(str(error)) or type(error).__name__


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()[:300]


# ------------------------------------------------------------------- what the owner sees


@dataclass(frozen=True)
class CampaignOutbox:
    campaign_id: int
    name: str
    counts: dict[str, int]


@dataclass(frozen=True)
class OutboxSummary:
    """How many messages are in each state (a message claimed longer ago than STALE_AFTER
    counts as in doubt), in all and by campaign (newest first)."""

    totals: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    campaigns: tuple[CampaignOutbox, ...] = ()

    @property
    def empty(self) -> bool:
        return not any(self.totals.values())


@dataclass(frozen=True)
class OutboxMessage:
    """A message the owner may act on: refused (failed) or in doubt."""

    id: int
    campaign_id: int
    campaign_name: str
    contact_id: int
    name: str
    recipient: str
    status: str
    attempts: int
    reason: str  # the server's words, or why it is in doubt
    claimed_at: str | None


def _stale_before(now: datetime | None) -> str:
    return format_timestamp((now or utc_now()) - STALE_AFTER)


def outbox_summary(now: datetime | None = None) -> OutboxSummary:
    totals = dict.fromkeys(STATUSES, 0)
    by_campaign: dict[int, CampaignOutbox] = {}
    for campaign_id, name, status, number in store.counts_by_campaign(_stale_before(now)):
        totals[status] += number
        entry = by_campaign.setdefault(
            campaign_id, CampaignOutbox(campaign_id, name, dict.fromkeys(STATUSES, 0))
        )
        entry.counts[status] += number
    return OutboxSummary(totals, tuple(by_campaign.values()))


def messages_needing_the_owner(
    limit: int = NEEDING_THE_OWNER, now: datetime | None = None
) -> list[OutboxMessage]:
    """The in-doubt messages, then the refused ones, newest first; at most limit."""
    return [
        OutboxMessage(
            id=row.id,
            campaign_id=row.campaign_id,
            campaign_name=row.campaign_name,
            contact_id=row.contact_id,
            name=display_name(row.contact_kind, row.given_name, row.family_name, row.organisation),
            recipient=row.recipient,
            status=row.status,
            attempts=row.attempts,
            reason=STATUS_WORDS["in_doubt"] if row.status == "in_doubt" else row.last_error or "",
            claimed_at=row.claimed_at,
        )
        for row in store.rows_needing_the_owner(_stale_before(now), limit)
    ]


def send_again(message_ids: Sequence[int], now: datetime | None = None) -> int:
    """The chosen in-doubt and refused messages go back in the queue (the owner decided,
    knowing an in-doubt one may then arrive twice); how many."""
    with write_transaction():
        return store.requeue_chosen(list(message_ids), _stale_before(now))


def mark_sent(message_ids: Sequence[int], now: datetime | None = None) -> int:
    """The chosen in-doubt messages were sent after all (the owner found them in the Sent
    folder): done, dated when they were being sent; how many."""
    with write_transaction():
        return store.mark_chosen_sent(list(message_ids), _stale_before(now))
