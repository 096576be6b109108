"""A campaign's messages as the files that carry them to their channel: a Mailchimp audience
import, a CSV for an SMS gateway, one .eml per customer to send from a mail program, and an
sms: link to text one customer from a phone.

The CSV files are for machines that read cells literally (Mailchimp's import, a gateway), so
no cell gets the quote that relapp.exchange.exporter puts before a would-be formula: it would
reach the customer ("'-20% this week") or break a phone number ("'+61412345678"). They are
UTF-8 without a byte-order mark (a gateway would take one for part of the first header),
quoted as RFC 4180 says, lines ending in CRLF.

Mailchimp (help article "Format guidelines for your import file"): the columns may come in
any order and are matched by their labels, so they carry the labels of the audience's default
fields (Email Address, First Name, Last Name, Phone Number, Address), Customer Since (the day
they became a customer, YYYY-MM-DD, Mailchimp's date format for a date field) and Tags, which
Mailchimp reads as a comma-separated list in one cell, a tag holding a comma in double quotes.
An address is one cell whose parts (street lines, city, region, postcode, country) are
separated by two spaces, so a part's own runs of spaces are made single. There is no Birthday
column: a recipient carries no birthday, and an always-empty column would only ask the person
importing what to do with it.

An .eml is RFC 5322 text (CRLF; lines of at most 78 but a long link) that Outlook,
Thunderbird or Apple Mail open as a message ready to send. From, To and Subject are encoded
here (RFC 2047 encoded words made by email.header) and folded only at their spaces
(_WireFormHeader says why Python's own folding is not used for them). An address with a
non-ASCII domain is written in its ASCII (IDNA) form; one with a non-ASCII local part can
only be written as RFC 6532 UTF-8 headers, so that file is. Every email ends with the
opt-out text (the anti-spam laws of the shops' countries require a way out in each message);
when the text holds a mailto: or https: link, it is also offered as List-Unsubscribe
(RFC 2369), which mail programs show as an "Unsubscribe" button.

Each file is written beside its target and renamed over it when complete
(relapp.reports.document.atomic_pdf, which first refuses the shop's own database files).
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from email import policy
from email.header import Header
from email.headerregistry import Address, HeaderRegistry
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote

from relapp.domain import clock
from relapp.domain.campaigns.recipients import Message, Recipient
from relapp.domain.campaigns.sms import sms_segments
from relapp.errors import RelappError
from relapp.reports.document import atomic_pdf

MAILCHIMP_HEADERS = (
    "Email Address", "First Name", "Last Name", "Phone Number", "Address", "Customer Since",
    "Tags",
)  # fmt: skip
SMS_HEADERS = ("Phone", "Message", "Encoding", "Segments")

_E164 = re.compile(r"\+[1-9][0-9]{1,14}")
# A link in the opt-out text; trailing punctuation belongs to the sentence, not the link.
_OPT_OUT_LINK = re.compile(r"(?:mailto:|https://)[^\s<>\"]+", re.IGNORECASE)
_SENTENCE_END = ".,;:!?)]'"
_SLUG_LENGTH = 40
# Characters a URL may carry as they are; anything else (a non-ASCII path) is percent-encoded
# so the header stays ASCII.
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~-._"


def mailchimp_csv(messages: Iterable[Message], target: Path, tags: Sequence[str] = ()) -> int:
    """Write the recipients who have an email address as a Mailchimp contact import; every
    row gets the same tags. The number of rows written (recipients without an email are left
    out: the messages given less the rows is how many).

    Raises:
        RelappError: the target is the shop's database, or its folder cannot be written.
    """
    tags_cell = _mailchimp_tags(tags)
    rows = [
        (
            recipient.email,
            recipient.given_name,
            recipient.family_name,
            recipient.phone or "",
            _mailchimp_address(recipient),
            recipient.customer_since,
            tags_cell,
        )
        for recipient in (message.recipient for message in messages)
        if recipient.email
    ]
    _write_atomically(target, _csv_bytes(MAILCHIMP_HEADERS, rows))
    return len(rows)


def sms_csv(messages: Iterable[Message], target: Path) -> int:
    """Write one row per recipient with a phone number: the number (E.164), the merged text,
    its encoding and the SMS it takes. The number of rows written.

    Raises:
        RelappError: the target is the shop's database, or its folder cannot be written.
    """
    rows = []
    for message in messages:
        if not message.recipient.phone:
            continue
        length = sms_segments(message.body)
        rows.append((message.recipient.phone, message.body, length.encoding, length.segments))
    _write_atomically(target, _csv_bytes(SMS_HEADERS, rows))
    return len(rows)


CALL_HEADERS = ("Customer number", "Name", "Phone", "Points", "Outcome")


def call_list_csv(messages: Iterable[Message], target: Path) -> int:
    """Write the call list as a table: one row per recipient with a phone number (E.164), an
    empty Outcome column to fill in. The number of rows written."""
    rows = [
        (m.recipient.contact_id, m.recipient.name, m.recipient.phone,
         m.recipient.points_balance, "")
        for m in messages
        if m.recipient.phone
    ]  # fmt: skip
    _write_atomically(target, _csv_bytes(CALL_HEADERS, rows))
    return len(rows)


def eml_files(
    messages: Iterable[Message], folder: Path, *, sender: str, opt_out: str
) -> list[Path]:
    """Write one .eml per recipient with an email address into folder, named by the contact's
    id and name ("42-zoe-martin.eml"); the files written, in the order of messages.

    sender is the From header ("Shop <shop@example.com>"); opt_out is the text that ends every
    email, its mailto: or https: link (if any) also offered as List-Unsubscribe.

    Raises:
        RelappError: no opt-out text, a sender without an address, a recipient's address that
            is not one, or the folder cannot be written.
    """
    written = []
    for built in campaign_emails(messages, sender=sender, opt_out=opt_out):
        path = Path(folder) / eml_file_name(built.message.recipient)
        _write_atomically(path, built.email.as_bytes())
        written.append(path)
    return written


class BuiltEmail(NamedTuple):
    message: Message
    email: EmailMessage
    recipient: str  # the address it goes to (the envelope's), its domain in ASCII form


def campaign_emails(
    messages: Iterable[Message], *, sender: str, opt_out: str, seven_bit: bool = False
) -> Iterator[BuiltEmail]:
    """Each message to a recipient with an email address as an RFC 5322 email, in the order
    of messages (those without an address left out). sender and opt_out as eml_files takes
    them, checked at once (before the first email is made).

    seven_bit: a body with other than ASCII characters goes quoted-printable, so any mail
    server takes it (one that does not announce 8BITMIME too); a .eml keeps it 8-bit for
    whoever reads the file.

    Raises:
        RelappError: no opt-out text, or a sender without an address (now); a recipient's
            address that is not one (when its email is made).
    """
    if not opt_out.strip():
        raise RelappError(
            "Every email must end with a way to opt out; write the opt-out text first."
        )
    from_address = _checked_sender(sender)
    unsubscribe = _list_unsubscribe(opt_out)

    def built() -> Iterator[BuiltEmail]:
        for message in messages:
            if message.recipient.email:
                email = _email(message, from_address, opt_out, unsubscribe, seven_bit=seven_bit)
                yield BuiltEmail(message, email, _address(message.recipient.email).addr_spec)

    return built()


def eml_file_name(recipient: Recipient) -> str:
    """ "42-zoe-martin.eml": the id keeps names unique and clear of Windows' reserved device
    names (CON, NUL, ...); the slug keeps letters and digits of any script, nothing Windows
    refuses (<>:"/\\|?*, control characters, a trailing dot or space)."""
    name = unicodedata.normalize("NFC", recipient.name).casefold()
    slug = re.sub(r"[\W_]+", "-", name).strip("-")[:_SLUG_LENGTH].rstrip("-")
    return f"{recipient.contact_id}-{slug}.eml" if slug else f"{recipient.contact_id}.eml"


def sms_link(phone: str, text: str) -> str:
    """An sms: URI (RFC 5724) that opens the phone's messages app with the text ready to send
    to the number: "sms:+61412345678?body=Hello%20Zo%C3%AB".

    Raises:
        RelappError: the number is not in international (E.164) form.
    """
    number = re.sub(r"[\s().-]", "", phone)
    if not _E164.fullmatch(number):
        raise RelappError(
            f"{phone!r} is not a phone number in international form (such as +61412345678)."
        )
    return f"sms:{number}?body={quote(text, safe='')}"


# --- CSV --------------------------------------------------------------------------------------


def _csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return text.getvalue().encode("utf-8")


def _mailchimp_tags(tags: Sequence[str]) -> str:
    names = dict.fromkeys(" ".join(tag.split()) for tag in tags)
    return ",".join(f'"{name}"' if "," in name else name for name in names if name)


def _mailchimp_address(recipient: Recipient) -> str:
    if not recipient.has_postal_address():
        return ""
    parts = [
        *recipient.street.splitlines(),
        recipient.locality,
        recipient.region,
        recipient.postcode,
        recipient.country,
    ]
    return "  ".join(part for part in (" ".join(p.split()) for p in parts) if part)


# --- email ------------------------------------------------------------------------------------


class _WireFormHeader:
    """A header given in its wire form (ASCII with encoded words, or UTF-8 in an RFC 6532
    file) and folded only at its spaces. Python's own folding (3.11) can drop a space of a
    name when the space falls between two encoded words ("Zoë Ø" read back as "ZoëØ"), and
    turns a URL longer than a line into encoded words, which List-Unsubscribe may not hold
    (mail programs then see no link). A space between two encoded words is free to fold at:
    decoders ignore it (RFC 2047, 6.2)."""

    max_count = 1

    @classmethod
    def parse(cls, value: str, kwds: dict[str, object]) -> None:
        kwds["decoded"] = value  # the wire form: only this module's writer reads it
        kwds["parse_tree"] = None

    def fold(self, *, policy: policy.Policy) -> str:
        # self is the header the registry made (a str with a name), this class mixed in.
        limit = policy.max_line_length or 78
        lines = [f"{self.name}:"]
        for number, token in enumerate(str(self).split(" ")):
            if number and len(lines[-1]) + 1 + len(token) > limit:
                lines.append("")  # a token longer than a line has one to itself
            lines[-1] += " " + token
        return policy.linesep.join(lines) + policy.linesep


_WIRE_FORM_HEADERS = ("from", "to", "subject", "list-unsubscribe")
_HEADERS = HeaderRegistry()
for _name in _WIRE_FORM_HEADERS:
    _HEADERS.map_to_type(_name, _WireFormHeader)
_ASCII_POLICY = policy.SMTP.clone(header_factory=_HEADERS)
_UTF8_POLICY = policy.SMTPUTF8.clone(header_factory=_HEADERS)
_ENCODED_WORD_LENGTH = 70  # RFC 2047 allows 75; this leaves room for "Subject: " on a line


def _email(
    message: Message,
    from_address: Address,
    opt_out: str,
    unsubscribe: str | None,
    *,
    seven_bit: bool = False,
) -> EmailMessage:
    recipient = message.recipient
    assert recipient.email is not None  # the caller skips recipients without one
    to = _address(recipient.email, _one_line(recipient.name))
    utf8 = not (to.addr_spec.isascii() and from_address.addr_spec.isascii())
    email = EmailMessage(policy=_UTF8_POLICY if utf8 else _ASCII_POLICY)
    email["From"] = _address_wire_form(from_address, utf8)
    email["To"] = _address_wire_form(to, utf8)
    email["Subject"] = _text_wire_form(_one_line(message.subject), utf8)
    email["Date"] = format_datetime(clock.utc_now())
    email["Message-ID"] = make_msgid(idstring=str(recipient.contact_id), domain=from_address.domain)
    if unsubscribe:
        email["List-Unsubscribe"] = unsubscribe
    text = f"{message.body.rstrip()}\n\n{opt_out.strip()}\n"
    cte = "quoted-printable" if seven_bit and not text.isascii() else None
    email.set_content(text, charset="utf-8", cte=cte)
    return email


def _address_wire_form(address: Address, utf8: bool) -> str:
    name = address.display_name
    if utf8 or (name.isascii() and "=?" not in name):
        return str(address)  # the name quoted where RFC 5322 wants it
    return f"{_text_wire_form(name, utf8)} <{address.addr_spec}>"


def _text_wire_form(text: str, utf8: bool) -> str:
    if utf8 or (text.isascii() and "=?" not in text):
        return text
    # email.header splits the text between characters, never dropping one of its spaces.
    encoded = Header(text, "utf-8").encode(maxlinelen=_ENCODED_WORD_LENGTH, linesep="\n")
    return " ".join(encoded.split())


def _address(email: str, display_name: str = "") -> Address:
    username, at, domain = email.strip().rpartition("@")
    if not (at and username and domain):
        raise RelappError(f"{email!r} is not an email address.")
    # A domain IDNA cannot encode is kept as typed, and the file gets UTF-8 headers.
    with contextlib.suppress(UnicodeError):
        domain = domain.encode("idna").decode("ascii")
    return Address(display_name=display_name, username=username, domain=domain)


def _checked_sender(sender: str) -> Address:
    """The sender ("Shop <shop@example.com>") as one address, its domain in ASCII form."""
    probe = EmailMessage(policy=policy.default)
    try:
        probe["From"] = _one_line(sender)
        addresses = probe["From"].addresses
    except (ValueError, IndexError) as error:
        raise RelappError(f"The sender {sender!r} is not an email address.") from error
    if len(addresses) != 1 or not addresses[0].domain:
        raise RelappError(f"The sender {sender!r} is not one email address.")
    return _address(addresses[0].addr_spec, addresses[0].display_name)


def _list_unsubscribe(opt_out: str) -> str | None:
    links = [link.rstrip(_SENTENCE_END) for link in _OPT_OUT_LINK.findall(opt_out)]
    urls = dict.fromkeys(quote(link, safe=_URL_SAFE) for link in links)
    return ", ".join(f"<{url}>" for url in urls) if urls else None


def _one_line(text: str) -> str:
    # A header cannot hold a line break (it would start a header of its own).
    return " ".join(text.split())


# --- files ------------------------------------------------------------------------------------


def _write_atomically(target: Path, data: bytes) -> None:
    with atomic_pdf(Path(target)) as temporary, open(temporary, "wb") as handle:
        handle.write(data)
