"""Texting one customer from the Counter: the number it goes to, what to know before sending,
how long the text is, and the entry it leaves in their history.

* The number is the customer's phone as stored (E.164). One that libphonenumber knows to be
  a landline cannot take a text, and is said so; a number it cannot place (many countries
  do not tell mobiles from landlines) is taken as it is.
* Consent and the contact cap are warnings, never refusals: a message the customer needs
  ("your order is ready", a booking moved) is transactional and may go without their
  marketing consent, as a campaign marked transactional does. Consent is the latest event in
  the consent log (relapp.domain.contacts.profiles.current_consent); the cap is the one the
  quick log warns about (relapp.domain.contacts.rhythm.would_exceed_cap).
* The length is counted as the network counts it (relapp.domain.campaigns.sms).
* Relapp does not send the text (the shop's phone or this computer's messages app does); the
  person says it was sent, and it is logged as an outbound message with the text as its
  details.
"""

from __future__ import annotations

from collections.abc import Callable

import phonenumbers

from relapp.domain.campaigns.sms import GSM_7, UCS_2, sms_segments
from relapp.domain.contacts.phones import display_phone
from relapp.domain.contacts.profiles import current_consent
from relapp.domain.contacts.rhythm import would_exceed_cap
from relapp.domain.timeline.history import MAX_SUMMARY_LENGTH, LoggedInteraction, log_interaction
from relapp.errors import RelappError
from relapp.i18n import _

SUMMARY_PREFIX = "Text message: "
# One message's room, and a part's once a text goes in several (a concatenation header takes
# the rest), in the encoding's units: as relapp.domain.campaigns.sms counts them.
_ROOM = {GSM_7: (160, 153), UCS_2: (70, 67)}


class NoMobile(RelappError):
    """The customer has no number a text message can go to."""


def mobile_number(name: str, phone: str | None) -> str:
    """The number (E.164) a text to the customer goes to.

    Raises:
        NoMobile: they have no phone number, or a landline.
    """
    if not phone:
        raise NoMobile(
            _("{name} has no mobile number on record, so a text message cannot reach them.")
            .format(name=name)
        )  # fmt: skip
    try:
        kind = phonenumbers.number_type(phonenumbers.parse(phone, None))
    except phonenumbers.NumberParseException:
        return phone  # stored numbers were checked when stored; sms_link says if it is not
    if kind == phonenumbers.PhoneNumberType.FIXED_LINE:
        raise NoMobile(
            _("{name}'s number, {number}, is a landline: a text message cannot reach it.")
            .format(name=name, number=display_phone(phone))
        )  # fmt: skip
    return phone


def texting_warnings(contact_id: int, name: str) -> tuple[str, ...]:
    """What the person sending should know first, a sentence each: no consent to marketing
    texts, one contact over the shop's cap. Empty when neither."""
    warnings = []
    consent = current_consent(contact_id).get("sms")
    only_needed = _(
        "send only what they need to know (their order is ready, a booking moved), no offers."
    )
    if consent is False:
        warnings.append(
            _("{name} withdrew consent to text messages: {only_needed}").format(
                name=name, only_needed=only_needed
            )
        )
    elif consent is None:
        warnings.append(
            _("{name} has not agreed to text messages: {only_needed}").format(
                name=name, only_needed=only_needed
            )
        )
    pressure = would_exceed_cap(contact_id)
    if pressure is not None:
        warnings.append(
            _("Do not contact yet unless they need it: {reason}.").format(reason=pressure.reason)
        )
    return tuple(warnings)


def length_line(text: str, translate: Callable[[str], str] = _) -> str:
    """ "1 text message · 42 of 160 characters (GSM-7)": what the text costs and the room
    left in the messages it takes (UCS-2 once a character outside GSM-7 is typed)."""
    length = sms_segments(text)
    messages = max(length.segments, 1)
    single, part = _ROOM[length.encoding]
    room = single if messages == 1 else messages * part
    count = (
        translate("1 text message")
        if length.segments <= 1
        else translate("{count} text messages").format(count=length.segments)
    )
    return translate("{count} · {characters} of {room} characters ({encoding})").format(
        count=count, characters=length.characters, room=room, encoding=length.encoding
    )


def sent_summary(text: str) -> str:
    """The history line of a text: "Text message: " and its words on one line, shortened
    with an ellipsis to fit a summary."""
    words = " ".join(text.split())
    summary = SUMMARY_PREFIX + words
    if len(summary) > MAX_SUMMARY_LENGTH:
        summary = summary[: MAX_SUMMARY_LENGTH - 1].rstrip() + "…"
    return summary


def log_text_sent(contact_id: int, text: str, staff_id: int | None = None) -> LoggedInteraction:
    """Log the text as sent to the customer: an outbound message, the text as its details.

    Raises:
        RelappError: the text is empty, or log_interaction refuses it (an archived or
            merged customer, a text longer than details hold, an unknown staff member).
    """
    if not text.strip():
        raise RelappError(_("Type the message first: the history keeps what was sent."))
    return log_interaction(
        contact_id,
        "message",
        summary=sent_summary(text),
        details=text,
        direction="outbound",
        staff_id=staff_id,
    )
