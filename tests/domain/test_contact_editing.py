"""The contact detail editor: what a save stores, refuses, audits and protects."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from relapp.db.models import AuditLog, Consent, Contact, ContactTag, Preference, SocialHandle, Tag
from relapp.domain.changes import Change, Entity
from relapp.domain.clock import utc_now
from relapp.domain.contacts.editing import (
    ContactDetails,
    EditConflict,
    all_tags,
    load_contact_details,
    record_consent,
    referral_candidates,
    save_contact_details,
)
from relapp.domain.contacts.fields import InvalidContact
from relapp.domain.contacts.profiles import ContactNotFound
from relapp.domain.contacts.search import search_contacts

AN_HOUR_AGO = timedelta(hours=1)


def existing(given="Ann", family="Lee", **fields) -> Contact:
    """A stored contact last saved an hour ago (so a save now is visibly newer)."""
    then = utc_now() - AN_HOUR_AGO
    return Contact.create(
        given_name=given, family_name=family, created_at=then, updated_at=then, **fields
    )


def edit(contact_id: int, **changes) -> Change:
    """What the editor does: load, change some fields, save in an Australian shop."""
    return save_contact_details(replace(load_contact_details(contact_id), **changes), "AU")


def problems_of(contact_id: int, **changes) -> dict[str, str]:
    with pytest.raises(InvalidContact) as caught:
        edit(contact_id, **changes)
    return caught.value.problems


def audit_rows(contact_id: int) -> list[dict]:
    rows = AuditLog.select().where(AuditLog.entity_id == contact_id).order_by(AuditLog.id)
    return [json.loads(row.details) for row in rows if row.action == "contact edited"]


# ------------------------------------------------------------------------------- loading


def test_loading_shows_every_field_as_the_editor_needs_it(db):
    friend = existing("Bea", "Friend")
    ann = existing(
        email="ann@example.com",
        phone="+61412345678",
        phone_national="0412345678",
        birth_month=7,
        birth_day=14,
        referred_by=friend.id,
        notes="Prefers mornings",
    )
    for name in ("vip", "Coffee", "bakery"):
        ContactTag.create(contact=ann, tag=Tag.create(name=name))
    Consent.create(contact=ann, channel="sms", granted=True, occurred_at=utc_now())

    details = load_contact_details(ann.id)

    assert isinstance(details, ContactDetails)
    assert details.phone == "+61 412 345 678"
    assert (details.birth_year, details.birth_month, details.birth_day) == (None, 7, 14)
    assert (details.card_number, details.email) == ("", "ann@example.com")
    assert (details.referred_by_id, details.referred_by_name) == (friend.id, "Bea Friend")
    assert details.tags == ("bakery", "Coffee", "vip")
    assert details.consent["sms"] is True and details.consent["email"] is None
    assert details.archived is False


def test_missing_and_erased_contacts_are_not_found(db):
    erased = existing(erased_at=utc_now())
    for contact_id in (erased.id, 999):
        with pytest.raises(ContactNotFound):
            load_contact_details(contact_id)
    details = replace(load_contact_details(existing().id), id=erased.id)
    with pytest.raises(ContactNotFound):
        save_contact_details(details, "AU")


# -------------------------------------------------------------------------------- saving


def test_a_save_stores_clean_values(db):
    ann = existing()
    change = edit(
        ann.id,
        given_name="  Zoë   Ann ",
        family_name="O'Brien",
        phone="0412 345 678",
        email="Zoe@Example.COM",
        birth_year=None,
        birth_month=7,
        birth_day=14,
        street=" 1   Main\nStreet ",
        card_number=" 4006 1234 ",
        ladder_stage="client",
    )

    stored = Contact.get_by_id(ann.id)
    assert (stored.given_name, stored.family_name) == ("Zoë Ann", "O'Brien")
    assert (stored.phone, stored.phone_national) == ("+61412345678", "0412345678")
    assert stored.email == "Zoe@example.com"
    assert (stored.birth_year, stored.birth_month, stored.birth_day) == (None, 7, 14)
    assert stored.street == "1 Main Street"
    assert stored.card_number == "40061234"
    assert stored.ladder_stage == "client"
    assert stored.updated_at > ann.updated_at
    assert change == Change.of(Entity.CONTACTS, Entity.TAGS, contact_ids=frozenset({ann.id}))
    assert load_contact_details(ann.id).phone == "+61 412 345 678"


def test_a_foreign_number_keeps_its_country(db):
    ann = existing()
    edit(ann.id, phone="+44 7400 123456")
    assert Contact.get_by_id(ann.id).phone == "+447400123456"


def test_clearing_fields_stores_none(db):
    ann = existing(email="ann@example.com", phone="+61412345678", phone_national="0412345678",
                   card_number="40061234", birth_year=1990, birth_month=1, birth_day=2)  # fmt: skip
    edit(ann.id, email="", phone="", card_number="", birth_year=None, birth_month=None,
         birth_day=None)  # fmt: skip
    stored = Contact.get_by_id(ann.id)
    assert (stored.email, stored.phone, stored.phone_national, stored.card_number) == (None,) * 4
    assert (stored.birth_year, stored.birth_month, stored.birth_day) == (None,) * 3


def test_29_february_needs_no_year_but_a_real_date(db):
    ann = existing()
    edit(ann.id, birth_year=None, birth_month=2, birth_day=29)
    assert Contact.get_by_id(ann.id).birth_day == 29
    edit(ann.id, birth_year=2000, birth_month=2, birth_day=29)  # a leap year
    assert "no day 29" in problems_of(ann.id, birth_year=1999)["birthday"]
    assert "no day 30" in problems_of(ann.id, birth_year=None, birth_day=30)["birthday"]


def test_every_problem_is_reported_at_once_and_nothing_is_written(db):
    existing("Card", "Holder", card_number="12345678")
    ann = existing()
    problems = problems_of(
        ann.id,
        given_name="",
        family_name="",
        phone="12",
        email="not-an-email",
        card_number="12345678",
        birth_month=13,
        birth_day=1,
        ladder_stage="vip",
        kind="robot",
        notes="x" * 1_000_000,
        postcode="1" * 21,
        tags=("t" * 51,),
        preferences=(("love", "coffee"),),
        social_handles=(("Instagram", ""),),
        referred_by_id=ann.id,
    )
    assert set(problems) == {
        "given_name", "phone", "email", "card_number", "birthday", "ladder_stage", "kind",
        "notes", "postcode", "tags", "preferences", "social_handles", "referred_by_id",
    }  # fmt: skip
    assert "already belongs" in problems["card_number"]
    assert "10,000" in problems["notes"]
    assert all(sentence.endswith(".") for sentence in problems.values())
    assert Contact.get_by_id(ann.id).given_name == "Ann"
    assert audit_rows(ann.id) == []


def test_a_business_may_have_only_an_organisation(db):
    shop = existing()
    edit(shop.id, kind="business", given_name="", family_name="", organisation="Petal & Stem")
    assert search_contacts("petal")[0].name == "Petal & Stem"


def test_a_card_held_by_someone_else_is_refused_but_ones_own_is_kept(db):
    existing("Card", "Holder", card_number="12345678")
    ann = existing(card_number="87654321")
    assert "already belongs" in problems_of(ann.id, card_number="1234 5678")["card_number"]
    edit(ann.id, given_name="Anne")  # the own card does not collide with itself
    assert Contact.get_by_id(ann.id).card_number == "87654321"


@pytest.mark.parametrize("card", ["١٢٣٤٥٦", "12²4", "12ab"])
def test_a_card_must_be_plain_digits(db, card):
    assert "card_number" in problems_of(existing().id, card_number=card)


# ------------------------------------------------------------------------------ referrals


def test_a_referrer_is_stored_and_named(db):
    bea, ann = existing("Bea", "Friend"), existing()
    edit(ann.id, referred_by_id=bea.id)
    assert Contact.get_by_id(ann.id).referred_by_id == bea.id
    assert load_contact_details(ann.id).referred_by_name == "Bea Friend"


def test_referrals_cannot_go_round_in_a_circle(db):
    chloe = existing("Chloe")
    bea = existing("Bea", referred_by=chloe.id)
    ann = existing("Ann", referred_by=bea.id)
    assert "circle" in problems_of(chloe.id, referred_by_id=ann.id)["referred_by_id"]
    assert "circle" in problems_of(chloe.id, referred_by_id=bea.id)["referred_by_id"]
    assert "themselves" in problems_of(ann.id, referred_by_id=ann.id)["referred_by_id"]
    assert Contact.get_by_id(chloe.id).referred_by_id is None


def test_a_referrer_must_exist_but_a_kept_one_may_since_be_erased(db):
    gone = existing("Gone", erased_at=utc_now())
    ann = existing()
    assert "no longer exists" in problems_of(ann.id, referred_by_id=gone.id)["referred_by_id"]
    assert "no longer exists" in problems_of(ann.id, referred_by_id=999)["referred_by_id"]
    Contact.update(referred_by=gone.id).where(Contact.id == ann.id).execute()
    edit(ann.id, given_name="Anne")  # an old referral does not block other edits
    assert Contact.get_by_id(ann.id).referred_by_id == gone.id


def test_referral_candidates_come_from_search_without_the_contact_itself(db):
    ann = existing("Ann", "Smith")
    bea = existing("Bea", "Smith", archived_at=utc_now())
    assert referral_candidates("smith", exclude_id=ann.id) == [(bea.id, "Bea Smith")]
    assert len(referral_candidates("smith")) == 2
    assert referral_candidates("smith", limit=1, exclude_id=bea.id) == [(ann.id, "Ann Smith")]


# ----------------------------------------------------------- tags, preferences, handles


def test_tags_are_reused_whatever_their_letter_case(db):
    vip, cafe = Tag.create(name="VIP"), Tag.create(name="café")
    ann = existing()
    edit(ann.id, tags=("vip", "Vip", "CAFÉ", "  new   tag ", "", "😀 fans"))
    assert load_contact_details(ann.id).tags == ("café", "new tag", "VIP", "😀 fans")
    assert Tag.select().count() == 4
    assert {row.tag_id for row in ann.contact_tags} >= {vip.id, cafe.id}
    edit(ann.id, tags=("VIP",))
    assert load_contact_details(ann.id).tags == ("VIP",)
    assert "at most 50" in problems_of(ann.id, tags=("x" * 51,))["tags"]


def test_all_tags_counts_the_living_by_name(db):
    ann, bea = existing(), existing("Bea")
    gone = existing("Gone")
    for contact in (ann, bea, gone):
        edit(contact.id, tags=("vip", "Bakery"))
    Tag.create(name="unused")
    Contact.update(erased_at=utc_now()).where(Contact.id == gone.id).execute()
    assert all_tags() == [("Bakery", 2), ("unused", 0), ("vip", 2)]


def test_preferences_are_replaced_keeping_unchanged_ones(db):
    ann = existing()
    then = utc_now() - timedelta(days=30)
    kept = Preference.create(contact=ann, kind="like", value="flat white", created_at=then)
    Preference.create(contact=ann, kind="dislike", value="loud music", created_at=then)

    edit(ann.id, preferences=(("like", "flat white"), ("size", " M "), ("size", "M"),
                              ("note", ""), ("dislike", 'say "hi" 😀')))  # fmt: skip

    assert load_contact_details(ann.id).preferences == (
        ("like", "flat white"), ("size", "M"), ("dislike", 'say "hi" 😀'),
    )  # fmt: skip
    assert Preference.get_by_id(kept.id).created_at == then
    assert "Preference 1" in problems_of(ann.id, preferences=(("like", "x" * 501),))["preferences"]


def test_social_handles_are_replaced(db):
    ann = existing()
    SocialHandle.create(contact=ann, network="Instagram", handle="@ann")
    SocialHandle.create(contact=ann, network="X", handle="@ann_lee")
    edit(ann.id, social_handles=(("Instagram", "@ann"), ("instagram", "@ANN"),
                                 (" TikTok ", "@ann.dances"), ("", "")))  # fmt: skip
    assert load_contact_details(ann.id).social_handles == (
        ("Instagram", "@ann"), ("TikTok", "@ann.dances"),
    )  # fmt: skip


# ----------------------------------------------------------------- audit, no-op, conflicts


def test_a_save_is_audited_with_old_and_new_values(db):
    ann = existing(phone="+61412345678", phone_national="0412345678", notes="old secret")
    edit(ann.id, family_name="Smith", phone="0400 000 000", notes="new secret", tags=("VIP",))
    [details] = audit_rows(ann.id)
    assert details["fields"] == ["family_name", "notes", "phone", "tags"]
    assert details["values"] == {
        "family_name": ["Lee", "Smith"],
        "phone": ["+61412345678", "+61400000000"],
        "tags": [[], ["VIP"]],
    }
    assert "secret" not in json.dumps(details)  # notes are named, never copied


def test_saving_without_changes_writes_nothing(db):
    ann = existing(phone="+61412345678", phone_national="0412345678")
    Preference.create(contact=ann, kind="like", value="tea", created_at=utc_now())
    Preference.create(contact=ann, kind="like", value="cake", created_at=utc_now())
    details = load_contact_details(ann.id)
    assert save_contact_details(details, "AU") == Change.of()
    # Typed differently, reordered or padded, it is still the same contact.
    assert edit(ann.id, phone="0412345678", given_name=" Ann ",
                preferences=(("like", "cake"), ("like", "tea"))) == Change.of()  # fmt: skip
    assert Contact.get_by_id(ann.id).updated_at == ann.updated_at
    assert audit_rows(ann.id) == []


def test_a_stale_editor_cannot_undo_someone_elses_save(db):
    ann = existing()
    mine = load_contact_details(ann.id)
    edit(ann.id, family_name="Smith")  # another counter saves first
    with pytest.raises(EditConflict, match="Someone else saved"):
        save_contact_details(replace(mine, given_name="Anne"), "AU")
    stored = Contact.get_by_id(ann.id)
    assert (stored.given_name, stored.family_name) == ("Ann", "Smith")
    # Reopened, the same edit goes through.
    edit(ann.id, given_name="Anne")
    assert Contact.get_by_id(ann.id).given_name == "Anne"


def test_archiving_from_the_editor_keeps_the_first_time(db):
    first = utc_now() - timedelta(days=3)
    ann = existing(archived_at=first)
    edit(ann.id, given_name="Anne")
    assert Contact.get_by_id(ann.id).archived_at == first
    edit(ann.id, archived=False)
    assert search_contacts("anne")[0].id == ann.id
    edit(ann.id, archived=True)
    assert search_contacts("anne") == []


def test_search_follows_a_save(db):
    ann = existing(phone="+61412345678", phone_national="0412345678")
    edit(ann.id, family_name="Okafor", phone="0499 888 777")
    assert [hit.id for hit in search_contacts("okafor")] == [ann.id]
    assert [hit.id for hit in search_contacts("0499 888")] == [ann.id]
    assert search_contacts("lee") == []
    assert search_contacts("0412") == []


# -------------------------------------------------------------------------- hostile input


def test_awkward_text_is_stored_safely(db):
    ann = existing()
    edit(
        ann.id,
        given_name="Zoë\x00 😀",
        family_name='O\'Brien "Jr"',
        notes="Robert'); DROP TABLE contact;--\x00 😀\n" + "n" * 9_000,
        source="walk-in\x07",
    )
    stored = Contact.get_by_id(ann.id)
    assert stored.given_name == "Zoë 😀"
    assert stored.family_name == 'O\'Brien "Jr"'
    assert stored.notes.startswith("Robert'); DROP TABLE contact;-- 😀\n")
    assert "\x00" not in stored.notes + stored.source
    assert Contact.select().count() == 1
    assert [hit.id for hit in search_contacts("o'brien")] == [ann.id]


def test_a_megabyte_of_notes_is_refused_not_stored(db):
    ann = existing()
    problems = problems_of(ann.id, notes="😀" * 1_000_000)
    assert set(problems) == {"notes"}
    assert Contact.get_by_id(ann.id).notes == ""


# -------------------------------------------------------------------------------- consent


def test_consent_is_an_appended_log_whose_latest_event_decides(db):
    ann = existing()
    change = record_consent(ann.id, "email", True, "  signed   form ")
    assert change == Change.of(Entity.CONTACTS, contact_ids=frozenset({ann.id}))
    assert record_consent(ann.id, "email", True, "again") == Change.of()  # already granted
    record_consent(ann.id, "email", False, "asked by phone")
    assert load_contact_details(ann.id).consent["email"] is False
    events = list(Consent.select().where(Consent.contact == ann.id).order_by(Consent.id))
    assert [(event.granted, event.method) for event in events] == [
        (True, "signed form"),
        (False, "asked by phone"),
    ]
    # Consent is read only in the editor: recording it does not make the editor stale.
    assert Contact.get_by_id(ann.id).updated_at == ann.updated_at


def test_consent_needs_a_known_channel_and_a_living_contact(db):
    ann = existing()
    with pytest.raises(ValueError, match="not a consent channel"):
        record_consent(ann.id, "pigeon", True, "in person")
    with pytest.raises(InvalidContact):
        record_consent(ann.id, "sms", True, "m" * 101)
    with pytest.raises(ContactNotFound):
        record_consent(999, "sms", True, "in person")
    assert Consent.select().count() == 0


def test_a_merged_contact_cannot_be_unarchived_or_picked_as_referrer(db):
    from relapp.domain.contacts.merge import merge_contacts

    now = utc_now()
    kept = Contact.create(given_name="Rafa", family_name="Nadal", created_at=now, updated_at=now)
    shell = Contact.create(given_name="Rafa", family_name="Nadal", created_at=now, updated_at=now)
    merge_contacts(kept.id, shell.id)
    details = load_contact_details(shell.id)
    with pytest.raises(InvalidContact) as caught:
        save_contact_details(replace(details, archived=False), "AU")
    assert f"merged into customer #{kept.id}" in caught.value.problems["archived"]
    assert Contact.get_by_id(shell.id).archived_at is not None
    assert [name for _id, name in referral_candidates("Rafa")] == ["Rafa Nadal"]
    assert [contact_id for contact_id, _name in referral_candidates("Rafa")] == [kept.id]
