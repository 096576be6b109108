"""The customer at the counter: who they are, their points, what is open, what they like."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import partial

from PySide6.QtCore import QCoreApplication, QDate, QLocale, Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from relapp.db.outbox import CardEntry
from relapp.domain import clock
from relapp.domain.contacts.phones import display_phone
from relapp.domain.contacts.profiles import BIRTHDAY_SOON_DAYS, CustomerProfile
from relapp.domain.giftcards.cards import GiftCard
from relapp.domain.loyalty.progress import Progress
from relapp.domain.memberships.members import Standing
from relapp.domain.partners.partners import PartnerLinks
from relapp.domain.shop.formats import ShopFormat
from relapp.domain.terms import CHANNEL_NAMES

CONSENT_MARKS = {True: "✓", False: "✗", None: "–"}
# "offline: balance as of 10:42" in the offline banner's amber (relapp.qss has no rule yet).
OFFLINE_NOTE_STYLE = "QLabel#offlineBalance { color: #b54708; font-weight: bold; }"
# What is on the customer's gift cards, as what their points buy (relapp.qss has no rule yet).
GIFT_CARDS_STYLE = "QLabel#giftCards { color: #0f766e; font-weight: 600; }"
# The survey offered after a sale, in the theme's accent (relapp.qss has no rule for it yet).
SURVEY_OFFER_STYLE = "QLabel#surveyOffer { color: #1d4ed8; font-weight: 600; }"
REWARDS_NAMED = 3  # rewards the balance pays for, named on the profile; the rest counted


def _label(object_name: str = "", word_wrap: bool = False) -> QLabel:
    label = QLabel(objectName=object_name, wordWrap=word_wrap)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def standing(profile: CustomerProfile) -> list[str]:
    """Where the customer stands: ladder stage, tier, card number."""
    tr = partial(QCoreApplication.translate, "CustomerPanel")
    parts = [profile.ladder_stage.capitalize()]
    if profile.tier:
        parts.append(tr("{tier} tier").format(tier=profile.tier))
    if profile.card_number:
        parts.append(tr("card {card}").format(card=profile.card_number))
    return parts


class CustomerPanel(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("customerPanel")
        self.avatar = QLabel(objectName="avatar", alignment=Qt.AlignmentFlag.AlignCenter)
        self.avatar.setFixedSize(64, 64)
        self.name = _label("customerName", word_wrap=True)
        self.standing = _label("customerStanding")
        self.birthday_badge = QLabel(objectName="birthdayBadge")
        header_text = QVBoxLayout()
        header_text.addWidget(self.name)
        header_text.addWidget(self.standing)
        # Membership (schema 19): its status and perk; F9 (the Counter's) joins, renews, cancels.
        self.membership = _label("memberStanding", word_wrap=True)
        self.membership_button = QPushButton(
            self.tr("Membership… (F9)"), objectName="membershipButton"
        )
        self.membership_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the search box keeps it
        self.membership_button.setToolTip(self.tr("Join, renew or cancel a membership (F9)"))
        self.membership_row = QWidget(objectName="membershipRow")
        membership_row = QHBoxLayout(self.membership_row)
        membership_row.setContentsMargins(0, 0, 0, 0)
        membership_row.addWidget(self.membership, 1)
        membership_row.addWidget(self.membership_button, 0, Qt.AlignmentFlag.AlignTop)
        self.membership_row.hide()
        header_text.addWidget(self.membership_row)
        # A partner business's own record, or the partner a customer came through (schema 20).
        self.partner = _label("partnerLine", word_wrap=True)
        self.partner.hide()
        header_text.addWidget(self.partner)
        # Surveys and prize draws (schema 21): after a sale, one line offering the survey due;
        # Ask… (F10, the Counter's) lists what the shop can ask this customer at any time.
        self.survey_offer = _label("surveyOffer", word_wrap=True)
        self.survey_offer.setStyleSheet(SURVEY_OFFER_STYLE)
        self.ask_button = QPushButton(self.tr("Ask… (F10)"), objectName="askButton")
        self.ask_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the search box keeps it
        self.ask_button.setToolTip(
            self.tr("Ask for feedback (a survey or a poll) or enter a prize draw (F10)")
        )
        self.asking_row = QWidget(objectName="askingRow")
        asking_row = QHBoxLayout(self.asking_row)
        asking_row.setContentsMargins(0, 0, 0, 0)
        asking_row.addWidget(self.survey_offer, 1)
        asking_row.addWidget(
            self.ask_button, 0, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignRight
        )
        self.asking_row.hide()
        header_text.addWidget(self.asking_row)
        header = QHBoxLayout()
        header.addWidget(self.avatar)
        header.addLayout(header_text, 1)
        header.addWidget(self.birthday_badge, 0, Qt.AlignmentFlag.AlignTop)

        self.points = _label("factValue")
        self.visits = _label("factValue")
        self.last_visit = _label("factValue")
        facts = QGridLayout()
        for column, (title, value) in enumerate(
            ((self.tr("Points"), self.points), (self.tr("Visits"), self.visits),
             (self.tr("Last visit"), self.last_visit))
        ):  # fmt: skip
            facts.addWidget(QLabel(title, objectName="factTitle"), 0, column)
            facts.addWidget(value, 1, column)

        self.expiring = _label("expiringPoints")
        facts.addWidget(self.expiring, 2, 0, 1, 3)
        # What the points buy now, and how far the next reward and the next tier are.
        self.rewards_now = _label("rewardsNow", word_wrap=True)
        self.progress = _label("loyaltyProgress", word_wrap=True)
        facts.addWidget(self.rewards_now, 3, 0, 1, 3)
        facts.addWidget(self.progress, 4, 0, 1, 3)
        # The shop server is away: the customer as this till's copy of the cards has them.
        self.offline_note = _label("offlineBalance", word_wrap=True)
        self.offline_note.setStyleSheet(OFFLINE_NOTE_STYLE)
        self.offline_detail = _label("offlineDetail", word_wrap=True)
        for row, label in enumerate((self.offline_note, self.offline_detail), 5):
            label.hide()
            facts.addWidget(label, row, 0, 1, 3)
        # What is left on the customer's gift cards (F8 takes from them), when anything is.
        self.gift_cards = _label("giftCards", word_wrap=True)
        self.gift_cards.setStyleSheet(GIFT_CARDS_STYLE)
        self.gift_cards.hide()
        facts.addWidget(self.gift_cards, 7, 0, 1, 3)

        self.open_cases = _label("openCases", word_wrap=True)
        self.follow_ups = _label("followUps", word_wrap=True)
        self.pressure = _label("contactPressure", word_wrap=True)
        self.likes = _label(word_wrap=True)
        self.dislikes = _label(word_wrap=True)
        self.sizes = _label(word_wrap=True)
        self.consent = _label()
        self.consent.setToolTip(
            self.tr("✓ agreed  ·  ✗ withdrew consent  ·  – never asked: do not contact")
        )
        self.reach = _label(word_wrap=True)
        self.details = QWidget(objectName="customerDetails")
        details = QGridLayout(self.details)
        details.setContentsMargins(0, 0, 0, 0)
        details.setColumnStretch(1, 1)
        rows = (
            (self.tr("Open queries"), self.open_cases),
            (self.tr("Follow-ups"), self.follow_ups),
            (self.tr("Contacted"), self.pressure),
            (self.tr("Likes"), self.likes),
            (self.tr("Dislikes"), self.dislikes),
            (self.tr("Sizes"), self.sizes),
            (self.tr("May contact by"), self.consent),
            (self.tr("Reach"), self.reach),
        )
        for row, (title, value) in enumerate(rows):
            details.addWidget(
                QLabel(title, objectName="detailTitle"), row, 0, Qt.AlignmentFlag.AlignTop
            )
            details.addWidget(value, row, 1)

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addLayout(header)
        layout.addLayout(facts)
        layout.addWidget(self.details)
        layout.addStretch(1)

    def show_profile(self, profile: CustomerProfile) -> None:
        locale = QLocale()
        self.offline_note.hide()
        self.offline_detail.hide()
        self.details.show()
        self.avatar.setText(profile.initials)
        self.name.setText(profile.name + (self.tr(" (archived)") if profile.archived else ""))
        self.standing.setText("  ·  ".join(standing(profile)))
        self._show_birthday(profile)
        self.points.setText(locale.toString(profile.points_balance))
        self.visits.setText(locale.toString(profile.visits))
        self.last_visit.setText(self._date(profile.last_visit) if profile.last_visit else "–")
        cases = [
            f"• {case.summary} ({case.kind}, {self._date(case.opened_at)})"
            + (self.tr(" — overdue") if case.overdue else "")
            for case in profile.open_cases
        ]
        self.open_cases.setText("\n".join(cases) or self.tr("None"))
        self._mark_alert(self.open_cases, any(case.overdue for case in profile.open_cases))
        tasks = [
            f"• {task.title} ({self._date(task.due_at)})"
            + (self.tr(" — overdue") if task.overdue else "")
            for task in profile.follow_ups
        ]
        self.follow_ups.setText("\n".join(tasks) or self.tr("None"))
        self._mark_alert(self.follow_ups, any(task.overdue for task in profile.follow_ups))
        pressure = profile.contact_pressure
        self.pressure.setText(
            self.tr("Do not contact yet: {reason}").format(reason=pressure.reason)
            if pressure.at_cap
            else pressure.reason
        )
        self._mark_alert(self.pressure, pressure.at_cap)
        self.likes.setText(", ".join(profile.likes) or "–")
        self.dislikes.setText(", ".join(profile.dislikes) or "–")
        self.sizes.setText(", ".join(profile.sizes) or "–")
        self.consent.setText(
            "   ".join(
                f"{self.tr(CHANNEL_NAMES[channel])} {CONSENT_MARKS[state]}"
                for channel, state in profile.consent.items()
            )
        )
        reach = [display_phone(profile.phone) if profile.phone else "", profile.email or ""]
        self.reach.setText("  ·  ".join(part for part in reach if part) or "–")

    def show_offline(self, card: CardEntry, seen: str) -> None:
        """The customer as this till last saw them, while the shop server does not answer:
        name, card and balance from the till's copy of the card index, marked offline; the
        rest of the profile is the server's."""
        words = card.name.split()
        self.avatar.setText("".join(word[:1] for word in words[:2]).upper() or "?")
        self.name.setText(card.name)
        self.standing.setText(self.tr("card {card}").format(card=card.card_number))
        self.birthday_badge.hide()
        self.partner.hide()
        self.asking_row.hide()  # surveys and draws are the server's
        self.points.setText(QLocale().toString(card.balance))
        self.visits.setText("–")
        self.last_visit.setText("–")
        for label in (self.expiring, self.rewards_now, self.progress, self.gift_cards):
            label.setText("")
            label.hide()
        self.offline_note.setText(self.tr("offline: balance as of {time}").format(time=seen))
        self.offline_detail.setText(
            self.tr(
                "The shop server is not answering. A sale is kept on this till and its points"
                " are added when it is sent; the rest of the profile shows when the server is"
                " back."
            )
        )
        self.offline_note.show()
        self.offline_detail.show()
        self.details.hide()

    def show_progress(self, progress: Progress | None, shop: ShopFormat) -> None:
        """ "Can redeem now: Free coffee" and "38 points to Free cake · $120.00 more spend to
        Gold"; a line with nothing to say is hidden."""
        rewards = progress.rewards_now if progress else ()
        named = ", ".join(rewards[:REWARDS_NAMED])
        if len(rewards) > REWARDS_NAMED:
            named = self.tr("{rewards} and {count} more").format(
                rewards=named, count=len(rewards) - REWARDS_NAMED
            )
        self.rewards_now.setText(
            self.tr("Can redeem now: {rewards}").format(rewards=named) if rewards else ""
        )
        self.rewards_now.setVisible(bool(rewards))
        steps = []
        if progress is not None and progress.next_reward:
            steps.append(
                self.tr("{points} points to {reward}").format(
                    points=QLocale().toString(progress.points_to_next_reward),
                    reward=progress.next_reward,
                )
            )
        if progress is not None and progress.next_tier:
            steps.append(
                self.tr("{money} more spend to {tier}").format(
                    money=shop.money(progress.spend_to_next_tier_cents), tier=progress.next_tier
                )
            )
        self.progress.setText("  ·  ".join(steps))
        self.progress.setVisible(bool(steps))

    def show_gift_cards(self, cards: list[GiftCard], shop: ShopFormat) -> None:
        """ "Gift card DBKF-N85B-TM7Z-JP28: $30.00 left", or "Gift cards: $80.00 left on 2
        cards" (those not used up nor expired); hidden when there is none."""
        now = clock.utc_now()
        usable = [card for card in cards if card.balance_cents > 0 and not card.expired(now)]
        left = shop.money(sum(card.balance_cents for card in usable))
        if len(usable) == 1:
            text = self.tr("Gift card {code}: {left} left").format(code=usable[0].shown, left=left)
        else:
            text = self.tr("Gift cards: {left} left on {count} cards").format(
                left=left, count=len(usable)
            )
        self.gift_cards.setText(text if usable else "")
        self.gift_cards.setVisible(bool(usable))

    def show_expiring(self, points: int, first: datetime | None) -> None:
        """Points that expire within 30 days, so the cashier can suggest spending them."""
        self.expiring.setVisible(points > 0)  # no empty line taking room
        if points <= 0:
            self.expiring.setText("")
            return
        when = self.tr(" (first {date})").format(date=self._date(first)) if first else ""
        self.expiring.setText(
            self.tr("{points} expire within 30 days{when}").format(
                points=QLocale().toString(points), when=when
            )
        )

    def show_membership(self, shown: Standing | None, shop_has_plans: bool) -> None:
        """ "Gold member · current until 31 Dec 2026 · 10% discount", "in grace until ..." (in
        red), "expired on ..."; "Not a member" when the shop has plans; nothing when it has
        none and the customer never joined."""
        if shown is None and not shop_has_plans:
            self.membership_row.hide()
            return
        alert = False
        if shown is None:
            text = self.tr("Not a member")
        else:
            member = shown.membership
            plan, ends = member.plan_name, self._day(member.ends_on)
            if shown.status == "current":
                text = self.tr("{plan} member · current until {day}").format(plan=plan, day=ends)
                if member.discount_percent:
                    text += self.tr(" · {n}% discount").format(n=member.discount_percent)
                if shown.renewed_to is not None:
                    text += self.tr(" · renewed to {day}").format(day=self._day(shown.renewed_to))
            elif shown.status == "grace":
                alert = True
                text = self.tr("{plan} member · in grace until {day} (ended {end})").format(
                    plan=plan, day=self._day(member.grace_until), end=ends
                )
            elif shown.status == "pending":
                text = self.tr("{plan} member from {day}").format(
                    plan=plan, day=self._day(member.starts_on)
                )
            elif shown.status == "cancelled":
                text = self.tr("{plan} membership cancelled").format(plan=plan)
            else:
                text = self.tr("{plan} membership expired on {day}").format(plan=plan, day=ends)
        self.membership.setText(text)
        self._mark_alert(self.membership, alert)
        self.membership_row.show()

    def show_partner(self, links: PartnerLinks | None) -> None:
        """ "Partner business: Café Luna (agreement until 30 Jun 2026)" for the record linked
        to a partner, "Came through Café Luna" for a customer a partner sent; hidden when
        neither."""
        parts = []
        if links is not None and links.business_of is not None:
            partner = links.business_of
            text = self.tr("Partner business: {partner}").format(partner=partner.name)
            if partner.agreement_until is not None:
                text += self.tr(" (agreement until {day})").format(
                    day=self._day(partner.agreement_until)
                )
            parts.append(text)
        if links is not None and links.came_through is not None:
            parts.append(self.tr("Came through {partner}").format(partner=links.came_through.name))
        self.partner.setText("  ·  ".join(parts))
        self.partner.setVisible(bool(parts))

    def show_asking(self, offer: str, can_ask: bool) -> None:
        """ "Ask Anna for feedback: How did we do? (F10)" after a sale, and Ask… (F10) when
        the shop has a survey or a prize draw to offer; hidden when neither."""
        self.survey_offer.setText(offer)
        self.survey_offer.setVisible(bool(offer))
        self.ask_button.setVisible(can_ask)
        self.asking_row.setVisible(bool(offer) or can_ask)

    def _show_birthday(self, profile: CustomerProfile) -> None:
        days = profile.days_to_birthday
        soon = days is not None and days <= BIRTHDAY_SOON_DAYS
        if soon:
            text = (
                self.tr("Birthday today!")
                if days == 0
                else self.tr("Birthday in {days} days").format(days=days)
                if days > 1
                else self.tr("Birthday tomorrow")
            )
            self.birthday_badge.setText(text)
        self.birthday_badge.setVisible(soon)

    @staticmethod
    def _mark_alert(label: QLabel, alert: bool) -> None:
        """Red text through the style sheet's [alert="true"] rule."""
        label.setProperty("alert", alert)
        label.style().unpolish(label)
        label.style().polish(label)

    @staticmethod
    def _day(day: date) -> str:
        return QLocale().toString(QDate(day.year, day.month, day.day), "d MMM yyyy")

    @staticmethod
    def _date(moment: datetime) -> str:
        local = moment.astimezone() if moment.tzinfo else moment.replace(tzinfo=UTC).astimezone()
        return QLocale().toString(QDate(local.year, local.month, local.day), "d MMM yyyy")
