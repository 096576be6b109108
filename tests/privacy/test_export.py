"""export_person: one zip with person.json, person.vcf and summary.pdf."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from pypdf import PdfReader

from relapp.domain.contacts.privacy import (
    EXPORT_KEYS,
    AlreadyErased,
    PersonNotFound,
    erase_person,
)
from relapp.exchange.person_export import export_person
from tests.privacy.conftest import EMAIL


def _open(path):
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_zip_holds_everything_about_the_person(person, tmp_path):
    out = export_person(person.id, tmp_path / "person.zip")
    files = _open(out)
    assert {"person.json", "summary.pdf"} <= set(files)
    data = json.loads(files["person.json"])
    assert set(data) == set(EXPORT_KEYS) | {"keys"}
    assert data["contact_id"] == person.id and data["status"] == "active"
    contact = data["contact"]
    assert (contact["given_name"], contact["family_name"]) == ("Zzyzxann", "Qwertyzzyzx")
    assert contact["email"] == EMAIL and contact["phone"] == "+61491570156"
    assert contact["notes"].startswith("Zzyzxnote")
    assert contact["created_at"].endswith("+00:00")  # ISO 8601, UTC
    assert [row["id"] for row in data["merged_contacts"]] == [person.shell_id]
    assert data["tags"] == ["VIP", "Zzyzxtag-only-hers"]
    assert {row["value"] for row in data["preferences"]} == {"Zzyzxpreference scarves", "M"}
    assert data["social_handles"][0]["handle"] == "@zzyzxhandle"
    assert [(row["channel"], row["granted"]) for row in data["consent_events"]] == [
        ("email", True), ("sms", True), ("sms", False)]  # fmt: skip
    assert data["current_consent"] == {"email": True, "sms": False}
    kinds = sorted(row["kind"] for row in data["interactions"])
    assert kinds == ["complaint", "purchase", "purchase", "purchase"]  # the shell's moved in
    assert sum(row["amount_cents"] or 0 for row in data["interactions"]) == 19_345
    assert any("Zzyzxdetails" in row["details"] for row in data["interactions"])
    assert data["tasks"][0]["title"] == "Call Zzyzxann back"
    ledger = data["points_ledger"]
    assert {row["contact_id"] for row in ledger} == {person.id, person.shell_id}
    assert data["points_balance"] == sum(
        row["points"] for row in ledger if row["contact_id"] == person.id)  # fmt: skip
    actions = [row["action"] for row in data["audit_log"]]
    assert {"contact edited", "contacts merged", "points adjusted"} <= set(actions)
    edited = next(row for row in data["audit_log"] if row["action"] == "contact edited")
    assert edited["details"]["values"]["email"] == ["old.zzyzx@example.org", EMAIL]
    assert set(data["files"]) <= {"person.json", "person.vcf", "summary.pdf"}


def test_the_pdf_summary_names_the_person(person, tmp_path):
    files = _open(export_person(person.id, tmp_path / "person.zip"))
    text = "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(files["summary.pdf"])).pages
    )
    assert "Zzyzxann Qwertyzzyzx" in text
    assert EMAIL in text and "Zzyzxsummary" in text and "Consent log" in text


def test_the_vcard_is_included_when_the_vcard_writer_exists(person, tmp_path):
    pytest.importorskip("relapp.exchange.vcard")
    files = _open(export_person(person.id, tmp_path / "person.zip"))
    vcard = files["person.vcf"].decode()
    assert "BEGIN:VCARD" in vcard and "Zzyzxann" in vcard and EMAIL in vcard


def test_an_unknown_or_erased_customer_is_refused(person, tmp_path):
    with pytest.raises(PersonNotFound, match="no customer number 999"):
        export_person(999, tmp_path / "x.zip")
    erase_person(person.id, person.manager_id)
    with pytest.raises(AlreadyErased, match="erased on"):
        export_person(person.id, tmp_path / "x.zip")
    assert not (tmp_path / "x.zip").exists()


def test_the_export_is_audited_without_personal_data(person, tmp_path, db):
    export_person(person.id, tmp_path / "person.zip", staff_id=person.manager_id)
    action, staff_id, entity_id, details = db.execute_sql(
        "SELECT action, staff_id, entity_id, details FROM audit_log ORDER BY id DESC LIMIT 1"
    ).fetchone()
    assert (action, staff_id, entity_id) == ("personal data exported", person.manager_id,
                                             person.id)  # fmt: skip
    assert "zzyzx" not in details.lower()


def test_a_missing_folder_is_one_sentence(person, tmp_path):
    with pytest.raises(Exception, match="does not exist"):
        export_person(person.id, tmp_path / "nowhere" / "x.zip")
