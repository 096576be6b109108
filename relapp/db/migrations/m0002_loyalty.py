"""Schema 2: the loyalty program: tiers, rewards and an append-only points ledger.

The ledger's rules live in the database so that no code path (a bug, a script, a second
counter) can break them: entries are never edited or deleted, a contact's cached balance is
always the sum of its entries, and that balance can never go negative.
"""

from peewee import Database

DESCRIPTION = "tiers, rewards, points ledger with its triggers, cached balance and tier"

STATEMENTS = (
    """CREATE TABLE tier (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (trim(name) <> ''),
        min_spend_cents INTEGER NOT NULL UNIQUE CHECK (min_spend_cents >= 0),
        multiplier_percent INTEGER NOT NULL DEFAULT 100
            CHECK (multiplier_percent BETWEEN 0 AND 1000)
    )""",
    """CREATE TABLE reward (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL CHECK (trim(name) <> ''),
        description TEXT NOT NULL DEFAULT '',
        points_cost INTEGER NOT NULL CHECK (points_cost > 0),
        stock INTEGER CHECK (stock IS NULL OR stock >= 0),
        active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
        created_at TEXT NOT NULL
    )""",
    """ALTER TABLE contact ADD COLUMN points_balance INTEGER NOT NULL DEFAULT 0
        CHECK (points_balance >= 0)""",
    "ALTER TABLE contact ADD COLUMN tier_id INTEGER REFERENCES tier (id) ON DELETE SET NULL",
    """CREATE TABLE points_entry (
        id INTEGER PRIMARY KEY,
        contact_id INTEGER NOT NULL REFERENCES contact (id) ON DELETE RESTRICT,
        kind TEXT NOT NULL CHECK (kind IN ('earn', 'redeem', 'expire', 'adjust', 'bonus',
            'opening', 'reversal', 'transfer')),
        points INTEGER NOT NULL CHECK (points <> 0),
        occurred_at TEXT NOT NULL,
        expires_at TEXT,
        interaction_id INTEGER REFERENCES interaction (id) ON DELETE RESTRICT,
        reward_id INTEGER REFERENCES reward (id) ON DELETE RESTRICT,
        reverses_id INTEGER REFERENCES points_entry (id) ON DELETE RESTRICT,
        staff_id INTEGER REFERENCES staff (id) ON DELETE RESTRICT,
        reason TEXT NOT NULL CHECK (trim(reason) <> ''),
        CHECK (kind NOT IN ('earn', 'bonus', 'opening') OR points > 0),
        CHECK (kind NOT IN ('redeem', 'expire') OR points < 0),
        CHECK (kind <> 'redeem' OR reward_id IS NOT NULL),
        CHECK (kind <> 'reversal' OR reverses_id IS NOT NULL)
    )""",
    "CREATE INDEX points_entry_contact ON points_entry (contact_id, id)",
    """CREATE INDEX points_entry_interaction ON points_entry (interaction_id)
        WHERE interaction_id IS NOT NULL""",
    """CREATE INDEX points_entry_expiring ON points_entry (expires_at)
        WHERE expires_at IS NOT NULL""",
    """CREATE TRIGGER points_entry_is_append_only_update BEFORE UPDATE ON points_entry
    BEGIN
        SELECT RAISE(ABORT, 'points ledger entries cannot be changed: add a reversing entry');
    END""",
    """CREATE TRIGGER points_entry_is_append_only_delete BEFORE DELETE ON points_entry
    BEGIN
        SELECT RAISE(ABORT, 'points ledger entries cannot be deleted: add a reversing entry');
    END""",
    """CREATE TRIGGER points_entry_never_overdraws BEFORE INSERT ON points_entry
    WHEN (SELECT points_balance FROM contact WHERE id = NEW.contact_id) + NEW.points < 0
    BEGIN
        SELECT RAISE(ABORT, 'not enough points: a balance cannot go negative');
    END""",
    """CREATE TRIGGER points_entry_moves_balance AFTER INSERT ON points_entry
    BEGIN
        UPDATE contact SET points_balance = points_balance + NEW.points
        WHERE id = NEW.contact_id;
    END""",
    # The cached balance exists for speed only; it may never disagree with the ledger.
    """CREATE TRIGGER contact_balance_follows_ledger BEFORE UPDATE OF points_balance ON contact
    WHEN NEW.points_balance IS NOT
         (SELECT coalesce(sum(points), 0) FROM points_entry WHERE contact_id = NEW.id)
    BEGIN
        SELECT RAISE(ABORT, 'a points balance changes only through the points ledger');
    END""",
)


def upgrade(db: Database) -> None:
    for statement in STATEMENTS:
        db.execute_sql(statement)
