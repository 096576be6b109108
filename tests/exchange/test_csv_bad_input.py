"""CSV files that are broken in ways people's files are: a quote never closed, a quote that
swallows the rows after it, a cell far longer than any customer field."""

from __future__ import annotations

from pathlib import Path

import pytest

from relapp.db.models import database
from relapp.domain.shop.settings import save_settings
from relapp.exchange.csv_read import read_table
from relapp.exchange.importer import import_file, preview

SAMPLES = Path(__file__).parent / "samples"


@pytest.fixture
def shop(db):
    save_settings(phone_region="AU")
    return db


def write(tmp_path: Path, text: str, name: str = "customers.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


def stored() -> dict[str, str]:
    rows = database.execute_sql("SELECT given_name, notes FROM contact ORDER BY id").fetchall()
    return dict(rows)


UNCLOSED = 'First Name,Last Name,Notes\nAnn,Quote,"open\nBob,Quote,x\nCara,Quote,y\n'


def test_a_quote_never_closed_is_a_broken_row_and_the_rows_after_it_are_read(shop, tmp_path):
    source = write(tmp_path, UNCLOSED)

    result = import_file(source)

    assert (result.imported, result.rejected) == (2, 1)
    assert stored() == {"Bob": "x", "Cara": "y"}
    [error] = result.errors
    assert error.line == 2
    assert "quote" in error.reason and "never closed" in error.reason
    assert list(error.cells) == ["Ann", "Quote", "open"]


def test_the_dry_run_and_the_preview_show_the_broken_row(shop, tmp_path):
    source = write(tmp_path, UNCLOSED)

    result = import_file(source, dry_run=True)
    shown = preview(source)

    assert (result.imported, result.rejected) == (2, 1)
    assert [error.line for error in result.errors] == [2]
    assert [(row.line, bool(row.problem)) for row in shown] == [(2, True), (3, False), (4, False)]
    assert "never closed" in shown[0].problem
    assert shown[0].values["given_name"] == "Ann"
    assert database.execute_sql("SELECT count(*) FROM contact").fetchone() == (0,)


def test_a_quote_closed_at_the_end_of_the_file_after_swallowing_it_is_broken(shop, tmp_path):
    source = write(
        tmp_path,
        'First Name,Last Name,Notes\r\nAnn,Quote,"open\r\nBob,Quote,x\r\nCara,Quote,y"\r\n',
    )

    result = import_file(source)

    assert [error.line for error in result.errors] == [2]
    assert stored() == {"Bob": "x", "Cara": 'y"'}


def test_a_stray_quote_closed_by_a_later_row_leaves_that_row_its_own_quotes(shop, tmp_path):
    source = write(
        tmp_path,
        "Name,Notes\n"
        'Ann Lee,"open\n'
        "Bob Lee,x\n"
        "Cara Lee,y\n"
        'Dan Lee,"Likes tea, no sugar"\n'
        "Eve Lee,z\n",
    )

    result = import_file(source)

    assert [error.line for error in result.errors] == [2]
    assert stored() == {"Bob": "x", "Cara": "y", "Dan": "Likes tea, no sugar", "Eve": "z"}


def test_quotes_left_open_on_row_after_row_each_break_their_own_row(shop, tmp_path):
    source = write(tmp_path, 'Name,Notes\nAnn Lee,"a\nBob Lee,"b\nCara Lee,c\n')

    result = import_file(source)

    assert [error.line for error in result.errors] == [2, 3]
    assert "never closed" in result.errors[1].reason
    assert stored() == {"Cara": "c"}


def test_quoted_notes_over_several_lines_still_import(shop, tmp_path):
    source = write(
        tmp_path,
        "First name,Last name,Email,Notes\r\n"
        'Ann,Lee,ann@example.com,"Likes tea,\r\nno sugar,\r\ncake: yes, cream, no"\r\n'
        'Bob,Lee,bob@example.com,"Call first:\nhome, shop, mobile, email\nthen write"\r\n'
        'Cara,Lee,cara@example.com,"Two lines,\nat the end"\r\n',
    )

    result = import_file(source)

    assert (result.imported, result.errors) == (3, [])
    assert stored() == {
        "Ann": "Likes tea,\r\nno sugar,\r\ncake: yes, cream, no",
        "Bob": "Call first:\nhome, shop, mobile, email\nthen write",
        "Cara": "Two lines,\nat the end",
    }
    assert import_file(SAMPLES / "google_contacts.csv").errors == []


def test_a_header_whose_quote_never_closes_says_so(shop, tmp_path):
    from relapp.errors import RelappError

    source = write(tmp_path, 'Name,"Notes\nAnn,x\n')
    with pytest.raises(RelappError, match=r"customers\.csv: The first line opens a quote"):
        import_file(source)


def test_a_last_line_whose_quote_never_closes_is_broken(shop):
    result = import_file(SAMPLES / "broken_quotes.csv")
    assert (result.imported, [error.line for error in result.errors]) == (0, [2])


# ----------------------------------------------------------------------------- huge cells


HUGE = 200_000


def test_a_huge_cell_in_the_first_lines_is_read(tmp_path):
    source = write(tmp_path, f"Name;Notes;Photo\nAnn Lee;short;{'A' * HUGE}\nBob Lee;x;\n")
    table = read_table(source)
    assert table.delimiter == ";"
    assert [len(cells[2]) for _, cells in table.rows] == [HUGE, 0]


def test_a_huge_cell_is_refused_for_its_row_or_ignored_when_not_imported(shop, tmp_path):
    source = write(
        tmp_path,
        "Name,Notes,Photo\n"
        f"Ann Lee,{'n' * HUGE},\n"  # notes hold at most 10,000 characters
        f"Bob Lee,fine,{'A' * HUGE}\n"  # Photo is not imported
        f'"{"Cara " * 40_000}",x,\n',  # nor is a name this long
    )

    result = import_file(source)

    assert stored() == {"Bob": "fine"}
    assert [error.line for error in result.errors] == [2, 4]
    assert "too long" in result.errors[0].reason
    assert "at most 100 characters" in result.errors[1].reason


def test_a_quote_closed_only_hundreds_of_lines_later_is_broken(shop, tmp_path):
    people = [f"Person{n},Lee,p{n}@example.com," for n in range(700)]
    people[0] = 'Ann,Lee,ann@example.com,"open'
    people[600] = 'Zed,Lee,zed@example.com,5" tall'  # 600 lines on: not a note any more
    source = write(tmp_path, "First name,Last name,Email,Notes\n" + "\n".join(people) + "\n")

    result = import_file(source)

    assert [(error.line, error.reason) for error in result.errors] == [
        (2, "A quote opened on this line is not closed within 500 lines; the lines after it"
            " were read as rows.")
    ]  # fmt: skip
    assert result.imported == 699


def test_a_file_whose_quotes_are_all_unclosed_is_refused(shop, tmp_path):
    from relapp.errors import RelappError

    lines = [f'Person{n},"unclosed{n}' for n in range(1_500)]
    source = write(tmp_path, "Name,Notes\n" + "\n".join(lines) + "\n")
    with pytest.raises(RelappError, match=r"More than 1,000 rows open a quote that is not closed"):
        import_file(source)
    assert database.execute_sql("SELECT count(*) FROM contact").fetchone() == (0,)


def test_a_rejected_value_is_quoted_in_a_short_excerpt(shop, tmp_path):
    long_email = "x" * 100_000 + "@example.com"
    long_card = "1" * 100_000
    source = write(
        tmp_path,
        "Name,Email,Phone,Card,Points,Birthday\n"
        f"Ann Lee,{long_email},,,,\n"
        f"Bob Lee,,{'4' * 100_000},,,\n"
        f"Cara Lee,,,{long_card},,\n"
        f"Dan Lee,,,,{'9x' * 50_000},\n"
        f"Eve Lee,,,,,{'3' * 100_000}\n",
    )

    result = import_file(source)

    assert [error.line for error in result.errors] == [2, 3, 4, 5, 6]
    for error in result.errors:
        assert len(error.reason) < 300, error.reason[:300]
    assert "xxxxxxxx…" in result.errors[0].reason
