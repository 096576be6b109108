"""`relapp import` and `relapp export contacts` run as a script runs them, with what goes
wrong in scripts: a report path that cannot be written, a missing file, a folder, an empty
file, a file of the wrong kind. Each says one sentence on stderr and exits 1."""

from __future__ import annotations

from pathlib import Path

import pytest

from relapp.cli import main
from relapp.db.connection import open_database
from relapp.db.models import database
from relapp.domain.shop.settings import save_settings

SAMPLES = Path(__file__).parent / "samples"
GOOD = SAMPLES / "excel_utf8_comma.csv"


@pytest.fixture
def shop_file(tmp_path) -> Path:
    path = tmp_path / "shop.db"
    open_database(path)
    save_settings(phone_region="AU")
    database.close()
    return path


def run(shop_file: Path, capsys, *argv: str) -> tuple[int, str, str]:
    code = main([*argv, "--db", str(shop_file)])
    out, err = capsys.readouterr()
    return code, out, err


def contacts(shop_file: Path) -> int:
    open_database(shop_file)
    try:
        return database.execute_sql("SELECT count(*) FROM contact").fetchone()[0]
    finally:
        database.close()


@pytest.mark.parametrize(
    ("where", "said"),
    [
        ("missing-folder/errors.csv", "there is no folder {folder}"),
        (".", "{path} is a folder"),
        ("shop.db", "is the shop's database"),
        ("shop.db-wal", "is the shop's database"),
    ],
)
def test_an_error_report_that_cannot_be_written_stops_the_import_before_it_starts(
    shop_file, tmp_path, capsys, where, said
):
    report = tmp_path / where
    code, out, err = run(shop_file, capsys, "import", str(GOOD), "--errors", str(report))

    assert code == 1
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("relapp: ")
    assert said.format(folder=report.parent, path=report) in err
    assert contacts(shop_file) == 0


def test_an_error_report_in_a_folder_that_exists_is_written(shop_file, tmp_path, capsys):
    report = tmp_path / "errors.csv"
    code, out, err = run(
        shop_file, capsys, "import", str(SAMPLES / "broken_rows.csv"), "--errors", str(report)
    )
    assert (code, err) == (0, "")
    assert out.startswith("imported 2, merged 0, skipped 0, rejected 5")
    assert len(report.read_text(encoding="utf-8-sig").splitlines()) == 6


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (lambda folder: folder / "missing.csv", "Cannot read {path}: No such file or directory."),
        (lambda folder: folder, "Cannot read {path}: Is a directory."),
        (lambda folder: write(folder / "empty.csv", ""), "empty.csv: The file is empty."),
        (lambda folder: write(folder / "blank.vcf", "\n \n"), "blank.vcf: The file is empty."),
        (
            lambda folder: write(folder / "notes.txt", "Call Ann\nBuy milk\n"),
            "notes.txt: This is not a vCard file (no line says BEGIN:VCARD).",
        ),
    ],
)
def test_a_file_that_cannot_be_imported_is_one_line_and_exit_1(
    shop_file, tmp_path, capsys, make, said
):
    folder = tmp_path / "in"
    folder.mkdir()
    path = make(folder)
    kind = ["--format", "vcard"] if path.suffix == ".txt" else []

    code, out, err = run(shop_file, capsys, "import", str(path), *kind)

    assert (code, out) == (1, "")
    assert err == f"relapp: {said.format(path=path)}\n"


def test_a_wrong_argument_is_a_usage_error(shop_file, capsys):
    with pytest.raises(SystemExit) as raised:
        main(["import", str(GOOD), "--format", "xls", "--db", str(shop_file)])
    assert raised.value.code == 2
    assert "invalid choice: 'xls'" in capsys.readouterr().err


def test_a_small_import_prints_no_progress(shop_file, tmp_path, capsys):
    one = write(tmp_path / "one.csv", "Name,Email\nAnn Lee,ann@example.com\n")
    assert run(shop_file, capsys, "import", str(one)) == (
        0,
        "imported 1, merged 0, skipped 0, rejected 0\n",
        "",
    )


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
