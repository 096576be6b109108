"""`relapp today`: the Today view's work list for a script, a printer or a morning e-mail.

The same domain function as the Today view (relapp.domain.timeline.today.today_queue): overdue and
today's follow-ups, open queries and complaints, birthdays this week, customers drifting away
and customers not to be contacted yet; memberships to renew, members in grace and prize winners
to contact while there are some. Text shows each section's count and its first rows,
in this machine's local time; --json gives every section as {"total": N, "rows": [...]}.
"""

from __future__ import annotations

import argparse
import dataclasses
from datetime import datetime

from relapp.cli.args import bounded_int, print_json
from relapp.domain.timeline.today import TodayQueue, today_queue

DEFAULT_ROWS = 10
MAX_ROWS = 1000


def add_commands(commands, database_option: argparse.ArgumentParser) -> None:
    today = commands.add_parser(
        "today",
        parents=[database_option],
        help="follow-ups, open queries, birthdays, drifting customers",
        description="What needs doing today: overdue and today's follow-ups, open queries and "
        "complaints, birthdays in the next 7 days, customers drifting away and customers "
        "who must not be contacted again yet.",
    )
    today.add_argument(
        "--limit",
        type=bounded_int(1, MAX_ROWS),
        default=DEFAULT_ROWS,
        metavar="N",
        help=f"rows shown per section (default {DEFAULT_ROWS}); counts are always complete",
    )
    today.add_argument("--json", action="store_true", help="print JSON for other programs")
    today.set_defaults(handler=run_today)


def run_today(args: argparse.Namespace) -> int:
    from relapp.cli.shop import database_target, open_shop

    open_shop(database_target(args))
    queue = today_queue(limit=args.limit)
    if args.json:
        print_json(queue_as_json(queue))
    else:
        print("\n".join(queue_as_text(queue)))
    return 0


def queue_as_json(queue: TodayQueue) -> dict:
    """Every section as {"total": N, "rows": [...]}, plus the moment and the shop's limits."""
    return dataclasses.asdict(queue)


def queue_as_text(queue: TodayQueue) -> list[str]:
    lines = [f"Today, {queue.today:%A %d %B %Y} (as of {_local(queue.now):%H:%M})"]

    section = queue.overdue_tasks
    lines += ["", f"Overdue follow-ups: {section.total:,}"]
    lines += [
        f"  due {_when(task.due_at)}  {task.title}  ·  {_who(task.contact_name, task.contact_id)}"
        + (f"  ·  {task.staff_name}" if task.staff_name else "")
        for task in section.rows
    ]
    lines += _more(section.more)

    section = queue.tasks_due_today
    lines += ["", f"Follow-ups due today: {section.total:,}"]
    lines += [
        f"  due {_local(task.due_at):%H:%M}  {task.title}"
        f"  ·  {_who(task.contact_name, task.contact_id)}"
        + (f"  ·  {task.staff_name}" if task.staff_name else "")
        for task in section.rows
    ]
    lines += _more(section.more)

    cases = queue.open_cases
    lines += [
        "",
        f"Open queries and complaints: {cases.total:,}"
        f" ({queue.overdue_cases:,} open longer than {queue.response_target_hours} hours)",
    ]
    for case in cases.rows:
        flags = ", ".join(
            flag for flag, on in (("overdue", case.overdue), ("answered", case.answered_at)) if on
        )
        lines.append(
            f"  {case.kind:<9} opened {_when(case.opened_at)} ({_age(case.age_hours)} ago"
            + (f", {flags}" if flags else "")
            + f")  {case.summary}  ·  {_who(case.contact_name, case.contact_id)}"
        )
    lines += _more(cases.more)

    section = queue.birthdays
    lines += ["", f"Birthdays in the next 7 days: {section.total:,}"]
    for birthday in section.rows:
        when = {0: "today", 1: "tomorrow"}.get(
            birthday.days_until, f"in {birthday.days_until} days"
        )
        turning = f", turns {birthday.turning}" if birthday.turning else ""
        lines.append(
            f"  {when:<11} {birthday.on:%a %d %b}  {_who(birthday.name, birthday.contact_id)}"
            f"{turning}"
        )
    lines += _more(section.more)

    section = queue.drifting
    lines += ["", f"Customers drifting away: {section.total:,}"]
    lines += [
        f"  {_who(customer.name, customer.contact_id)}: last visit {_day(customer.last_visit_at)}"
        f" ({customer.days_since_visit:,} days ago); usually every"
        f" {customer.usual_interval_days:g} days over {customer.visits:,} visits"
        for customer in section.rows
    ]
    lines += _more(section.more)

    section = queue.at_cap
    lines += [
        "",
        f"Not to be contacted yet ({queue.contact_cap} outbound contacts per 30 days):"
        f" {section.total:,}",
    ]
    lines += [
        f"  {_who(customer.name, customer.contact_id)}: {customer.pressure.reason}"
        for customer in section.rows
    ]
    lines += _more(section.more)
    return lines + _members_and_winners(queue)


def _members_and_winners(queue: TodayQueue) -> list[str]:
    """Memberships to renew, members in grace and prize winners to tell: only while there are
    some (a shop without plans or draws never sees the headings)."""
    lines: list[str] = []
    for section, title, words in (
        (queue.renewals_due, "Memberships to renew", "ends {day}"),
        (queue.members_in_grace, "Members in grace", "ended {day}, {days} days of grace left"),
    ):
        if section.total:
            lines += ["", f"{title}: {section.total:,}"]
            lines += [
                f"  {_who(member.name, member.contact_id)}: {member.plan}, "
                + words.format(day=member.ends_on.isoformat(), days=member.days)
                for member in section.rows
            ]
            lines += _more(section.more)
    winners = queue.prize_winners
    if winners.total:
        lines += ["", f"Prize winners to contact: {winners.total:,}"]
        lines += [
            f"  {_who(winner.name, winner.contact_id)}: won {winner.competition}"
            f" (place {winner.position}); {winner.reach}"
            for winner in winners.rows
        ]
        lines += _more(winners.more)
    return lines


def _who(name: str, contact_id: int) -> str:
    return f"{name or '(no name)'} (customer {contact_id})"


def _more(count: int) -> list[str]:
    return [f"  … and {count:,} more"] if count > 0 else []


def _local(moment: datetime) -> datetime:
    return moment.astimezone()


def _when(moment: datetime) -> str:
    return f"{_local(moment):%Y-%m-%d %H:%M}"


def _day(moment: datetime) -> str:
    return f"{_local(moment):%Y-%m-%d}"


def _age(hours: int) -> str:
    return f"{hours} h" if hours < 48 else f"{hours // 24:,} days"
