"""Backing up, restoring and checking a shop server: what `relapp backup`, `relapp restore` and
`relapp check` do when --db is a postgresql:// URL. No argparse and no printing here: the
command line shows what these functions return.

A backup is PostgreSQL's own: pg_dump --format=custom (one consistent snapshot; the tills keep
working meanwhile) writes NAME.part, which pg_restore --list must then read back, and only
then is it flushed and renamed. A failed, cancelled or killed pg_dump leaves at worst a
NAME.part, which never looks like a backup and which the next backup into that folder deletes.
Without an explicit file, backups go into `server-backups` in the user data folder, named
DATABASE-YYYYMMDD-HHMMSS.dump (UTC), and the folder keeps the newest few of each database
(the shop's backup_keep setting, else DEFAULT_KEEP); only files with that pattern are pruned.

A restore reads the backup before it touches the server: pg_restore must be able to list it,
it must hold Relapp's relapp_schema table, and its schema version (read from the dump's own
data) must be one this Relapp knows. The server as it is then gets a safety backup
(DATABASE.before-restore-STAMP.dump beside the backups, never pruned), and pg_restore --clean
--single-transaction --exit-on-error replaces the content: a failure changes nothing. An
older backup is brought up to date the next time Relapp opens the server.

The URL's password never reaches a command line (anyone on the PC may read another process's
arguments): pg_dump and pg_restore get the URL without it and the password in their own
environment (PGPASSWORD). Every message names the server as redact() writes it.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

import psycopg
from peewee import PeeweeException

from relapp.db.backups.check import (
    CheckReport,
    gift_card_problems,
    ledger_problems,
    listening_problems,
    partner_problems,
)
from relapp.db.backups.files import (
    DEFAULT_KEEP,
    MAX_PROBLEMS,
    PART_SUFFIX,
    STAMP,
    BackupCancelled,
    BackupFailed,
    connect_read_only,
    create_locked,
    free_name,
    fsync_file,
    fsync_folder,
    remove_leftover_part,
    require_relapp,
    unchanged_since,
    unlink_part,
)
from relapp.db.backups.folder import BackupFile, backups_matching, prune_matching
from relapp.db.live_files import refuse_database_files
from relapp.db.location import user_data_dir
from relapp.db.migrations import LATEST_VERSION
from relapp.db.server.connection import (
    CONNECT_TIMEOUT_SECONDS,
    ServerDatabase,
    server_schema_version,
    server_tables,
    unavailable,
)
from relapp.db.server.urls import redact
from relapp.errors import (
    DatabaseBusy,
    DatabaseTooNew,
    DatabaseUnavailable,
    NotARelappDatabase,
    RelappError,
)

SERVER_BACKUP_FOLDER_NAME = "server-backups"
DUMP_SUFFIX = ".dump"
CLIENT_PACKAGE = "postgresql-client"
# Where PostgreSQL's client programs live besides PATH, one folder per major version.
PROGRAM_FOLDERS = (
    ("C:/Program Files/PostgreSQL/*/bin",)
    if sys.platform == "win32"
    else ("/usr/lib/postgresql/*/bin", "/usr/local/pgsql/bin", "/opt/homebrew/opt/libpq/bin")
)
# How often a running pg_dump's progress (bytes written) is reported.
POLL_SECONDS = 0.2
# A restore first takes every table's lock for a moment; longer than this means the shop is in
# use (another program's open transaction) and the restore does not start.
LOCK_WAIT = "5s"

# progress(bytes written so far); returning False cancels (BackupCancelled is raised).
ServerProgress = Callable[[int], object]


class ServerToolMissing(RelappError):
    """PostgreSQL's client programs (pg_dump, pg_restore) are missing or too old here."""


@dataclass(frozen=True)
class ServerBackupResult:
    path: Path
    bytes: int
    seconds: float
    pruned: tuple[Path, ...] = ()


@dataclass(frozen=True)
class ServerBackupInfo:
    """What a file offered for restore is: a dump pg_restore reads, of a Relapp shop, at
    schema_version."""

    path: Path
    schema_version: int
    bytes: int
    modified_ns: int = 0  # the file's modification time when it was inspected

    def still_as_checked(self) -> bool:
        return unchanged_since(self.path, self.bytes, self.modified_ns)


@dataclass(frozen=True)
class ServerRestoreResult:
    safety_backup: Path | None  # None when the database held no shop to keep
    schema_version: int
    seconds: float


# --- PostgreSQL's client programs -------------------------------------------------------------


def find_program(name: str) -> str | None:
    """The newest installed PostgreSQL client program called name (pg_dump, pg_restore), from
    PATH or the per-version folders (Debian's /usr/lib/postgresql/NN/bin); None if none is."""
    candidates: set[str] = set()
    on_path = shutil.which(name)
    if on_path:
        candidates.add(on_path)
    executable = name + (".exe" if sys.platform == "win32" else "")
    for pattern in PROGRAM_FOLDERS:
        candidates.update(
            found
            for found in glob.glob(os.path.join(pattern, executable))
            if os.access(found, os.X_OK)
        )
    if not candidates:
        return None
    return max(candidates, key=lambda path: (program_version(path) or (0,), path))


def program_version(program: str) -> tuple[int, ...] | None:
    """(major, minor) of a PostgreSQL program, from `program --version`; None if unknown."""
    try:
        answer = subprocess.run(
            [program, "--version"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?", answer.stdout)
    if not match:
        return None
    return tuple(int(part) for part in match.groups() if part is not None)


def _require(name: str) -> str:
    program = find_program(name)
    if program is None:
        raise ServerToolMissing(
            f"{name} is not installed, and Relapp needs it to back up or restore a shop server:"
            f" install PostgreSQL's client programs (the Debian package `{CLIENT_PACKAGE}`,"
            " of the server's version or newer)."
        )
    return program


def _client_call(url: str) -> tuple[str, dict[str, str]]:
    """url without its password, and the environment that hands the password to pg_dump or
    pg_restore instead; messages in English (they are parsed and shown as they are)."""
    environment = _english_environment()
    environment.setdefault("PGCONNECT_TIMEOUT", str(CONNECT_TIMEOUT_SECONDS))
    parts = urlsplit(url)
    password: str | None = None
    user_info, at, hosts = parts.netloc.rpartition("@")
    if at and ":" in user_info:
        user, _colon, secret = user_info.partition(":")
        password = unquote(secret)
        parts = parts._replace(netloc=f"{user}@{hosts}")
    kept = []
    for item in parts.query.split("&") if parts.query else []:
        key, _equals, value = item.partition("=")
        if unquote(key) == "password":
            password = unquote(value)
        else:
            kept.append(item)
    parts = parts._replace(query="&".join(kept))
    if password is not None:
        environment["PGPASSWORD"] = password
    return urlunsplit(parts), environment


def _error_text(stderr: str, url: str, program: str) -> str:
    """The first error pg_dump or pg_restore wrote, without the program's prefix, the server
    named as redact() writes it."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if "error:" in line] or lines or ["no reason given"]
    text = errors[0]
    for prefix in (f"{program}: error: ", f"{program}: "):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    address, _environment = _client_call(url)
    return text.replace(url, redact(url)).replace(address, redact(url)).rstrip(".")


# --- the server ----------------------------------------------------------------------------


@contextmanager
def _server(url: str) -> Iterator[ServerDatabase]:
    """A connection of our own to the shop server (the models stay bound as they were); a
    server that cannot be used is one sentence (relapp.db.server.connection.unavailable)."""
    db = ServerDatabase(url)
    try:
        db.connect()
        yield db
    except (psycopg.Error, PeeweeException) as error:
        # peewee wraps the sentence ServerDatabase already made (connecting) in its own error.
        said = error.__context__
        if isinstance(said, RelappError):
            raise said from None
        raise unavailable(url, error) from error
    finally:
        with contextlib.suppress(psycopg.Error, PeeweeException):
            db.close()


def _major_version(db: ServerDatabase) -> int:
    number = int(db.execute_sql("SHOW server_version_num").fetchone()[0])
    return number // 10000 if number >= 100000 else number // 100


def _database_name(db: ServerDatabase) -> str:
    return str(db.execute_sql("SELECT current_database()").fetchone()[0])


def _stored_keep(db: ServerDatabase) -> int:
    """The shop's backup_keep setting, else DEFAULT_KEEP."""
    row = db.execute_sql("SELECT value FROM setting WHERE key = 'backup_keep'").fetchone()
    try:
        return max(1, int(row[0])) if row else DEFAULT_KEEP
    except ValueError:
        return DEFAULT_KEEP


def _require_shop(db: ServerDatabase, url: str, what: str) -> int:
    version = server_schema_version(db)  # another program's tables: refused there
    if version is None:
        raise NotARelappDatabase(f"{redact(url)} has no Relapp shop in it yet; nothing to {what}.")
    return version


# --- backups -------------------------------------------------------------------------------


def server_backup_folder() -> Path:
    """Where a shop server's backups go by default: `server-backups` in the user data folder
    (a server has no folder of its own beside which to keep them)."""
    return user_data_dir() / SERVER_BACKUP_FOLDER_NAME


def backup_stem(database_name: str) -> str:
    """The database's name, fit for a file name on any system."""
    stem = re.sub(r"[^\w.-]", "_", database_name).lstrip(".")
    return stem or "shop"


def _pattern(stem: str) -> re.Pattern[str]:
    return re.compile(
        rf"^{re.escape(stem)}-(?P<stamp>\d{{8}}-\d{{6}})(?:-(?P<n>\d+))?{re.escape(DUMP_SUFFIX)}$"
    )


def _made_folder(folder: Path | str | None, outcome: str) -> Path:
    """The backup folder (default: server_backup_folder()), created if missing; a folder that
    cannot be made is one sentence ending with outcome."""
    folder = Path(folder) if folder is not None else server_backup_folder()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DatabaseUnavailable(
            f"Cannot create the backup folder {folder}: {error}{outcome}."
        ) from error
    return folder


def list_server_backups(folder: Path | str, stem: str) -> list[BackupFile]:
    """The automatic backups of the database called stem in folder, newest first."""
    return backups_matching(folder, _pattern(stem))


def prune_server_backups(folder: Path | str, keep: int, stem: str) -> list[Path]:
    """Delete all but the newest `keep` automatic backups of stem; nothing else is touched."""
    return prune_matching(folder, keep, _pattern(stem))


def _remove_leftover_parts(folder: Path, stem: str) -> None:
    pattern = re.compile(_pattern(stem).pattern.rstrip("$") + re.escape(PART_SUFFIX) + "$")
    for entry in list(folder.iterdir()):
        if pattern.match(entry.name):
            remove_leftover_part(entry)  # one being written (locked) is left alone


def backup_server(
    url: str,
    out: Path | str | None = None,
    progress: ServerProgress | None = None,
    *,
    folder: Path | str | None = None,
    keep: int | None = None,
    now: datetime | None = None,
) -> ServerBackupResult:
    """Back up the shop server at url with pg_dump; see the module's docstring.

    out: write exactly this file (replaced only once the new backup reads back); nothing is
    pruned. Otherwise the backup goes into folder (default: server_backup_folder()), which
    keeps the newest `keep` (default: the shop's backup_keep setting, else DEFAULT_KEEP).
    """
    started = time.perf_counter()
    pg_dump = _require("pg_dump")
    with _server(url) as db:
        _require_shop(db, url, "back up")
        server_major = _major_version(db)
        stem = backup_stem(_database_name(db))
        keep = keep if keep is not None else _stored_keep(db)
    client = program_version(pg_dump)
    if client is not None and client[0] < server_major:
        raise ServerToolMissing(_too_old("pg_dump", client, server_major))
    if out is not None:
        target = refuse_database_files(out)
        if target.is_dir():
            raise DatabaseUnavailable(f"{target} is a folder; name the backup file.")
        if target.is_file() and _is_shop_file(target):
            # Perhaps the shop file a till still uses: a server's backup never replaces one.
            raise DatabaseUnavailable(f"{target} is a shop file; choose another file.")
        if not target.parent.is_dir():
            raise DatabaseUnavailable(f"Cannot write {target}: its folder does not exist.")
        remove_leftover_part(target.with_name(target.name + PART_SUFFIX))
    else:
        folder = _made_folder(folder, "")
        _remove_leftover_parts(folder, stem)
        moment = (now or datetime.now(UTC)).astimezone(UTC)
        target = free_name(folder, f"{stem}-{moment.strftime(STAMP)}{DUMP_SUFFIX}")
    _dump(pg_dump, url, target, progress)
    pruned = prune_server_backups(target.parent, keep, stem) if out is None else []
    return ServerBackupResult(
        path=target,
        bytes=target.stat().st_size,
        seconds=time.perf_counter() - started,
        pruned=tuple(pruned),
    )


def _too_old(program: str, client: tuple[int, ...], server_major: int) -> str:
    return (
        f"This {program} ({'.'.join(map(str, client))}) is older than the shop server"
        f" (PostgreSQL {server_major}) and cannot work with it: install the client programs"
        f" of version {server_major} or newer (the Debian package"
        f" `{CLIENT_PACKAGE}-{server_major}`)."
    )


def _dump(pg_dump: str, url: str, target: Path, progress: ServerProgress | None) -> None:
    """pg_dump into target.part; read it back, flush it, rename it to target."""
    part = target.with_name(target.name + PART_SUFFIX)
    lock = create_locked(part)  # locked while written: another backup never deletes it
    process: subprocess.Popen[str] | None = None
    try:
        address, environment = _client_call(url)
        process = subprocess.Popen(
            [pg_dump, "--format=custom", "--no-password", f"--file={part}", f"--dbname={address}"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=environment,
        )
        while True:
            try:
                _output, errors = process.communicate(timeout=POLL_SECONDS)
                break
            except subprocess.TimeoutExpired:
                if progress is not None and progress(_size(part)) is False:
                    raise BackupCancelled("The backup was cancelled.") from None
        if process.returncode != 0:
            raise _dump_failed(pg_dump, url, errors)
        _read_back(pg_dump, part, url)
        if progress is not None:
            progress(_size(part))
        fsync_file(part)
        # part was made here and target refused if it is the open database's (live_files).
        part.replace(target)
        fsync_folder(target.parent)
    except BaseException:
        if process is not None and process.poll() is None:
            process.kill()
            process.communicate()
        unlink_part(part)
        raise
    finally:
        lock.close()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _dump_failed(pg_dump: str, url: str, errors: str) -> RelappError:
    mismatch = re.search(r"server version: (\d+)", errors)
    if "server version mismatch" in errors and mismatch:
        client = program_version(pg_dump) or (0,)
        return ServerToolMissing(_too_old("pg_dump", client, int(mismatch[1])))
    reason = _error_text(errors, url, "pg_dump")
    return BackupFailed(f"pg_dump could not back up {redact(url)} ({reason}); no backup was kept.")


def _read_back(pg_dump: str, part: Path, url: str) -> None:
    """The new backup's table of contents must read, and name relapp_schema; read by the
    pg_restore beside pg_dump (an older one cannot read a newer pg_dump's files)."""
    sibling = Path(pg_dump).with_name(Path(pg_dump).name.replace("pg_dump", "pg_restore"))
    pg_restore = str(sibling) if sibling.is_file() else find_program("pg_restore")
    if pg_restore is None:
        return  # pg_dump without pg_restore: not a Debian install; pg_dump said it succeeded
    listing = _run(pg_restore, "--list", str(part.absolute()))
    if listing.returncode != 0 or not _holds_relapp_schema(listing.stdout):
        reason = _error_text(listing.stderr, url, "pg_restore") if listing.stderr else ""
        raise BackupFailed(
            f"The backup of {redact(url)} did not read back"
            f"{f' ({reason})' if reason else ''}; it was not kept."
        )


def _english_environment() -> dict[str, str]:
    """This process's environment, with PostgreSQL's programs writing their messages in
    English: some are recognised here by their words."""
    environment = dict(os.environ)
    environment.pop("LC_ALL", None)
    environment["LC_MESSAGES"] = "C"
    return environment


def _run(program: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    environment = _english_environment()
    return subprocess.run(
        [program, *arguments],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )


# --- restore -------------------------------------------------------------------------------

_SCHEMA_TABLE_DATA = re.compile(r"^\d+;\s+\d+\s+\d+\s+TABLE DATA \S+ relapp_schema\b", re.MULTILINE)
_SCHEMA_COPY = re.compile(r"^COPY \S*relapp_schema \((?P<columns>[^)]*)\) FROM stdin;$")


def _holds_relapp_schema(listing: str) -> bool:
    return bool(_SCHEMA_TABLE_DATA.search(listing))


def inspect_server_backup(backup_file: Path | str) -> ServerBackupInfo:
    """Refuse what must not be restored onto a shop server: a file pg_restore cannot read
    (not a backup, a shop file), another program's dump, a newer schema. Reads only."""
    path = Path(backup_file).expanduser()
    if not path.is_file():
        raise DatabaseUnavailable(f"{path} does not exist or is not a file; nothing was restored.")
    pg_restore = _require("pg_restore")
    listing = _run(pg_restore, "--list", str(path.absolute()))
    if listing.returncode != 0:
        if "unsupported version" in listing.stderr:
            client = program_version(pg_restore) or (0,)
            raise ServerToolMissing(
                f"{path} was written by a newer pg_dump than this pg_restore"
                f" ({'.'.join(map(str, client))}) can read: install a newer"
                f" {CLIENT_PACKAGE}; nothing was restored."
            )
        if _is_shop_file(path):
            raise NotARelappDatabase(
                f"{path} is a shop file, not a shop server's backup (`relapp server migrate`"
                " puts a shop file on a server); nothing was restored."
            )
        raise NotARelappDatabase(
            f"{path} is not a Relapp server backup (pg_restore cannot read it); nothing was"
            " restored."
        )
    if not _holds_relapp_schema(listing.stdout):
        raise NotARelappDatabase(
            f"{path} is a backup of another program's database, not of a Relapp shop; nothing"
            " was restored."
        )
    version = _dumped_schema_version(pg_restore, path)
    if version > LATEST_VERSION:
        raise DatabaseTooNew(
            f"{path} was written by a newer Relapp (schema {version}; this version knows up to"
            f" {LATEST_VERSION}); nothing was restored."
        )
    stat = path.stat()
    return ServerBackupInfo(path, version, stat.st_size, stat.st_mtime_ns)


def _is_shop_file(path: Path) -> bool:
    """Whether path is a Relapp shop file (SQLite), read through SQLite only."""
    try:
        with closing(connect_read_only(path)) as db:
            require_relapp(db, path)
    except (RelappError, sqlite3.Error):
        return False
    return True


def _dumped_schema_version(pg_restore: str, path: Path) -> int:
    """relapp_schema.version as the dump holds it: its one row, as pg_restore writes it out."""
    data = _run(
        pg_restore, "--data-only", "--table=relapp_schema", "--file=-", str(path.absolute())
    )
    lines = data.stdout.splitlines()
    for number, line in enumerate(lines):
        match = _SCHEMA_COPY.match(line)
        if match is None or number + 1 >= len(lines):
            continue
        columns = [column.strip().strip('"') for column in match["columns"].split(",")]
        values = lines[number + 1].split("\t")
        with contextlib.suppress(ValueError, IndexError):
            return int(values[columns.index("version")])
    raise NotARelappDatabase(
        f"{path} holds no Relapp schema version (a damaged or partial backup); nothing was"
        " restored."
    )


def restore_server(
    url: str,
    backup_file: Path | str,
    *,
    inspected: ServerBackupInfo | None = None,
    folder: Path | str | None = None,
) -> ServerRestoreResult:
    """Replace the shop server's content with the backup's, after a safety backup of the
    current one (into folder, default server_backup_folder()).

    pg_restore runs in one transaction and stops at the first error: a failure leaves the
    server as it was. DatabaseBusy if another program holds the shop's tables (an open
    transaction) for more than LOCK_WAIT. inspected: what inspect_server_backup said of
    backup_file; it is inspected again only if the file changed since.
    """
    started = time.perf_counter()
    backup_file = Path(backup_file).expanduser()
    info = inspected
    if info is None or info.path != backup_file or not info.still_as_checked():
        info = inspect_server_backup(backup_file)
    pg_restore = _require("pg_restore")
    with _server(url) as db:
        current = server_schema_version(db)  # another program's tables: refused there
        stem = backup_stem(_database_name(db))
        server_major = _major_version(db)
        _probe_not_in_use(db, url)
    client = program_version(pg_restore)
    if client is not None and client[0] < server_major:
        raise ServerToolMissing(_too_old("pg_restore", client, server_major))
    safety: Path | None = None
    if current is not None:
        folder = _made_folder(folder, "; nothing was restored")
        stamp = datetime.now(UTC).strftime(STAMP)
        try:
            safety = backup_server(
                url, free_name(folder, f"{stem}.before-restore-{stamp}{DUMP_SUFFIX}")
            ).path
        except BackupFailed as error:
            raise BackupFailed(
                f"Could not keep a backup of {redact(url)} before restoring, so nothing was"
                f" restored: {error}"
            ) from error
    address, environment = _client_call(url)
    restored = subprocess.run(
        [
            pg_restore, "--clean", "--if-exists", "--single-transaction", "--no-owner",
            "--exit-on-error", "--no-password", f"--dbname={address}",
            str(info.path.absolute()),
        ],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )  # fmt: skip
    if restored.returncode != 0:
        kept = f" (the safety backup {safety} was kept)" if safety else ""
        raise BackupFailed(
            f"Restoring {redact(url)} from {info.path} failed, so nothing was changed{kept}:"
            f" {_error_text(restored.stderr, url, 'pg_restore')}."
        )
    with _server(url) as db:
        version = _require_shop(db, url, "restore")
    return ServerRestoreResult(safety, version, time.perf_counter() - started)


def _probe_not_in_use(db: ServerDatabase, url: str) -> None:
    """Take every table's lock for a moment: 'in use' now, rather than a restore that waits
    (and makes every till wait behind it) for another program's open transaction."""
    tables = server_tables(db)
    if not tables:
        return
    names = ", ".join('"' + name.replace('"', '""') + '"' for name in tables)
    try:
        with db.atomic():
            db.execute_sql(f"SET LOCAL lock_timeout = '{LOCK_WAIT}'")
            db.execute_sql(f"LOCK TABLE {names} IN ACCESS EXCLUSIVE MODE")
    except (PeeweeException, psycopg.Error) as error:
        # peewee raises its own OperationalError while handling psycopg's.
        causes = (error, error.__cause__, error.__context__)
        if any(isinstance(cause, psycopg.errors.LockNotAvailable) for cause in causes):
            raise DatabaseBusy(
                f"The shop server {redact(url)} is in use: another program holds its tables."
                " Close Relapp on the other tills and try again; nothing was restored."
            ) from error
        raise


# --- check ---------------------------------------------------------------------------------


def check_server(url: str, *, running_balances: bool = True) -> CheckReport:
    """The shop server's check: disabled triggers (the ledger's rules, foreign keys), the
    loyalty ledger and the gift cards' ledger, the same checks as a shop file's
    (relapp.db.backups.check.ledger_problems, gift_card_problems), in one read-only snapshot.
    See CheckReport for what PostgreSQL guarantees instead of SQLite's integrity_check. At
    most MAX_PROBLEMS lines."""
    started = time.perf_counter()
    report = CheckReport()
    with _server(url) as db:
        _require_shop(db, url, "check")
        with db.atomic():
            db.execute_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            report.problems += _disabled_triggers(db)
            report.problems += ledger_problems(
                lambda sql: db.execute_sql(sql).fetchall(), running_balances
            )
            report.contacts = int(db.execute_sql("SELECT count(*) FROM contact").fetchone()[0])
            report.ledger_entries = int(
                db.execute_sql("SELECT count(*) FROM points_entry").fetchone()[0]
            )
            if "gift_card" in server_tables(db):  # schema 18 on
                report.problems += gift_card_problems(
                    lambda sql: db.execute_sql(sql).fetchall(), running_balances
                )
                report.gift_cards = int(
                    db.execute_sql("SELECT count(*) FROM gift_card").fetchone()[0]
                )
            if "partner" in server_tables(db):  # schema 20 on
                report.problems += partner_problems(lambda sql: db.execute_sql(sql).fetchall())
            if "survey" in server_tables(db):  # schema 21 on
                report.problems += listening_problems(lambda sql: db.execute_sql(sql).fetchall())
    del report.problems[MAX_PROBLEMS:]
    report.seconds = time.perf_counter() - started
    return report


def _disabled_triggers(db: ServerDatabase) -> list[str]:
    """Triggers that do not fire in a normal session: D (disabled) or R (replica only), one
    line per table. The shop's own keep the ledger, the search and the history's summaries;
    PostgreSQL's internal ones enforce the foreign keys."""
    rows = db.execute_sql(
        "SELECT c.relname, t.tgname, t.tgisinternal FROM pg_trigger AS t"
        " JOIN pg_class AS c ON c.oid = t.tgrelid"
        " JOIN pg_namespace AS n ON n.oid = c.relnamespace"
        " WHERE n.nspname = current_schema() AND t.tgenabled IN ('D', 'R')"
        " ORDER BY c.relname, t.tgname"
    ).fetchall()
    ours: dict[str, list[str]] = {}
    foreign_keys: set[str] = set()
    for table, name, internal in rows:
        if internal:
            foreign_keys.add(table)
        else:
            ours.setdefault(table, []).append(name)
    problems = []
    for table, names in sorted(ours.items()):
        which = names[0] if len(names) == 1 else "USER"
        verb = "is" if len(names) == 1 else "are"
        problems.append(
            f"triggers: {', '.join(names)} on {table} {verb} disabled, so the rules they keep"
            f" are not enforced (ALTER TABLE {table} ENABLE TRIGGER {which})"
        )
    for table in sorted(foreign_keys):
        problems.append(
            f"foreign keys: the checks on {table} are disabled"
            f" (ALTER TABLE {table} ENABLE TRIGGER ALL)"
        )
    return problems
