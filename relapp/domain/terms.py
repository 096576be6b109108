"""The shop's words: every code Relapp stores (ladder stages, interaction kinds, consent
channels, ledger kinds...), the name each is shown by, and the rules that differ by kind.

One place: a new interaction kind is an edit here plus a migration that lets the database
accept it (tests/domain/test_terms.py pins these codes to the CHECK constraints of the
schema). Names are in English and translated where they are shown.
"""

from __future__ import annotations

# -------------------------------------------------------------------------------- codes

LADDER_STAGES = ("prospect", "customer", "client", "supporter", "advocate", "partner")
CONTACT_KINDS = ("person", "business")
PREFERENCE_KINDS = ("like", "dislike", "size", "note")
# The ways a customer may be contacted, and one purpose (schema 20): partner_offers, offers
# of the shop's partner businesses, which no channel's consent covers.
CONSENT_CHANNELS = ("email", "sms", "phone", "post", "social", "partner_offers")
# A partner's code batch (schema 20): the partner's codes, handed out there and redeemable
# here; or our codes, handed out at the partner's.
PARTNER_DIRECTIONS = ("theirs_here", "ours_there")
INTERACTION_KINDS = (
    "visit",
    "purchase",
    "call",
    "email",
    "message",
    "social",
    "query",
    "complaint",
    "feedback",
    "note",
    "campaign",
    "referral",
)
OPEN_UNTIL_RESOLVED_KINDS = ("query", "complaint")
DIRECTIONS = ("inbound", "outbound")
STAFF_ROLES = ("manager", "counter")
POINTS_ENTRY_KINDS = (
    "earn",
    "redeem",
    "expire",
    "adjust",
    "bonus",
    "opening",
    "reversal",
    "transfer",
)
GIFT_CARD_ENTRY_KINDS = ("sale", "redeem", "reversal", "expiry")
ALWAYS_OUTBOUND_KINDS = frozenset({"campaign"})
# Kinds with a field of their own: the network a social entry was on, a feedback's score.
NETWORK_KINDS = frozenset({"social"})
SCORED_KINDS = frozenset({"feedback"})
# Kinds written by the till's sales, never logged by hand from the quick-log dialog.
RECORDED_BY_SALES_KINDS = frozenset({"purchase"})

# ------------------------------------------------------------------- rules by interaction kind

# A call, an email or a message went one way or the other: the direction must be given.
DIRECTION_REQUIRED_KINDS = frozenset({"call", "email", "message"})
# When none is given; a campaign always goes out (ALWAYS_OUTBOUND_KINDS).
DEFAULT_DIRECTIONS = {"campaign": "outbound", "query": "inbound", "complaint": "inbound",
                      "feedback": "inbound"}  # fmt: skip
NO_DIRECTION_KINDS = frozenset({"visit", "note", "referral", "purchase"})
SUMMARY_OPTIONAL_KINDS = frozenset({"visit", "feedback", "purchase"})
# What the summary field asks for, by kind (the log dialog's placeholder).
SUMMARY_HINTS = {
    "visit": "What happened (optional)",
    "purchase": "What was bought (optional)",
    "call": "What was it about?",
    "email": "What was it about?",
    "message": "What was it about?",
    "social": "What was said or posted?",
    "query": "What did they ask?",
    "complaint": "What went wrong?",
    "feedback": "What did they say (optional)",
    "note": "What should the shop remember?",
    "campaign": "Which campaign?",
    "referral": "Who did they refer?",
}

# ------------------------------------------------------------------------------ names

CHANNEL_NAMES = {
    "email": "Email",
    "sms": "SMS",
    "phone": "Phone",
    "post": "Post",
    "social": "Social",
    "partner_offers": "Partner offers",
}
PARTNER_DIRECTION_NAMES = {
    "theirs_here": "Their codes, redeemable here",
    "ours_there": "Our codes, handed out there",
}
LADDER_STAGE_NAMES = {
    "prospect": "Prospect", "customer": "Customer", "client": "Client",
    "supporter": "Supporter", "advocate": "Advocate", "partner": "Partner",
}  # fmt: skip
KIND_NAMES = {
    "visit": "Visit",
    "purchase": "Purchase",
    "call": "Call",
    "email": "Email",
    "message": "Message",
    "social": "Social",
    "query": "Query",
    "complaint": "Complaint",
    "feedback": "Feedback",
    "note": "Note",
    "campaign": "Campaign",
    "referral": "Referral",
    "points": "Points",
    "task": "Follow-up",
}
LEDGER_KIND_NAMES = {
    "earn": "Points earned",
    "redeem": "Reward redeemed",
    "bonus": "Bonus points",
    "adjust": "Points adjusted",
    "expire": "Points expired",
    "opening": "Opening balance",
    "reversal": "Points reversed",
    "transfer": "Points transferred",
}
GIFT_CARD_ENTRY_NAMES = {
    "sale": "Sold",
    "redeem": "Redeemed",
    "reversal": "Redemption reversed",
    "expiry": "Expired",
}
DIRECTION_NAMES = {"inbound": "In", "outbound": "Out"}
# The colour each kind of history entry is shown in (the disc behind its icon, the line beside
# it), as #rrggbb; "points" and "task" are history lines that are not interactions.
KIND_COLOURS = {
    "visit": "#64748b",
    "purchase": "#15803d",
    "call": "#2563eb",
    "email": "#0e7490",
    "message": "#7c3aed",
    "social": "#db2777",
    "query": "#b45309",
    "complaint": "#dc2626",
    "feedback": "#a16207",
    "note": "#57534e",
    "campaign": "#9333ea",
    "referral": "#4f46e5",
    "points": "#0f766e",
    "task": "#0369a1",
}
# Prize draws (schema 21): who may enter a competition, and the ways an entry is made.
COMPETITION_ELIGIBILITIES = ("all", "segment", "members")
COMPETITION_ELIGIBILITY_NAMES = {
    "all": "Everyone",
    "segment": "A saved segment",
    "members": "Current members",
}
ENTRY_ROUTES = ("counter", "paper", "purchase", "no_purchase")
ENTRY_ROUTE_NAMES = {
    "counter": "At the counter",
    "paper": "On paper",
    "purchase": "With a purchase",
    "no_purchase": "No purchase necessary",
}
# Surveys and polls (schema 21): a survey asks several questions, a poll exactly one; the
# kinds of question; where a response was given; what a customer asked at the counter said.
SURVEY_KINDS = ("survey", "poll")
SURVEY_KIND_NAMES = {"survey": "Survey", "poll": "Poll"}
QUESTION_KINDS = ("rating", "nps", "choice", "choices", "yes_no", "text")
QUESTION_KIND_NAMES = {
    "rating": "Rating (1 to 5)",
    "nps": "Recommend score (0 to 10)",
    "choice": "One choice",
    "choices": "Several choices",
    "yes_no": "Yes or no",
    "text": "Short text",
}
RESPONSE_SOURCES = ("counter", "paper")
RESPONSE_SOURCE_NAMES = {"counter": "At the counter", "paper": "On paper"}
ASKED_OUTCOMES = ("answered", "declined")
ASKED_OUTCOME_NAMES = {"answered": "Answered", "declined": "Declined"}
# Why a draw left an entry out (kept in competition_draw.excluded; relapp.domain.listening.draw).
DRAW_EXCLUSION_NAMES = {
    "erased": "The person was erased",
    "outside_dates": "Entered outside the dates",
    "route": "Entered by a way not allowed",
    "not_eligible": "Not eligible at the close",
    "over_limit": "Over the limit per person",
}
