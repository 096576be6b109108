"""Staff accounts: the rows behind sign-in, the staff list and the changes a manager makes.

What a role may do, who may change whom and that the shop keeps an active manager are the
domain's rules (relapp.domain.shop.staff); these functions read and write the rows as asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from relapp.db.fields import format_timestamp
from relapp.db.models import database
from relapp.db.store.dialect import equal_nocase, nocase


@dataclass(frozen=True)
class StaffRow:
    """One staff account as stored (the PIN only as its hash)."""

    id: int
    name: str
    role: str
    active: bool
    pin_hash: str


_COLUMNS = "id, name, role, active, pin_hash"


def _row(values: tuple[int, str, str, int, str]) -> StaffRow:
    staff_id, name, role, active, pin_hash = values
    return StaffRow(id=staff_id, name=name, role=role, active=bool(active), pin_hash=pin_hash)


def staff_row(staff_id: int) -> StaffRow | None:
    """The account with this id; None if there is none."""
    row = database.execute_sql(f"SELECT {_COLUMNS} FROM staff WHERE id = ?", (staff_id,)).fetchone()
    return None if row is None else _row(row)


def staff_rows(include_inactive: bool) -> list[StaffRow]:
    """Accounts by name (ignoring case), then id; only the active ones unless include_inactive."""
    where = "" if include_inactive else " WHERE active = 1"
    rows = database.execute_sql(
        f"SELECT {_COLUMNS} FROM staff{where} ORDER BY {nocase('name')}, id"
    ).fetchall()
    return [_row(row) for row in rows]


def any_staff() -> bool:
    """Whether the staff table holds any account."""
    return database.execute_sql("SELECT 1 FROM staff LIMIT 1").fetchone() is not None


def active_with_role_other_than(role: str, staff_id: int) -> bool:
    """Whether an active account other than staff_id has this role."""
    row = database.execute_sql(
        "SELECT 1 FROM staff WHERE role = ? AND active = 1 AND id <> ? LIMIT 1",
        (role, staff_id),
    ).fetchone()
    return row is not None


def insert_staff(name: str, role: str, pin_hash: str, active: bool, created_at: datetime) -> int:
    """A new account; its id. A name already taken (ignoring case) raises peewee's
    IntegrityError (the unique index staff_name)."""
    return database.execute_sql(
        "INSERT INTO staff (name, role, pin_hash, active, created_at)"
        " VALUES (?, ?, ?, ?, ?) RETURNING id",
        (name, role, pin_hash, int(bool(active)), format_timestamp(created_at)),
    ).fetchone()[0]


def set_pin_hash(staff_id: int, pin_hash: str) -> None:
    database.execute_sql("UPDATE staff SET pin_hash = ? WHERE id = ?", (pin_hash, staff_id))


def set_active(staff_id: int, active: bool) -> None:
    database.execute_sql("UPDATE staff SET active = ? WHERE id = ?", (int(bool(active)), staff_id))


def set_role(staff_id: int, role: str) -> None:
    database.execute_sql("UPDATE staff SET role = ? WHERE id = ?", (role, staff_id))


def staff_named(name: str) -> int | None:
    """The id of the account called name (any letter case); None if there is none."""
    row = database.execute_sql(
        f"SELECT id FROM staff WHERE {equal_nocase('name')}", (name.strip(),)
    ).fetchone()
    return None if row is None else int(row[0])
