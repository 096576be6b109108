"""Schema 12: on a shop server, the contacts whose document has a word starting with each
one to four letters or digits, in id order (contact_word_start): the server's
counterpart of FTS5's prefix doclists, which let the counter's search read "the first 2,000
customers with a word starting 'r'" without visiting every such customer.

The trigram index (schema 10) finds a term's matches in no particular order, so a common
short term (a letter, a phone fragment) had to be read in full to keep the first ones: 93,000
documents for 'r' on a 1,000,000-customer shop, a p95 of 84 ms (docs/performance.md). Read
from this table in id order, the same search stops after the first 2,000: about 3 ms.
Four, not three: every mobile number starts 04 in Australia (and 07 in the UK), so a
phone fragment's first three digits are shared by a sixth of a shop.

The table is kept by row triggers on contact_search (which the contact's own triggers keep),
so no code writes it; an update touches only the starts that changed. It costs about 47 rows
per customer (docs/performance.md has its size at 1,000,000 customers). A shop file needs
none of it (FTS5 has its own prefix doclists), so on a file this migration changes nothing.

Frozen: later changes go in a new migration.
"""

from __future__ import annotations

from peewee import Database

DESCRIPTION = "the shop server's index of word starts, for the counter's search"

TABLE = "contact_word_start"
# The longest start kept. A four-letter start's row also holds the words it starts (words:
# ' sara sarah sarah28 '), so a longer term's walk checks them in the index itself rather
# than visiting each contact's document (relapp.db.store.server_search); shorter starts
# hold ''.
LONGEST_START = 4


def upgrade(db: Database) -> None:
    """Nothing on a shop file: FTS5's prefix doclists do this there."""


FUNCTION = f"""CREATE FUNCTION relapp_word_starts(document text)
    RETURNS TABLE (start text, words text)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE BEGIN ATOMIC
        SELECT start, CASE WHEN length(start) = {LONGEST_START}
            THEN ' ' || string_agg(DISTINCT word, ' ') || ' ' ELSE '' END
        FROM (SELECT left(word, length) AS start, word
              FROM regexp_split_to_table(document, ' ') AS word,
              generate_series(1, least({LONGEST_START}, length(word))) AS length
              WHERE word <> '') AS started
        GROUP BY start;
    END"""

# "C": the starts are compared byte by byte; no language's collation is needed to find equals.
TABLE_STATEMENT = (
    f'CREATE TABLE {TABLE} (start TEXT COLLATE "C" NOT NULL, contact_id bigint NOT NULL,'
    " words TEXT NOT NULL)"
)
# INCLUDE: the walk reads a start's contacts and words from the key alone (an index-only scan).
KEY = (
    f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_key PRIMARY KEY (start, contact_id)"
    " INCLUDE (words)"
)

# Row triggers on contact_search: a document's starts come and go with it (a contact's
# deletion removes its document, by its foreign key, and so its starts).
TRIGGERS = (
    """CREATE FUNCTION contact_word_start_insert() RETURNS trigger LANGUAGE plpgsql AS $body$
    BEGIN
        INSERT INTO contact_word_start (start, contact_id, words)
            SELECT start, NEW.contact_id, words FROM relapp_word_starts(NEW.document);
        RETURN NULL;
    END $body$""",
    "CREATE TRIGGER contact_word_start_insert AFTER INSERT ON contact_search"
    " FOR EACH ROW EXECUTE FUNCTION contact_word_start_insert()",
    """CREATE FUNCTION contact_word_start_update() RETURNS trigger LANGUAGE plpgsql AS $body$
    BEGIN
        DELETE FROM contact_word_start WHERE contact_id = OLD.contact_id
            AND (start, words) IN (SELECT * FROM relapp_word_starts(OLD.document)
                                   EXCEPT SELECT * FROM relapp_word_starts(NEW.document));
        INSERT INTO contact_word_start (start, contact_id, words)
            SELECT start, NEW.contact_id, words FROM (
                SELECT * FROM relapp_word_starts(NEW.document)
                EXCEPT SELECT * FROM relapp_word_starts(OLD.document)) AS added;
        RETURN NULL;
    END $body$""",
    "CREATE TRIGGER contact_word_start_update AFTER UPDATE OF document ON contact_search"
    " FOR EACH ROW WHEN (OLD.document IS DISTINCT FROM NEW.document)"
    " EXECUTE FUNCTION contact_word_start_update()",
    """CREATE FUNCTION contact_word_start_delete() RETURNS trigger LANGUAGE plpgsql AS $body$
    BEGIN
        DELETE FROM contact_word_start WHERE contact_id = OLD.contact_id
            AND start IN (SELECT start FROM relapp_word_starts(OLD.document));
        RETURN NULL;
    END $body$""",
    "CREATE TRIGGER contact_word_start_delete AFTER DELETE ON contact_search"
    " FOR EACH ROW EXECUTE FUNCTION contact_word_start_delete()",
)

# Every document's starts at once, the key made after them (one sort instead of a key grown
# row by row); server migrate does the same after its copy.
FILL = (
    f"INSERT INTO {TABLE} (start, contact_id, words)"
    " SELECT w.start, s.contact_id, w.words FROM contact_search s,"
    " LATERAL relapp_word_starts(s.document) AS w"
)


def server_upgrade(db: Database) -> None:
    db.execute_sql(FUNCTION)
    db.execute_sql(TABLE_STATEMENT)
    db.execute_sql(FILL)
    db.execute_sql(KEY)
    for statement in TRIGGERS:
        db.execute_sql(statement)
