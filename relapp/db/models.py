"""The tables, as peewee models.

The schema itself is defined by the numbered migrations (relapp.db.migrations), which hold the
constraints and triggers; these models must match it column for column, which a test checks.
Only the store (relapp.db.store) queries through them; outside relapp/db, tests build
fixtures with them (tests/db/test_store_rules.py keeps the app's own code out).
"""

from __future__ import annotations

from peewee import (
    BooleanField,
    CharField,
    CompositeKey,
    DatabaseProxy,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from relapp.db.fields import UtcDateTimeField

database = DatabaseProxy()


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class Setting(BaseModel):
    """One shop-wide setting; every counter on a shared database sees the same value."""

    key = TextField(primary_key=True)
    value = TextField()


class Shop(BaseModel):
    """A shop (branch) of the business (schema 11); a file is one shop, shop 1."""

    name = TextField()
    address = TextField(default="")
    created_at = UtcDateTimeField()


class Staff(BaseModel):
    name = TextField()
    role = CharField()
    pin_hash = TextField()
    active = BooleanField(default=True)
    created_at = UtcDateTimeField()
    # The shop whose tills this person signs in at; None: any (schema 11).
    shop = ForeignKeyField(Shop, null=True, on_delete="RESTRICT")


class Tier(BaseModel):
    name = TextField(unique=True)
    min_spend_cents = IntegerField()
    multiplier_percent = IntegerField(default=100)


class Contact(BaseModel):
    kind = CharField(default="person")
    given_name = TextField(default="")
    family_name = TextField(default="")
    organisation = TextField(default="")
    email = TextField(null=True)
    phone = TextField(null=True)  # E.164
    phone_national = TextField(null=True)  # digits as dialled at home; for search
    street = TextField(default="")
    locality = TextField(default="")
    region = TextField(default="")
    postcode = TextField(default="")
    country = TextField(default="")
    birth_year = IntegerField(null=True)
    birth_month = IntegerField(null=True)
    birth_day = IntegerField(null=True)
    card_number = TextField(null=True, unique=True)
    ladder_stage = CharField(default="prospect")
    referred_by = ForeignKeyField("self", null=True, backref="referrals", on_delete="SET NULL")
    # The survivor this contact was merged into (schema 10); None if it never was.
    merged_into = ForeignKeyField(
        "self", null=True, backref="merged_records", on_delete="RESTRICT",
        column_name="merged_into_id",
    )  # fmt: skip
    source = TextField(default="")
    notes = TextField(default="")
    created_at = UtcDateTimeField()
    updated_at = UtcDateTimeField()
    archived_at = UtcDateTimeField(null=True)
    erased_at = UtcDateTimeField(null=True)
    # Maintained by ledger triggers only; see migration 2.
    points_balance = IntegerField(default=0)
    tier = ForeignKeyField(Tier, null=True, backref="contacts", on_delete="SET NULL")
    # The partner business they came through (schema 20; partner has no model: the store's
    # SQL, relapp.db.store.partners, is all there is).
    referred_by_partner_id = IntegerField(null=True)


class SocialHandle(BaseModel):
    contact = ForeignKeyField(Contact, backref="social_handles", on_delete="CASCADE")
    network = TextField()
    handle = TextField()


class Tag(BaseModel):
    name = TextField(unique=True)


class ContactTag(BaseModel):
    contact = ForeignKeyField(Contact, backref="contact_tags", on_delete="CASCADE")
    tag = ForeignKeyField(Tag, backref="contact_tags", on_delete="CASCADE")

    class Meta:
        primary_key = CompositeKey("contact", "tag")


class Segment(BaseModel):
    """A saved filter, reused by the contacts view, reports and exports."""

    name = TextField(unique=True)
    filter = TextField(default="{}")  # type: ignore[assignment]  # JSON; the column's name
    created_at = UtcDateTimeField()
    updated_at = UtcDateTimeField()


class Preference(BaseModel):
    contact = ForeignKeyField(Contact, backref="preferences", on_delete="CASCADE")
    kind = CharField()
    value = TextField()
    created_at = UtcDateTimeField()


class Consent(BaseModel):
    """One event in a contact's consent log; the current state per channel is the latest."""

    contact = ForeignKeyField(Contact, backref="consents", on_delete="CASCADE")
    channel = CharField()
    granted = BooleanField()
    occurred_at = UtcDateTimeField()
    method = TextField(default="")
    staff = ForeignKeyField(Staff, null=True, on_delete="SET NULL")


class Interaction(BaseModel):
    contact = ForeignKeyField(Contact, backref="interactions", on_delete="CASCADE")
    kind = CharField()
    direction = CharField(null=True)
    occurred_at = UtcDateTimeField()
    summary = TextField(default="")
    details = TextField(default="")
    network = TextField(default="")
    amount_cents = IntegerField(null=True)
    feedback_score = IntegerField(null=True)
    status = CharField(null=True)
    first_response_at = UtcDateTimeField(null=True)
    resolved_at = UtcDateTimeField(null=True)
    staff = ForeignKeyField(Staff, null=True, on_delete="SET NULL")
    created_at = UtcDateTimeField()
    updated_at = UtcDateTimeField()
    # Schema 5: the counter's once-per-sale key (unique), and when a purchase was refunded.
    sale_key = TextField(null=True, unique=True)
    refunded_at = UtcDateTimeField(null=True)
    # Schema 11: the shop it happened at; None: before the shop had branches (shop 1).
    shop = ForeignKeyField(Shop, null=True, on_delete="RESTRICT")


class Task(BaseModel):
    contact = ForeignKeyField(Contact, backref="tasks", on_delete="CASCADE")
    interaction = ForeignKeyField(Interaction, null=True, backref="tasks", on_delete="SET NULL")
    title = TextField()
    due_at = UtcDateTimeField()
    staff = ForeignKeyField(Staff, null=True, on_delete="SET NULL")
    done_at = UtcDateTimeField(null=True)
    created_at = UtcDateTimeField()
    shop = ForeignKeyField(Shop, null=True, on_delete="RESTRICT")  # schema 11


class Reward(BaseModel):
    name = TextField()
    description = TextField(default="")
    points_cost = IntegerField()
    stock = IntegerField(null=True)  # None: unlimited
    active = BooleanField(default=True)
    created_at = UtcDateTimeField()


class PointsEntry(BaseModel):
    """The loyalty ledger: append-only, enforced by triggers (migration 2)."""

    contact = ForeignKeyField(Contact, backref="points_entries", on_delete="RESTRICT")
    kind = CharField()
    points = IntegerField()
    occurred_at = UtcDateTimeField()
    expires_at = UtcDateTimeField(null=True)
    interaction = ForeignKeyField(Interaction, null=True, on_delete="RESTRICT")
    reward = ForeignKeyField(Reward, null=True, on_delete="RESTRICT")
    reverses = ForeignKeyField("self", null=True, on_delete="RESTRICT")
    staff = ForeignKeyField(Staff, null=True, on_delete="RESTRICT")
    reason = TextField()
    # Schema 5: what a one-off bonus was for ("welcome", "birthday 2026"); unique per contact.
    occasion = TextField(null=True)
    shop = ForeignKeyField(Shop, null=True, on_delete="RESTRICT")  # schema 11


class AuditLog(BaseModel):
    occurred_at = UtcDateTimeField()
    staff = ForeignKeyField(Staff, null=True, on_delete="SET NULL")
    action = TextField()
    entity = TextField(default="")
    entity_id = IntegerField(null=True)
    details = TextField(default="{}")  # JSON


ALL_MODELS = (
    Setting,
    Shop,
    Staff,
    Tier,
    Contact,
    SocialHandle,
    Tag,
    ContactTag,
    Segment,
    Preference,
    Consent,
    Interaction,
    Task,
    Reward,
    PointsEntry,
    AuditLog,
)
