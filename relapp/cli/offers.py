"""A voucher offer typed at the command line: points:200, amount:5.00, percent:10 or
reward:NAME, shared by `relapp campaign create --voucher` and `relapp partner codes --offer`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from relapp.errors import RelappError

if TYPE_CHECKING:
    from relapp.domain.campaigns.vouchers import Offer


def parse_offer(
    typed: str, *, option: str, examples: str, min_spend: str, valid_days: int, **extra: str
) -> Offer:
    """The offer typed after option (with the least purchase and days it is valid, and any
    other Offer field in extra); a wrong one is one sentence naming the option and examples."""
    from relapp.domain.campaigns.vouchers import Offer
    from relapp.domain.shop.money import parse_amount

    kind, _, value = typed.partition(":")
    kind, value = kind.strip().lower(), value.strip()
    try:
        least = parse_amount(min_spend) if min_spend.strip() not in ("", "0") else 0
        amount = parse_amount(value) if kind == "amount" and value else 0
    except ValueError as error:
        raise RelappError(str(error)) from None
    common = {"min_spend_cents": least, "valid_days": valid_days, **extra}
    if kind == "points" and value.isdigit():
        return Offer("points", int(value), **common)
    if kind == "amount" and value:
        return Offer("amount", amount, **common)
    if kind == "percent" and value.removesuffix("%").strip().isdigit():
        return Offer("percent", int(value.removesuffix("%")), **common)
    if kind == "reward" and value:
        return Offer("reward", reward_name=value, **common)
    raise RelappError(f"{option} {typed!r} is not an offer: write {examples}.")
