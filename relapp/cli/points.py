"""Command-line loyalty for a till or a script: record a sale, redeem a reward, show points.

The same domain functions as the counter, so a till gets the same rules: rounding, tier
multipliers, never a negative balance, never a sale recorded twice for one --key.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import uuid
from typing import TYPE_CHECKING

from relapp.cli.args import (
    add_customer_argument,
    customer_reference,
    find_named_customer,
    print_json,
)
from relapp.domain.loyalty.points import (
    RewardUnavailable,
    points_summary,
    record_sale,
    redeem_reward,
    reward_options,
)
from relapp.domain.loyalty.sales import MAX_SALE_KEY_LENGTH, SaleResult
from relapp.domain.shop.money import format_amount, parse_amount
from relapp.errors import DatabaseUnavailable, RelappError, ServerNotAnswering

if TYPE_CHECKING:
    from relapp.domain.loyalty.offline import KeptSale


def add_commands(commands, database_option: argparse.ArgumentParser) -> None:
    sale = commands.add_parser(
        "sale",
        parents=[database_option],
        help="record a purchase and the points it earns",
        description="Record a purchase for a customer (card number, #N or --id N for customer "
        "number N) and the points it earns under the shop's program.",
    )
    add_customer_argument(sale)
    sale.add_argument("--amount", required=True, metavar="X",
                      help="amount paid, e.g. 12.50 or 12,50")  # fmt: skip
    sale.add_argument(
        "--key",
        type=_sale_key,
        metavar="KEY",
        help="the till's own id for this sale (at most "
        f"{MAX_SALE_KEY_LENGTH} characters): the same key is never recorded twice",
    )
    sale.add_argument("--note", default="", metavar="TEXT", help="what was bought")
    sale.add_argument("--json", action="store_true", help="print JSON for other programs")
    sale.set_defaults(handler=run_sale)

    redeem = commands.add_parser(
        "redeem",
        parents=[database_option],
        help="redeem a reward for a customer's points",
        description="Redeem a reward (its number or name) for a customer's points.",
    )
    add_customer_argument(redeem)
    redeem.add_argument("reward", metavar="REWARD", help="reward number or name")
    redeem.add_argument("--json", action="store_true", help="print JSON for other programs")
    redeem.set_defaults(handler=run_redeem)

    points = commands.add_parser(
        "points",
        parents=[database_option],
        help="a customer's balance, tier and recent ledger",
        description="Show a customer's points balance, tier, points expiring within 30 days "
        "and the latest ledger entries.",
    )
    add_customer_argument(points)
    points.add_argument("--json", action="store_true", help="print JSON for other programs")
    points.set_defaults(handler=run_points)


def run_sale(args: argparse.Namespace) -> int:
    from relapp.cli.shop import database_target, open_shop

    reference = customer_reference(args)
    try:
        amount = parse_amount(args.amount)
    except ValueError as error:
        raise RelappError(str(error)) from None
    target = database_target(args)
    if isinstance(target, str):
        return _sale_on_server(args, target, reference, amount)
    open_shop(target)
    contact_id = find_named_customer(reference)
    result = record_sale(contact_id, amount, sale_key=args.key, summary=args.note.strip())
    _print_sale(args, contact_id, amount, result)
    return 0


def _sale_on_server(args: argparse.Namespace, url: str, reference: str, amount: int) -> int:
    """A sale on a shop server; kept on this till when the server does not answer (sent
    the next time a command reaches it)."""
    from relapp.cli.shop import open_shop
    from relapp.db.server.urls import redact
    from relapp.domain.loyalty.offline import keep_sale, refresh_cards, till_outbox

    # The till's own key unless the caller gave one: kept or sent, the sale has one key, so
    # a sale whose answer was lost is not recorded twice.
    key = args.key or f"till-{uuid.uuid4()}"
    outbox = till_outbox(redact(url))
    try:
        try:
            open_shop(url)
            contact_id = find_named_customer(reference)
            result = record_sale(contact_id, amount, sale_key=key, summary=args.note.strip())
        except ServerNotAnswering:  # not a refusal (a wrong password): that is said as it is
            kept = keep_sale(outbox, reference, amount, key, summary=args.note)
            _print_kept_sale(args, kept)
            return 0
        outbox.update_card(contact_id, result.balance)
        # The copy a scan falls back on, when stale; if the server went away just now, the
        # sale is recorded and the copy is refreshed next time.
        with contextlib.suppress(DatabaseUnavailable):
            refresh_cards(outbox)
    finally:
        outbox.close()
    _print_sale(args, contact_id, amount, result)
    return 0


def _print_kept_sale(args: argparse.Namespace, kept: KeptSale) -> None:
    seen = "unknown" if kept.seen_at is None else f"{kept.seen_at.astimezone():%Y-%m-%d %H:%M}"
    if args.json:
        print_json(
            {"kept": True, "sale_key": kept.sale_key, "contact_id": kept.contact_id,
             "amount_cents": kept.amount_cents, "balance_as_of": seen,
             "balance_seen": kept.balance_seen, "waiting": kept.waiting}
        )  # fmt: skip
        return
    print(
        f"The shop server is not answering: sale of {format_amount(kept.amount_cents)} for"
        f" {kept.name} (customer {kept.contact_id}) kept on this till, to send when it is"
        f" back ({kept.waiting:,} waiting). Balance as of {seen}: {kept.balance_seen:,};"
        " the points are added when the sale is sent."
    )


def _print_sale(args: argparse.Namespace, contact_id: int, amount: int, result: SaleResult) -> None:
    if args.json:
        print_json({**_fields(result, exclude={"change"}), "amount_cents": amount})
        return
    already = " (already recorded; nothing new written)" if result.duplicate else ""
    bonus = f" plus {result.bonus_points:,} bonus" if result.bonus_points else ""
    print(
        f"Sale of {format_amount(amount)} recorded for customer {contact_id}{already}: "
        f"{result.points:,} points{bonus}; balance {result.balance:,}"
        + (f", tier {result.tier}." if result.tier else ".")
    )


def run_redeem(args: argparse.Namespace) -> int:
    from relapp.cli.shop import database_target, open_shop

    reference = customer_reference(args)
    target = database_target(args)
    try:
        open_shop(target)
    except ServerNotAnswering as error:
        if not isinstance(target, str):
            raise
        raise RelappError(
            f"{error} A redemption needs the balance as it is now, so it waits until the shop"
            " server answers again (sales are kept on this till meanwhile); nothing was"
            " redeemed."
        ) from error
    contact_id = find_named_customer(reference)
    reward = _reward(contact_id, args.reward)
    redeem_reward(contact_id, reward.id)
    summary = points_summary(contact_id, recent=0)
    if args.json:
        print_json(
            {"contact_id": contact_id, "reward_id": reward.id, "reward": reward.name,
             "points_cost": reward.points_cost, "balance": summary.balance}
        )  # fmt: skip
        return 0
    print(
        f"{reward.name} redeemed for customer {contact_id} ({reward.points_cost:,} points); "
        f"balance {summary.balance:,}."
    )
    return 0


def run_points(args: argparse.Namespace) -> int:
    from relapp.cli.shop import database_target, open_shop

    reference = customer_reference(args)
    open_shop(database_target(args))
    summary = points_summary(find_named_customer(reference))
    if args.json:
        print_json(_fields(summary))
        return 0
    print(f"{summary.name} (customer {summary.contact_id})")
    tier = f" · tier {summary.tier}" if summary.tier else ""
    print(f"Balance: {summary.balance:,} points{tier}")
    if summary.expiring_30_days:
        when = f" (first on {summary.next_expiry:%Y-%m-%d})" if summary.next_expiry else ""
        print(f"Expiring within 30 days: {summary.expiring_30_days:,} points{when}")
    for line in summary.recent:
        print(
            f"  {line.occurred_at:%Y-%m-%d %H:%M}  {line.kind:<9} {line.points:>+8,}"
            f"  = {line.balance:>8,}  {line.reason}"
        )
    return 0


def _reward(contact_id: int, wanted: str):
    """The reward the till named, by number or by name (ignoring case)."""
    options = reward_options(contact_id, members_only_too=True)
    wanted_folded = wanted.strip().casefold()
    for option in options:
        if str(option.id) == wanted.strip() or option.name.casefold() == wanted_folded:
            return option
    names = ", ".join(f"{option.id} {option.name}" for option in options[:8])
    raise RewardUnavailable(
        f"No active reward in stock is called {wanted!r}."
        + (f" Rewards: {names}." if names else " The catalogue has none right now.")
    )


def _sale_key(text: str) -> str:
    key = text.strip()
    if not key:
        # Without a key a till that retries would record the sale twice.
        raise argparse.ArgumentTypeError("is empty: give the till's id for the sale, or no --key")
    if len(key) > MAX_SALE_KEY_LENGTH:
        raise argparse.ArgumentTypeError(
            f"is {len(key):,} characters long; a sale key has at most {MAX_SALE_KEY_LENGTH}"
        )
    return key


def _fields(value, exclude: frozenset[str] | set[str] = frozenset()) -> dict:
    return {name: item for name, item in dataclasses.asdict(value).items() if name not in exclude}
