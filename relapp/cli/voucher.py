"""`relapp voucher redeem CODE CARD|#ID`: a campaign's voucher used at a till.

    relapp voucher redeem K7QM-2XPR-9BQ4 270000000017 [--purchase 24.50] [--key K] [--json]

The rules are relapp.domain.campaigns.vouchers'; a refusal is one sentence and exit 1.
"""

from __future__ import annotations

import argparse

from relapp.cli.args import (
    add_customer_argument,
    customer_reference,
    find_named_customer,
    print_json,
)
from relapp.errors import RelappError


def add_commands(commands, database_option: argparse.ArgumentParser) -> None:
    voucher = commands.add_parser("voucher", help="use a campaign's voucher code")
    actions = voucher.add_subparsers(dest="action", required=True, metavar="ACTION")
    redeem = actions.add_parser(
        "redeem", parents=[database_option],
        help="redeem a voucher code for the customer it was sent to",
    )  # fmt: skip
    redeem.add_argument("code", metavar="CODE", help="as printed, e.g. K7QM-2XPR-9BQ4")
    add_customer_argument(redeem)
    redeem.add_argument(
        "--purchase", metavar="X",
        help="the purchase it is used with, e.g. 24.50 (for a least spend, and always for a"
        " percent off: the amount to take off is printed)",
    )  # fmt: skip
    redeem.add_argument("--key", help="the till's own id for this use: a retry is safe")
    redeem.add_argument("--json", action="store_true", help="print JSON for other programs")
    redeem.set_defaults(handler=run_redeem)


def run_redeem(args: argparse.Namespace) -> int:
    from relapp.cli.shop import database_target, open_shop
    from relapp.domain.campaigns.vouchers import redeem_voucher
    from relapp.domain.shop.money import parse_amount

    reference = customer_reference(args)
    try:
        purchase = parse_amount(args.purchase) if args.purchase is not None else None
    except ValueError as error:
        raise RelappError(str(error)) from None
    open_shop(database_target(args))
    contact_id = find_named_customer(reference)
    redeemed = redeem_voucher(args.code, contact_id, purchase_cents=purchase, key=args.key)
    if args.json:
        print_json({
            "code": redeemed.shown, "contact_id": redeemed.contact_id,
            "campaign": redeemed.campaign, "kind": redeemed.kind, "value": redeemed.value,
            "reward": redeemed.reward_name, "text": redeemed.text,
            "off_cents": redeemed.off_cents,
        })  # fmt: skip
        return 0
    print(f"Voucher {redeemed.shown} ({redeemed.campaign}) redeemed: {redeemed.text}.")
    return 0
