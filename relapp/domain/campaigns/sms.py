"""How many SMS a text message costs, counted as the phone network counts it.

A text is sent in GSM-7 (3GPP TS 23.038) when every character is in the GSM default alphabet
or its extension table, otherwise in UCS-2. GSM-7 counts septets: a character of the basic
set is one, one of the extension table (€ [ ] { } ^ ~ \\ | and form feed) is an escape plus
itself, two. UCS-2 counts UTF-16 code units, so a character outside the Basic Multilingual
Plane (most emoji) is two. One message holds 160 septets or 70 units; a longer text is sent
in parts that each give up room to a concatenation header (User Data Header), leaving 153
septets or 67 units.

Parts are filled the way senders fill them: an escape and its character, or the two halves
of a surrogate pair, are never split between two parts, so a two-unit character that does
not fit the room left starts the next part. That is why a count can need one part more than
units / 153 would say.

Counted strictly to the standard: "ç" (small c cedilla) is not in the GSM alphabet, only "Ç",
so it makes the text UCS-2, as it does on a network that does not substitute it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from relapp.i18n import _

# 3GPP TS 23.038, 6.2.1: the default alphabet in code order (0x1B, the escape, as a space
# placeholder that is never looked up: a space is at 0x20 anyway).
GSM_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ"
    " !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# 6.2.1.1: the extension table, reached by the escape.
GSM_EXTENSION = "\f^{}\\[~]|€"
_GSM_BASIC_SET = frozenset(GSM_BASIC) - {"\x1b"}
_GSM_EXTENSION_SET = frozenset(GSM_EXTENSION)

GSM_7 = "GSM-7"
UCS_2 = "UCS-2"
_SINGLE = {GSM_7: 160, UCS_2: 70}
_PART = {GSM_7: 153, UCS_2: 67}


@dataclass(frozen=True)
class SmsLength:
    encoding: str  # GSM_7 or UCS_2
    characters: int  # in the encoding's units: septets for GSM-7, UTF-16 code units for UCS-2
    segments: int  # the SMS it is sent as (billed as); 0 for an empty text


def is_gsm_7(text: str) -> bool:
    """Whether the text can be sent in GSM-7 (every character in the alphabet or its
    extension table)."""
    return all(c in _GSM_BASIC_SET or c in _GSM_EXTENSION_SET for c in text)


def sms_segments(text: str) -> SmsLength:
    """The encoding the text is sent in, its length in that encoding's units, and the number
    of SMS it takes."""
    encoding = GSM_7 if is_gsm_7(text) else UCS_2
    units = [_units(c, encoding) for c in text]
    total = sum(units)
    if total == 0:
        return SmsLength(encoding, 0, 0)
    if total <= _SINGLE[encoding]:
        return SmsLength(encoding, total, 1)
    room = _PART[encoding]
    segments, used = 1, 0
    for size in units:
        if used + size > room:  # an escape pair or a surrogate pair is never split
            segments, used = segments + 1, 0
        used += size
    return SmsLength(encoding, total, segments)


def sms_length_text(length: SmsLength, translate: Callable[[str], str] = _) -> str:
    """The count in words for the message editor: "2 SMS (GSM-7, 187 characters)"."""
    if length.segments == 0:
        return translate("No SMS (the message is empty)")
    return translate("{segments} SMS ({encoding}, {characters} characters)").format(
        segments=length.segments, encoding=length.encoding, characters=length.characters
    )


def _units(character: str, encoding: str) -> int:
    if encoding == GSM_7:
        return 2 if character in _GSM_EXTENSION_SET else 1
    return 2 if ord(character) > 0xFFFF else 1
