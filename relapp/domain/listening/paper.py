"""Paper survey forms: the code printed on each, who gets one, and the answers typed from it.

The code. A form carries a QR code holding a short text: "RELAPP-S1:12:3:4567:K7QM" is format
1 of Relapp's survey forms, survey 12, version 3 of its questions, customer number 4567 (0 on
a blank form: nobody), and a check of four characters (the first 20 bits of the SHA-256 of
what comes before it, in Crockford's base 32). A code misread, mistyped or made by another
program fails the check (one in a million gets through by chance) and is refused rather than
recorded against someone. A barcode scanner types the code and Enter where the keyboard
focus is; spaces around it and lower-case letters (a scanner with Caps Lock on) are forgiven.

Who gets a form. Blank forms name nobody. Per-customer forms go to the live customers of a
saved segment (as the contacts list shows it: archived, erased and merged ones left out), by
name, at most MAX_FORMS at once. An anonymous survey has blank forms only: a form with the
customer's name on it would tell who answered.

Typing the answers (one row a form, one cell a question), each cell as the form shows it
beside its boxes: a rating 1 to 5, a recommend score 0 to 10, the number of the one option
ticked (or its words), the numbers of every option ticked (1 3, or 1,3), yes or no (y/n, 1/0),
or the words written. An empty cell is a question left blank. A form of another survey, or
of an older version of this one (its questions changed since), is refused: its answers would
land on the wrong questions. The answers are recorded as any answers are
(relapp.domain.listening.answers.record_response, source 'paper'): its checks and its rules
for anonymous surveys and low scores apply.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from relapp.domain.changes import Change
from relapp.domain.contacts.listing import (
    ContactFilter,
    ContactQuery,
    UnknownSegment,
    contact_ids_page,
    contact_rows,
    count_contacts,
    segment_filter,
)
from relapp.domain.listening.answers import Answer, record_response
from relapp.domain.listening.surveys import NPS_RANGE, RATING_RANGE, Question, SurveyForm
from relapp.domain.loyalty.ledger import CustomerNotFound, live_customer
from relapp.errors import RelappError, excerpt

PREFIX = "RELAPP-S1"
CHECK_LENGTH = 4
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
MAX_FORMS = 5_000  # per-customer forms in one file: a segment bigger than a print run is a
# mistake (a 400,000-page PDF helps nobody)
_CODE = re.compile(
    rf"{PREFIX}:(\d{{1,18}}):(\d{{1,9}}):(\d{{1,18}}):([0-9A-Z]{{{CHECK_LENGTH}}})", re.ASCII
)
_YES = frozenset({"y", "yes", "1", "x"})
_NO = frozenset({"n", "no", "0"})


class PaperRefused(RelappError):
    """A form's code or a typed answer cannot be used; nothing was recorded."""


@dataclass(frozen=True)
class FormCode:
    survey_id: int
    version_number: int
    contact_id: int | None  # None: a blank form


@dataclass(frozen=True)
class FormCustomer:
    contact_id: int
    name: str
    card_number: str | None


# ------------------------------------------------------------------------------------ codes


def _check(body: str) -> str:
    bits = int.from_bytes(hashlib.sha256(body.encode("ascii")).digest()[:4], "big") >> 12
    return "".join(CROCKFORD[bits >> shift & 31] for shift in range(15, -1, -5))


def form_code(survey_id: int, version_number: int, contact_id: int | None) -> str:
    """The text of a form's QR code (module docstring)."""
    body = f"{PREFIX}:{survey_id}:{version_number}:{contact_id or 0}"
    return f"{body}:{_check(body)}"


def looks_like_form_code(text: str) -> bool:
    """Whether text was meant as a form's code (a scan landed in an answer's cell)."""
    return text.strip().upper().startswith(f"{PREFIX}:")


def read_form_code(text: str) -> FormCode:
    """The code typed or scanned; PaperRefused if it is not a survey form's code as printed."""
    code = text.strip().upper()
    found = _CODE.fullmatch(code)
    if found is None:
        raise PaperRefused(
            f"{excerpt(text.strip())} is not the code of a Relapp survey form: scan the QR code"
            " at the top of the form."
        )
    survey, version, contact, check = found.groups()
    if _check(code.rpartition(":")[0]) != check:
        raise PaperRefused(
            "That form's code does not add up (misread or mistyped): scan it again, or type"
            " the answers without it."
        )
    return FormCode(int(survey), int(version), int(contact) or None)


@dataclass(frozen=True)
class ScannedForm:
    contact_id: int | None  # None: a blank form
    customer: str  # their name ('' for a blank form)


def scanned_form(text: str, form: SurveyForm) -> ScannedForm:
    """The form whose code was scanned, to type its answers for the survey asked now.

    Raises:
        PaperRefused: not a form's code, a form of another survey or of an older version of
            this one, or its customer is gone (erased, archived, merged).
    """
    code = read_form_code(text)
    if code.survey_id != form.survey_id:
        raise PaperRefused(
            f"That form is of another survey (number {code.survey_id}), not {form.name}: type"
            " it where that survey's paper answers are typed."
        )
    if code.version_number != form.version_number:
        raise PaperRefused(
            f"That form prints version {code.version_number} of {form.name}'s questions, which"
            f" have changed since (version {form.version_number} now): its answers cannot be"
            " typed against the new questions."
        )
    if code.contact_id is None:
        return ScannedForm(None, "")
    try:
        customer = live_customer(code.contact_id)
    except CustomerNotFound:
        raise PaperRefused(
            f"The customer that form was printed for (number {code.contact_id}) is no longer in"
            " the shop's records."
        ) from None
    return ScannedForm(customer.id, customer.name)


# ------------------------------------------------------------------------------ who gets one


def form_customers(segment: str) -> list[FormCustomer]:
    """The segment's live customers, by name, to print a form for each.

    Raises:
        PaperRefused: there is no such segment, it has nobody, or more than MAX_FORMS.
    """
    try:
        segment_filter(segment)
    except UnknownSegment as error:
        raise PaperRefused(str(error)) from None
    members = ContactFilter(segment=segment)
    count = count_contacts(members)
    if not count:
        raise PaperRefused(f"The segment {segment} has nobody in it: no form to print.")
    if count > MAX_FORMS:
        raise PaperRefused(
            f"The segment {segment} has {count:,} customers; forms are printed for at most"
            f" {MAX_FORMS:,} at once: choose a smaller segment."
        )
    ids = contact_ids_page(ContactQuery(members), 0, count)
    return [FormCustomer(row.id, row.name, row.card_number) for row in contact_rows(ids)]


def per_customer_refusal(form: SurveyForm) -> str:
    """Why this survey has no per-customer forms ('' if it may have them)."""
    if form.anonymous:
        return (
            f"{form.name} is anonymous: a form with the customer's name on it would tell who"
            " answered. Print blank forms."
        )
    return ""


# ------------------------------------------------------------------------- typed answers


def typed_answer(number: int, question: Question, typed: str) -> Answer | None:
    """The answer typed for question number (1, 2, ...) as the form shows it (module
    docstring); None for an empty cell; PaperRefused naming the question if it does not
    read."""
    text = " ".join(typed.split())
    if not text:
        return None
    if question.kind == "text":
        return Answer(question.id, None, text)
    if question.kind in ("rating", "nps"):
        low, high = RATING_RANGE if question.kind == "rating" else NPS_RANGE
        if text.isdigit() and text.isascii() and low <= int(text) <= high:
            return Answer(question.id, int(text))
        raise PaperRefused(
            f"Question {number} takes a number from {low} to {high}, not {excerpt(text)}."
        )
    if question.kind == "yes_no":
        if text.casefold() in _YES:
            return Answer(question.id, 1)
        if text.casefold() in _NO:
            return Answer(question.id, 0)
        raise PaperRefused(f"Question {number} takes yes or no (y or n), not {excerpt(text)}.")
    if question.kind == "choice":
        return Answer(question.id, _option(number, question, text))
    picked = [_option(number, question, part) for part in re.split(r"[\s,;+]+", text) if part]
    return Answer(question.id, sum(1 << index for index in set(picked)))


def _option(number: int, question: Question, text: str) -> int:
    """The index of the option typed as its number on the form (1, 2, ...) or its words."""
    options = question.options
    if text.isdigit() and text.isascii() and 1 <= int(text) <= len(options):
        return int(text) - 1
    for index, option in enumerate(options):
        if option.casefold() == text.casefold():
            return index
    raise PaperRefused(
        f"Question {number} takes the number of an option, 1 to {len(options)}, not"
        f" {excerpt(text)}."
    )


def typed_answers(form: SurveyForm, typed: Sequence[str]) -> list[Answer]:
    """The answers of one form, one typed cell per question in the form's order."""
    answers = []
    for number, (question, cell) in enumerate(zip(form.questions, typed, strict=True), start=1):
        answer = typed_answer(number, question, cell)
        if answer is not None:
            answers.append(answer)
    return answers


def record_paper_form(
    form: SurveyForm,
    contact_id: int | None,
    typed: Sequence[str],
    staff_id: int | None = None,
) -> Change:
    """Record one paper form's answers, typed as the form shows them, for the customer
    (None: nobody: an anonymous survey's form).

    Raises:
        PaperRefused: a cell does not read.
        AnswerRefused, SurveyRefused, RelappError: as record_response (a required question
            left blank, the survey changed since the form was read, the customer is gone).
    """
    answers = typed_answers(form, typed)
    return record_response(
        form.survey_id, answers, contact_id=contact_id, source="paper", staff_id=staff_id
    )
