"""Schema 3: contact search with SQLite FTS5.

One search document per contact, kept in step with the contact row by triggers written in
plain SQL, so that every writer (the app, the demo, an import, another SQLite tool) keeps
search right. Tokens: names (accents folded by the tokenizer), names without apostrophes and
hyphens (O'Brien -> obrien), email, the phone in international and national digits, every
3-or-more-digit tail of the national number (so any phone fragment is a prefix of a token),
and the card number. Erased contacts have an empty document.
"""

import phonenumbers
from peewee import Database

DESCRIPTION = "contact search: FTS5 index kept by triggers, national phone digits"

# Longest national number we index tails of (E.164 allows 15 digits, country code included).
_MAX_NATIONAL_DIGITS = 15
_MIN_FRAGMENT = 3


def _document_sql(row: str) -> str:
    """The SQL expression of a contact's search document, for the row alias NEW or contact."""
    tails = " || ' ' || ".join(
        f"CASE WHEN length({row}.phone_national) - {start} + 1 >= {_MIN_FRAGMENT} "
        f"THEN substr({row}.phone_national, {start}) ELSE '' END"
        for start in range(2, _MAX_NATIONAL_DIGITS)
    )
    return f"""CASE WHEN {row}.erased_at IS NOT NULL THEN '' ELSE
        {row}.given_name || ' ' || {row}.family_name || ' ' || {row}.organisation || ' ' ||
        replace(replace({row}.given_name || ' ' || {row}.family_name, '''', ''), '-', '')
        || ' ' || coalesce({row}.email, '') || ' ' || coalesce(substr({row}.phone, 2), '')
        || ' ' || coalesce({row}.phone_national, '') || ' ' || coalesce({tails}, '')
        || ' ' || coalesce({row}.card_number, '')
    END"""


_WATCHED = (
    "given_name, family_name, organisation, email, phone, phone_national, card_number, erased_at"
)

STATEMENTS = (
    "ALTER TABLE contact ADD COLUMN phone_national TEXT CHECK "
    "(phone_national IS NULL OR (phone_national <> '' AND phone_national NOT GLOB '*[^0-9]*'))",
    # The document is defined once, here; the index reads it from this view when rebuilt.
    f"CREATE VIEW contact_search_source AS SELECT id, {_document_sql('contact')} AS document"
    " FROM contact",
    # External content: the index keeps no second copy of the text. Prefix indexes make one-
    # to three-character prefix queries fast on a large shop.
    """CREATE VIRTUAL TABLE contact_search USING fts5(
        document, content = 'contact_search_source', content_rowid = 'id',
        tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3'
    )""",
    f"""CREATE TRIGGER contact_search_insert AFTER INSERT ON contact BEGIN
        INSERT INTO contact_search (rowid, document) VALUES (NEW.id, {_document_sql("NEW")});
    END""",
    # An external-content index forgets a document by being told its old text.
    f"""CREATE TRIGGER contact_search_update AFTER UPDATE OF {_WATCHED} ON contact BEGIN
        INSERT INTO contact_search (contact_search, rowid, document)
            VALUES ('delete', OLD.id, {_document_sql("OLD")});
        INSERT INTO contact_search (rowid, document) VALUES (NEW.id, {_document_sql("NEW")});
    END""",
    f"""CREATE TRIGGER contact_search_delete AFTER DELETE ON contact BEGIN
        INSERT INTO contact_search (contact_search, rowid, document)
            VALUES ('delete', OLD.id, {_document_sql("OLD")});
    END""",
)
SEARCH_TRIGGERS = ("contact_search_insert", "contact_search_update", "contact_search_delete")


def _national_digits(e164: str) -> str | None:
    # Frozen copy of relapp.domain.contacts.phones.national_digits as of schema 3.
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return None
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return "".join(ch for ch in national if ch.isdigit()) or None


def upgrade(db: Database) -> None:
    add_column, *index_statements = STATEMENTS
    db.execute_sql(add_column)
    # Before the triggers exist: an external-content index told to forget a document it
    # never held is corrupted.
    phones = db.execute_sql("SELECT id, phone FROM contact WHERE phone IS NOT NULL").fetchall()
    db.cursor().executemany(
        "UPDATE contact SET phone_national = ? WHERE id = ?",
        [(_national_digits(phone), contact_id) for contact_id, phone in phones],
    )
    for statement in index_statements:
        db.execute_sql(statement)
    # Index every existing contact from the view in one pass.
    db.execute_sql("INSERT INTO contact_search (contact_search) VALUES ('rebuild')")
