"""CSV and vCard import and export against a real database."""

from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import peewee
import pytest

from relapp.db.models import Contact, Segment, database
from relapp.domain.contacts.editing import record_consent
from relapp.domain.contacts.search import search_contacts
from relapp.domain.shop.settings import save_settings
from relapp.exchange.csv_read import decode_bytes, guess_mapping, read_table, sniff_delimiter
from relapp.exchange.exporter import export_csv, export_vcard
from relapp.exchange.importer import (
    ImportCancelled,
    SourceRow,
    clean_rows,
    import_file,
    preview,
    write_error_report,
)
from relapp.exchange.rows import safe_cell
from relapp.exchange.vcard import contact_vcard
from tests.factories import add_contact

SAMPLES = Path(__file__).parent / "samples"
ROOT = Path(__file__).parents[2]


@pytest.fixture
def shop(db):
    save_settings(phone_region="AU")
    return db


def counts() -> tuple[int, ...]:
    tables = ("contact", "points_entry", "audit_log")
    return tuple(database.execute_sql(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables)


def people() -> dict[str, tuple]:
    rows = database.execute_sql(
        "SELECT given_name, family_name, email, phone FROM contact ORDER BY id"
    ).fetchall()
    return {f"{given} {family}": (email, phone) for given, family, email, phone in rows}


# ----------------------------------------------------------------------------- reading CSV


@pytest.mark.parametrize(
    ("name", "encoding", "delimiter"),
    [
        ("excel_utf8_comma.csv", "utf-8", ","),
        ("excel_utf8_bom_semicolon.csv", "utf-8-sig", ";"),
        ("excel_cp1252_semicolon.csv", "cp1252", ";"),
        ("utf16_tab.csv", "utf-16-le", "\t"),
    ],
)
def test_each_encoding_and_delimiter_reads_the_same_rows(shop, name, encoding, delimiter):
    table = read_table(SAMPLES / name)
    assert (table.encoding, table.delimiter) == (encoding, delimiter)
    assert table.headers == ["Name", "Email", "Phone", "Card", "Points", "Birthday"]
    result = import_file(SAMPLES / name)
    assert (result.imported, result.rejected) == (2, 0)
    zoe = Contact.get(Contact.email == "zoe@example.com")
    assert (zoe.given_name, zoe.family_name, zoe.phone) == ("Zoë", "Müller", "+61412345678")
    assert (zoe.card_number, zoe.points_balance) == ("10000001", 120)
    assert (zoe.birth_year, zoe.birth_month, zoe.birth_day) == (1990, 5, 31)


def test_decoding_rules():
    assert decode_bytes("café".encode()) == ("café", "utf-8")
    assert decode_bytes("café".encode("cp1252")) == ("café", "cp1252")
    assert decode_bytes("\ufeffcafé".encode("utf-16-be")) == ("café", "utf-16-be")
    assert decode_bytes("café".encode("utf-16-le")) == ("café", "utf-16-le")  # no BOM
    assert sniff_delimiter("a;b;c\n1;2,5;3\n") == ";"


def test_mapping_guesses_google_and_outlook_headers():
    google = read_table(SAMPLES / "google_contacts.csv").headers
    mapping = {google[i]: field for i, field in guess_mapping(google).items()}
    assert mapping["Given Name"] == "given_name"
    assert mapping["E-mail 1 - Value"] == "email"
    assert mapping["Phone 1 - Value"] == "phone"
    assert mapping["Address 1 - Postal Code"] == "postcode"
    assert "Name" not in mapping  # full name only when no given/family columns
    outlook = read_table(SAMPLES / "outlook.csv").headers
    mapping = {outlook[i]: field for i, field in guess_mapping(outlook).items()}
    assert mapping["Mobile Phone"] == "phone"
    assert mapping["E-mail Address"] == "email"
    assert mapping["Home Country/Region"] == "country"


def test_google_outlook_and_till_exports_import(shop):
    for name in ("google_contacts.csv", "outlook.csv", "till_tab.csv"):
        assert import_file(SAMPLES / name).rejected == 0
    ann = Contact.get(Contact.email == "ann@example.com")
    assert (ann.street, ann.locality, ann.postcode) == ("1 Main St", "Melbourne", "3000")
    assert ann.notes == "Likes tea,\nno sugar"
    carl = Contact.get(Contact.given_name == "Carl")
    assert (carl.birth_year, carl.birth_month, carl.organisation) == (None, 7, "Ng Trading")
    dana = Contact.get(Contact.given_name == "Dana")
    assert (dana.family_name, dana.birth_month) == ("O'Brien", None)  # Outlook's 0/0/00
    frank = Contact.get(Contact.given_name == "Frank")
    assert (frank.card_number, frank.points_balance) == ("20000002", 55)


def test_preview_shows_cleaned_values_and_problems(shop):
    rows = preview(SAMPLES / "broken_rows.csv", rows=3)
    assert [row.line for row in rows] == [2, 4, 5]
    assert rows[0].values["phone"] == "+61412000555" and rows[0].problem is None
    assert "not an email address" in rows[1].problem
    assert counts()[0] == 0


def test_bad_rows_are_reported_and_good_ones_imported(shop, tmp_path):
    result = import_file(SAMPLES / "broken_rows.csv")
    assert (result.imported, result.rejected) == (2, 5)
    assert [error.line for error in result.errors] == [4, 5, 6, 7, 8]
    report = tmp_path / "errors.csv"
    write_error_report(report, result)
    with open(report, encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.reader(handle))
    assert lines[0][:3] == ["line", "reason", "First name"]
    assert lines[1][0] == "4" and "email" in lines[1][1]
    assert lines[1][2:5] == ["Bad", "Email", "not-an-email"]


@pytest.mark.parametrize("name", ["broken_not_text.csv", "customers.xlsx", "nul.csv"])
def test_files_that_are_not_text_say_so_and_what_to_do(shop, name, tmp_path):
    import zipfile

    from relapp.errors import RelappError

    if name == "customers.xlsx":  # the usual mistake: the spreadsheet itself
        source = tmp_path / name
        with zipfile.ZipFile(source, "w") as workbook:
            workbook.writestr("xl/worksheets/sheet1.xml", "<row><c><v>1</v></c></row>" * 200)
    elif name == "nul.csv":  # valid UTF-8, but with NUL bytes: not a CSV anyone wrote
        source = tmp_path / name
        source.write_bytes(b"Name,Email\r\nAnn\x00\x01,ann@example.com\r\n")
    else:
        source = SAMPLES / name
    with pytest.raises(RelappError, match=r"not a text file.*Save As.*CSV"):
        import_file(source)
    assert counts()[0] == 0


# ----------------------------------------------------------------------------- policies


def test_duplicate_policies(shop):
    existing = add_contact("Zoe", "", phone="0412 345 678", notes="")
    before = counts()
    skipped = import_file(SAMPLES / "excel_utf8_comma.csv")
    assert (skipped.imported, skipped.skipped) == (1, 1)
    existing = Contact.get_by_id(existing.id)
    assert existing.email is None and existing.family_name == ""
    assert counts()[0] == before[0] + 1

    merged = import_file(SAMPLES / "excel_utf8_comma.csv", duplicates="merge")
    assert (merged.merged, merged.imported) == (2, 0)  # Zoe by phone, Bob by email
    zoe = Contact.get_by_id(existing.id)
    assert zoe.given_name == "Zoe"  # never overwritten
    assert (zoe.family_name, zoe.email, zoe.card_number) == (
        "Müller",
        "zoe@example.com",
        "10000001",
    )
    assert zoe.points_balance == 120
    again = import_file(SAMPLES / "excel_utf8_comma.csv", duplicates="merge")
    assert Contact.get_by_id(existing.id).points_balance == 120  # opening balance once
    assert again.merged == 2

    created = import_file(SAMPLES / "excel_utf8_comma.csv", duplicates="create")
    assert created.imported == 1  # Bob again; Zoe's card belongs to her
    assert "already belongs" in created.errors[0].reason


def test_dry_run_and_cancel_change_nothing(shop):
    add_contact("Someone", "Else")
    before = counts()
    result = import_file(SAMPLES / "excel_utf8_comma.csv", dry_run=True)
    assert result.imported == 2 and result.dry_run
    assert counts() == before
    with pytest.raises(ImportCancelled):
        import_file(SAMPLES / "google_contacts.csv", progress=lambda done, total: False)
    assert counts() == before


def search_index_problems() -> str | None:
    try:
        database.execute_sql(
            "INSERT INTO contact_search (contact_search) VALUES ('integrity-check')"
        )
    except peewee.DatabaseError as error:
        return str(error)
    return None


def test_imported_rows_are_searchable_also_when_merged_within_the_file(shop, tmp_path):
    rows = ["First name,Last name,Email,Mobile,Card number"]
    rows += [f"Name{n},Family{n},p{n}@example.com,,{50_000_000 + n}" for n in range(12_000)]
    # The same person again: a merge into a contact added earlier in this very import.
    rows.append("Name5,Family5,p5@example.com,0412 555 000,")
    source = tmp_path / "many.csv"
    source.write_text("\r\n".join(rows) + "\r\n", encoding="utf-8")

    result = import_file(source, duplicates="merge")

    assert (result.imported, result.merged) == (12_000, 1)
    assert search_index_problems() is None
    assert [hit.id for hit in search_contacts("0412555000")] == [
        Contact.get(Contact.email == "p5@example.com").id
    ]
    assert len(search_contacts("Name11999 Family11999")) == 1
    triggers = database.execute_sql(
        "SELECT count(*) FROM sqlite_schema WHERE name = 'contact_search_insert'"
    ).fetchone()
    assert triggers == (1,)  # typing a new customer at the counter indexes it again
    add_contact("Typed", "Later")
    assert len(search_contacts("Typed Later")) == 1


def test_cancel_while_workers_clean_changes_nothing_and_stops_them(shop, tmp_path):
    source = tmp_path / "many.csv"
    lines = ["Name,Email", *(f"Person {n},p{n}@example.com" for n in range(8_000))]
    source.write_text("\n".join(lines), encoding="utf-8")
    before = counts()
    with pytest.raises(ImportCancelled):
        import_file(source, progress=lambda done, total: done < 1_000, workers=1)
    assert counts() == before

    def workers() -> list[int]:
        return [pid for pid in child_processes(os.getpid()) if "spawn_main" in command_line(pid)]

    deadline = time.monotonic() + 10
    while workers() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert workers() == []


def test_rows_are_cleaned_here_when_a_worker_dies(shop, monkeypatch):
    from concurrent.futures.process import BrokenProcessPool

    from relapp.exchange import importer

    class DiesAfterOneChunk:
        def __init__(self, *args, **kwargs) -> None:
            pass

        def map(self, work, chunks, regions, month_firsts):
            yield work(next(iter(chunks)), next(regions), next(month_firsts))
            raise BrokenProcessPool("a worker was killed")

        def shutdown(self, **kwargs) -> None:
            pass

    monkeypatch.setattr(importer, "ProcessPoolExecutor", DiesAfterOneChunk)
    values = [{"given_name": f"Row{n}", "phone": "0412 345 678"} for n in range(5_000)]
    rows = [SourceRow(line, [], row) for line, row in enumerate(values, 2)]

    cleaned = list(clean_rows(rows, "AU", False, workers=1))

    assert [row.line for row, _ in cleaned] == list(range(2, 5_002))  # each row once, in order
    assert {clean.columns["phone"] for _, clean in cleaned} == {"+61412345678"}


def test_dry_run_leaves_the_search_trigger_in_place(shop):
    import_file(SAMPLES / "excel_utf8_comma.csv", dry_run=True)
    add_contact("After", "Dryrun")
    assert len(search_contacts("After Dryrun")) == 1


def test_worker_processes_clean_rows_exactly_as_this_one(shop):
    values = [
        {"given_name": "Ann", "email": "ANN@Example.com", "phone": "0412 345 678"},
        {"given_name": "Bad", "email": "not-an-email"},
        {"full_name": "Zoë  Müller", "birthday": "31/05/1990", "opening_points": "1,200"},
        {"phone": "12"},
    ] * 5
    rows = [SourceRow(line, list(row.values()), row) for line, row in enumerate(values, 2)]

    here = list(clean_rows(rows, "AU", False, workers=0))
    in_workers = list(clean_rows(rows, "AU", False, workers=2))

    assert in_workers == here
    assert here[0][1].columns["phone"] == "+61412345678"
    assert "not an email address" in here[1][1]
    assert here[2][1].opening_points == 1200


# ----------------------------------------------------------------------------- vCard


def test_vcard_versions_and_broken_cards(shop):
    assert import_file(SAMPLES / "vcard21_qp.vcf").imported == 2
    jurgen = Contact.get(Contact.given_name == "Jürgen")
    assert (jurgen.family_name, jurgen.phone) == ("Müller", "+61412000666")
    assert "soft line break here" in jurgen.notes
    assert import_file(SAMPLES / "vcard30.vcf").imported == 2
    henrik = Contact.get(Contact.family_name == "Østergaard")
    assert (henrik.locality, henrik.phone) == ("København", "+4520123456")
    assert "that it exceeds seventy-five" in henrik.notes
    assert Contact.get(Contact.email == "ichiro@example.jp").given_name == "Ichiro"
    assert import_file(SAMPLES / "vcard40.vcf").imported == 2
    acme = Contact.get(Contact.organisation == "Acme Pty Ltd")
    assert (acme.kind, acme.given_name) == ("business", "")
    result = import_file(SAMPLES / "vcard_broken.vcf")
    assert (result.imported, result.rejected) == (2, 4)
    assert [e.line for e in result.errors] == [6, 9, 14, 24]


def test_vcard_round_trip_into_an_empty_database(shop, tmp_path):
    from relapp.db.connection import open_database

    for name in ("excel_utf8_comma.csv", "google_contacts.csv", "vcard30.vcf"):
        import_file(SAMPLES / name)
    wanted = people()
    for version in ("3.0", "4.0"):
        out = tmp_path / f"all-{version}.vcf"
        assert export_vcard(out, version=version) == len(wanted)
        database.close()
        open_database(tmp_path / f"empty-{version}.db")
        save_settings(phone_region="AU")
        assert import_file(out).imported == len(wanted)
        assert people() == wanted


def test_vcard_30_export_reads_in_vobject(shop, tmp_path):
    vobject = pytest.importorskip("vobject")
    import_file(SAMPLES / "vcard30.vcf")
    card = vobject.readOne(contact_vcard(Contact.get(Contact.email == "henrik@example.com").id))
    assert card.fn.value == "Henrik Østergaard"
    assert card.n.value.family == "Østergaard"
    assert card.tel.value == "+4520123456"


# ----------------------------------------------------------------------------- export


def test_csv_export_neutralises_formulas_and_writes_a_bom(shop, tmp_path):
    add_contact('=HYPERLINK("x")', "@sum", phone="0412 345 678", notes="-1+2")
    out = tmp_path / "out.csv"
    assert export_csv(out, bom=True) == 1
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    with open(out, encoding="utf-8-sig", newline="") as handle:
        header, row = list(csv.reader(handle))
    cells = dict(zip(header, row, strict=True))
    assert cells["First name"] == '\'=HYPERLINK("x")'
    assert cells["Last name"] == "'@sum"
    assert cells["Phone"] == "'+61412345678"
    assert cells["Notes"] == "'-1+2"
    assert not export_csv(tmp_path / "plain.csv") or not (
        tmp_path / "plain.csv"
    ).read_bytes().startswith(b"\xef")
    assert [safe_cell(v) for v in ("\tx", "\rx", "a=b", None)] == ["'\tx", "'\rx", "a=b", ""]
    # The importer takes the quotes off again.
    database.execute_sql("DELETE FROM contact")
    import_file(out)
    assert Contact.get().phone == "+61412345678"


def test_export_segment_and_consent(shop, tmp_path):
    ann = add_contact("Ann", "Lee", email="ann@example.com")
    add_contact("Bob", "Lee")
    record_consent(ann.id, "email", True, "form")
    out = tmp_path / "consent.csv"
    assert export_csv(out, consent="email") == 1
    from relapp.domain.contacts.listing import ContactFilter, save_segment

    save_segment("Lees", ContactFilter(text="Lee"))
    assert Segment.select().count() == 1
    assert export_csv(out, segment="Lees") == 2
    assert export_vcard(out, segment="Lees", consent="email") == 1
    assert "FN:Ann Lee" in out.read_text()


# ----------------------------------------------------------------------------- command line


def run_cli(db_path, *argv):
    from relapp import cli
    from relapp.cli import exchange as cli_exchange

    parser = cli.build_parser()
    commands = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    if "import" not in commands.choices:
        import argparse

        option = argparse.ArgumentParser(add_help=False)
        option.add_argument("--db", default=argparse.SUPPRESS)
        cli_exchange.add_commands(commands, option)
    args = parser.parse_args([*argv, "--db", str(db_path)])
    return args.handler(args)


def test_cli_import_and_export(shop, db_path, tmp_path, capsys):
    errors = tmp_path / "errors.csv"
    assert run_cli(db_path, "import", str(SAMPLES / "broken_rows.csv"), "--dry-run") == 0
    assert "imported 2, merged 0, skipped 0, rejected 5 (dry run" in capsys.readouterr().out
    code = run_cli(db_path, "import", str(SAMPLES / "broken_rows.csv"), "--errors", str(errors))
    assert code == 0 and len(errors.read_text().splitlines()) == 6
    capsys.readouterr()
    assert run_cli(db_path, "import", str(SAMPLES / "broken_rows.csv")) == 0
    assert "imported 1, merged 0, skipped 1" in capsys.readouterr().out
    out = tmp_path / "c.vcf"
    assert run_cli(db_path, "export", "contacts", "--format", "vcard", "--out", str(out),
                   "--vcard-version", "4.0") == 0  # fmt: skip
    assert out.read_text().count("BEGIN:VCARD") == 3


# ----------------------------------------------------------------------------- kill -9


def child_processes(pid: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:  # ended meanwhile
            continue
        if int(fields[1]) == pid:  # the parent's pid
            children.append(int(stat.parent.name))
    return children


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@pytest.mark.slow
def test_kill_9_mid_import_leaves_all_or_nothing(tmp_path):
    big = tmp_path / "big.csv"
    with open(big, "w", encoding="utf-8", newline="") as handle:
        handle.write("First name,Last name,Email\r\n")
        for n in range(60_000):
            handle.write(f"Kill{n},Test,kill{n}@example.com\r\n")
    db_file = tmp_path / "shop.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "relapp", "import", str(big), "--db", str(db_file)],
        stderr=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT, env=env,
    )  # fmt: skip
    line = process.stderr.readline().decode()
    while "rows" not in line and line:
        line = process.stderr.readline().decode()
    assert "10,000 of 60,000" in line, line
    assert process.poll() is None
    workers = child_processes(process.pid)  # cleaning rows, on a machine with several cores
    assert len(workers) >= (0 if (os.cpu_count() or 1) < 2 else 1)
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]  # none left waiting
    connection = sqlite3.connect(db_file)
    assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    found = connection.execute("SELECT count(*) FROM contact WHERE family_name = 'Test'")
    assert found.fetchone()[0] == 0
    connection.close()
