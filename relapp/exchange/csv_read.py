"""Reading CSV files as other programs write them: encoding, delimiter, header mapping.

Encoding is decided by rules, not statistics, so the same file always reads the same way:
a byte-order mark says UTF-8 or UTF-16; a file with NUL bytes in alternate positions is
UTF-16 without a mark; a file that decodes as strict UTF-8 is UTF-8 (cp1252 text with any
accented letter almost never does); anything else is cp1252, Excel's "CSV" on Western Windows,
with the five bytes cp1252 leaves undefined read as Latin-1.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from relapp.db.live_files import refuse_database_files

DELIMITERS = (",", ";", "\t")
SNIFF_LINES = 50

# The fields an import can fill. full_name is split when no given/family name is mapped.
FIELDS = (
    "given_name",
    "family_name",
    "full_name",
    "organisation",
    "email",
    "phone",
    "street",
    "locality",
    "region",
    "postcode",
    "country",
    "birthday",
    "card_number",
    "notes",
    "opening_points",
)

# Header names per field, most wanted first, folded (see _fold_header). They cover Relapp's own
# export, Excel sheets typed by hand, Google Contacts (old and new format), Outlook and tills.
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "given_name": ("givenname", "firstname", "first", "forename", "prenom", "vorname", "nombre"),
    "family_name": (
        "familyname", "lastname", "surname", "last", "nom", "nachname", "apellido", "apellidos",
    ),
    "full_name": ("name", "fullname", "displayname", "customer", "customername", "contact"),
    "organisation": (
        "organisation", "organization", "company", "organization1name", "organizationname",
        "business", "firma", "societe", "empresa",
    ),
    "email": (
        "email", "emailaddress", "email1value", "mail", "emailaddress1", "courriel",
        "primaryemail", "homeemail", "e", "email1",
    ),
    "phone": (
        "phone", "mobile", "mobilephone", "cell", "cellphone", "phone1value", "telephone",
        "phonenumber", "tel", "mobilenumber", "homephone", "primaryphone", "businessphone",
        "telefon", "telefono", "handy",
    ),
    "street": ("street", "address", "homestreet", "address1street", "streetaddress", "address1"),
    "locality": ("locality", "city", "homecity", "address1city", "town", "suburb", "ville"),
    "region": ("region", "state", "homestate", "address1region", "province", "county"),
    "postcode": (
        "postcode", "postalcode", "zip", "zipcode", "homepostalcode", "address1postalcode",
        "plz", "codepostal",
    ),
    "country": ("country", "homecountryregion", "address1country", "countryregion", "pays"),
    "birthday": ("birthday", "birthdate", "dateofbirth", "dob", "born", "geburtstag"),
    "card_number": (
        "cardnumber", "card", "loyaltycard", "loyaltycardnumber", "membernumber",
        "membershipnumber", "customernumber", "cardno", "barcode",
    ),
    "notes": ("notes", "note", "comments", "comment", "remarks"),
    "opening_points": (
        "openingpoints", "points", "pointsbalance", "balance", "loyaltypoints", "bonuspoints",
    ),
}  # fmt: skip


class UnreadableFile(ValueError):
    """The file is not a table this importer can read; the message says why."""


@dataclass(frozen=True)
class CsvTable:
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (line number where the row starts, its cells)
    encoding: str
    delimiter: str


NOT_TEXT = (
    "This is not a text file (a spreadsheet or a picture?). In the spreadsheet, use Save As "
    "and choose CSV, then import that file."
)


def decode_bytes(data: bytes) -> tuple[str, str]:
    """The text and the name of the encoding it was read in (see the module's rules)."""
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(name.removesuffix("-sig")), name
            except UnicodeDecodeError as error:
                raise UnreadableFile(f"The file says it is {name} but is not: {error}.") from None
    head = data[:4096]
    # UTF-16 without a BOM: Latin text has a zero in every other byte, always the same one of
    # the pair. Zeros on both sides are a picture, a spreadsheet or another binary file.
    odd_zeros, even_zeros = head[1::2].count(0), head[0::2].count(0)
    if len(head) >= 4 and max(odd_zeros, even_zeros) >= len(head) // 4 >= 10 * min(
        odd_zeros, even_zeros
    ):
        name = "utf-16-le" if odd_zeros > even_zeros else "utf-16-be"
        try:
            return data.decode(name), name
        except UnicodeDecodeError:
            raise UnreadableFile("The file looks like UTF-16 text but is not.") from None
    if b"\x00" in data:
        raise UnreadableFile(NOT_TEXT)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    return data.decode("cp1252", errors="latin1_fallback"), "cp1252"


def _latin1_fallback(error: UnicodeDecodeError) -> tuple[str, int]:
    chunk = error.object[error.start : error.end]
    return bytes(chunk).decode("latin-1"), error.end


codecs.register_error("latin1_fallback", _latin1_fallback)


def sniff_delimiter(text: str) -> str:
    """Comma, semicolon or tab: the one that splits the first lines most consistently."""
    sample = "\n".join(text.splitlines()[:SNIFF_LINES])
    best, best_score = ",", (-1, 0)
    for delimiter in DELIMITERS:
        widths = [len(row) for row in csv.reader(io.StringIO(sample), delimiter=delimiter) if row]
        if not widths or widths[0] < 2:
            continue
        agreeing = sum(1 for width in widths if width == widths[0])
        score = (agreeing, widths[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_table(source: Path | str | bytes) -> CsvTable:
    """Every row of a CSV file, with the line each row starts on (the header is line 1)."""
    data = source if isinstance(source, bytes) else refuse_database_files(source).read_bytes()
    text, encoding = decode_bytes(data)
    if not text.strip():
        raise UnreadableFile("The file is empty.")
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    rows: list[tuple[int, list[str]]] = []
    headers: list[str] | None = None
    line = 1
    try:
        for cells in reader:
            if headers is None:
                headers = [cell.strip() for cell in cells]
            elif any(cell.strip() for cell in cells):
                rows.append((line, cells))
            line = reader.line_num + 1
    except csv.Error as error:
        raise UnreadableFile(f"Line {line} cannot be read as CSV: {error}.") from None
    if not headers or not any(headers):
        raise UnreadableFile("The file has no header line naming its columns.")
    return CsvTable(headers, rows, encoding, delimiter)


def _fold_header(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return re.sub(r"[^a-z0-9]", "", "".join(ch for ch in decomposed if ch.isascii()))


def guess_mapping(headers: list[str]) -> dict[int, str]:
    """Column index -> field for the columns whose header names a known field.

    Each field takes at most one column: the one whose header is its most wanted name (so
    Outlook's "Mobile Phone" wins over its "Business Phone"), the leftmost on a tie.
    """
    folded = [_fold_header(header) for header in headers]
    mapping: dict[int, str] = {}
    for field in FIELDS:
        for synonym in _SYNONYMS[field]:
            hits = [i for i, name in enumerate(folded) if name == synonym and i not in mapping]
            if hits:
                mapping[hits[0]] = field
                break
    if "given_name" in mapping.values() or "family_name" in mapping.values():
        mapping = {index: field for index, field in mapping.items() if field != "full_name"}
    return mapping
