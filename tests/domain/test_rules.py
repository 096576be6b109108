"""Plain domain rules: cards, loyalty arithmetic, PINs, settings."""

from __future__ import annotations

import pytest

from relapp.domain.changes import Entity
from relapp.domain.loyalty.cards import card_number_for, is_valid_card_number
from relapp.domain.loyalty.rules import TierRule, points_for_purchase, tier_for_spend
from relapp.domain.shop.settings import ShopSettings, is_set_up, load_settings, save_settings
from relapp.domain.shop.setup import shop_summary, start_empty_shop
from relapp.domain.shop.staff import hash_pin, verify_pin


def test_card_numbers_carry_a_luhn_check_digit_that_catches_typos():
    card = card_number_for(1)
    assert card == "270000000017"
    assert is_valid_card_number(card)
    typo = card[:5] + str((int(card[5]) + 1) % 10) + card[6:]
    assert not is_valid_card_number(typo)
    swapped = card[:-3] + card[-2] + card[-3] + card[-1]
    assert swapped == card or not is_valid_card_number(swapped)
    assert not is_valid_card_number("27abc")
    with pytest.raises(ValueError):
        card_number_for(0)


@pytest.mark.parametrize(
    ("amount_cents", "rate", "multiplier", "points"),
    [(1299, 1, 100, 12), (1299, 1, 150, 19), (99, 1, 100, 0), (0, 1, 100, 0), (10000, 2, 125, 250)],
)
def test_points_round_down_never_up(amount_cents, rate, multiplier, points):
    assert points_for_purchase(amount_cents, rate, multiplier) == points


def test_a_negative_purchase_is_refused():
    with pytest.raises(ValueError):
        points_for_purchase(-1, 1, 100)


def test_the_highest_reached_tier_applies():
    tiers = (
        TierRule(1, "Bronze", 0, 100),
        TierRule(3, "Gold", 1500, 150),
        TierRule(2, "Silver", 500, 125),
    )
    assert tier_for_spend(0, tiers).name == "Bronze"
    assert tier_for_spend(499, tiers).name == "Bronze"
    assert tier_for_spend(500, tiers).name == "Silver"
    assert tier_for_spend(10**9, tiers).name == "Gold"
    assert tier_for_spend(10, ()) is None


def test_pins_are_salted_slow_hashes_that_verify():
    first, second = hash_pin("1234"), hash_pin("1234")
    assert first != second and "1234" not in first
    assert verify_pin("1234", first) and verify_pin("1234", second)
    assert not verify_pin("1235", first)
    assert not verify_pin("1234", "garbage")
    with pytest.raises(ValueError):
        hash_pin("12")


@pytest.mark.sqlite_only(reason="reopens the database file")
def test_settings_default_until_saved_then_persist(db_path, db):
    assert load_settings() == ShopSettings()
    change = save_settings(shop_name="Corner Books", contact_cap_per_30_days=6)
    assert change.touches(Entity.SETTINGS)
    db.close()
    from relapp.db.connection import open_database

    open_database(db_path)
    settings = load_settings()
    assert (settings.shop_name, settings.contact_cap_per_30_days) == ("Corner Books", 6)
    with pytest.raises(KeyError):
        save_settings(no_such_setting=1)
    with pytest.raises(TypeError):
        save_settings(contact_cap_per_30_days="six")
    assert load_settings().contact_cap_per_30_days == 6


def test_an_empty_shop_is_set_up_with_its_name(db):
    assert not is_set_up()
    start_empty_shop("  Corner Books ")
    assert is_set_up()
    assert load_settings().shop_name == "Corner Books"
    assert shop_summary().customers == 0


def test_shop_summary_counts_the_demo_shop(demo_db):
    summary = shop_summary()
    assert summary.customers == 60
    total = demo_db.execute_sql("SELECT sum(points) FROM points_entry").fetchone()[0]
    assert summary.points_outstanding == total > 0


def test_a_union_of_changes_names_every_entity_and_contact():
    from relapp.domain.changes import Change, Entity

    edit = Change.of(Entity.CONTACTS, contact_ids=frozenset({1}))
    consent = Change.of(Entity.CONTACTS, Entity.TAGS, contact_ids=frozenset({2}))
    assert Change.union(edit, consent) == Change.of(
        Entity.CONTACTS, Entity.TAGS, contact_ids=frozenset({1, 2})
    )
    anybody = Change.of(Entity.POINTS)
    assert Change.union(edit, anybody).contact_ids == frozenset()
    assert Change.union(edit, Change.of()) == edit
    assert Change.union() == Change.of()


def test_shop_settings_are_checked_before_saving():
    from relapp.domain.shop.settings import phone_regions, setting_problems

    good = {
        "shop_name": "Corner Books",
        "phone_region": "AU",
        "currency": "AUD",
        "locale": "en_AU",
        "paper_size": "A4",
        "contact_cap_per_30_days": 4,
        "response_target_hours": 24,
    }
    assert setting_problems(good) == {}
    bad = {
        "shop_name": "  ",
        "phone_region": "XX",
        "currency": "dollars",
        "locale": "english",
        "paper_size": "A3",
        "contact_cap_per_30_days": 0,
        "response_target_hours": 10**6,
    }
    assert set(setting_problems(bad)) == set(bad)
    assert phone_regions()["AU"] == 61 and phone_regions()["GB"] == 44


def test_a_locale_of_a_language_reports_cannot_format_is_refused():
    from relapp.domain.shop.settings import setting_problems

    assert setting_problems({"locale": "de_CH"}) == {}
    assert setting_problems({"locale": "ko_KR"}) == {}
    problem = setting_problems({"locale": "qu_PE"})["locale"]
    assert "qu_PE" in problem and "en, es" in problem


def test_a_business_of_one_shop_names_its_shop_as_itself(db):
    from relapp.db.models import Shop
    from relapp.domain.shop.shops import add_shop

    save_settings(shop_name="Corner Books")
    assert [shop.name for shop in Shop.select()] == ["Corner Books"]
    add_shop("Harbour Street")
    save_settings(shop_name="Corner Books & Co")  # several shops: each keeps its own name
    assert sorted(shop.name for shop in Shop.select()) == ["Corner Books", "Harbour Street"]
