"""A person's data export (GDPR article 15 / 20): one zip with person.json (everything
stored about them, relapp.domain.contacts.privacy.person_data), person.vcf and a printable
summary.pdf.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path

from relapp.db.live_files import refuse_database_files
from relapp.db.models import database
from relapp.domain.contacts.privacy import EXPORT_ACTION, audit_about_person, person_data
from relapp.errors import RelappError
from relapp.exchange.vcard import contact_vcard
from relapp.reports.privacy_summary import privacy_summary

# The zip's files and what each is (also written into person.json).
FILES = {
    "person.json": "this file",
    "person.vcf": "the contact as a vCard 3.0",
    "summary.pdf": "a printable summary of this export",
}


def export_person(contact_id: int, out_zip: Path, staff_id: int | None = None) -> Path:
    """Write everything stored about the person to out_zip and return its path.

    The zip is written beside out_zip and renamed over it when complete. The export is
    audited (action "personal data exported", no personal data in the row).

    Raises:
        PersonNotFound, AlreadyErased: see person_data.
        RelappError: the folder does not exist or cannot be written.
    """
    out_zip = refuse_database_files(out_zip)
    folder = out_zip.parent if str(out_zip.parent) else Path(".")
    if not folder.is_dir():
        raise RelappError(f"The folder {folder} does not exist.")
    data = person_data(contact_id)
    vcard = contact_vcard(contact_id, version="3.0")
    files = dict(FILES)
    data["files"] = files
    text = json.dumps(data, ensure_ascii=False, indent=2)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{out_zip.name}.", suffix=".part",
                                             dir=folder)  # fmt: skip
    except PermissionError as error:
        raise RelappError(f"Cannot write {out_zip}: {error.strerror}.") from error
    os.close(handle)
    try:
        with tempfile.TemporaryDirectory() as scratch:
            pdf = privacy_summary(data, Path(scratch) / "summary.pdf")
            with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as archive:
                archive.writestr("person.json", text)
                archive.writestr("person.vcf", vcard)
                archive.write(pdf, "summary.pdf")
        os.replace(temporary, out_zip)
    except PermissionError as error:
        raise RelappError(f"Cannot write {out_zip}: {error.strerror}.") from error
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    with database.atomic():
        audit_about_person(EXPORT_ACTION, contact_id, staff_id, {"files": sorted(files)})
    return out_zip
