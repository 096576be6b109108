"""`relapp privacy export|erase` as a shop owner or a script would run them."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from relapp import cli
from tests.privacy.conftest import traces


@pytest.fixture
def shop(person, db, db_path):
    db.close()  # the command opens the file itself, as a separate process would
    return db_path, person


def test_export_writes_the_zip(shop, tmp_path, capsys):
    path, person = shop
    out = tmp_path / "customer.zip"
    assert (
        cli.main(["privacy", "export", str(person.id), "--out", str(out), "--db", str(path)]) == 0
    )
    assert str(out) in capsys.readouterr().out
    with zipfile.ZipFile(out) as archive:
        data = json.loads(archive.read("person.json"))
        assert {"person.json", "summary.pdf"} <= set(archive.namelist())
    assert data["contact"]["given_name"] == "Zzyzxann"


def test_erase_with_yes_erases_and_lists_backups(shop, tmp_path, capsys):
    path, person = shop
    folder = tmp_path / "backups"
    folder.mkdir()
    (folder / "relapp-old.db").write_bytes(path.read_bytes())  # WAL checkpointed on close
    argv = ["privacy", "erase", str(person.id), "--yes", "--backups", str(folder),
            "--db", str(path)]  # fmt: skip
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert f"Customer {person.id}'s personal data was erased" in out
    assert str(folder / "relapp-old.db") in out
    assert traces(path) == {}
    assert cli.main(argv) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "already erased" in err[0]


def test_erase_without_a_terminal_needs_yes(shop, monkeypatch, capsys):
    path, person = shop
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{person.id}\n"))
    assert cli.main(["privacy", "erase", str(person.id), "--db", str(path)]) == 1
    err = capsys.readouterr().err
    assert "--yes" in err and "Traceback" not in err
    assert traces(path)  # nothing was erased


def test_erase_at_a_terminal_asks_for_the_number_again(shop, monkeypatch, capsys):
    path, person = shop

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Terminal("12345\n"))
    assert cli.main(["privacy", "erase", str(person.id), "--db", str(path)]) == 1
    assert "Not confirmed" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", Terminal(f"{person.id}\n"))
    assert cli.main(["privacy", "erase", str(person.id), "--db", str(path)]) == 0


def test_unknown_customer_is_one_line(shop, tmp_path, capsys):
    path, _ = shop
    assert cli.main(["privacy", "erase", "999", "--yes", "--db", str(path)]) == 1
    assert capsys.readouterr().err.strip() == "relapp: There is no customer number 999."
    assert cli.main(["privacy", "export", "999", "--out", str(tmp_path / "x.zip"),
                     "--db", str(path)]) == 1  # fmt: skip


def test_missing_arguments_are_usage_errors(shop, capsys):
    path, _ = shop
    with pytest.raises(SystemExit) as stopped:
        cli.main(["privacy", "export", "1", "--db", str(path)])
    assert stopped.value.code == 2 and "--out" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stopped:
        cli.main(["privacy", "erase", "abc", "--db", str(path)])
    assert stopped.value.code == 2
