"""`relapp campaign rules` and `relapp campaign approve RULE`: the automatic campaigns.

    relapp campaign rules [--json]       each rule, on or off, and how many it lists today
    relapp campaign approve RULE [--json]   today's list of a rule that is on, as a campaign

Approving makes the campaign only; `relapp campaign produce ID` then produces it, as for any
campaign (a list approved but not produced hides nobody from the next day's list). The rules
are relapp.domain.campaigns.automatic's; setting them up is done in the window.
"""

from __future__ import annotations

import argparse

from relapp.cli.args import print_json
from relapp.db.migrations.m0019_memberships import RULES


def add_rule_commands(actions, database_option: argparse.ArgumentParser) -> None:
    rules = actions.add_parser(
        "rules", parents=[database_option],
        help="the automatic campaigns and how many customers each lists today",
    )  # fmt: skip
    rules.add_argument("--json", action="store_true", help="print JSON")
    rules.set_defaults(handler=run_rules)
    approve = actions.add_parser(
        "approve", parents=[database_option],
        help="make a campaign of an automatic campaign's list of today",
    )  # fmt: skip
    approve.add_argument("rule", choices=RULES, help="which automatic campaign")
    approve.add_argument("--json", action="store_true", help="print JSON")
    approve.set_defaults(handler=run_approve)


def _open(args: argparse.Namespace) -> None:
    from relapp.cli.shop import database_target, open_shop

    open_shop(database_target(args))


def run_rules(args: argparse.Namespace) -> int:
    from relapp.domain.campaigns.automatic import listed_count, rules

    _open(args)
    found = [(rule, listed_count(rule) if rule.enabled else 0) for rule in rules()]
    if args.json:
        print_json([
            {"rule": rule.rule, "enabled": rule.enabled, "channel": rule.channel,
             "number": rule.number, "listed_today": count}
            for rule, count in found
        ])  # fmt: skip
        return 0
    for rule, count in found:
        state = f"{count:,} listed today" if rule.enabled else "off"
        meaning = rule.text.number_label.format(n=rule.number)
        print(f"{rule.rule:<15} {rule.text.title} ({meaning}) by {rule.channel}  ·  {state}")
    return 0


def run_approve(args: argparse.Namespace) -> int:
    from relapp.db.store.campaign_rules import members_count
    from relapp.domain.campaigns.automatic import approve
    from relapp.domain.campaigns.campaigns import campaign_or_error

    _open(args)
    made = campaign_or_error(approve(args.rule))
    members = members_count(made.id)
    if args.json:
        print_json({"id": made.id, "name": made.name, "rule": made.rule, "members": members})
        return 0
    print(
        f"Campaign {made.id} made: {made.name} ({made.channel}, {members:,} customers)."
        f" Produce it with `relapp campaign produce {made.id}`."
    )
    return 0
