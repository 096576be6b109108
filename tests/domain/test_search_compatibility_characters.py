"""Names holding compatibility characters (full-width letters and digits, half-width katakana,
ligatures, ª/º, superscripts) are found when typed exactly as stored, at the Counter and in
the Contacts filter; the NFKC form of what is typed finds the plain spelling too."""

from __future__ import annotations

import pytest

from relapp.domain.contacts.listing import ContactFilter, count_contacts
from relapp.domain.contacts.search import search_contacts
from tests.factories import add_contact


@pytest.fixture
def shop(db):
    return {
        "maria": add_contact("Mª José", "García"),
        "taro": add_contact("ﾀﾛｳ", "Yamada"),
        "abc": add_contact("ＡＢＣ", "Ｓｈｏｐ１２"),
        "fiona": add_contact("ﬁona", "Byrne"),
        "square": add_contact("x²", "Lee"),
        "plain": add_contact("ABC", "Plain"),
        "primero": add_contact("Nº", "Uno"),
    }


@pytest.mark.parametrize(
    ("typed", "who"),
    [
        ("Mª José", "maria"),
        ("mª", "maria"),
        ("ﾀﾛｳ", "taro"),
        ("ﾀﾛ", "taro"),
        ("ＡＢＣ Ｓｈｏｐ１２", "abc"),
        ("ﬁona", "fiona"),
        ("x²", "square"),
        ("Nº Uno", "primero"),
    ],
)
def test_a_name_typed_as_stored_is_found(shop, typed, who):
    found = [hit.id for hit in search_contacts(typed)]

    assert found[0] == shop[who].id


def test_full_width_letters_also_find_the_plain_spelling(shop):
    found = {hit.id for hit in search_contacts("ＡＢＣ")}

    assert found == {shop["abc"].id, shop["plain"].id}


def test_the_contacts_filter_finds_them_too(shop):
    assert count_contacts(ContactFilter(text="ﾀﾛｳ")) == 1
    assert count_contacts(ContactFilter(text="Mª José")) == 1


def test_a_quote_in_either_form_stays_text(shop):
    # NFKC turns the full-width quote into '"', which the query must escape, not obey.
    found = {hit.id for hit in search_contacts("＂ＡＢＣ")}

    assert found == {shop["abc"].id, shop["plain"].id}
    assert search_contacts('"') == []
