"""vCard 2.1, 3.0 and 4.0: reading address-book exports and writing cards others import.

The reader is written here rather than taken from vobject because it must keep going past a
broken card (vobject stops at the first) and read 2.1's quoted-printable soft line breaks and
CHARSET parameters. It unfolds lines (CRLF + space or tab), decodes quoted-printable and
backslash escapes, and turns each card into a SourceRow for the importer; a broken card
(no END, a line that is not a property, nothing to import) is reported with its line.
The writer folds at 75 octets without splitting a character and escapes text values.
"""

from __future__ import annotations

import quopri
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from relapp.db.live_files import refuse_database_files
from relapp.db.store.exports import card_row
from relapp.errors import RelappError, excerpt
from relapp.exchange.csv_read import UnreadableFile, decode_bytes
from relapp.exchange.rows import RowError, SourceRow

VERSIONS = ("3.0", "4.0")
CARD_PROPERTY = "X-RELAPP-CARD"
_BEGIN = re.compile(r"(?:^|[\r\n])[ \t]*BEGIN:VCARD[ \t]*(?:[\r\n]|$)", re.IGNORECASE)
_PROPERTY = re.compile(r"^(?:[A-Za-z0-9-]+\.)?([A-Za-z0-9-]+)((?:;[^:]*)?):(.*)$", re.DOTALL)


class ContactNotFound(RelappError):
    pass


@dataclass
class Property:
    name: str
    params: dict[str, list[str]]
    value: str


@dataclass
class Card:
    line: int
    lines: list[str] = field(default_factory=list)
    properties: list[Property] = field(default_factory=list)

    def first(self, name: str, prefer_type: str = "") -> Property | None:
        found = [prop for prop in self.properties if prop.name == name]
        for prop in found:
            types = {t.lower() for t in prop.params.get("TYPE", [])}
            if prefer_type and (prefer_type in types or "pref" in types):
                return prop
        return found[0] if found else None


# ------------------------------------------------------------------------------- reading


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(line number, unfolded line), joining folds and quoted-printable soft breaks."""
    physical = re.split(r"\r\n|\n|\r", text)
    current: str | None = None
    start = 0
    index = 0
    while index < len(physical):
        line = physical[index]
        index += 1
        if current is not None and line[:1] in (" ", "\t"):
            current += line[1:]
            continue
        if current is not None:
            yield start, current
        current, start = line, index
        # Quoted-printable: a line ending in "=" continues on the next line, unindented.
        while _is_quoted_printable(current) and current.endswith("=") and index < len(physical):
            current = current[:-1] + physical[index].lstrip(" \t")
            index += 1
    if current is not None:
        yield start, current


def _is_quoted_printable(line: str) -> bool:
    head = line.split(":", 1)[0].upper()
    return "QUOTED-PRINTABLE" in head


def _parse_property(line: str) -> Property | None:
    found = _PROPERTY.match(line)
    if found is None:
        return None
    name, raw_params, value = found.groups()
    params: dict[str, list[str]] = {}
    for part in filter(None, raw_params.split(";")):
        key, sep, values = part.partition("=")
        if not sep:  # 2.1: ";QUOTED-PRINTABLE", ";CELL"
            upper = key.upper()
            key, values = (
                ("ENCODING", upper)
                if upper in {"QUOTED-PRINTABLE", "BASE64", "8BIT"}
                else ("TYPE", key)
            )
        params.setdefault(key.upper(), []).extend(v.strip('"') for v in values.split(","))
    encoding = [v.upper() for v in params.get("ENCODING", [])]
    if "QUOTED-PRINTABLE" in encoding:
        raw = quopri.decodestring(value.encode("latin-1", errors="replace"))
        charset = (params.get("CHARSET") or ["utf-8"])[0]
        try:
            value = raw.decode(charset)
        except (LookupError, UnicodeDecodeError):
            value = raw.decode("cp1252", errors="replace")
    return Property(name.upper(), params, value)


def parse_cards(text: str) -> tuple[list[Card], list[RowError]]:
    """The complete cards in a file and the broken ones (with the line each starts on)."""
    cards: list[Card] = []
    broken: list[RowError] = []
    card: Card | None = None
    problem = ""
    for number, line in _logical_lines(text):
        if not line.strip():
            continue
        upper = line.strip().upper()
        if upper == "BEGIN:VCARD":
            if card is not None:
                broken.append(
                    RowError(card.line, "The card has no END:VCARD.", ["\n".join(card.lines)])
                )
            card, problem = Card(number, [line]), ""
            continue
        if card is None:
            broken.append(RowError(number, "A line outside any card (no BEGIN:VCARD).", [line]))
            continue
        card.lines.append(line)
        if upper == "END:VCARD":
            if problem:
                broken.append(RowError(card.line, problem, ["\n".join(card.lines)]))
            else:
                cards.append(card)
            card = None
            continue
        prop = _parse_property(line)
        if prop is None:
            problem = problem or f"Line {number} is not a vCard property: {excerpt(line)}."
        else:
            card.properties.append(prop)
    if card is not None:
        broken.append(RowError(card.line, "The card has no END:VCARD.", ["\n".join(card.lines)]))
    return cards, broken


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) in "nN" else m.group(1), text)


def _components(text: str) -> list[str]:
    """A structured value (N, ADR, ORG) cut at each separator: a ";" that is not escaped.

    Read escape by escape, so in "Back\\\\;Slash" the ";" follows an escaped backslash and
    separates (a look-behind for one backslash would take it for an escaped ";").
    """
    parts = [""]
    for token in re.findall(r"\\.?|;|[^\\;]+", text, re.DOTALL):
        if token == ";":
            parts.append("")
        else:
            parts[-1] += token
    return [_unescape(part) for part in parts]


def card_values(card: Card) -> dict[str, str]:
    """The importer's fields from one card."""
    values: dict[str, str] = {}
    name = card.first("N")
    if name is not None:
        parts = [*_components(name.value), "", ""]
        values["family_name"], values["given_name"] = parts[0], parts[1]
    formatted = card.first("FN")
    org_only = name is None and card.first("ORG") is not None
    if formatted is not None and not org_only:
        values["full_name"] = _unescape(formatted.value)
    org = card.first("ORG")
    if org is not None:
        values["organisation"] = _components(org.value)[0]
    email = card.first("EMAIL", "internet")
    if email is not None:
        values["email"] = _unescape(email.value).removeprefix("mailto:")
    tel = card.first("TEL", "cell")
    if tel is not None:
        values["phone"] = _unescape(tel.value).removeprefix("tel:")
    address = card.first("ADR", "home")
    if address is not None:
        parts = [*_components(address.value), *[""] * 7]
        for name, part in zip(
            ("street", "locality", "region", "postcode", "country"), parts[2:7], strict=True
        ):
            values[name] = part
    birthday = card.first("BDAY")
    if birthday is not None:
        values["birthday"] = birthday.value.strip()
    note = card.first("NOTE")
    if note is not None:
        values["notes"] = _unescape(note.value)
    number = card.first(CARD_PROPERTY)
    if number is not None:
        values["card_number"] = number.value.strip()
    return {key: value.strip() for key, value in values.items() if value and value.strip()}


def vcard_rows(path: Path) -> tuple[list[str], list[SourceRow], list[RowError]]:
    """The cards of a file as importer rows, and the broken cards."""
    text, _ = decode_bytes(refuse_database_files(path).read_bytes())
    if not text.strip():
        raise UnreadableFile("The file is empty.")
    if not _BEGIN.search(text):
        raise UnreadableFile("This is not a vCard file (no line says BEGIN:VCARD).")
    cards, broken = parse_cards(text)
    rows = [SourceRow(card.line, ["\n".join(card.lines)], card_values(card)) for card in cards]
    return ["card"], rows, broken


# ------------------------------------------------------------------------------- writing

# RFC 6350 3.3: a value holds spaces, tabs, visible ASCII and non-ASCII, no other control
# character; line breaks are written as \n (_escape) and the rest dropped.
_CONTROLS = dict.fromkeys([*(c for c in range(0x20) if c != 0x09), 0x7F])


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
        .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")
    )  # fmt: skip


def _fold(line: str) -> str:
    """A content line folded at 75 octets, never inside a UTF-8 character."""
    out, current, size = [], [], 0
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > 75:
            out.append("".join(current))
            current, size = [" "], 1
        current.append(ch)
        size += width
    out.append("".join(current))
    return "\r\n".join(out)


def card_from_row(row: tuple, version: str = "3.0") -> str:
    """One card from a row of relapp.db.store.exports.CARD_COLUMNS."""
    if version not in VERSIONS:
        raise ValueError(f"vCard version must be one of {VERSIONS}, not {version!r}")
    (given, family, organisation, email, phone, street, locality, region, postcode, country,
     year, month, day, notes, card, kind) = row  # fmt: skip
    full = " ".join(part for part in (given, family) if part) or organisation or card or "?"
    lines = ["BEGIN:VCARD", f"VERSION:{version}"]
    if version == "4.0" and kind == "business" and not (given or family):
        lines.append("KIND:org")
    lines.append(f"N:{_escape(family)};{_escape(given)};;;")
    lines.append(f"FN:{_escape(full)}")
    if organisation:
        lines.append(f"ORG:{_escape(organisation)}")
    if phone:
        lines.append(
            f"TEL;TYPE=cell;VALUE=uri:tel:{phone}" if version == "4.0" else f"TEL;TYPE=CELL:{phone}"
        )
    if email:
        lines.append(f"EMAIL;TYPE=INTERNET:{email}" if version == "3.0" else f"EMAIL:{email}")
    if any((street, locality, region, postcode, country)):
        parts = ";".join(
            _escape(part or "") for part in (street, locality, region, postcode, country)
        )
        lines.append(f"ADR;TYPE={'HOME' if version == '3.0' else 'home'}:;;{parts}")
    if month and day:
        if year:
            lines.append(
                f"BDAY:{year:04d}-{month:02d}-{day:02d}"
                if version == "3.0"
                else f"BDAY:{year:04d}{month:02d}{day:02d}"
            )
        else:
            lines.append(
                f"BDAY:--{month:02d}-{day:02d}"
                if version == "3.0"
                else f"BDAY:--{month:02d}{day:02d}"
            )
    if notes:
        lines.append(f"NOTE:{_escape(notes)}")
    if card:
        lines.append(f"{CARD_PROPERTY}:{card}")
    lines.append("END:VCARD")
    return "".join(_fold(line.translate(_CONTROLS)) + "\r\n" for line in lines)


def contact_vcard(contact_id: int, version: str = "3.0") -> str:
    """One customer's card: names, org, phone, email, address, birthday, note, card number
    (as X-RELAPP-CARD). Raises ContactNotFound if there is no such contact or it was erased."""
    row = card_row(contact_id)
    if row is None:
        raise ContactNotFound(f"There is no customer {contact_id}.")
    return card_from_row(text_row(row), version)


def text_row(row: tuple) -> tuple:
    """A row of exports.CARD_COLUMNS with NULL text as "" (the birthday parts stay None)."""
    return tuple(
        "" if value is None and not 10 <= i <= 12 else value for i, value in enumerate(row)
    )
