"""vCard values that are hard to carry: backslashes, separators, line breaks, control characters;
and files given as vCards that are not."""

from __future__ import annotations

from pathlib import Path

import pytest

from relapp.db.connection import open_database
from relapp.db.models import database
from relapp.domain.shop.settings import save_settings
from relapp.errors import RelappError
from relapp.exchange.exporter import export_vcard
from relapp.exchange.importer import import_file
from tests.factories import add_contact

STORED = "given_name, family_name, organisation, street, locality, region, postcode, country, notes"


@pytest.fixture
def shop(db):
    save_settings(phone_region="AU")
    return db


def stored_contacts() -> list[tuple]:
    return database.execute_sql(f"SELECT {STORED} FROM contact ORDER BY id").fetchall()


def import_into_an_empty_shop(card_file: Path, db_file: Path):
    database.close()
    open_database(db_file)
    save_settings(phone_region="AU")
    return import_file(card_file)


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_values_with_backslashes_and_separators_survive_a_round_trip(shop, tmp_path, version):
    add_contact(
        "Back\\", "Slash\\", organisation="Ends\\", street="1 Main St\\", locality="Town\\",
        region="North; South", postcode="3000,1", country="Aus\\tralia",
        notes="Likes tea;\nno sugar, ever\\\nC:\\new\\",
    )  # fmt: skip
    add_contact("Semi;colon", "Com,ma", street="2 \\; Lane", notes="\\n is not a line break")
    wanted = stored_contacts()
    out = tmp_path / f"round-{version}.vcf"
    assert export_vcard(out, version=version) == 2

    result = import_into_an_empty_shop(out, tmp_path / f"empty-{version}.db")

    assert (result.imported, result.errors) == (2, [])
    assert stored_contacts() == wanted


def test_the_export_writes_no_control_characters(shop, tmp_path):
    add_contact(
        "Ann", "Bell", organisation="Acme",
        notes="ring\x07the bell\r\nthen\x0bwait\x1b[0m\tand\x7f go\nback\x00",
    )  # fmt: skip
    out = tmp_path / "controls.vcf"
    export_vcard(out)

    data = out.read_bytes().decode("utf-8")
    lines = data.split("\r\n")
    assert lines[-1] == ""  # every line ends in CRLF, and nothing else breaks a line
    allowed = {"\t"}  # RFC 6350's WSP: space and horizontal tab
    controls = {ch for ch in data.replace("\r\n", "") if ord(ch) < 0x20 or ord(ch) == 0x7F}
    assert controls <= allowed
    note = "".join(line[1:] if line.startswith(" ") else "\n" + line for line in lines)
    assert "\nNOTE:ringthe bell\\nthenwait[0m\tand go\\nback\n" in note

    import_into_an_empty_shop(out, tmp_path / "empty.db")
    assert database.execute_sql("SELECT notes FROM contact").fetchone() == (
        "ringthe bell\nthenwait[0m\tand go\nback",
    )


@pytest.mark.parametrize("name", ["notes.txt", "contacts.vcf"])
def test_a_file_that_is_no_vcard_says_so(shop, tmp_path, name):
    source = tmp_path / name
    source.write_text("Call Ann on Monday\nBuy milk\n", encoding="utf-8")
    with pytest.raises(RelappError) as raised:
        import_file(source, "vcard")
    assert str(raised.value) == f"{name}: This is not a vCard file (no line says BEGIN:VCARD)."
    assert database.execute_sql("SELECT count(*) FROM contact").fetchone() == (0,)


def test_a_long_line_that_is_no_property_is_quoted_in_a_short_excerpt(shop, tmp_path):
    source = tmp_path / "long.vcf"
    junk = "no colon here " * 10_000
    source.write_text(f"BEGIN:VCARD\nVERSION:3.0\n{junk}\nN:Lee;Ann;;;\nEND:VCARD\n")

    [error] = import_file(source).errors

    assert error.reason == f"Line 3 is not a vCard property: '{junk[:59]}…'."
