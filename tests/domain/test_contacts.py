"""How contacts are named on screen."""

from __future__ import annotations

import pytest

from relapp.domain.contacts.naming import display_name, initials, person_name


@pytest.mark.parametrize(
    ("given", "family", "shown", "letters"),
    [
        ("Zoë", "O'Brien", "Zoë O'Brien", "ZO"),
        ("浩然", "郑", "郑浩然", "郑"),
        ("太郎", "山田", "山田太郎", "山"),
        ("민준", "김", "김민준", "김"),
        ("Δημήτρης", "Δημητρίου", "Δημήτρης Δημητρίου", "ΔΔ"),
        ("أحمد", "نصر", "أحمد نصر", "أن"),
        ("Wei", "王", "Wei 王", "王"),  # mixed scripts keep the Western order
        ("", "Lee", "Lee", "L"),
    ],
)
def test_names_follow_their_script(given, family, shown, letters):
    assert person_name(given, family) == shown
    assert initials(given, family) == letters


def test_a_business_shows_its_name_then_the_person():
    assert display_name("business", "Pia", "Rossi", "Petal & Stem") == "Petal & Stem (Pia Rossi)"
    assert display_name("business", "", "", "Petal & Stem") == "Petal & Stem"
    assert display_name("person", "", "", "Petal & Stem") == "Petal & Stem"
