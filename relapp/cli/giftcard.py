"""`relapp giftcard sell|redeem|balance`: gift cards for a till or a script.

    relapp giftcard sell --amount 50.00 [--to ID|CARD] [--key K] [--json]
    relapp giftcard redeem CODE --amount 20.00 [--key K] [--json]
    relapp giftcard balance CODE [--json]

sell prints the new card's code (with --json an object with `code` and `balance`); amounts
are decimal strings in the shop's currency ("50.00"). The rules are
relapp.domain.giftcards.ledger's: a refusal (more than the balance, expired, an unknown code,
a typing mistake) is one sentence and exit 1, and nothing is changed; a usage error exits 2.
"""

from __future__ import annotations

import argparse

from relapp.cli.args import card_or_number, find_named_customer, print_json
from relapp.errors import RelappError

MAX_KEY_LENGTH = 100  # as relapp.domain.giftcards.ledger.MAX_KEY_LENGTH


def add_commands(commands, database_option: argparse.ArgumentParser) -> None:
    giftcard = commands.add_parser(
        "giftcard", help="sell, redeem and check gift cards",
        description="Gift cards: sell one for an amount, take part of its value, see what is"
        " left.",
    )  # fmt: skip
    actions = giftcard.add_subparsers(dest="action", required=True, metavar="ACTION")

    sell = actions.add_parser(
        "sell", parents=[database_option], help="sell a new gift card; prints its code",
        description="Sell a new gift card worth the amount; prints its code. With --to it is"
        " the customer's, else whoever holds it may use it.",
    )  # fmt: skip
    sell.add_argument("--amount", required=True, metavar="X", help="its value, e.g. 50.00")
    sell.add_argument("--to", type=card_or_number, metavar="ID|CARD",
                      help="the customer it is for: their card number or customer number"
                      " (#42 for number 42 when a card could have that number)")  # fmt: skip
    _add_key(sell, "the sale")
    sell.add_argument("--json", action="store_true", help="print JSON for other programs")
    sell.set_defaults(handler=run_sell)

    redeem = actions.add_parser(
        "redeem", parents=[database_option], help="take an amount from a gift card",
        description="Take an amount from a gift card's balance; refused (exit 1), with nothing"
        " taken, if it is more than the balance or the card has expired.",
    )  # fmt: skip
    redeem.add_argument("code", metavar="CODE", help="as printed, e.g. 7KQM-2XPR-9BQ4-HT3W")
    redeem.add_argument("--amount", required=True, metavar="X", help="e.g. 20.00")
    _add_key(redeem, "this redemption")
    redeem.add_argument("--json", action="store_true", help="print JSON for other programs")
    redeem.set_defaults(handler=run_redeem)

    balance = actions.add_parser(
        "balance", parents=[database_option], help="what is left on a gift card",
        description="What is left on a gift card, when it was sold and when it expires.",
    )  # fmt: skip
    balance.add_argument("code", metavar="CODE", help="as printed, e.g. 7KQM-2XPR-9BQ4-HT3W")
    balance.add_argument("--json", action="store_true", help="print JSON for other programs")
    balance.set_defaults(handler=run_balance)


def _customer(reference: str) -> int:
    """--to ID|CARD: a card number if a customer has that card, else the customer number
    (cards are 12 digits or more, so a short number is never both); #42 is always number 42."""
    from relapp.domain.loyalty.points import CustomerNotFound

    try:
        return find_named_customer(reference)
    except CustomerNotFound:
        if reference.startswith("#"):
            raise
        try:
            return find_named_customer(f"#{reference}")
        except CustomerNotFound:
            raise CustomerNotFound(
                f"No customer has card {reference} or is customer number {reference}."
            ) from None


def run_sell(args: argparse.Namespace) -> int:
    from relapp.cli.shop import database_target, open_shop
    from relapp.domain.giftcards.ledger import sell_gift_card

    amount = _amount(args.amount)
    open_shop(database_target(args))
    contact_id = None if args.to is None else _customer(args.to)
    sold = sell_gift_card(amount, contact_id, key=args.key)
    card = sold.card
    if args.json:
        print_json({
            "code": card.shown, "balance": decimal_text(card.balance_cents),
            "contact_id": card.contact_id, "expires_at": card.expires_at,
            "duplicate": sold.duplicate,
        })  # fmt: skip
        return 0
    print(card.shown)
    return 0


def run_redeem(args: argparse.Namespace) -> int:
    from relapp.cli.shop import database_target, open_shop
    from relapp.domain.giftcards.ledger import redeem_gift_card
    from relapp.domain.shop.formats import format_money

    amount = _amount(args.amount)
    open_shop(database_target(args))
    redeemed = redeem_gift_card(args.code, amount, key=args.key)
    card = redeemed.card
    if args.json:
        print_json({
            "code": card.shown, "balance": decimal_text(card.balance_cents),
            "redeemed": decimal_text(redeemed.amount_cents), "duplicate": redeemed.duplicate,
        })  # fmt: skip
        return 0
    already = " (already taken with this key; nothing new written)" if redeemed.duplicate else ""
    print(
        f"{format_money(amount)} taken from gift card {card.shown}{already};"
        f" {format_money(card.balance_cents)} left."
    )
    return 0


def run_balance(args: argparse.Namespace) -> int:
    from relapp.cli.shop import database_target, open_shop
    from relapp.domain import clock
    from relapp.domain.giftcards.cards import find_gift_card
    from relapp.domain.shop.formats import format_day, format_money

    open_shop(database_target(args))
    card = find_gift_card(args.code)
    expired = card.expired(clock.utc_now())
    if args.json:
        print_json({
            "code": card.shown, "balance": decimal_text(card.balance_cents),
            "sold": decimal_text(card.sold_cents), "sold_at": card.sold_at,
            "expires_at": card.expires_at, "expired": expired, "contact_id": card.contact_id,
        })  # fmt: skip
        return 0
    if card.expires_at is None:
        expiry = "never expires"
    else:
        expiry = f"{'expired' if expired else 'expires'} {format_day(card.expires_at)}"
    print(
        f"Gift card {card.shown}: {format_money(card.balance_cents)} left (sold"
        f" {format_day(card.sold_at)} for {format_money(card.sold_cents)}; {expiry})."
    )
    return 0


def decimal_text(cents: int) -> str:
    """Cents as a decimal string for other programs: 5000 is "50.00" (no grouping, no sign
    of currency)."""
    sign = "-" if cents < 0 else ""
    whole, fraction = divmod(abs(cents), 100)
    return f"{sign}{whole}.{fraction:02d}"


def _amount(text: str) -> int:
    from relapp.domain.shop.money import parse_amount

    try:
        return parse_amount(text)
    except ValueError as error:
        raise RelappError(str(error)) from None


def _add_key(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--key", type=_key, metavar="K",
        help=f"the till's own id for {what} (at most {MAX_KEY_LENGTH} characters): the same"
        " key is never recorded twice, so a retry is safe",
    )  # fmt: skip


def _key(text: str) -> str:
    key = text.strip()
    if not key:
        raise argparse.ArgumentTypeError("is empty: give the till's id, or no --key")
    if len(key) > MAX_KEY_LENGTH:
        raise argparse.ArgumentTypeError(
            f"is {len(key):,} characters long; a key has at most {MAX_KEY_LENGTH}"
        )
    return key
