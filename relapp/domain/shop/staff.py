"""Staff accounts, their PINs and what each role may do.

A PIN is stored only as a slow, salted scrypt hash. Two roles: a counter can sell, redeem and
log; a manager can also adjust points, change program settings, edit or delete entries, export,
erase and manage staff. Every change to an account is written to the audit log, and the shop is
never left without an active manager.

Wrong PINs are counted in memory (see _FailedPins): after MAX_WRONG_PINS wrong tries for one
account within WRONG_PIN_WINDOW, that account refuses further tries for LOCKOUT. The count lives
in this process only: restarting Relapp, or trying at another counter, starts afresh. That is
enough to make guessing at the till slow; the scrypt cost is what protects a stolen file.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from peewee import IntegrityError

from relapp.db.audit import write_audit
from relapp.db.busy import lock_first
from relapp.db.store import shops as shop_store
from relapp.db.store import staff as staff_store
from relapp.db.store.staff import StaffRow
from relapp.domain.changes import Change, Entity
from relapp.domain.clock import utc_now
from relapp.domain.terms import STAFF_ROLES
from relapp.errors import RelappError

# scrypt cost: about 50 ms per check on a counter PC, which makes guessing a 4-6 digit PIN
# from a stolen file slow while a cashier barely notices.
_SCRYPT_N = 2**14
_SCRYPT_R = 8
_SCRYPT_P = 1

MANAGER, COUNTER = "manager", "counter"
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    COUNTER: frozenset({"sell", "redeem", "log"}),
    MANAGER: frozenset(
        {
            "sell",
            "redeem",
            "log",
            "adjust_points",
            "program_settings",
            "edit_entries",
            "delete_entries",
            "export",
            "erase",
            "manage_staff",
            # The audit log keeps old values of edited contacts (emails, phones).
            "view_audit",
        }
    ),
}
ALL_PERMISSIONS = frozenset().union(*ROLE_PERMISSIONS.values())
MAX_STAFF_NAME = 60
MIN_PIN_DIGITS, MAX_PIN_DIGITS = 4, 12
MAX_WRONG_PINS = 5
WRONG_PIN_WINDOW = 5 * 60.0  # seconds
LOCKOUT = 60.0  # seconds

# Audit actions written here.
STAFF_ADDED = "staff added"
OWNER_CREATED = "owner account created"
PIN_CHANGED = "staff PIN changed"
STAFF_DEACTIVATED = "staff deactivated"
STAFF_REACTIVATED = "staff reactivated"
ROLE_CHANGED = "staff role changed"
SIGNED_IN = "staff signed in"
PIN_LOCKED = "staff PIN locked"


class WrongPin(RelappError):
    """The PIN does not match, or the account is refusing tries for a while."""


class PinLocked(WrongPin):
    """Too many wrong PINs lately; seconds_left says when the account takes tries again."""

    def __init__(self, message: str, seconds_left: int) -> None:
        super().__init__(message)
        self.seconds_left = seconds_left


class NotAllowed(RelappError):
    """This staff member (or nobody signed in) may not do this."""


class InvalidStaff(RelappError):
    """A name, role or PIN for an account cannot be used as given."""


@dataclass(frozen=True)
class StaffMember:
    id: int
    name: str
    role: str
    active: bool

    @property
    def is_manager(self) -> bool:
        return self.role == MANAGER

    @property
    def label(self) -> str:
        """As the toolbar shows who is signed in: "Sam (counter)"."""
        return f"{self.name} ({self.role})"


# ----------------------------------------------------------------------------------- PINs


def hash_pin(pin: str) -> str:
    if not pin.isdigit() or not 4 <= len(pin) <= 12:
        raise ValueError("a PIN is 4 to 12 digits")
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P)
    encoded_salt = base64.b64encode(salt).decode()
    encoded_digest = base64.b64encode(digest).decode()
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${encoded_salt}${encoded_digest}"


def verify_pin(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(
        pin.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p)
    )
    return hmac.compare_digest(candidate, base64.b64decode(digest))


def check_new_pin(pin: str) -> None:
    """Raise InvalidStaff with a sentence unless pin can be a PIN (4 to 12 digits)."""
    if not (pin.isascii() and pin.isdigit()) or not MIN_PIN_DIGITS <= len(pin) <= MAX_PIN_DIGITS:
        raise InvalidStaff(
            f"A PIN is {MIN_PIN_DIGITS} to {MAX_PIN_DIGITS} digits, with nothing else in it."
        )


class _FailedPins:
    """Recent wrong PINs per account, and accounts refusing tries until a moment.

    Module-level and in memory on purpose: it slows guessing at this till without writing to
    the shared database on every wrong key press. Times come from clock() (monotonic), which
    tests replace.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._wrong: dict[int, list[float]] = {}
        self._locked_until: dict[int, float] = {}

    def seconds_locked(self, staff_id: int) -> float:
        with self._lock:
            left = self._locked_until.get(staff_id, 0.0) - self.clock()
            if left <= 0:
                self._locked_until.pop(staff_id, None)
                return 0.0
            return left

    def record_wrong(self, staff_id: int) -> bool:
        """Count one wrong PIN; True if that one locked the account."""
        with self._lock:
            now = self.clock()
            recent = [t for t in self._wrong.get(staff_id, []) if now - t < WRONG_PIN_WINDOW]
            recent.append(now)
            if len(recent) >= MAX_WRONG_PINS:
                self._wrong.pop(staff_id, None)
                self._locked_until[staff_id] = now + LOCKOUT
                return True
            self._wrong[staff_id] = recent
            return False

    def forget(self, staff_id: int) -> None:
        with self._lock:
            self._wrong.pop(staff_id, None)
            self._locked_until.pop(staff_id, None)

    def forget_all(self) -> None:
        with self._lock:
            self._wrong.clear()
            self._locked_until.clear()


failed_pins = _FailedPins()


# ------------------------------------------------------------------------------ permissions


def can(staff: StaffMember | None, permission: str) -> bool:
    """Whether this signed-in staff member (None: nobody) may do this.

    Raises:
        ValueError: permission is not in ROLE_PERMISSIONS (a typo in the caller).
    """
    if permission not in ALL_PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")
    return staff is not None and staff.active and permission in ROLE_PERMISSIONS[staff.role]


def require_manager(staff_id: int | None, action: str = "do this") -> StaffMember:
    """The active manager with this id; otherwise NotAllowed ("Only a manager can <action>.").

    For domain code that takes the acting staff member's id, e.g.
    require_manager(staff_id, "adjust points").
    """
    member = get_staff(staff_id) if staff_id is not None else None
    if member is None or not member.active or not member.is_manager:
        raise NotAllowed(f"Only a manager can {action}.")
    return member


def require_permission(staff_id: int | None, permission: str, action: str) -> StaffMember:
    """The active staff member with this id if their role allows permission; else NotAllowed."""
    member = get_staff(staff_id) if staff_id is not None else None
    if not can(member, permission):
        if member is None or not member.active:
            raise NotAllowed(f"Sign in to {action}.")
        raise NotAllowed(f"Only a manager can {action}.")
    assert member is not None
    return member


# ---------------------------------------------------------------------------------- reading


def _member(row: StaffRow) -> StaffMember:
    return StaffMember(id=row.id, name=row.name, role=row.role, active=row.active)


def get_staff(staff_id: int) -> StaffMember | None:
    row = staff_store.staff_row(staff_id)
    return None if row is None else _member(row)


def list_staff(include_inactive: bool = False) -> list[StaffMember]:
    """Staff by name (case-insensitive); only active accounts unless include_inactive."""
    return [_member(row) for row in staff_store.staff_rows(include_inactive)]


def has_staff() -> bool:
    """Whether any account exists; an empty shop first needs ensure_owner()."""
    return staff_store.any_staff()


# ---------------------------------------------------------------------------------- sign-in


def authenticate(staff_id: int, pin: str) -> StaffMember:
    """The staff member, if pin is theirs and the account is active. The sign-in is audited.

    Raises:
        PinLocked: too many wrong PINs lately; nothing was checked (a WrongPin).
        WrongPin: the PIN is not this account's.
        NotAllowed: no such account, or it is deactivated.
    """
    locked = failed_pins.seconds_locked(staff_id)
    if locked:
        raise _locked_error(int(locked + 0.999))
    row = staff_store.staff_row(staff_id)
    if row is None:
        raise NotAllowed("This staff account no longer exists.")
    if not row.active:
        raise NotAllowed(f"{row.name}'s account is deactivated; a manager can reactivate it.")
    works_at, here = shop_store.staff_shop(staff_id), shop_store.till_shop_id()
    if works_at is not None and here is not None and works_at[0] != here:
        raise NotAllowed(
            f"{row.name} works at {works_at[1]}; this till belongs to another shop."
            " A manager can change where they work."
        )
    if not verify_pin(pin, row.pin_hash):
        if failed_pins.record_wrong(staff_id):
            _audit(PIN_LOCKED, staff_id, None, {"name": row.name})
            raise _locked_error(int(LOCKOUT))
        raise WrongPin(f"That is not {row.name}'s PIN. Try again.")
    failed_pins.forget(staff_id)
    _audit(SIGNED_IN, staff_id, staff_id, {"name": row.name, "role": row.role})
    return _member(row)


def _locked_error(seconds: int) -> PinLocked:
    return PinLocked(
        f"Too many wrong PINs. Wait {seconds} seconds, then try again "
        "(or ask a manager to reset the PIN).",
        seconds,
    )


# ---------------------------------------------------------------------------------- changes


def ensure_owner(name: str, pin: str) -> StaffMember:
    """The shop's first account, a manager, in a shop with no staff yet (Entity.STAFF changes).

    Raises:
        InvalidStaff: the name or PIN cannot be used.
        NotAllowed: the shop already has staff; a manager adds new accounts.
    """
    clean = _clean_name(name)
    check_new_pin(pin)
    pin_hash = hash_pin(pin)  # slow: before the write lock, not under it
    with lock_first():
        if has_staff():
            raise NotAllowed("This shop already has staff accounts; a manager adds new ones.")
        owner_id = staff_store.insert_staff(clean, MANAGER, pin_hash, True, utc_now())
        _audit(OWNER_CREATED, owner_id, owner_id, {"name": clean, "role": MANAGER})
    return StaffMember(id=owner_id, name=clean, role=MANAGER, active=True)


def add_staff(name: str, role: str, pin: str, by_staff_id: int | None) -> Change:
    """A new active account. Manager only.

    Raises:
        NotAllowed: by_staff_id is not an active manager.
        InvalidStaff: the name is empty, too long or taken, the role unknown, the PIN not
            4 to 12 digits.
    """
    require_manager(by_staff_id, "add staff")
    clean = _clean_name(name)
    _check_role(role)
    check_new_pin(pin)
    pin_hash = hash_pin(pin)
    try:
        with lock_first():
            require_manager(by_staff_id, "add staff")
            new_id = staff_store.insert_staff(clean, role, pin_hash, True, utc_now())
            _audit(STAFF_ADDED, by_staff_id, new_id, {"name": clean, "role": role})
    except IntegrityError:
        raise InvalidStaff(f"There is already a staff member called {clean}.") from None
    return Change.of(Entity.STAFF)


def change_pin(staff_id: int, new_pin: str, by_staff_id: int | None) -> Change:
    """Set a new PIN: one's own, or anyone's by a manager (a reset). Unlocks the account.

    Raises:
        NotAllowed: someone else's PIN, and by_staff_id is not an active manager.
        InvalidStaff: the PIN is not 4 to 12 digits, or there is no such account.
    """
    _require_own_or_manager(staff_id, by_staff_id)
    check_new_pin(new_pin)
    pin_hash = hash_pin(new_pin)
    with lock_first():
        _require_own_or_manager(staff_id, by_staff_id)
        row = _get_row(staff_id)
        staff_store.set_pin_hash(staff_id, pin_hash)
        _audit(PIN_CHANGED, by_staff_id, staff_id, {"name": row.name})
    failed_pins.forget(staff_id)
    return Change.of(Entity.STAFF)


def _require_own_or_manager(staff_id: int, by_staff_id: int | None) -> None:
    by = get_staff(by_staff_id) if by_staff_id is not None else None
    if by is None or not by.active or (by.id != staff_id and not by.is_manager):
        raise NotAllowed("Only a manager can change another staff member's PIN.")


def set_staff_active(staff_id: int, active: bool, by_staff_id: int | None) -> Change:
    """Deactivate (no more sign-ins; history keeps the name) or reactivate. Manager only.

    Raises:
        NotAllowed: not a manager, or this would leave no active manager.
    """
    action = "deactivate staff" if not active else "reactivate staff"
    with lock_first():
        require_manager(by_staff_id, action)
        row = _get_row(staff_id)
        if row.active == active:
            return Change.of()
        if not active and row.role == MANAGER:
            _refuse_if_last_manager(row, "deactivated")
        staff_store.set_active(staff_id, active)
        _audit(
            STAFF_REACTIVATED if active else STAFF_DEACTIVATED,
            by_staff_id,
            staff_id,
            {"name": row.name, "role": row.role},
        )
    return Change.of(Entity.STAFF)


def set_role(staff_id: int, role: str, by_staff_id: int | None) -> Change:
    """Make a staff member a manager or a counter. Manager only.

    Raises:
        NotAllowed: not a manager, or this would leave no active manager.
        InvalidStaff: unknown role or account.
    """
    _check_role(role)
    with lock_first():
        require_manager(by_staff_id, "change staff roles")
        row = _get_row(staff_id)
        if row.role == role:
            return Change.of()
        if row.role == MANAGER and row.active:
            _refuse_if_last_manager(row, "made a counter")
        staff_store.set_role(staff_id, role)
        _audit(
            ROLE_CHANGED, by_staff_id, staff_id, {"name": row.name, "from": row.role, "to": role}
        )
    return Change.of(Entity.STAFF)


def _refuse_if_last_manager(row: StaffRow, what: str) -> None:
    if not staff_store.active_with_role_other_than(MANAGER, row.id):
        raise NotAllowed(
            f"{row.name} is the only active manager and cannot be {what}: "
            "make someone else a manager first."
        )


def _get_row(staff_id: int) -> StaffRow:
    row = staff_store.staff_row(staff_id)
    if row is None:
        raise InvalidStaff("This staff account no longer exists.")
    return row


def _clean_name(name: str) -> str:
    clean = " ".join(unicodedata.normalize("NFC", name).split())
    if not clean:
        raise InvalidStaff("Enter the staff member's name.")
    if len(clean) > MAX_STAFF_NAME:
        raise InvalidStaff(f"A staff name can have at most {MAX_STAFF_NAME} characters.")
    return clean


def _check_role(role: str) -> None:
    if role not in STAFF_ROLES:
        raise InvalidStaff(f"A staff member is a {' or a '.join(STAFF_ROLES)}, not {role!r}.")


def _audit(
    action: str, by_staff_id: int | None, staff_id: int | None, details: dict[str, object]
) -> None:
    write_audit(action, "staff", staff_id, details, utc_now(), by_staff_id)
