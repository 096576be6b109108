"""Schema 1: staff, settings, contacts and everything a relationship is made of.

Frozen: this file describes the schema as version 1 shipped it. Later changes go in a new
migration, never here, so that every database walks the same path.
"""

from peewee import Database

DESCRIPTION = "contacts, tags, segments, preferences, consent, interactions, tasks, audit log"

STATEMENTS = (
    """CREATE TABLE setting (
        key TEXT PRIMARY KEY NOT NULL,
        value TEXT NOT NULL
    ) WITHOUT ROWID""",
    """CREATE TABLE staff (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL CHECK (trim(name) <> ''),
        role TEXT NOT NULL CHECK (role IN ('manager', 'counter')),
        pin_hash TEXT NOT NULL,
        active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
        created_at TEXT NOT NULL
    )""",
    "CREATE UNIQUE INDEX staff_name ON staff (name COLLATE NOCASE)",
    """CREATE TABLE contact (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL DEFAULT 'person' CHECK (kind IN ('person', 'business')),
        given_name TEXT NOT NULL DEFAULT '',
        family_name TEXT NOT NULL DEFAULT '',
        organisation TEXT NOT NULL DEFAULT '',
        email TEXT CHECK (email IS NULL OR email LIKE '_%@_%'),
        phone TEXT CHECK (phone IS NULL OR (phone GLOB '+[1-9]*' AND length(phone) <= 16
                                            AND substr(phone, 2) NOT GLOB '*[^0-9]*')),
        street TEXT NOT NULL DEFAULT '',
        locality TEXT NOT NULL DEFAULT '',
        region TEXT NOT NULL DEFAULT '',
        postcode TEXT NOT NULL DEFAULT '',
        country TEXT NOT NULL DEFAULT '',
        birth_year INTEGER CHECK (birth_year IS NULL OR birth_year BETWEEN 1850 AND 2200),
        birth_month INTEGER CHECK (birth_month IS NULL OR birth_month BETWEEN 1 AND 12),
        birth_day INTEGER CHECK (birth_day IS NULL OR birth_day BETWEEN 1 AND 31),
        card_number TEXT UNIQUE CHECK (card_number IS NULL OR (length(card_number) BETWEEN 4 AND 32
                                        AND card_number NOT GLOB '*[^0-9]*')),
        ladder_stage TEXT NOT NULL DEFAULT 'prospect' CHECK (ladder_stage IN
            ('prospect', 'customer', 'client', 'supporter', 'advocate', 'partner')),
        referred_by_id INTEGER REFERENCES contact (id) ON DELETE SET NULL
            CHECK (referred_by_id IS NULL OR referred_by_id <> id),
        source TEXT NOT NULL DEFAULT '',
        notes TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        archived_at TEXT,
        erased_at TEXT,
        -- A birthday may lack its year, never its day; a year alone means nothing.
        CHECK ((birth_month IS NULL) = (birth_day IS NULL)),
        CHECK (birth_year IS NULL OR birth_month IS NOT NULL)
    )""",
    "CREATE INDEX contact_referred_by ON contact (referred_by_id) WHERE referred_by_id IS NOT NULL",
    "CREATE INDEX contact_email ON contact (email COLLATE NOCASE) WHERE email IS NOT NULL",
    "CREATE INDEX contact_phone ON contact (phone) WHERE phone IS NOT NULL",
    "CREATE INDEX contact_name ON contact (family_name, given_name, id)",
    """CREATE INDEX contact_birthday ON contact (birth_month, birth_day)
        WHERE birth_month IS NOT NULL""",
    """CREATE TABLE social_handle (
        id INTEGER PRIMARY KEY,
        contact_id INTEGER NOT NULL REFERENCES contact (id) ON DELETE CASCADE,
        network TEXT NOT NULL CHECK (trim(network) <> ''),
        handle TEXT NOT NULL CHECK (trim(handle) <> ''),
        UNIQUE (contact_id, network, handle)
    )""",
    """CREATE TABLE tag (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (trim(name) <> '')
    )""",
    """CREATE TABLE contact_tag (
        contact_id INTEGER NOT NULL REFERENCES contact (id) ON DELETE CASCADE,
        tag_id INTEGER NOT NULL REFERENCES tag (id) ON DELETE CASCADE,
        PRIMARY KEY (contact_id, tag_id)
    ) WITHOUT ROWID""",
    "CREATE INDEX contact_tag_by_tag ON contact_tag (tag_id, contact_id)",
    """CREATE TABLE segment (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (trim(name) <> ''),
        filter TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(filter)),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    """CREATE TABLE preference (
        id INTEGER PRIMARY KEY,
        contact_id INTEGER NOT NULL REFERENCES contact (id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('like', 'dislike', 'size', 'note')),
        value TEXT NOT NULL CHECK (trim(value) <> ''),
        created_at TEXT NOT NULL
    )""",
    "CREATE INDEX preference_contact ON preference (contact_id)",
    """CREATE TABLE consent (
        id INTEGER PRIMARY KEY,
        contact_id INTEGER NOT NULL REFERENCES contact (id) ON DELETE CASCADE,
        channel TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'phone', 'post', 'social')),
        granted INTEGER NOT NULL CHECK (granted IN (0, 1)),
        occurred_at TEXT NOT NULL,
        method TEXT NOT NULL DEFAULT '',
        staff_id INTEGER REFERENCES staff (id) ON DELETE SET NULL
    )""",
    "CREATE INDEX consent_contact ON consent (contact_id, channel, occurred_at)",
    """CREATE TABLE interaction (
        id INTEGER PRIMARY KEY,
        contact_id INTEGER NOT NULL REFERENCES contact (id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('visit', 'purchase', 'call', 'email', 'message',
            'social', 'query', 'complaint', 'feedback', 'note', 'campaign', 'referral')),
        direction TEXT CHECK (direction IS NULL OR direction IN ('inbound', 'outbound')),
        occurred_at TEXT NOT NULL,
        summary TEXT NOT NULL DEFAULT '',
        details TEXT NOT NULL DEFAULT '',
        network TEXT NOT NULL DEFAULT '',
        amount_cents INTEGER CHECK (amount_cents IS NULL OR amount_cents >= 0),
        feedback_score INTEGER CHECK (feedback_score IS NULL OR feedback_score BETWEEN 0 AND 10),
        status TEXT CHECK (status IS NULL OR status IN ('open', 'resolved')),
        first_response_at TEXT,
        resolved_at TEXT,
        staff_id INTEGER REFERENCES staff (id) ON DELETE SET NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        -- Queries and complaints, and only they, stay open until resolved.
        CHECK ((kind IN ('query', 'complaint')) = (status IS NOT NULL)),
        CHECK ((status = 'resolved') = (resolved_at IS NOT NULL))
    )""",
    "CREATE INDEX interaction_contact_time ON interaction (contact_id, occurred_at)",
    "CREATE INDEX interaction_time ON interaction (occurred_at)",
    "CREATE INDEX interaction_open ON interaction (occurred_at) WHERE status = 'open'",
    """CREATE TABLE task (
        id INTEGER PRIMARY KEY,
        contact_id INTEGER NOT NULL REFERENCES contact (id) ON DELETE CASCADE,
        interaction_id INTEGER REFERENCES interaction (id) ON DELETE SET NULL,
        title TEXT NOT NULL CHECK (trim(title) <> ''),
        due_at TEXT NOT NULL,
        staff_id INTEGER REFERENCES staff (id) ON DELETE SET NULL,
        done_at TEXT,
        created_at TEXT NOT NULL
    )""",
    "CREATE INDEX task_contact ON task (contact_id)",
    "CREATE INDEX task_open_due ON task (due_at) WHERE done_at IS NULL",
    """CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        occurred_at TEXT NOT NULL,
        staff_id INTEGER REFERENCES staff (id) ON DELETE SET NULL,
        action TEXT NOT NULL CHECK (trim(action) <> ''),
        entity TEXT NOT NULL DEFAULT '',
        entity_id INTEGER,
        details TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(details))
    )""",
    "CREATE INDEX audit_log_time ON audit_log (occurred_at)",
)


def upgrade(db: Database) -> None:
    for statement in STATEMENTS:
        db.execute_sql(statement)
