"""The printable summary of a per-person data export (summary.pdf in the export zip).

It is drawn from the same dictionary as person.json (relapp.domain.contacts.privacy.person_data), so
it describes exactly what the file holds: who the person is, their contact details, how many
records of each kind are stored, the consent log, the points ledger, gift cards, memberships
and the history. Long
lists use relapp.reports.tables.text_table; every user text goes through para() or plain
table text, never raw into a Paragraph.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from reportlab.platypus import Flowable

from relapp.domain.terms import (
    CHANNEL_NAMES,
    ENTRY_ROUTE_NAMES,
    GIFT_CARD_ENTRY_NAMES,
    KIND_NAMES,
    LEDGER_KIND_NAMES,
)
from relapp.i18n import _
from relapp.reports.document import build_pdf, heading, paragraph, report_context
from relapp.reports.dossier import facts
from relapp.reports.tables import fit, frame_width, section, text_table, widths

# Interaction text longer than this is cut in the table; person.json holds it whole.
TEXT_IN_TABLE = 300


def privacy_summary(data: dict, out: Path) -> Path:
    """Write the summary of person_data()'s dictionary to out (a PDF) and return out."""
    context = report_context()
    contact = data["contact"]
    name = _person_name(contact) or _("Customer {n} (no name)").format(n=data["contact_id"])

    def when(text: str | None) -> str:
        return context.moment(datetime.fromisoformat(text)) if text else ""

    def day(text: str | None) -> str:
        return context.day(datetime.fromisoformat(text)) if text else ""

    story: list[Flowable] = [
        heading(name, "title"),
        paragraph(
            _("Personal data held by {shop}, exported on {moment}.").format(
                shop=context.shop_name, moment=when(data["exported_at"])
            ),
            "subtitle",
        ),
        facts(_identity(data, day), frame_width(context)),
        *section(_("What is stored")),
        *text_table(
            [_("Records"), _("Count")],
            [[label, context.number(count)] for label, count in _counts(data)],
            widths(context, 3, 1),
            numeric=(1,),
        ),
    ]
    if data["merged_contacts"]:
        story += section(_("Records merged into this one"))
        story += text_table(
            [_("Customer number"), _("Name"), _("Email"), _("Phone")],
            [
                [str(row["id"]), _person_name(row), row["email"] or "", row["phone"] or ""]
                for row in data["merged_contacts"]
            ],
            widths(context, 1, 2, 2, 1.5),
        )
    if data["preferences"] or data["tags"] or data["social_handles"]:
        story += section(_("Preferences, tags and social handles"))
        rows = [[_("Tag"), tag] for tag in data["tags"]]
        rows += [[row["kind"].title(), row["value"]] for row in data["preferences"]]
        rows += [[row["network"], row["handle"]] for row in data["social_handles"]]
        story += text_table([_("Kind"), _("Value")], rows, widths(context, 1, 4))
    story += section(_("Consent log"))
    if data["consent_events"]:
        rows = [
            [when(row["occurred_at"]), _(CHANNEL_NAMES.get(row["channel"], row["channel"])),
             _("Granted") if row["granted"] else _("Withdrawn"), row["method"],
             row["staff_name"] or ""]
            for row in data["consent_events"]
        ]  # fmt: skip
        header = [_("When"), _("Channel"), _("Consent"), _("How"), _("Staff")]
        story += text_table(header, rows, widths(context, 1.6, 1, 1, 2, 1.4))
    else:
        story.append(paragraph(_("No consent was ever recorded.")))
    story += section(_("Points ledger"))
    story.append(paragraph(_("Balance: {n} points.").format(
        n=context.number(data["points_balance"])), "small"))  # fmt: skip
    if data["points_ledger"]:
        rows = [
            [when(row["occurred_at"]), _(LEDGER_KIND_NAMES.get(row["kind"], row["kind"])),
             row["reason"], context.number(row["points"])]
            for row in data["points_ledger"]
        ]  # fmt: skip
        header = [_("When"), _("Kind"), _("Reason"), _("Points")]
        story += text_table(
            header, rows, widths(context, 1.6, 1.4, 3, fit(header[3], [r[3] for r in rows])),
            numeric=(3,),
        )  # fmt: skip
    if data["gift_cards"]:
        story += section(_("Gift cards"))
        rows = [
            [card["code"], day(card["sold_at"]), day(card["expires_at"]) or _("never"),
             context.money(card["balance_cents"])]
            for card in data["gift_cards"]
        ]  # fmt: skip
        header = [_("Code"), _("Sold"), _("Expires"), _("Balance")]
        story += text_table(header, rows, widths(context, 2.2, 1, 1, 1), numeric=(3,))
        rows = [
            [when(entry["occurred_at"]), card["code"],
             _(GIFT_CARD_ENTRY_NAMES.get(entry["kind"], entry["kind"])), entry["note"],
             context.money(entry["amount_cents"])]
            for card in data["gift_cards"]
            for entry in card["entries"]
        ]  # fmt: skip
        header = [_("When"), _("Card"), _("Kind"), _("Note"), _("Amount")]
        story += text_table(header, rows, widths(context, 1.6, 2.2, 1.3, 2, 1), numeric=(4,))
    if data["memberships"]:
        story += section(_("Memberships"))
        statuses = {"pending": _("Pending"), "current": _("Current"), "grace": _("In grace"),
                    "expired": _("Expired"), "cancelled": _("Cancelled")}  # fmt: skip
        rows = [
            [row["plan_name"], context.day(date.fromisoformat(row["starts_on"])),
             context.day(date.fromisoformat(row["ends_on"])),
             statuses.get(row["status"], row["status"]),
             context.money(sum(payment["amount_cents"] for payment in row["payments"]))]
            for row in data["memberships"]
        ]  # fmt: skip
        header = [_("Plan"), _("From"), _("To"), _("Status"), _("Paid")]
        story += text_table(header, rows, widths(context, 2, 1.2, 1.2, 1, 1), numeric=(4,))
    story += _listening_and_vouchers(data, when, day)
    story += section(_("History"))
    if data["interactions"]:
        rows = [
            [when(row["occurred_at"]), _(KIND_NAMES.get(row["kind"], row["kind"])),
             _cut(" · ".join(text for text in (row["summary"], row["details"]) if text)),
             "" if row["amount_cents"] is None else context.money(row["amount_cents"])]
            for row in data["interactions"]
        ]  # fmt: skip
        header = [_("When"), _("Kind"), _("What"), _("Amount")]
        story += text_table(
            header, rows, widths(context, 1.6, 1, 4, fit(header[3], [r[3] for r in rows])),
            numeric=(3,),
        )  # fmt: skip
    else:
        story.append(paragraph(_("No history is stored.")))
    if data["tasks"]:
        story += section(_("Follow-ups"))
        rows = [[when(row["due_at"]), row["title"], day(row["done_at"])] for row in data["tasks"]]
        story += text_table([_("Due"), _("Task"), _("Done")], rows, widths(context, 1.5, 4, 1))
    story += section(_("Audit log entries about this person"))
    story.append(paragraph(_("{n} entries; their details are in person.json.").format(
        n=context.number(len(data["audit_log"]))), "small"))  # fmt: skip
    if data["audit_log"]:
        rows = [[when(row["occurred_at"]), row["action"], row["staff_name"] or ""]
                for row in data["audit_log"]]  # fmt: skip
        story += text_table([_("When"), _("Action"), _("Staff")], rows, widths(context, 1, 2, 1))
    if contact.get("notes"):
        story += section(_("Notes"))
        story += [paragraph(line) for line in contact["notes"].splitlines() if line.strip()]
    title = _("Personal data · {name}").format(name=name)
    return build_pdf(Path(out), title, story, context)


def _person_name(contact: dict) -> str:
    parts = (contact["given_name"], contact["family_name"])
    name = " ".join(part.strip() for part in parts if part and part.strip())
    organisation = (contact.get("organisation") or "").strip()
    if organisation:
        return f"{name} ({organisation})" if name else organisation
    return name


def _identity(data: dict, day) -> list[tuple[str, str]]:
    contact = data["contact"]
    status = {
        "active": _("Active"),
        "archived": _("Archived"),
        "merged": _("Merged into customer number {n}").format(n=data["merged_into"]),
    }.get(data["status"], data["status"])
    parts = ("street", "locality", "region", "postcode", "country")
    address = ", ".join(contact[key] for key in parts if contact[key])
    birthday = ""
    if contact["birth_month"]:
        birthday = f"{contact['birth_day']:02d}/{contact['birth_month']:02d}"
        if contact["birth_year"]:
            birthday += f"/{contact['birth_year']}"
    return [
        (_("Customer number"), str(data["contact_id"])),
        (_("Status"), status),
        (_("Email"), contact["email"] or "-"),
        (_("Phone"), contact["phone"] or "-"),
        (_("Address"), address or "-"),
        (_("Birthday"), birthday or "-"),
        (_("Card number"), contact["card_number"] or "-"),
        (_("Customer since"), day(contact["created_at"])),
        (_("Ladder stage"), contact["ladder_stage"].title()),
        (_("Tier"), contact.get("tier_name") or "-"),
        (_("Referred by"), str(contact["referred_by_id"] or "-")),
        (_("Came through partner"), data.get("referral_partner") or "-"),
        (_("Source"), contact["source"] or "-"),
    ]


def _counts(data: dict) -> list[tuple[str, int]]:
    return [
        (_("Contact records (this one and merged ones)"), 1 + len(data["merged_contacts"])),
        (_("Tags"), len(data["tags"])),
        (_("Preferences"), len(data["preferences"])),
        (_("Social handles"), len(data["social_handles"])),
        (_("Consent events"), len(data["consent_events"])),
        (_("History entries"), len(data["interactions"])),
        (_("Follow-ups"), len(data["tasks"])),
        (_("Points ledger entries"), len(data["points_ledger"])),
        (_("Gift cards"), len(data["gift_cards"])),
        (_("Memberships"), len(data["memberships"])),
        (_("Vouchers"), len(data["vouchers"])),
        (_("Survey answers (named; anonymous ones name no one)"), len(data["survey_answers"])),
        (_("Competition entries"), len(data["competition_entries"])),
        (_("Audit log entries"), len(data["audit_log"])),
        (_("Customers referred"), len(data["referred_contact_ids"])),
    ]


def _listening_and_vouchers(data: dict, when, day) -> list[Flowable]:
    """The person's vouchers, named survey answers (each question with its answer) and
    competition entries, as person.json holds them."""
    context = report_context()
    story: list[Flowable] = []
    if data["vouchers"]:
        story += section(_("Vouchers"))
        rows = [
            [voucher["code"], _cut(voucher["offer"]), voucher["partner"] or voucher["campaign"]
             or "-", when(voucher["redeemed_at"]) if voucher["redeemed"] else _("not used")]
            for voucher in data["vouchers"]
        ]  # fmt: skip
        header = [_("Code"), _("Offer"), _("From"), _("Used")]
        story += text_table(header, rows, widths(context, 1.6, 2.4, 1.4, 1.4))
    if data["survey_answers"]:
        story += section(_("Survey answers"))
        rows = [
            [when(response["answered_at"]) or response["answered_month"],
             response["survey_name"], _cut(answer["question"]), _cut(answer["answer"])]
            for response in data["survey_answers"]
            for answer in response["answers"]
        ]  # fmt: skip
        header = [_("When"), _("Survey"), _("Question"), _("Answer")]
        story += text_table(header, rows, widths(context, 1.7, 1.3, 2.3, 2))
    if data["competition_entries"]:
        story += section(_("Competition entries"))
        rows = [
            [when(entry["entered_at"]), entry["competition_name"],
             _(ENTRY_ROUTE_NAMES.get(entry["route"], entry["route"])),
             _("winner, place {n}").format(n=entry["winner_position"]) if entry["won"] else "-"]
            for entry in data["competition_entries"]
        ]  # fmt: skip
        header = [_("Entered"), _("Competition"), _("How"), _("Won")]
        story += text_table(header, rows, widths(context, 1.4, 2.2, 1.4, 1.4))
    return story


def _cut(text: str) -> str:
    return text if len(text) <= TEXT_IN_TABLE else text[: TEXT_IN_TABLE - 1] + "…"
