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
# A quoted cell over more lines than this is a quote gone wrong, not a note (notes hold at
# most 10,000 characters); and a file with more such rows than MAX_BROKEN_ROWS is refused
# (each is read again from the line after it, so they must not cost the whole file each).
MAX_QUOTED_LINES = 500
MAX_BROKEN_ROWS = 1_000

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
    "tags",
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
    # Relapp's export, Google's labels (and its older group membership), Outlook's categories.
    "tags": (
        "tags", "tag", "labels", "label", "categories", "category", "groupmembership", "groups",
    ),
    "opening_points": (
        "openingpoints", "points", "pointsbalance", "balance", "loyaltypoints", "bonuspoints",
    ),
}  # fmt: skip


class UnreadableFile(ValueError):
    """The file is not a table this importer can read; the message says why."""


@dataclass(frozen=True)
class BrokenRow:
    """A row that cannot be read as it stands (a quote never closed): its line, why, and the
    cells of that line read on its own."""

    line: int
    reason: str
    cells: list[str]


@dataclass(frozen=True)
class CsvTable:
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (line number where the row starts, its cells)
    encoding: str
    delimiter: str
    broken: tuple[BrokenRow, ...] = ()  # in line order


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
    allow_cells_of(len(sample))
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


def allow_cells_of(length: int) -> None:
    """Let the csv module read cells of up to length characters (its default stops at 131,072
    with an error). Never lowered: the limit is shared by the whole process."""
    wanted = min(length + 1, 2**31 - 1)  # a C long, 32 bits on Windows
    if csv.field_size_limit() < wanted:
        csv.field_size_limit(wanted)


def read_table(source: Path | str | bytes) -> CsvTable:
    """Every row of a CSV file, with the line each row starts on (the header is line 1).

    A quote gone wrong (see _runaway_quote) makes its row a BrokenRow, and reading goes on from
    the line after the one that row started on, so the rows the quote took in are read.
    """
    data = source if isinstance(source, bytes) else refuse_database_files(source).read_bytes()
    text, encoding = decode_bytes(data)
    if not text.strip():
        raise UnreadableFile("The file is empty.")
    allow_cells_of(len(text))
    delimiter = sniff_delimiter(text)
    lines = _Lines(io.StringIO(text, newline="").readlines())
    reader = csv.reader(lines, delimiter=delimiter, strict=False)
    rows: list[tuple[int, list[str]]] = []
    broken: list[BrokenRow] = []
    headers: list[str] | None = None
    while lines.position < len(lines.items):
        start = lines.start_row()
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise UnreadableFile(f"Line {start + 1} cannot be read as CSV: {error}.") from None
        problem = _runaway_quote(lines, start, cells, delimiter, headers)
        if problem is None:
            if headers is None:
                headers = [cell.strip() for cell in cells]
            elif any(cell.strip() for cell in cells):
                rows.append((start + 1, cells))
            continue
        if headers is None:
            raise UnreadableFile(
                "The first line opens a quote that is never closed, so its columns have no names."
            )
        if len(broken) == MAX_BROKEN_ROWS:
            raise UnreadableFile(
                f"More than {MAX_BROKEN_ROWS:,} rows open a quote that is not closed where it"
                " should be: the file is not quoted as a CSV file is."
            )
        first_line = next(csv.reader([lines.items[start]], delimiter=delimiter, strict=False))
        broken.append(BrokenRow(start + 1, problem, [cell.rstrip("\r\n") for cell in first_line]))
        lines.position = start + 1
    if not headers or not any(headers):
        raise UnreadableFile("The file has no header line naming its columns.")
    return CsvTable(headers, rows, encoding, delimiter, tuple(broken))


class _Lines:
    """The file's lines for csv.reader, one at a time; each row may take at most
    MAX_QUOTED_LINES of them (start_row), and reading can go back (position)."""

    def __init__(self, items: list[str]) -> None:
        self.items, self.position, self.stop = items, 0, len(items)

    def start_row(self) -> int:
        self.stop = min(len(self.items), self.position + MAX_QUOTED_LINES)
        return self.position

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self.position >= self.stop:
            raise StopIteration
        self.position += 1
        return self.items[self.position - 1]


def _runaway_quote(
    lines: _Lines, start: int, cells: list[str], delimiter: str, headers: list[str] | None
) -> str | None:
    """Why the row just read from lines (from start) is a quote gone wrong, or None.

    A quote that opens a cell and is never closed takes in the rest of the file; one closed by
    a stray quote further down takes in the rows up to there. A quoted note over several lines
    is fine, and may even hold a line that looks like a row, so a row is broken when its quote
    is not closed (by the end of the file, or within MAX_QUOTED_LINES); or when a line inside
    its quoted cells has as many cells as the header and, besides, the quote is closed the way
    no CSV writer closes one (followed by more text), or the row has more cells than the
    header, or it runs to the end of the file.
    """
    taken = lines.items[start : lines.position]
    # Only a row that reads up to the last line it may take can end inside a quote.
    if lines.position == lines.stop and _quotes(taken, delimiter)[0]:
        if lines.stop < len(lines.items):
            problem = f"A quote opened on this line is not closed within {MAX_QUOTED_LINES} lines"
        else:
            problem = "A quote opened on this line is never closed"
        return f"{problem}; the lines after it were read as rows." if len(taken) > 1 else problem
    if headers is None or len(taken) == 1 or len(headers) < 2:
        return None
    inner_lines = (
        line for cell in cells if "\n" in cell or "\r" in cell for line in cell.splitlines()[1:]
    )
    like_a_row = any(
        len(next(csv.reader([line], delimiter=delimiter, strict=False), [])) == len(headers)
        for line in inner_lines
    )
    to_the_end = lines.position == len(lines.items)
    if like_a_row and (to_the_end or len(cells) > len(headers) or _quotes(taken, delimiter)[1]):
        return (
            f"A quote opened on this line runs over the {len(taken) - 1:,} lines after it (a quote"
            " missing, or one too many); they were read as rows."
        )
    return None


def _quotes(lines: list[str], delimiter: str) -> tuple[bool, bool]:
    """Whether a quoted cell is still open at the end of these lines, and whether one was
    closed by a quote followed by more text (as in "a"b), read as the csv module reads them
    (strict=False): a quote opens a cell only at its start, "" inside it is a quote, and after
    the closing quote the cell goes on unquoted up to the next delimiter or line break."""
    text = "".join(lines)
    unquoted = re.compile(f"[^{re.escape(delimiter)}\r\n]*")
    position, closed_loosely = 0, False
    while position < len(text):
        if text[position] == '"':
            position = _QUOTED.match(text, position).end()  # type: ignore[union-attr]
            if position >= len(text):
                return True, closed_loosely
            position += 1  # the closing quote
            closed_loosely = closed_loosely or text[position : position + 1] not in (
                "", delimiter, "\r", "\n"
            )  # fmt: skip
        position = unquoted.match(text, position).end() + 1  # type: ignore[union-attr]
    return False, closed_loosely


_QUOTED = re.compile(r'"[^"]*(?:""[^"]*)*')


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
