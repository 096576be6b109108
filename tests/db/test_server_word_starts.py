"""The server's word starts (schema 12, contact_word_start) follow every change of a contact's
search document, so the counter's search walks exactly the contacts that can match."""

from __future__ import annotations

import pytest

from relapp.db.models import Contact
from relapp.db.server.connection import open_server_database
from relapp.domain.clock import utc_now
from relapp.domain.contacts.search import search_contacts
from tests.factories import add_contact


@pytest.fixture
def server(new_database):
    """A shop server database bound to the models (a file's FTS5 has no such table)."""
    return open_server_database(new_database(template="relapp_template", prefix="starts"))


def starts(db, contact_id: int) -> set[str]:
    rows = db.execute_sql(
        "SELECT start FROM contact_word_start WHERE contact_id = ?", (contact_id,)
    ).fetchall()
    return {start for (start,) in rows}


def test_a_new_contact_has_the_starts_of_every_word_up_to_four_letters(server):
    zoe = add_contact("Zoë", "O'Brien", phone="0412 345 678", card_number="270000000017")
    made = starts(server, zoe.id)
    assert {"z", "zo", "zoe", "o", "b", "br", "bri", "brie", "ob", "obr", "obri"} <= made
    assert {"4", "41", "412", "4123", "6", "67", "678", "2", "27", "270", "2700"} <= made
    assert all(1 <= len(start) <= 4 for start in made)
    assert "zoë" not in made and "brien" not in made  # folded, and four letters at most
    words = dict(
        server.execute_sql(
            "SELECT start, words FROM contact_word_start WHERE contact_id = ?", (zoe.id,)
        ).fetchall()
    )  # a four-letter start holds the words it starts; shorter ones nothing
    assert words["brie"] == " brien " and words["2700"] == " 270000000017 "
    assert words["zoe"] == words["4"] == ""


def test_an_edit_swaps_the_starts_and_an_erasure_or_deletion_removes_them(server):
    ann = add_contact("Ann", "Lee")
    other = add_contact("Anna", "Leigh")
    before_other = starts(server, other.id)

    Contact.update(family_name="Shaw").where(Contact.id == ann.id).execute()
    assert "shaw" in starts(server, ann.id) and "lee" not in starts(server, ann.id)
    assert [hit.id for hit in search_contacts("shaw")] == [ann.id]
    assert [hit.id for hit in search_contacts("lee")] == []

    Contact.update(erased_at=utc_now()).where(Contact.id == ann.id).execute()
    assert starts(server, ann.id) == set()
    Contact.delete().where(Contact.id == other.id).execute()
    assert before_other and starts(server, other.id) == set()


def test_the_starts_are_those_of_the_documents_after_many_changes(server):
    people = [add_contact(f"Given{n}", f"Family{n}", phone=f"0400 000 {n:03d}") for n in range(30)]
    for person in people[::3]:
        Contact.update(given_name="Renamed").where(Contact.id == person.id).execute()
    Contact.delete().where(Contact.id == people[1].id).execute()

    made = "SELECT w.*, s.contact_id FROM contact_search s, relapp_word_starts(s.document) w"
    kept = "SELECT start, words, contact_id FROM contact_word_start"
    for difference in (f"{made} EXCEPT {kept}", f"{kept} EXCEPT {made}"):
        assert server.execute_sql(f"SELECT count(*) FROM ({difference}) d").fetchone()[0] == 0
