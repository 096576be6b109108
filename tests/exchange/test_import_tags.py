"""A tags column imports: Relapp's own export, Google's labels, Outlook's categories; tags the
shop lacks are created, the ones it has are used (in any letter case)."""

from __future__ import annotations

from pathlib import Path

import pytest

from relapp.db.connection import open_database
from relapp.db.models import database
from relapp.domain.contacts.bulk_actions import tag_contacts
from relapp.domain.shop.settings import save_settings
from relapp.exchange.exporter import export_csv
from relapp.exchange.importer import import_file, preview
from relapp.exchange.tags import split_tags
from tests.factories import add_contact


@pytest.fixture
def shop(db):
    save_settings(phone_region="AU")
    return db


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def tags_by_person() -> dict[str, list[str]]:
    rows = database.execute_sql(
        "SELECT c.given_name, g.name FROM contact c JOIN contact_tag ct ON ct.contact_id = c.id"
        " JOIN tag g ON g.id = ct.tag_id ORDER BY c.id, g.name"
    ).fetchall()
    found: dict[str, list[str]] = {}
    for person, tag in rows:
        found.setdefault(person, []).append(tag)
    return found


def tag_names() -> list[str]:
    return [name for (name,) in database.execute_sql("SELECT name FROM tag ORDER BY id")]


def test_an_exported_file_keeps_its_tags_when_imported_again(shop, tmp_path):
    ann = add_contact("Ann", "Lee", email="ann@example.com")
    bob = add_contact("Bob", "Lee", email="bob@example.com")
    add_contact("Cara", "Lee", email="cara@example.com")
    tag_contacts([ann.id, bob.id], "VIP")
    tag_contacts([ann.id], "Likes cake")
    out = tmp_path / "customers.csv"
    export_csv(out)

    database.close()
    open_database(tmp_path / "other.db")
    save_settings(phone_region="AU")
    database.execute_sql("INSERT INTO tag (name) VALUES ('vip')")  # the other shop's spelling
    result = import_file(out)

    assert (result.imported, result.errors) == (3, [])
    assert tags_by_person() == {"Ann": ["Likes cake", "vip"], "Bob": ["vip"]}
    assert tag_names() == ["vip", "Likes cake"]  # the shop's own tag, not a second one


def test_google_labels_and_outlook_categories_become_tags(shop, tmp_path):
    google = write(
        tmp_path / "google.csv",
        "Given Name,Family Name,E-mail 1 - Value,Labels\n"
        'Ann,Lee,ann@example.com,"* myContacts ::: Friends ::: Cake, cream"\n'
        "Bob,Lee,bob@example.com,* myContacts ::: * starred\n",
    )
    outlook = write(
        tmp_path / "outlook.csv",
        "First Name,Last Name,E-mail Address,Categories\n"
        "Cara,Lee,cara@example.com,Business;friends\n",
    )

    import_file(google)
    import_file(outlook)

    assert tags_by_person() == {"Ann": ["Cake, cream", "Friends"], "Cara": ["Business", "Friends"]}


def test_a_merge_adds_the_tags_and_a_skip_leaves_the_customer_alone(shop, tmp_path):
    ann = add_contact("Ann", "Lee", email="ann@example.com")
    tag_contacts([ann.id], "Regular")
    source = write(tmp_path / "tags.csv", "Name,Email,Tags\nAnn Lee,ann@example.com,VIP\n")

    assert import_file(source).skipped == 1
    assert tags_by_person() == {"Ann": ["Regular"]}
    assert import_file(source, duplicates="merge").merged == 1
    assert tags_by_person() == {"Ann": ["Regular", "VIP"]}


def test_a_dry_run_creates_no_tag_and_the_preview_shows_them(shop, tmp_path):
    source = write(tmp_path / "tags.csv", 'Name,Tags\nAnn Lee,"VIP, Regular"\nBob Lee,\n')

    assert import_file(source, dry_run=True).imported == 2
    [ann, bob] = preview(source)

    assert tag_names() == []
    assert ann.values["tags"] == "VIP, Regular"
    assert "tags" not in bob.values


def test_a_tag_too_long_or_too_many_refuse_the_row(shop, tmp_path):
    many = ", ".join(f"tag{n}" for n in range(51))
    source = write(
        tmp_path / "tags.csv", f'Name,Tags\nAnn Lee,{"x" * 51}\nBob Lee,"{many}"\nCara Lee,ok\n'
    )

    result = import_file(source)

    assert [(error.line, error.reason) for error in result.errors] == [
        (2, "A tag can have at most 50 characters."),
        (3, "A customer can have at most 50 tags."),
    ]
    assert tags_by_person() == {"Cara": ["ok"]}


def test_tags_survive_cleaning_in_worker_processes(shop, tmp_path):
    lines = [f"P{n} Lee,p{n}@example.com,Batch {n % 3}" for n in range(30)]
    source = write(tmp_path / "many.csv", "Name,Email,Tags\n" + "\n".join(lines) + "\n")

    assert import_file(source, workers=2).imported == 30

    assert tag_names() == ["Batch 0", "Batch 1", "Batch 2"]
    assert database.execute_sql("SELECT count(*) FROM contact_tag").fetchone() == (30,)


def test_how_a_cell_is_cut_into_tags():
    assert split_tags("VIP, Regular") == ["VIP", "Regular"]
    assert split_tags("* myContacts ::: Friends, old ::: VIP") == ["Friends, old", "VIP"]
    assert split_tags("Business;VIP;") == ["Business", "VIP"]
    assert split_tags("One\nTwo") == ["One", "Two"]
    assert split_tags("  ") == []
