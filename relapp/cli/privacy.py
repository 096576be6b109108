"""`relapp privacy export|erase`: a person's data export and erasure (GDPR articles 15, 17, 20).

The command line runs as the shop owner: whoever can run commands on the database file owns
it, so no staff PIN is asked (in the app, erasure is for managers only). Erasure cannot be
undone: it asks for the customer number to be typed again at a terminal, and without a
terminal (a script) it is refused unless --yes is given.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from relapp.cli.args import answer_at_terminal, customer_number
from relapp.errors import RelappError


def add_commands(commands, database_option: argparse.ArgumentParser) -> None:
    privacy = commands.add_parser(
        "privacy",
        parents=[database_option],
        help="export or erase everything stored about one person",
        description="A person's right to their data: export everything stored about them, "
        "or erase their personal data for good.",
    )
    actions = privacy.add_subparsers(title="actions", metavar="ACTION", required=True)

    export = actions.add_parser(
        "export",
        parents=[database_option],
        help="write everything stored about a person to a zip",
        description="Write a zip holding person.json (everything stored about the person), "
        "person.vcf (their contact card) and summary.pdf (a printable summary).",
    )
    export.add_argument("id", type=customer_number, metavar="ID",
                        help="customer number (42 or #42)")  # fmt: skip
    export.add_argument("--out", type=Path, required=True, metavar="FILE",
                        help="the zip to write, e.g. customer-42.zip")  # fmt: skip
    export.set_defaults(handler=run_export)

    erase = actions.add_parser(
        "erase",
        parents=[database_option],
        help="erase a person's personal data (cannot be undone)",
        description="Erase the person's names, contact details, notes, preferences, consent "
        "log and the text of their history. Amounts and the points ledger stay, anonymous, "
        "for the accounts. Lists the backups that still hold the person.",
    )
    erase.add_argument("id", type=customer_number, metavar="ID",
                       help="customer number (42 or #42)")  # fmt: skip
    erase.add_argument("--yes", action="store_true",
                       help="do not ask for confirmation (needed without a terminal)")  # fmt: skip
    erase.add_argument("--backups", type=Path, default=None, metavar="FOLDER",
                       help="the backup folder to check (default: the shop's)")  # fmt: skip
    erase.set_defaults(handler=run_erase)


def run_export(args: argparse.Namespace) -> int:
    from relapp.cli.shop import database_target, open_shop
    from relapp.exchange.person_export import export_person

    open_shop(database_target(args))
    out = args.out if args.out.suffix.lower() == ".zip" else args.out.with_suffix(".zip")
    written = export_person(args.id, out)
    print(f"Everything stored about customer {args.id} was written to {written}.")
    return 0


def run_erase(args: argparse.Namespace) -> int:
    from relapp.cli.shop import database_target, open_shop
    from relapp.domain.contacts.privacy import erase_person

    open_shop(database_target(args))
    if not args.yes:
        _confirm(args.id)
    result = erase_person(args.id, None, args.backups, as_owner=True)
    others = [str(number) for number in result.erased_ids if number != args.id]
    also = f" (with the records merged into it: {', '.join(others)})" if others else ""
    print(f"Customer {args.id}'s personal data was erased{also}.")
    if result.gift_cards_detached:
        count = len(result.gift_cards_detached)
        print(
            "Their gift card is now a bearer card: whoever holds it may spend what is left."
            if count == 1
            else f"Their {count} gift cards are now bearer cards: whoever holds one may spend"
            " what is left on it."
        )
    if not result.checkpoint_complete:
        print(
            "Another program still has the database open: close it, then run "
            "`relapp privacy erase` again or reopen Relapp so that old copies are cleared."
        )
    if result.backups_holding:
        print("These backups still hold the person's data; delete them or keep them locked away:")
        print("\n".join(f"  {path}" for path in result.backups_holding))
    else:
        print("No backup checked holds the person's data.")
    if result.unreadable_backups:
        print("These backups could not be checked:")
        print("\n".join(f"  {path}" for path in result.unreadable_backups))
    return 0


def _confirm(contact_id: int) -> None:
    answer = answer_at_terminal(
        f"This erases customer {contact_id}'s personal data for good. "
        "Type the customer number again to confirm: ",
        f"Erasing customer {contact_id} cannot be undone: add --yes to confirm "
        "when running without a terminal.",
    )
    if answer.removeprefix("#") != str(contact_id):
        raise RelappError("Not confirmed; nothing was erased.")
