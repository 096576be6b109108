"""`relapp partner`: partner businesses from a script or the owner's terminal.

    relapp partner list [--json]
    relapp partner show NAME|ID [--json]
    relapp partner add NAME [--contact-person P] [--phone X] [--email E] [--offers TEXT]
                            [--from YYYY-MM-DD] [--until YYYY-MM-DD] [--notes TEXT] [--json]
    relapp partner codes NAME|ID --count N --direction theirs_here|ours_there --label TEXT
                            --offer amount:5.00|percent:10|points:200|reward:NAME
                            [--days N] [--min-spend X] [--out FILE.csv] [--json]
    relapp partner refer CARD|#ID|--contact ID PARTNER

A partner is named by its name (any letter case) or its number (#3, or 3 when no partner is
called "3"). The command line runs as the shop owner, who may do what a manager may in the
window, so no staff PIN is asked (relapp.cli.privacy says why). The rules are
relapp.domain.partners'; a refusal is one sentence and exit 1, nothing written; a usage
error exits 2.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from relapp.cli.args import (
    MAX_ID,
    add_customer_argument,
    bounded_int,
    customer_reference,
    find_named_customer,
    print_json,
)
from relapp.cli.offers import parse_offer
from relapp.domain.terms import PARTNER_DIRECTIONS
from relapp.errors import RelappError

if TYPE_CHECKING:
    from relapp.domain.partners.batches import Batch
    from relapp.domain.partners.partners import Partner
    from relapp.domain.shop.formats import ShopFormat

MAX_CODES = 5_000  # as relapp.domain.partners.batches.MAX_CODES
DEFAULT_DAYS = 90  # as the window's New codes dialog
NEWEST_CUSTOMERS = 10  # listed by `show`


def add_commands(commands, database_option: argparse.ArgumentParser) -> None:
    partner = commands.add_parser(
        "partner", help="partner businesses: add, list, make their codes, record referrals",
        description="Partner businesses that cross-promote with the shop: their agreements,"
        " the customers who came through them and their codes.",
    )  # fmt: skip
    actions = partner.add_subparsers(dest="action", required=True, metavar="ACTION")

    listing = actions.add_parser(
        "list", parents=[database_option],
        help="every partner: agreement, customers who came through them, codes",
    )  # fmt: skip
    listing.add_argument("--json", action="store_true", help="print JSON for other programs")
    listing.set_defaults(handler=run_list)

    show = actions.add_parser(
        "show", parents=[database_option],
        help="one partner: details, code batches and the newest customers they brought",
    )  # fmt: skip
    show.add_argument("partner", metavar="NAME|ID", help="the partner's name or number")
    show.add_argument("--json", action="store_true", help="print JSON for other programs")
    show.set_defaults(handler=run_show)

    add = actions.add_parser(
        "add", parents=[database_option], help="add a partner business",
        description="Add a partner business; its name must be new (in any letter case).",
    )  # fmt: skip
    add.add_argument("name", metavar="NAME", help="the business's name")
    add.add_argument("--contact-person", default="", metavar="NAME", help="who to talk to there")
    add.add_argument("--phone", default="", help="their phone number, as you would dial it")
    add.add_argument("--email", default="", help="their email address")
    add.add_argument("--offers", default="", metavar="TEXT", help="what they offer")
    add.add_argument("--from", dest="agreement_from", type=_day, metavar="YYYY-MM-DD",
                     help="the agreement's first day")  # fmt: skip
    add.add_argument("--until", dest="agreement_until", type=_day, metavar="YYYY-MM-DD",
                     help="the agreement's last day")  # fmt: skip
    add.add_argument("--notes", default="", metavar="TEXT")
    add.add_argument("--json", action="store_true", help="print JSON for other programs")
    add.set_defaults(handler=run_add)

    codes = actions.add_parser(
        "codes", parents=[database_option], help="make a batch of a partner's codes",
        description="Make a batch of codes, each used once by any customer at the counter"
        " (Use voucher, F6, or `relapp voucher redeem`); a customer who uses one is recorded"
        " as coming through the partner. Prints the codes, one a line, or writes them as CSV.",
    )  # fmt: skip
    codes.add_argument("partner", metavar="NAME|ID", help="the partner's name or number")
    codes.add_argument("--count", required=True, type=bounded_int(1, MAX_CODES), metavar="N",
                       help=f"how many codes (1 to {MAX_CODES:,})")  # fmt: skip
    codes.add_argument(
        "--direction", required=True, choices=PARTNER_DIRECTIONS,
        help="theirs_here: the partner hands them out, customers use them here; ours_there:"
        " our codes, handed out at the partner's",
    )  # fmt: skip
    codes.add_argument("--label", required=True, metavar="TEXT",
                       help="tells batches apart, e.g. \"Table cards, spring\"")  # fmt: skip
    codes.add_argument(
        "--offer", required=True, metavar="OFFER",
        help="what each code gives: amount:5.00 (off the purchase), percent:10 (off the"
        " purchase), points:200 (bonus points) or reward:NAME (a reward of the catalogue, free)",
    )  # fmt: skip
    codes.add_argument(
        "--days", type=bounded_int(1, 365), default=DEFAULT_DAYS, metavar="N",
        help=f"how long the codes are valid from now (default {DEFAULT_DAYS})",
    )  # fmt: skip
    codes.add_argument("--min-spend", default="0", metavar="X",
                       help="the least purchase a code is used with (default none)")  # fmt: skip
    codes.add_argument("--out", type=Path, metavar="FILE.csv",
                       help="write the codes as CSV (what the Partners window saves) instead"
                       " of printing them")  # fmt: skip
    codes.add_argument("--json", action="store_true", help="print JSON for other programs")
    codes.set_defaults(handler=run_codes)

    refer = actions.add_parser(
        "refer", parents=[database_option],
        help="record the partner a customer came through",
        description="Record the partner business a customer came through (their referral"
        " source), as the contact editor's Came through partner does; it replaces one"
        " recorded before.",
    )  # fmt: skip
    add_customer_argument(refer)
    refer.add_argument("partner", metavar="PARTNER", help="the partner's name or number")
    refer.set_defaults(handler=run_refer)


def _open(args: argparse.Namespace) -> None:
    from relapp.cli.shop import database_target, open_shop

    open_shop(database_target(args))


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a day as YYYY-MM-DD") from None


def find_partner_named(reference: str) -> Partner:
    """The partner reference names: #3 is partner number 3; digits alone are the partner
    called so if there is one, else that number; anything else a name in any letter case.

    Raises:
        PartnerRefused: no such partner, naming the partners there are.
    """
    from relapp.domain.partners.partners import (
        PartnerRefused,
        find_partner,
        partner_by_id,
        partner_choices,
    )

    text = reference.strip()
    number = text.removeprefix("#").strip()
    if not (number.isdigit() and number.isascii() and int(number) <= MAX_ID):
        return find_partner(text)
    if not text.startswith("#"):
        try:
            return find_partner(text)
        except PartnerRefused:
            pass
    try:
        return partner_by_id(int(number))
    except PartnerRefused:
        names = ", ".join(repr(name) for _id, name in partner_choices()) or "none yet"
        raise PartnerRefused(
            f"There is no partner number {int(number)}; the partners: {names}."
        ) from None


# ----------------------------------------------------------------------------- reading


def run_list(args: argparse.Namespace) -> int:
    from relapp.domain.partners.partners import list_partners
    from relapp.domain.shop.formats import shop_format

    _open(args)
    lines = list_partners()
    if args.json:
        print_json([
            {**_partner_json(line.partner), "customers": line.customers,
             "batches": line.batches, "codes_issued": line.codes,
             "codes_redeemed": line.redeemed, "business": line.business or None}
            for line in lines
        ])  # fmt: skip
        return 0
    if not lines:
        print("No partners yet; add one with `relapp partner add NAME`.")
        return 0
    shop = shop_format()
    for line in lines:
        partner = line.partner
        person = partner.contact_person or "no contact person"
        print(
            f"{partner.id:>6}  {partner.name}  ·  {person}  ·  agreement:"
            f" {_agreement(partner, shop)}"
            f"  ·  {_count(line.customers, 'customer')} came through them  ·  codes:"
            f" {line.codes:,} issued, {line.redeemed:,} redeemed"
        )
    return 0


def run_show(args: argparse.Namespace) -> int:
    from relapp.domain.partners.batches import batches_of
    from relapp.domain.partners.partners import customers_of, list_partners
    from relapp.domain.shop.formats import shop_format

    _open(args)
    partner = find_partner_named(args.partner)
    assert partner.id is not None
    line = next(line for line in list_partners() if line.partner.id == partner.id)
    batches = batches_of(partner.id)
    customers = customers_of(partner.id, NEWEST_CUSTOMERS)
    if args.json:
        print_json({
            **_partner_json(partner), "business": line.business or None,
            "customers": customers.total,
            "newest_customers": [
                {"id": contact_id, "name": name, "card_number": card or None,
                 "joined_at": joined}
                for contact_id, name, card, joined in customers.newest
            ],
            "batches": [_batch_json(batch) for batch in batches],
        })  # fmt: skip
        return 0
    shop = shop_format()
    print(f"{partner.name} (partner {partner.id})")
    details = (
        ("Contact person", partner.contact_person),
        ("Phone", partner.phone),
        ("Email", partner.email),
        ("Offers", " ".join(partner.offers.split())),
        ("Agreement", _agreement(partner, shop)),
        ("Their customer record", f"{line.business} (#{partner.contact_id})" if line.business
         else ""),
        ("Notes", " ".join(partner.notes.split())),
    )  # fmt: skip
    for label, value in details:
        if value:
            print(f"  {label}: {value}")
    print(f"  Customers who came through them: {customers.total:,}")
    for contact_id, name, card, _joined in customers.newest:
        print(f"    {contact_id:>8}  {name}  ·  card {card or '-'}")
    if not batches:
        print("  No codes yet; make some with `relapp partner codes`.")
    for batch in batches:
        print(f"  {_batch_line(batch, shop)}")
    return 0


def _partner_json(partner: Partner) -> dict[str, object]:
    return {
        "id": partner.id, "name": partner.name, "contact_person": partner.contact_person,
        "phone": partner.phone, "email": partner.email, "offers": partner.offers,
        "agreement_from": partner.agreement_from, "agreement_until": partner.agreement_until,
        "agreement": partner.agreement_state() or None, "notes": partner.notes,
        "contact_id": partner.contact_id,
    }  # fmt: skip


def _batch_json(batch: Batch) -> dict[str, object]:
    return {
        "id": batch.offer_id, "label": batch.label, "direction": batch.direction,
        "offer": batch.offer, "min_spend_cents": batch.min_spend_cents,
        "valid_from": batch.valid_from, "valid_until": batch.valid_until,
        "codes": batch.codes, "redeemed": batch.redeemed,
    }  # fmt: skip


def _agreement(partner: Partner, shop: ShopFormat) -> str:
    """ "1 Jul 2025 – 30 Jun 2026 (current)", or "no dates"."""
    start, end = partner.agreement_from, partner.agreement_until
    if start is None and end is None:
        return "no dates"
    state = partner.agreement_state()
    span = f"{shop.day(start) if start else '…'} – {shop.day(end) if end else '…'}"
    return f"{span} ({'not started' if state == 'not yet' else state})"


def _batch_line(batch: Batch, shop: ShopFormat) -> str:
    from relapp.db.fields import parse_timestamp
    from relapp.domain.terms import PARTNER_DIRECTION_NAMES

    offer = batch.offer
    if batch.min_spend_cents:
        offer += f" on {shop.money(batch.min_spend_cents)} or more"
    start, end = (
        parse_timestamp(stamp).astimezone() for stamp in (batch.valid_from, batch.valid_until)
    )
    valid = f"{shop.day(start)} – {shop.day(end)}"
    return (
        f"Batch {batch.offer_id}: {batch.label or 'no label'}  ·  "
        f"{PARTNER_DIRECTION_NAMES[batch.direction]}  ·  {offer}  ·  valid {valid}  ·  "
        f"{batch.codes:,} codes, {batch.redeemed:,} redeemed"
    )


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}" if number == 1 else f"{number:,} {noun}s"


# ----------------------------------------------------------------------------- writing


def run_add(args: argparse.Namespace) -> int:
    from relapp.domain.partners.partners import Partner, find_partner, save_partner

    _open(args)
    save_partner(
        Partner(
            args.name, args.contact_person, args.phone, args.email, args.offers,
            args.agreement_from, args.agreement_until, args.notes,
        ),
        None, as_owner=True,
    )  # fmt: skip
    added = find_partner(args.name)
    if args.json:
        print_json(_partner_json(added))
        return 0
    print(f"Partner {added.id} added: {added.name}.")
    return 0


def run_codes(args: argparse.Namespace) -> int:
    from relapp.db.live_files import refuse_database_files
    from relapp.domain.partners.batches import make_batch

    offer = parse_offer(
        args.offer,
        option="--offer",
        examples="amount:5.00, percent:10, points:200 or reward:NAME",
        min_spend=args.min_spend,
        valid_days=args.days,
    )
    _open(args)
    target = None
    if args.out is not None:
        # Checked before the codes are made, so a file that cannot be written makes none.
        target = refuse_database_files(args.out)
        folder = target.parent if str(target.parent) else Path(".")
        if not folder.is_dir():
            raise RelappError(f"The folder {folder} does not exist.")
    partner = find_partner_named(args.partner)
    assert partner.id is not None
    made = make_batch(partner.id, args.direction, offer, args.count, args.label, as_owner=True)
    written = None
    if target is not None:
        written = _write_csv(made.batch, made.codes, target)
    if args.json:
        print_json({"partner": made.batch.partner, "batch": _batch_json(made.batch),
                    "codes": list(made.codes),
                    "file": None if written is None else str(written)})  # fmt: skip
        return 0
    if written is None:
        print("\n".join(made.codes))
        return 0
    batch = made.batch
    print(
        f"Wrote {batch.codes:,} codes for {batch.partner} ({batch.label or 'no label'},"
        f" batch {batch.offer_id}) to {written}."
    )
    return 0


def _write_csv(batch: Batch, codes: tuple[str, ...], target: Path) -> Path:
    """The batch's CSV, as the Partners window saves it. The codes exist already: if the
    file cannot be written after all, they are printed instead and the sentence says so."""
    from relapp.exchange.partner_codes import batch_csv

    try:
        batch_csv(batch, target)
    except RelappError as error:
        print("\n".join(codes))
        raise RelappError(
            f"{error} The {len(codes):,} codes were made (batch {batch.offer_id}) and are"
            " printed above."
        ) from None
    return target


def run_refer(args: argparse.Namespace) -> int:
    from relapp.domain.partners.partners import partner_by_id
    from relapp.domain.partners.referrals import record_by_hand

    reference = customer_reference(args)
    _open(args)
    contact_id = find_named_customer(reference)
    partner = find_partner_named(args.partner)
    assert partner.id is not None
    referral = record_by_hand(contact_id, partner.id)
    name = referral.customer
    if referral.before == partner.id:
        print(f"{name} is recorded as coming through {partner.name} already; nothing changed.")
        return 0
    was = "" if referral.before is None else f" (was {partner_by_id(referral.before).name})"
    print(f"{name} is recorded as coming through {partner.name}{was}.")
    return 0
