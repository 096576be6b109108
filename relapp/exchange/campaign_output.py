"""A produced campaign's files, by channel, in the folder the owner chose.

- letter: one PDF, a page per customer (relapp.reports.campaign_letters), and an address
  label sheet, and envelopes (a page of the envelope's size each), for the same list when
  a label or envelope layout is named.
- email: a CSV in Mailchimp's import format, and one .eml file per customer (in a folder of
  its own) that any mail program opens; each ends with the shop's opt-out text.
- sms: a CSV for an SMS service, with each text's length in segments.
- call: a printed call list (relapp.reports.call_list: the script, each customer's number
  large, tick boxes for the outcome and room for notes), and the same list as a CSV with a
  column for the outcome, to fill in on a computer.

Files are named after the campaign ("spring-offer-3-letters.pdf"), so two campaigns never
overwrite each other's.

An email campaign sent from Relapp gets its emails made here too (emails_to_send), the same
messages as the .eml files, for relapp.domain.campaigns.produce_campaign to queue in the
outbox.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path

from relapp.db.store.campaigns import CampaignRow
from relapp.domain.campaigns.outbox import OutgoingEmail
from relapp.domain.campaigns.recipients import Message
from relapp.errors import RelappError
from relapp.exchange.campaign_files import (
    call_list_csv,
    campaign_emails,
    eml_files,
    mailchimp_csv,
    sms_csv,
)

# progress(done, total) -> False to cancel
Progress = Callable[[int, int], bool]


class OutputCancelled(RelappError):
    """The owner cancelled; the files begun were removed and nothing was recorded."""


def campaign_stem(campaign: CampaignRow) -> str:
    """The campaign's file-name stem: its name as ASCII words, then its number."""
    ascii_name = unicodedata.normalize("NFKD", campaign.name).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40].strip("-")
    return f"{words or 'campaign'}-{campaign.id}"


def write_campaign_files(
    campaign: CampaignRow,
    messages: Sequence[Message],
    folder: Path,
    *,
    progress: Progress | None = None,
    sender: str = "",
    opt_out: str = "",
    labels: str | None = None,
    envelopes: str | None = None,
) -> list[Path]:
    """Write the campaign's files into folder (made if missing); the files written.
    Raises RelappError with one sentence if they cannot be; OutputCancelled if progress
    said stop (what was begun is removed either way)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise RelappError(f"The folder {folder} cannot be made ({error.strerror}).") from None
    stem = campaign_stem(campaign)
    written: list[Path] = []
    try:
        if campaign.channel == "letter":
            from relapp.reports.campaign_letters import campaign_letters

            letters = folder / f"{stem}-letters.pdf"
            written += _pdf(campaign_letters, "no letters were kept", messages, letters, progress)
            if labels is not None:
                from relapp.reports.campaign_letters import LABEL_LAYOUTS, address_labels

                target = folder / f"{stem}-labels.pdf"
                address_labels([m.recipient for m in messages], target, LABEL_LAYOUTS[labels])
                written.append(target)
            if envelopes is not None:
                from relapp.reports.campaign_letters import ENVELOPE_LAYOUTS
                from relapp.reports.campaign_letters import envelopes as write_envelopes

                target = folder / f"{stem}-envelopes.pdf"
                layout = ENVELOPE_LAYOUTS[envelopes]
                write_envelopes([m.recipient for m in messages], target, layout)
                written.append(target)
        elif campaign.channel == "email":
            target = folder / f"{stem}-mailchimp.csv"
            mailchimp_csv(messages, target, tags=[campaign.name])
            written.append(target)
            emails = folder / f"{stem}-emails"
            emails.mkdir(exist_ok=True)
            written += eml_files(messages, emails, sender=sender, opt_out=opt_out)
        elif campaign.channel == "sms":
            target = folder / f"{stem}-sms.csv"
            sms_csv(messages, target)
            written.append(target)
        else:
            from relapp.reports.call_list import call_list

            calls = folder / f"{stem}-calls.pdf"
            written += _pdf(call_list, "no call list was kept", messages, calls, progress,
                            campaign_name=campaign.name)  # fmt: skip
            target = folder / f"{stem}-calls.csv"
            call_list_csv(messages, target)
            written.append(target)
    except OSError as error:
        _remove(written)
        raise RelappError(
            f"The campaign's files cannot be written in {folder} ({error})."
        ) from None
    except BaseException:
        _remove(written)
        raise
    if progress is not None and not progress(len(messages), len(messages)):
        _remove(written)
        raise OutputCancelled("Cancelled: no campaign files were kept and nothing was recorded.")
    return written


def emails_to_send(
    campaign: CampaignRow,
    messages: Sequence[Message],
    progress: Progress | None = None,
    *,
    sender: str,
    opt_out: str,
) -> list[OutgoingEmail]:
    """The campaign's emails to queue in the outbox, one per recipient with an address, each
    ending with the opt-out text and its body in 7-bit form (any mail server takes it).
    Raises RelappError with one sentence (no opt-out text, a wrong sender); OutputCancelled if
    progress said stop (nothing is queued then)."""
    if campaign.channel != "email":
        raise RelappError("Only an email campaign's messages can be sent from Relapp.")
    made = []
    for done, built in enumerate(
        campaign_emails(messages, sender=sender, opt_out=opt_out, seven_bit=True), start=1
    ):
        wire = built.email.as_bytes().decode("utf-8")
        made.append(OutgoingEmail(built.message.recipient.contact_id, built.recipient, wire))
        if progress is not None and done % 100 == 0 and not progress(done, len(messages)):
            raise OutputCancelled("Cancelled: no emails were queued and nothing was recorded.")
    if progress is not None and not progress(len(messages), len(messages)):
        raise OutputCancelled("Cancelled: no emails were queued and nothing was recorded.")
    return made


def _pdf(
    write: Callable[..., object], not_kept: str, messages: Sequence[Message], target: Path,
    progress: Progress | None, **options: object,
) -> list[Path]:  # fmt: skip
    """A report of the messages (write(messages, target, progress=..., **options)), its
    progress passed on as counts; a Cancel, through progress or the report, is
    OutputCancelled saying what was not kept ("no letters were kept")."""
    from relapp.reports.document import ReportCancelled

    cancelled = f"Cancelled: {not_kept} and nothing was recorded."

    def fraction(done: float) -> None:
        if progress is not None and not progress(int(done * len(messages)), len(messages)):
            raise OutputCancelled(cancelled)

    try:
        write(messages, target, progress=fraction, **options)
    except ReportCancelled:
        raise OutputCancelled(cancelled) from None
    return [target]


def _remove(paths: Sequence[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)
