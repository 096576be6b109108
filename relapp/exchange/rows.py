"""What the exchange modules share: a row of an imported file, a row refused, and the rule
that keeps a cell from running as a spreadsheet formula (the export quotes it, the import
takes the quote off again)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# A cell starting with one of these runs as a formula in Excel, LibreOffice or Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


@dataclass(frozen=True)
class SourceRow:
    """One row or card of the file: where it starts, its raw cells, its values by field."""

    line: int
    cells: Sequence[str]
    values: dict[str, str]


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str
    cells: Sequence[str]


def safe_cell(value: object) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
