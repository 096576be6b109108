"""Staff accounts: PINs kept only as slow salted hashes, sign-in with a lockout, roles."""

from __future__ import annotations

import json

import pytest

from relapp.db.models import AuditLog, Staff
from relapp.domain.changes import Entity
from relapp.domain.clock import utc_now
from relapp.domain.shop import staff
from relapp.domain.shop.staff import (
    ROLE_PERMISSIONS,
    InvalidStaff,
    NotAllowed,
    PinLocked,
    StaffMember,
    WrongPin,
    add_staff,
    authenticate,
    can,
    change_pin,
    check_new_pin,
    ensure_owner,
    has_staff,
    hash_pin,
    list_staff,
    require_manager,
    require_permission,
    set_role,
    set_staff_active,
    verify_pin,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def fast_pins(monkeypatch):
    """A cheap scrypt cost (the real one takes about 50 ms a check) and a clock to move."""
    monkeypatch.setattr(staff, "_SCRYPT_N", 2**4)
    clock = FakeClock()
    monkeypatch.setattr(staff.failed_pins, "clock", clock)
    staff.failed_pins.forget_all()
    yield clock
    staff.failed_pins.forget_all()


def make(name: str, role: str, pin: str, active: bool = True) -> StaffMember:
    row = Staff.create(
        name=name, role=role, pin_hash=hash_pin(pin), active=active, created_at=utc_now()
    )
    return StaffMember(row.id, name, role, active)


@pytest.fixture
def shop(db):
    """Maya manages; Sam works the counter."""
    return make("Maya", "manager", "1234"), make("Sam", "counter", "0000")


def audit(action: str) -> list[AuditLog]:
    return list(AuditLog.select().where(AuditLog.action == action).order_by(AuditLog.id))


def find(name: str) -> StaffMember:
    return next(member for member in list_staff(True) if member.name == name)


# ------------------------------------------------------------------------------------- PINs


def test_a_pin_is_stored_only_as_a_salted_hash(shop):
    maya, _ = shop
    add_staff("Lee", "counter", "482193", maya.id)
    add_staff("Ana", "counter", "482193", maya.id)
    hashes = [row.pin_hash for row in Staff.select().where(Staff.name.in_(["Lee", "Ana"]))]
    assert all("482193" not in stored for stored in hashes)
    assert hashes[0] != hashes[1]  # same PIN, different salt
    assert all(verify_pin("482193", stored) for stored in hashes)
    assert not verify_pin("482194", hashes[0])
    everything_audited = " ".join(row.details for row in AuditLog.select())
    assert "482193" not in everything_audited


def test_the_real_cost_is_slow_scrypt(monkeypatch):
    monkeypatch.undo()
    assert hash_pin("1234").startswith(f"scrypt${2**14}$8$1$")


@pytest.mark.parametrize("pin", ["", "123", "1234567890123", "12a4", " 1234", "١٢٣٤", "12.4"])
def test_a_new_pin_is_4_to_12_plain_digits(pin):
    with pytest.raises(InvalidStaff, match="4 to 12 digits"):
        check_new_pin(pin)


def test_a_damaged_stored_hash_never_matches():
    assert not verify_pin("1234", "")
    assert not verify_pin("1234", "md5$abc")
    assert not verify_pin("1234", "bcrypt$1$2$3$4$5")


# ---------------------------------------------------------------------------------- sign-in


def test_the_right_pin_signs_in_and_is_audited(shop):
    _, sam = shop
    assert authenticate(sam.id, "0000") == sam
    (row,) = audit(staff.SIGNED_IN)
    assert (row.staff_id, row.entity, row.entity_id) == (sam.id, "staff", sam.id)


def test_a_wrong_pin_is_refused_with_a_sentence(shop):
    _, sam = shop
    with pytest.raises(WrongPin, match="That is not Sam's PIN") as refused:
        authenticate(sam.id, "1234")  # Maya's, not Sam's
    assert not isinstance(refused.value, PinLocked)
    assert audit(staff.SIGNED_IN) == []


def test_five_wrong_pins_lock_the_account_for_a_minute(shop, fast_pins):
    maya, sam = shop
    for _ in range(4):
        with pytest.raises(WrongPin):
            authenticate(sam.id, "9999")
    with pytest.raises(PinLocked, match="Wait 60 seconds") as locked:
        authenticate(sam.id, "9999")
    assert locked.value.seconds_left == 60
    assert len(audit(staff.PIN_LOCKED)) == 1

    fast_pins.now += 30
    with pytest.raises(PinLocked, match="Wait 30 seconds"):
        authenticate(sam.id, "0000")  # even the right PIN: nothing is checked while locked
    assert authenticate(maya.id, "1234") == maya  # other accounts are not affected

    fast_pins.now += 31
    assert authenticate(sam.id, "0000") == sam


def test_wrong_pins_spread_over_more_than_five_minutes_do_not_lock(shop, fast_pins):
    _, sam = shop
    for _ in range(4):
        with pytest.raises(WrongPin):
            authenticate(sam.id, "9999")
        fast_pins.now += 80  # the first falls out of the five-minute window by the fifth
    with pytest.raises(WrongPin) as refused:
        authenticate(sam.id, "9999")
    assert not isinstance(refused.value, PinLocked)


def test_a_right_pin_forgets_earlier_wrong_ones(shop):
    _, sam = shop
    for _ in range(4):
        with pytest.raises(WrongPin):
            authenticate(sam.id, "9999")
    authenticate(sam.id, "0000")
    for _ in range(4):
        with pytest.raises(WrongPin) as refused:
            authenticate(sam.id, "9999")
        assert not isinstance(refused.value, PinLocked)


def test_a_manager_resetting_the_pin_unlocks_the_account(shop):
    maya, sam = shop
    for _ in range(5):
        with pytest.raises(WrongPin):
            authenticate(sam.id, "9999")
    change_pin(sam.id, "2468", maya.id)
    assert authenticate(sam.id, "2468").name == "Sam"


def test_a_deactivated_account_cannot_sign_in(shop):
    maya, sam = shop
    set_staff_active(sam.id, False, maya.id)
    with pytest.raises(NotAllowed, match="deactivated"):
        authenticate(sam.id, "0000")
    with pytest.raises(NotAllowed, match="no longer exists"):
        authenticate(999, "0000")


# ------------------------------------------------------------------------------ permissions


def test_roles_and_permissions():
    maya = StaffMember(1, "Maya", "manager", True)
    sam = StaffMember(2, "Sam", "counter", True)
    assert ROLE_PERMISSIONS["counter"] == {"sell", "redeem", "log"}
    assert ROLE_PERMISSIONS["counter"] < ROLE_PERMISSIONS["manager"]
    assert can(sam, "sell") and can(sam, "redeem") and can(sam, "log")
    for permission in ("adjust_points", "program_settings", "edit_entries", "delete_entries",
                       "export", "erase", "manage_staff"):  # fmt: skip
        assert can(maya, permission) and not can(sam, permission)
    assert not can(None, "sell")
    assert not can(StaffMember(1, "Maya", "manager", False), "sell")
    with pytest.raises(ValueError, match="unknown permission"):
        can(maya, "sel")


def test_require_manager_refuses_counters_nobody_and_inactive_managers(shop):
    maya, sam = shop
    assert require_manager(maya.id, "adjust points") == maya
    for staff_id in (sam.id, None, 999):
        with pytest.raises(NotAllowed, match=r"^Only a manager can adjust points\.$"):
            require_manager(staff_id, "adjust points")
    with pytest.raises(NotAllowed, match="Sign in to export"):
        require_permission(None, "export", "export")
    with pytest.raises(NotAllowed, match="Only a manager can export"):
        require_permission(sam.id, "export", "export")
    assert require_permission(sam.id, "sell", "sell") == sam


def test_staff_changes_are_for_managers_only(shop):
    maya, sam = shop
    with pytest.raises(NotAllowed, match="Only a manager can add staff"):
        add_staff("Lee", "counter", "1111", sam.id)
    with pytest.raises(NotAllowed):
        add_staff("Lee", "counter", "1111", None)
    with pytest.raises(NotAllowed):
        set_role(sam.id, "manager", sam.id)  # not even oneself
    with pytest.raises(NotAllowed):
        set_staff_active(maya.id, False, sam.id)
    with pytest.raises(NotAllowed, match="another staff member's PIN"):
        change_pin(maya.id, "1111", sam.id)
    assert [member.name for member in list_staff()] == ["Maya", "Sam"]
    assert find("Maya").role == "manager" and find("Maya").active
    assert verify_pin("1234", Staff.get_by_id(maya.id).pin_hash)


def test_anyone_may_change_their_own_pin(shop):
    _, sam = shop
    change = change_pin(sam.id, "13579", sam.id)
    assert change.touches(Entity.STAFF)
    assert authenticate(sam.id, "13579") == sam
    (row,) = audit(staff.PIN_CHANGED)
    assert (row.staff_id, row.entity_id, json.loads(row.details)) == (
        sam.id, sam.id, {"name": "Sam"}
    )  # fmt: skip


def test_a_deactivated_manager_can_no_longer_manage(shop):
    maya, sam = shop
    lee = make("Lee", "manager", "1111")
    set_staff_active(lee.id, False, maya.id)
    with pytest.raises(NotAllowed):
        set_role(sam.id, "manager", lee.id)


# ---------------------------------------------------------------------------------- changes


def test_adding_staff_is_audited_and_names_are_unique(shop):
    maya, _ = shop
    change = add_staff("  Lee   Chen ", "counter", "1111", maya.id)
    assert change.touches(Entity.STAFF)
    lee = find("Lee Chen")
    assert (lee.role, lee.active) == ("counter", True)
    (row,) = audit(staff.STAFF_ADDED)
    assert (row.staff_id, row.entity_id) == (maya.id, lee.id)
    assert json.loads(row.details) == {"name": "Lee Chen", "role": "counter"}
    with pytest.raises(InvalidStaff, match="already a staff member called"):
        add_staff("lee chen", "manager", "2222", maya.id)
    with pytest.raises(InvalidStaff, match="Enter the staff member's name"):
        add_staff("   ", "counter", "2222", maya.id)
    with pytest.raises(InvalidStaff, match="manager or a counter"):
        add_staff("Ana", "owner", "2222", maya.id)
    with pytest.raises(InvalidStaff, match="4 to 12 digits"):
        add_staff("Ana", "counter", "22", maya.id)


def test_the_last_active_manager_cannot_be_deactivated_or_demoted(shop):
    maya, sam = shop
    with pytest.raises(NotAllowed, match="only active manager"):
        set_staff_active(maya.id, False, maya.id)
    with pytest.raises(NotAllowed, match="make someone else a manager first"):
        set_role(maya.id, "counter", maya.id)

    set_role(sam.id, "manager", maya.id)
    set_role(maya.id, "counter", maya.id)  # now allowed: Sam manages
    assert (find("Maya").role, find("Sam").role) == ("counter", "manager")
    with pytest.raises(NotAllowed, match="Sam is the only active manager"):
        set_staff_active(sam.id, False, sam.id)

    lee = make("Lee", "manager", "1111", active=False)  # an inactive manager does not count
    with pytest.raises(NotAllowed):
        set_role(sam.id, "counter", sam.id)
    set_staff_active(lee.id, True, sam.id)
    set_staff_active(sam.id, False, sam.id)  # a manager may leave once another is active
    assert [member.name for member in list_staff()] == ["Lee", "Maya"]
    assert [member.name for member in list_staff(include_inactive=True)] == ["Lee", "Maya", "Sam"]


def test_role_and_active_changes_are_audited(shop):
    maya, sam = shop
    set_role(sam.id, "manager", maya.id)
    set_staff_active(sam.id, False, maya.id)
    set_staff_active(sam.id, True, maya.id)
    assert set_staff_active(sam.id, True, maya.id).entities == frozenset()  # nothing to do
    assert set_role(sam.id, "manager", maya.id).entities == frozenset()
    (role,) = audit(staff.ROLE_CHANGED)
    assert json.loads(role.details) == {"name": "Sam", "from": "counter", "to": "manager"}
    assert [row.entity_id for row in audit(staff.STAFF_DEACTIVATED)] == [sam.id]
    assert [row.staff_id for row in audit(staff.STAFF_REACTIVATED)] == [maya.id]


# ---------------------------------------------------------------------------- empty shop


def test_an_empty_shop_gets_its_owner_as_first_manager(db):
    assert not has_staff()
    owner = ensure_owner(" Ada ", "2580")
    assert (owner.name, owner.role, owner.active) == ("Ada", "manager", True)
    assert has_staff()
    assert authenticate(owner.id, "2580") == owner
    (row,) = audit(staff.OWNER_CREATED)
    assert row.staff_id == owner.id
    with pytest.raises(NotAllowed, match="already has staff"):
        ensure_owner("Eve", "1111")
    assert [member.name for member in list_staff()] == ["Ada"]


def test_the_owner_needs_a_name_and_a_good_pin(db):
    with pytest.raises(InvalidStaff):
        ensure_owner("", "2580")
    with pytest.raises(InvalidStaff):
        ensure_owner("Ada", "25")
    assert not has_staff()
