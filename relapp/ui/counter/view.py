"""The Counter: find a customer in a keystroke or a scan, and see who they are.

The search box keeps the focus: typing searches (after a short pause, so a fast typist does
not search for every letter), arrows move through the results, Enter picks one. A USB card
scanner types digits then Enter; Enter searches at once, and an exact card number opens that
customer immediately.

On a shop server that does not answer, the Counter keeps selling (relapp.ui.till_outbox_status):
a scanned card is found in this till's copy of the card index and shown marked offline, a sale
is kept on the till until the server is back, and a banner says so with the sales waiting to
be sent; what needs the server as it is now (a redemption, an enrolment, a note) is refused in
one sentence.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QDate,
    QEvent,
    QItemSelectionModel,
    QLocale,
    QObject,
    QSize,
    Qt,
    QTimer,
)
from PySide6.QtGui import (
    QFont,
    QFontInfo,
    QFontMetrics,
    QKeyEvent,
    QKeySequence,
    QResizeEvent,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from relapp.domain.changes import Change, Entity
from relapp.domain.contacts.profiles import (
    ContactNotFound,
    CustomerProfile,
    customer_clues,
    customer_profile,
)
from relapp.domain.contacts.search import search_contacts
from relapp.domain.contacts.texting import NoMobile, mobile_number
from relapp.domain.giftcards.cards import gift_cards_of
from relapp.domain.listening.asking import has_active_surveys, survey_to_offer, surveys_to_ask
from relapp.domain.loyalty.cards import is_valid_card_number
from relapp.domain.loyalty.offline import KeptSale
from relapp.domain.loyalty.points import points_summary
from relapp.domain.loyalty.progress import customer_progress
from relapp.domain.loyalty.undo_sale import UNDO_MINUTES, undo_sale
from relapp.domain.memberships.lists import has_plans
from relapp.domain.memberships.members import standing
from relapp.domain.partners.partners import partner_links
from relapp.domain.shop.formats import shop_format
from relapp.domain.shop.settings import load_settings
from relapp.errors import RelappError
from relapp.ui.change_bus import ChangeBus
from relapp.ui.counter.customer_panel import CustomerPanel
from relapp.ui.counter.enrol_dialog import EnrolDialog
from relapp.ui.counter.gift_card_dialog import GiftCardDialog
from relapp.ui.counter.membership_dialog import MembershipDialog
from relapp.ui.counter.notice import CounterNotice
from relapp.ui.counter.redeem_dialog import RedeemDialog
from relapp.ui.counter.results_model import SearchResultsModel
from relapp.ui.counter.sale_dialog import SaleDialog
from relapp.ui.counter.sale_undo import UNDO_KEYS, SaleUndo, UndoSaleDialog
from relapp.ui.counter.text_dialog import TextMessageDialog
from relapp.ui.counter.type_scale import (
    POINTS,
    RESULTS_WIDTH,
    avatar_pixels,
    counter_style_sheet,
    scaled,
    type_scale,
)
from relapp.ui.counter.voucher_dialog import VoucherDialog
from relapp.ui.customer_actions import CustomerActions
from relapp.ui.icons import view_icon
from relapp.ui.listening.answer_dialog import AnswerDialog
from relapp.ui.listening.competition_entry_dialog import competitions_to_offer, enter_at_counter
from relapp.ui.operations import published
from relapp.ui.staff.current_staff import CurrentStaff
from relapp.ui.till_outbox_status import refused_offline, seen_text, server_away, waiting_text
from relapp.ui.timeline.panel import TimelinePanel
from relapp.ui.widgets.empty_state import EmptyState

if TYPE_CHECKING:
    from relapp.db.outbox import CardEntry
    from relapp.ui.till_outbox_status import TillOutboxStatus

SEARCH_PAUSE_MS = 60
RESULT_LIMIT = 30
# Settings too: the shop's locale formats the figures, its targets decide what is overdue;
# rewards and tiers: the profile says what the points buy and how far the next tier is.
_WATCHED = frozenset(
    {Entity.CONTACTS, Entity.POINTS, Entity.INTERACTIONS, Entity.TASKS, Entity.SETTINGS,
     Entity.REWARDS, Entity.TIERS, Entity.GIFT_CARDS, Entity.MEMBERSHIPS, Entity.PARTNERS,
     Entity.SURVEYS, Entity.COMPETITIONS}
)  # fmt: skip
# Keys the search box hands to the results list.
_NAVIGATION_KEYS = {Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown}


# The offline banner's colours (relapp.qss has no rule for it yet): amber while the server is
# away, the confirmation's teal while sales wait to be sent to a server that answers.
OFFLINE_BANNER_STYLE = """
QLabel#offlineBanner {
    font-weight: bold; color: #0b5d56; background: #e3f4f1;
    border: 1px solid #9fd4cc; border-radius: 6px; padding: 6px 10px;
}
QLabel#offlineBanner[offline="true"] {
    color: #7a2e0e; background: #fff4e5; border: 2px solid #f79009;
}
"""


def voucher_button_style(scale: float) -> str:
    """Use voucher and Text… as large as New customer beside them (relapp.qss and the type
    scale have no rule for them yet)."""
    points = scaled(POINTS["enrolButton"], scale)
    return (
        "\nQPushButton#voucherButton, QPushButton#textButton, QPushButton#giftCardButton"
        f" {{ padding: 10px 16px; font-size: {points}pt; }}"
    )


def looks_like_a_card(text: str) -> bool:
    """Digits as a scanner types them, with a correct check digit (as the enrol form takes)."""
    digits = text.strip()
    return len(digits) >= 8 and is_valid_card_number(digits)


class CounterView(QWidget):
    def __init__(
        self,
        change_bus: ChangeBus,
        current_staff: CurrentStaff | None = None,
        actions: CustomerActions | None = None,
        parent: QWidget | None = None,
        till: TillOutboxStatus | None = None,
    ) -> None:
        """till: this till's outbox on a shop server (None on a file), to keep selling while
        the server does not answer."""
        super().__init__(parent)
        self.change_bus = change_bus
        self.till = till
        # The customer shown from this till's copy of the cards (the server is away), if so.
        self.shown_offline: CardEntry | None = None
        # What the search line says while the server is away (instead of a count).
        self.offline_text = ""
        self.current_staff = current_staff or CurrentStaff(self)
        self.customer_actions = actions or CustomerActions(change_bus, self.current_staff, self)
        self.shown_contact_id: int | None = None
        self.shown_profile: CustomerProfile | None = None
        self.unknown_card_seen = ""  # a card nobody has, once its scan's Enter showed it
        self.shop = shop_format()  # money and days in the shop's style; read again on a change
        self.tier_window_months = load_settings().tier_window_months
        # Whether the customer shown is the one the cashier means: a scanned card, the only
        # match, or one picked with Enter or the arrows; not merely the first of several
        # names the list happened to highlight.
        self.customer_chosen = False
        # The customer whose sale was just recorded here and that sale's history entry, while
        # they are shown: the survey due is offered, a prize draw entered with the purchase.
        self.just_sold: tuple[int, int] | None = None
        self.asked_since_sale = False  # one survey asked a sale: the line is not offered again

        self.search_box = QLineEdit(objectName="counterSearch", clearButtonEnabled=True)
        self.search_box.setPlaceholderText(
            self.tr("Type part of a name, phone number or email, or scan a loyalty card")
        )
        self.search_box.installEventFilter(self)
        self.search_timer = QTimer(self, singleShot=True, interval=SEARCH_PAUSE_MS)
        self.search_timer.timeout.connect(self.run_search)
        self.search_box.textEdited.connect(lambda _text: self.search_timer.start())
        self.search_box.returnPressed.connect(self.on_return)
        self.enrol_button = QPushButton(self.tr("New customer"), objectName="enrolButton")
        self.enrol_button.setToolTip(self.tr("Enrol a new customer (Ctrl+N)"))
        self.enrol_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.enrol_button.clicked.connect(self.enrol_customer)
        enrol_shortcut = QShortcut(QKeySequence.StandardKey.New, self)
        enrol_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        enrol_shortcut.activated.connect(self.enrol_customer)

        self.results_model = SearchResultsModel(self)
        self.results = QListView(objectName="counterResults")
        self.results.setModel(self.results_model)
        self.results.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the search box keeps it
        self.results.setUniformItemSizes(True)
        self.results.selectionModel().currentRowChanged.connect(
            lambda current, _previous: self.show_customer_at(current.row())
        )
        self.result_count = QLabel(objectName="resultCount", wordWrap=True)
        self.result_count.setTextFormat(Qt.TextFormat.PlainText)
        # Offline, and the sales waiting to be sent: above everything while there is any.
        self.offline_banner = QLabel(objectName="offlineBanner", wordWrap=True)
        self.offline_banner.setTextFormat(Qt.TextFormat.PlainText)
        self.offline_banner.setStyleSheet(OFFLINE_BANNER_STYLE)
        self.offline_banner.hide()
        # What the last sale, redemption or enrolment did, while the next customer steps up.
        self.confirmation = CounterNotice()
        self.sale_undo = SaleUndo(self)
        self.sale_undo.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.sale_undo.button.clicked.connect(self.undo_last_sale)
        self.undo_keys = QKeySequence(UNDO_KEYS)
        undo_shortcut = QShortcut(self.undo_keys, self)
        undo_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        # Help > Keyboard shortcuts reads this: the button naming the key is hidden mostly.
        undo_shortcut.setWhatsThis(
            self.tr("Undo the last sale (within {minutes} minutes)").format(minutes=UNDO_MINUTES)
        )
        undo_shortcut.activated.connect(self.undo_last_sale)

        self.panel = CustomerPanel()
        self.timeline = TimelinePanel(self.customer_actions, standalone=False)
        self.tabs = QTabWidget(objectName="customerTabs")
        self.tabs.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        # Scrolls rather than pushing the window past a 1366x768 screen when the profile is
        # long (progress to rewards and tiers, many preferences).
        profile_scroll = QScrollArea(widgetResizable=True, objectName="profileScroll")
        profile_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        profile_scroll.setWidget(self.panel)
        self.tabs.addTab(profile_scroll, self.tr("Profile"))
        self.tabs.addTab(self.timeline, self.tr("History (F4)"))
        # The history is read when its tab shows, not for every customer arrowed past.
        self.timeline_stale = False
        self.tabs.currentChanged.connect(lambda _index: self._sync_timeline())
        self.sale_button = QPushButton(self.tr("Record sale (F2)"), objectName="saleButton")
        self.redeem_button = QPushButton(self.tr("Redeem reward (F3)"), objectName="redeemButton")
        self.voucher_button = QPushButton(self.tr("Use voucher (F6)"), objectName="voucherButton")
        self.log_button = QPushButton(self.tr("Log contact"), objectName="logButton")
        self.text_button = QPushButton(self.tr("Text… (F7)"), objectName="textButton")
        # Sold and redeemed with or without a customer shown (a bearer card): always there.
        self.gift_card_button = QPushButton(self.tr("Gift card… (F8)"), objectName="giftCardButton")
        self.task_button = QPushButton(self.tr("Follow-up"), objectName="taskButton")
        actions = QHBoxLayout()
        actions.setContentsMargins(0, 0, 0, 0)
        for button, slot, key in (
            (self.sale_button, self.record_sale, "F2"),
            (self.redeem_button, self.redeem_reward, "F3"),
            (self.voucher_button, self.use_voucher, "F6"),
            (self.log_button, self.log_contact, "F5"),
            (self.text_button, self.text_customer, "F7"),
            (self.gift_card_button, self.gift_card, "F8"),
            (self.task_button, self.add_task, "Ctrl+T"),
        ):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the search box keeps it
            # The key once: most buttons name it already ("Use voucher (F6)").
            shown = button.text()
            button.setToolTip(shown if f"({key})" in shown else f"{shown} ({key})")
            button.clicked.connect(slot)
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
            # Beside the search, below; the rest in the action row.
            if button not in (self.voucher_button, self.text_button, self.gift_card_button):
                actions.addWidget(button)
        self.text_button.setToolTip(self.tr("Text the customer a message (F7)"))
        self.gift_card_button.setToolTip(self.tr("Sell, redeem or check a gift card (F8)"))
        self.print_button = QToolButton(objectName="printButton", text=self.tr("Print"))
        self.print_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.print_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        print_menu = QMenu(self.print_button)
        for text, slot, key in (
            (self.tr("Customer dossier"), self.print_dossier, "Ctrl+P"),
            (self.tr("Loyalty card"), self.print_card, "Ctrl+Shift+P"),
            (self.tr("Membership card"), self.print_membership_card, "Ctrl+Shift+M"),
        ):
            action = print_menu.addAction(f"{text}\t{key}")
            action.triggered.connect(slot)
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        self.print_button.setMenu(print_menu)
        actions.addWidget(self.print_button)
        actions.addStretch(1)
        # Membership (F9): a compact button on the profile, as the action row is full.
        self.panel.membership_button.clicked.connect(self.membership)
        membership_shortcut = QShortcut(QKeySequence("F9"), self)
        membership_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        membership_shortcut.activated.connect(self.membership)
        # Ask… (F10): a survey to answer now or a prize draw to enter, from the profile too.
        self.panel.ask_button.clicked.connect(self.ask_customer)
        ask_shortcut = QShortcut(QKeySequence("F10"), self)
        ask_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        ask_shortcut.activated.connect(self.ask_customer)
        history_shortcut = QShortcut(QKeySequence("F4"), self)
        history_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        history_shortcut.activated.connect(self.toggle_history)
        customer = QWidget()
        customer_layout = QVBoxLayout(customer)
        customer_layout.setContentsMargins(0, 0, 0, 0)
        customer_layout.addLayout(actions)
        customer_layout.addWidget(self.tabs, 1)
        self.hint = EmptyState(view_icon("counter"), self.tr("Counter"))
        self.hint.set_body(
            self.tr(
                "Type part of a name, a few digits of a phone number or an email, or scan a "
                "loyalty card. Arrow keys move through the results; Enter picks one; Escape "
                "clears the search."
            )
        )
        # A card scanned that nobody has: said plainly, and Enter enrols it.
        self.unknown_card = EmptyState(view_icon("counter"), self.tr("Unknown card"))
        self.enrol_card_button = QPushButton(
            self.tr("Enrol this card (Enter)"), objectName="enrolCardButton"
        )
        self.enrol_card_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Enter comes from the box
        self.enrol_card_button.clicked.connect(self.enrol_customer)
        self.unknown_card.layout().addWidget(
            self.enrol_card_button, 0, Qt.AlignmentFlag.AlignHCenter
        )
        self.right = QStackedWidget()
        self.right.addWidget(self.hint)
        self.right.addWidget(self.unknown_card)
        self.right.addWidget(customer)
        self.customer_page = customer
        self.right.currentChanged.connect(
            lambda _index: self._show_customer_buttons(
                self.right.currentWidget() is self.customer_page
            )
        )
        self._show_customer_buttons(False)

        left = QVBoxLayout()
        left.addWidget(self.results, 1)
        left.addWidget(self.result_count)
        body = QHBoxLayout()
        body.addLayout(left)
        body.addWidget(self.right, 1)
        top = QHBoxLayout()
        top.addWidget(self.search_box, 1)
        top.addWidget(self.sale_undo.button)
        # Beside the search rather than with Record sale and Redeem reward: a sixth button in
        # that row does not fit a 1366 x 768 screen. Shown with the customer they are for.
        top.addWidget(self.voucher_button)
        top.addWidget(self.text_button)
        top.addWidget(self.gift_card_button)
        top.addWidget(self.enrol_button)
        # Everything on the Counter, but not the dialogs it opens (children of the view): the
        # type scale's style sheet goes here, and dialogs keep their own sizes.
        self.content = QWidget(objectName="counterContent")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.content)
        layout = QVBoxLayout(self.content)
        layout.addWidget(self.offline_banner)
        layout.addLayout(top)
        layout.addWidget(self.confirmation)
        layout.addLayout(body, 1)
        self.update_hint()
        self.base_points = QFontInfo(self.font()).pointSizeF()  # the application's own size
        self.type_scale = 0.0
        self.apply_type_scale(1.0)
        # Fitted after a resize settles: new fonts inside resizeEvent would lay out again there.
        self.type_timer = QTimer(self, singleShot=True, interval=0)
        self.type_timer.timeout.connect(self.fit_type)
        if till is not None:
            till.changed.connect(self.on_till_changed)
            self.update_banner()

    # -- searching --------------------------------------------------------------------------

    def run_search(self, keep_current: bool = False) -> None:
        """keep_current: the customer shown stays selected if still found (a refresh after a
        change, perhaps made outside this window, must not move the cashier's selection)."""
        self.search_timer.stop()
        text = self.search_box.text()
        if self._offline():
            self._search_offline(text)  # no wait for a server known to be away
            return
        kept = self.shown_contact_id if keep_current else None
        try:
            hits = search_contacts(text, limit=RESULT_LIMIT) if text.strip() else []
            clues = customer_clues(hit.id for hit in hits) if hits else {}
        except Exception as error:
            if not self._server_away(error):
                raise
            self._search_offline(text)
            return
        self.offline_text = ""
        self.results_model.set_hits(hits, clues, self.shop)
        rows = [n for n, hit in enumerate(hits) if hit.id == kept]
        if kept is not None and not rows:
            pass  # no longer matches the text: still shown until the cashier moves on
        elif hits:
            chosen = self.customer_chosen
            self.results.setCurrentIndex(self.results_model.index(rows[0] if rows else 0))
            # Kept where it moved to, the customer is as picked as before (showing the row
            # anew does not pick it); a new search picks only a card or the one match.
            self.customer_chosen = chosen if rows else len(hits) == 1 or hits[0].exact_card
        else:
            self.show_customer_at(-1)
            if looks_like_a_card(text):
                self.unknown_card.set_body(
                    self.tr(
                        "No customer has card {card}. Press Enter to enrol it for the customer "
                        "at the counter, or Escape to start again."
                    ).format(card=text.strip())
                )
                self.right.setCurrentWidget(self.unknown_card)
        self.update_hint()

    def on_return(self) -> None:
        text = self.search_box.text().strip()
        if self.right.currentWidget() is self.unknown_card and self.unknown_card_seen == text:
            self.enrol_customer()  # the second Enter: the scanner's own was the first
            return
        if self.search_timer.isActive() or self.results_model.rowCount() == 0:
            self.run_search()  # a scanner types faster than the pause
        if self.right.currentWidget() is self.unknown_card:
            self.unknown_card_seen = text
            return
        row = self.results.currentIndex().row()
        if row >= 0:
            self.show_customer_at(row)
            self.customer_chosen = True
            self.update_hint()

    def update_hint(self) -> None:
        text = self.search_box.text().strip()
        count = self.results_model.rowCount()
        if self.offline_text:
            self.result_count.setText(self.offline_text)
        elif not text or self.right.currentWidget() is self.unknown_card:
            self.result_count.setText("")  # the unknown card's page says what to do
        elif count == 0 and text.isdigit() and len(text) >= 8:
            # Most likely a card misread or mistyped: enrolling it would be refused anyway.
            self.result_count.setText(
                self.tr(
                    "No customer matches “{text}”. As a card number it is not valid (its last"
                    " digit does not match): scan or type the card again."
                ).format(text=text)
            )
        elif count == 0:
            self.result_count.setText(
                self.tr("No customer matches “{text}”. Press Ctrl+N to enrol them.").format(
                    text=text
                )
            )
        else:
            more = self.tr(" (type more to narrow)") if count >= RESULT_LIMIT else ""
            self.result_count.setText(self.tr("{count} found").format(count=count) + more)

    # -- the customer -----------------------------------------------------------------------

    def show_customer_at(self, row: int) -> None:
        if row < 0:
            self._show_nobody()
            return
        self.show_customer(self.results_model.hit(row).id)

    def _show_nobody(self) -> None:
        self.shown_contact_id = None
        self.shown_offline = None
        self.right.setCurrentWidget(self.hint)

    def show_customer(self, contact_id: int, chosen: bool = True) -> None:
        """chosen: the cashier means this customer (see customer_chosen)."""
        if self._offline():
            self._show_from_copy(contact_id, chosen)
            return
        try:
            profile = customer_profile(contact_id)
            points = points_summary(contact_id, recent=0)
            progress = customer_progress(contact_id, self.tier_window_months)
            gift_cards = gift_cards_of(contact_id)
            membership = standing(contact_id)
            plans = membership is not None or has_plans()
            partners = partner_links(contact_id)
            if self.just_sold is not None and self.just_sold[0] != contact_id:
                self.just_sold = None  # another customer: the sale's offer is gone
            offer, can_ask = self._asking(contact_id, profile.name)
        except ContactNotFound:
            self._show_nobody()
            return
        except Exception as error:
            if not self._server_away(error):
                raise
            self._show_from_copy(contact_id, chosen)
            return
        self.shown_contact_id = contact_id
        self.shown_profile = profile
        self.shown_offline = None
        self.customer_chosen = chosen  # run_search says otherwise for the first of several
        self.panel.show_profile(profile)
        self.panel.show_expiring(points.expiring_30_days, points.next_expiry)
        self.panel.show_progress(progress, self.shop)
        self.panel.show_gift_cards(gift_cards, self.shop)
        self.panel.show_membership(membership, plans)
        self.panel.show_partner(partners)
        self.panel.show_asking(offer, can_ask)
        self.tabs.setTabEnabled(1, True)
        self.right.setCurrentWidget(self.customer_page)
        self._sync_timeline()

    def _sync_timeline(self) -> None:
        """Show the customer on screen in the History tab, if that tab is the one showing."""
        if self.tabs.currentWidget() is not self.timeline:
            return
        if self.timeline.contact_id != self.shown_contact_id:
            self.timeline.show_contact(self.shown_contact_id)
        elif self.timeline_stale:
            self.timeline.on_change(Change.everything())
        self.timeline_stale = False

    def on_change(self, change: Change) -> None:
        if not change.entities & _WATCHED:
            return
        if change.touches(Entity.SETTINGS):
            try:
                self.shop = shop_format()
                self.tier_window_months = load_settings().tier_window_months
            except Exception as error:
                if not self._server_away(error):
                    raise  # away: the settings as last read, until the server is back
        if self.tabs.currentWidget() is self.timeline:
            self.timeline.on_change(change)
        else:
            self.timeline_stale = True
        if self.search_box.text().strip():
            self.run_search(keep_current=True)
        if self.shown_contact_id is not None and (
            not change.contact_ids or self.shown_contact_id in change.contact_ids
        ):
            self.show_customer(self.shown_contact_id, chosen=self.customer_chosen)

    def record_sale(self) -> None:
        card = self._offline_customer_at_counter()
        if card is not None:
            contact_id, name, tier = card.contact_id, card.name, None
        else:
            profile = self._customer_at_counter()
            if profile is None:
                return
            contact_id, name, tier = profile.id, profile.name, profile.tier
        if not self._staff_for_counter(self.tr("record a sale")):
            self.search_box.setFocus()
            return
        asked = (self, contact_id, name, self.current_staff.staff_id)
        # The till's outbox only on a server (a file has none).
        sale = SaleDialog.ask(*asked) if self.till is None else SaleDialog.ask(*asked, self.till)
        if sale is None:
            self.search_box.setFocus()
            return
        if isinstance(sale, KeptSale):
            # Ctrl+Z undoes the last sale made here: this one, which is not on the server yet
            # (refunded from the history once sent), not the one before it.
            self.sale_undo.forget()
            self.confirm(self._kept_text(sale))
            return
        # Before publishing: the profile shown again at the change offers the survey due.
        self.just_sold = (contact_id, sale.result.interaction_id)
        self.asked_since_sale = False
        result = published(self.change_bus, sale.result)
        if self.till is not None:
            self.till.sale_recorded(contact_id, result.balance)
        amount = self.shop.money(sale.amount_cents)
        self.sale_undo.remember(result.interaction_id, contact_id, name, amount, result.points)
        locale = QLocale()
        text = self.tr("{amount} recorded: +{points} points, {name} now has {balance} points.")
        text = text.format(
            amount=amount,
            points=locale.toString(result.points),
            name=name,
            balance=locale.toString(result.balance),
        )
        if result.tier is not None and result.tier != tier:
            text += " " + self.tr("Now in the {tier} tier.").format(tier=result.tier)
        self.confirm(text)

    def _kept_text(self, kept: KeptSale) -> str:
        """ "$12.50 kept on this till for Ann Lee: ... Balance as of 10:42: 1,234 points." """
        return self.tr(
            "{amount} kept on this till for {name}: the shop server is not answering, so the"
            " sale is sent when it is back and its points are added then. Balance as of"
            " {time}: {balance} points."
        ).format(
            amount=self.shop.money(kept.amount_cents),
            name=kept.name,
            time=seen_text(kept.seen_at),
            balance=QLocale().toString(kept.balance_seen),
        )

    def _staff_for_counter(self, action: str) -> bool:
        """current_staff.require_for_counter; with the server away and nobody signed in,
        nobody can sign in (the PINs are the server's), so a sale goes on unattributed."""
        try:
            return self.current_staff.require_for_counter(self, action)
        except Exception as error:
            if not self._server_away(error):
                raise
            return True

    def undo_last_sale(self) -> None:
        """Ctrl+Z: a refund of the last sale made here, within minutes, asked once."""
        if self._refuse_offline(self.tr("undoing a sale waits until it is back")):
            return
        sale = self.sale_undo.current()
        if sale is None:
            self.confirmation.say(
                self.tr("No sale to undo: a sale can be undone here for {minutes} minutes.").format(
                    minutes=UNDO_MINUTES
                ),
                warning=True,
            )
            self.search_box.setFocus()
            return
        if not self.current_staff.require_for_counter(
            self, self.tr("undo a sale")
        ) or not UndoSaleDialog.ask(self, sale):
            self.search_box.setFocus()
            return
        try:
            undone = undo_sale(sale.interaction_id, self.current_staff.staff_id)
        except Exception as error:
            if self._server_away(error):
                self._say_refused(self.tr("undoing a sale waits until it is back"))
                return
            if not isinstance(error, RelappError):
                raise
            self.sale_undo.forget()
            self.confirmation.say(str(error), warning=True)
            self.search_box.setFocus()
            return
        self.sale_undo.forget()
        self.just_sold = None  # refunded: no survey offered, no draw entered with it
        published(self.change_bus, undone)
        self.confirm(
            self.tr("Sale of {amount} undone: {name} is back to {balance} points.").format(
                amount=sale.amount, name=sale.name, balance=QLocale().toString(undone.balance)
            )
        )

    def redeem_reward(self) -> None:
        needs_server = self.tr("a redemption needs the balance as it is now")
        profile = self._customer_for(self.tr("redeem a reward"), needs_server)
        if profile is None:
            return
        try:
            redemption = RedeemDialog.ask(
                self, profile.id, profile.name, profile.points_balance, self.current_staff.staff_id
            )
        except Exception as error:  # the dialog reads the rewards as it opens
            if not self._server_away(error):
                raise
            self._say_refused(needs_server)
            return
        if redemption is None:
            self.search_box.setFocus()
            return
        published(self.change_bus, redemption)
        balance = points_summary(profile.id, recent=0).balance
        self.confirm(
            self.tr("{reward} redeemed: {name} now has {balance} points.").format(
                reward=redemption.reward, name=profile.name, balance=QLocale().toString(balance)
            )
        )

    def _customer_for(self, action: str, needs_server: str) -> CustomerProfile | None:
        """The customer at the counter, for an action that needs the shop server and a signed-in
        staff member; None (the refusal told, or the sign-in abandoned) if it cannot go on."""
        if self._refuse_offline(needs_server):
            return None
        profile = self._customer_at_counter()
        if profile is None:
            return None
        try:
            if not self.current_staff.require_for_counter(self, action):
                self.search_box.setFocus()
                return None
        except Exception as error:  # whether PINs are in use is read from the shop's staff
            if not self._server_away(error):
                raise
            self._say_refused(needs_server)
            return None
        return profile

    def use_voucher(self) -> None:
        """F6: a campaign's voucher, typed or scanned, for the customer shown."""
        needs_server = self.tr("a voucher waits until it is back")
        profile = self._customer_for(self.tr("use a voucher"), needs_server)
        if profile is None:
            return
        redeemed = VoucherDialog.ask(self, profile.id, profile.name, self.current_staff.staff_id)
        if redeemed is None:
            self.search_box.setFocus()
            return
        published(self.change_bus, redeemed)
        text = self.tr("Voucher {code} ({campaign}): {what}.").format(
            code=redeemed.shown, campaign=redeemed.campaign, what=redeemed.text
        )
        if redeemed.kind == "points":
            balance = points_summary(profile.id, recent=0).balance
            text += " " + self.tr("{name} now has {balance} points.").format(
                name=profile.name, balance=QLocale().toString(balance)
            )
        self.confirm(text)

    def gift_card(self) -> None:
        """F8: sell, redeem or check gift cards; one sold is the customer's shown, if any."""
        if self._refuse_offline(self.tr("a gift card needs the balance as it is now")):
            return
        profile = None
        if self._shown_customer() is not None:
            # As F2 and F3: several matches wait until one is picked (said so); an archived
            # customer gets no card of their own, so the card is a bearer card.
            profile = self._customer_at_counter()
            if not self.customer_chosen:
                return
        if not self._staff_for_counter(self.tr("sell or redeem a gift card")):
            self.search_box.setFocus()
            return
        done = GiftCardDialog.ask(
            self, self.change_bus, None if profile is None else profile.id,
            "" if profile is None else profile.name, self.current_staff.staff_id,
        )  # fmt: skip
        if done:
            self.confirm(done)
        else:
            self.search_box.setFocus()

    def membership(self) -> None:
        """F9: join a membership plan, renew, or cancel, for the customer shown."""
        needs_server = self.tr("a membership waits until it is back")
        profile = self._customer_for(self.tr("record a membership"), needs_server)
        if profile is None:
            return
        done = MembershipDialog.ask(self, profile.id, profile.name, self.current_staff.staff_id)
        if done is None:
            self.search_box.setFocus()
            return
        if done.change is not None:
            published(self.change_bus, done.change)
        if done.print_card:
            self.customer_actions.print_membership_cards(self, [profile.id])
            self.search_box.setFocus()
            return
        self.confirm(done.text)

    # -- surveys and prize draws (schema 21) ---------------------------------------------------

    def _asking(self, contact_id: int, name: str) -> tuple[str, bool]:
        """The line offering the survey due after a sale ("" if none), and whether there is
        anything to ask the customer (the profile's Ask… button)."""
        offer = ""
        sold = self.just_sold is not None and self.just_sold[0] == contact_id
        if sold and not self.asked_since_sale:
            due = survey_to_offer(contact_id)
            if due is not None:
                offer = self.tr("Ask {name} for feedback: {survey} (F10)").format(
                    name=name, survey=due.name
                )
        can_ask = bool(offer) or has_active_surveys() or bool(competitions_to_offer(contact_id))
        return offer, can_ask

    def ask_customer(self) -> None:
        """F10: what the shop can ask the customer shown, in a small menu: each survey offered
        (answered now, or declined from its dialog) and each prize draw they may enter."""
        needs_server = self.tr("a survey or a prize draw waits until it is back")
        profile = self._customer_for(self.tr("ask for feedback"), needs_server)
        if profile is None:
            return
        try:
            surveys = surveys_to_ask(profile.id)
            draws = competitions_to_offer(profile.id)
        except Exception as error:
            if not self._server_away(error):
                raise
            self._say_refused(needs_server)
            return
        if not surveys and not draws:
            self.confirmation.say(
                self.tr(
                    "Nothing to ask {name}: no survey is offered at the Counter and no prize"
                    " draw is open. Make one in Listening (Ctrl+8)."
                ).format(name=profile.name),
                warning=True,
            )
            self.search_box.setFocus()
            return
        menu = QMenu(self)
        # The survey due first: Enter answers it.
        for choice in sorted(surveys, key=lambda each: not each.due):
            text = self.tr("Answer now: {survey}").format(survey=choice.name)
            if choice.last_asked_on is not None:
                day = choice.last_asked_on
                text += self.tr(" (asked {day})").format(
                    day=QLocale().toString(QDate(day.year, day.month, day.day), "d MMM yyyy")
                )
            menu.addAction(text).setData(("survey", choice.survey_id))
        for competition_id, name in draws:
            text = self.tr("Enter the prize draw: {draw}").format(draw=name)
            menu.addAction(text).setData(("draw", competition_id))
        menu.setActiveAction(menu.actions()[0])
        button = self.panel.ask_button
        where = button.mapToGlobal(button.rect().bottomLeft()) if button.isVisible() else (
            self.search_box.mapToGlobal(self.search_box.rect().bottomLeft()))  # fmt: skip
        chosen = menu.exec(where)
        if chosen is None:
            self.search_box.setFocus()
            return
        what, chosen_id = chosen.data()
        if what == "survey":
            self._answer_survey(profile, chosen_id)
        else:
            self._enter_draw(profile, chosen_id, dict(draws)[chosen_id])

    def _answer_survey(self, profile: CustomerProfile, survey_id: int) -> None:
        answered = AnswerDialog.ask(
            self, survey_id, profile.id, profile.name, self.current_staff.staff_id, "counter"
        )
        if answered is None:
            self.search_box.setFocus()
            return
        if self.just_sold is not None and self.just_sold[0] == profile.id:
            self.asked_since_sale = True  # answered or declined: asked once for this sale
        published(self.change_bus, answered.change)
        self.confirm(answered.text)

    def _enter_draw(self, profile: CustomerProfile, competition_id: int, name: str) -> None:
        sold = self.just_sold
        sale_id = sold[1] if sold is not None and sold[0] == profile.id else None
        change = enter_at_counter(
            self, competition_id, profile.id, self.current_staff.staff_id, sale_id
        )
        if change is None:
            self.search_box.setFocus()
            return
        published(self.change_bus, change)
        self.confirm(
            self.tr("{name} is entered in the prize draw {draw}.").format(
                name=profile.name, draw=name
            )
        )

    def print_membership_card(self) -> None:
        if self._refuse_offline(self.tr("printing needs the customer's records as they are now")):
            return
        if self._shown_customer() is not None:
            self.customer_actions.print_membership_cards(self, [self.shown_contact_id])
        self.search_box.setFocus()

    def confirm(self, text: str) -> None:
        """Say what was done for a few seconds, and empty the search for the next customer:
        a second scan must not be appended to the first card number. The customer stays
        shown until the next search."""
        self.confirmation.say(text)
        self.search_timer.stop()
        self.search_box.clear()
        self.search_box.setFocus()

    def log_contact(self) -> None:
        if self._refuse_offline(self.tr("a note about a customer waits until it is back")):
            return
        profile = self._customer_at_counter()
        if profile is not None:
            self.customer_actions.log_contact(self, profile.id)
        self.search_box.setFocus()

    def text_customer(self) -> None:
        """F7: a text message to the customer shown, logged on their history once sent."""
        needs_server = self.tr("a text message waits until it is back")
        profile = self._customer_for(self.tr("text a customer"), needs_server)
        if profile is None:
            return
        try:
            phone = mobile_number(profile.name, profile.phone)
        except NoMobile as refusal:
            self.confirmation.say(str(refusal), warning=True)
            self.search_box.setFocus()
            return
        try:
            logged = TextMessageDialog.ask(
                self, self.change_bus, profile.id, profile.name, phone, self.current_staff.staff_id
            )
        except Exception as error:  # the dialog reads the consent and the cap as it opens
            if not self._server_away(error):
                raise
            self._say_refused(needs_server)
            return
        if logged is None:
            self.search_box.setFocus()
            return
        # run_change published it in the dialog: the profile and history are refreshed.
        self.confirm(self.tr("Text message logged for {name}.").format(name=profile.name))

    def add_task(self) -> None:
        if self._refuse_offline(self.tr("a follow-up waits until it is back")):
            return
        profile = self._customer_at_counter()
        if profile is not None:
            self.customer_actions.add_task(self, profile.id)
        self.search_box.setFocus()

    def print_dossier(self) -> None:
        if self._refuse_offline(self.tr("printing needs the customer's records as they are now")):
            return
        if self._shown_customer() is not None:
            self.customer_actions.print_dossier(self, self.shown_contact_id)
        self.search_box.setFocus()

    def print_card(self) -> None:
        if self._refuse_offline(self.tr("printing needs the customer's records as they are now")):
            return
        if self._shown_customer() is not None:
            self.customer_actions.print_cards(self, [self.shown_contact_id])
        self.search_box.setFocus()

    def _show_customer_buttons(self, shown: bool) -> None:
        """Use voucher and Text… (beside the search) while a customer is shown."""
        self.voucher_button.setVisible(shown)
        self.text_button.setVisible(shown)

    def _shown_customer(self) -> CustomerProfile | None:
        """The customer on screen, archived or not (their dossier can still be printed)."""
        if self.shown_contact_id is None or self.right.currentWidget() is not self.customer_page:
            return None
        return self.shown_profile

    def toggle_history(self) -> None:
        """F4: the customer's history, and back to their profile."""
        if self.right.currentWidget() is self.customer_page and self.tabs.isTabEnabled(1):
            self.tabs.setCurrentIndex(1 - self.tabs.currentIndex())

    def _customer_at_counter(self) -> CustomerProfile | None:
        """The customer on screen, if any (an archived one cannot buy or redeem), once the
        cashier has chosen them among several matches."""
        if self.shown_contact_id is None or self.right.currentWidget() is not self.customer_page:
            return None
        if not self.customer_chosen:
            self.confirmation.say(
                self.tr("Several customers match: pick one with the arrow keys or Enter first."),
                warning=True,
            )
            self.search_box.setFocus()
            return None
        return None if self.shown_profile.archived else self.shown_profile

    def enrol_customer(self) -> None:
        if self._refuse_offline(self.tr("enrolling a customer waits until it is back")):
            return
        try:
            outcome = EnrolDialog.ask(self, prefill=self.search_box.text())
        except Exception as error:  # the dialog reads the shop's settings as it opens
            if not self._server_away(error):
                raise
            self._say_refused(self.tr("enrolling a customer waits until it is back"))
            return
        if outcome is None:
            self.search_box.setFocus()
            return
        published(self.change_bus, outcome)
        self.results_model.set_hits([])
        self.show_customer(outcome.contact_id)
        if outcome.change is not None and self.shown_profile is not None:
            self.confirm(self._enrolled_text(self.shown_profile))
        else:
            self.search_box.clear()
            self.search_box.setFocus()
        self.update_hint()

    def _enrolled_text(self, profile: CustomerProfile) -> str:
        """ "Priya Venkataraman is enrolled with card 270009876541 and 50 welcome points." """
        locale = QLocale()
        if profile.card_number and profile.points_balance:
            text = self.tr("{name} is enrolled with card {card} and {points} welcome points.")
        elif profile.card_number:
            text = self.tr("{name} is enrolled with card {card}.")
        else:
            text = self.tr("{name} is enrolled.")
        return text.format(
            name=profile.name,
            card=profile.card_number,
            points=locale.toString(profile.points_balance),
        )

    # -- the shop server away ---------------------------------------------------------------

    def _offline(self) -> bool:
        """Whether this till knows the shop server is not answering (then the Counter works
        from the till's copy without waiting for the server)."""
        return self.till is not None and not self.till.online

    def _server_away(self, error: Exception) -> bool:
        """Whether error is the shop server not answering, on a till that keeps selling."""
        if self.till is None or server_away(error) is None:
            return False
        self.till.went_offline()
        return True

    def _refuse_offline(self, what: str) -> bool:
        """Say in one sentence that what waits for the server, if it is away (or the customer
        shown is the till's copy of them); True if refused."""
        if not self._offline() and self.shown_offline is None:
            return False
        self._say_refused(what)
        return True

    def _say_refused(self, what: str) -> None:
        self.confirmation.say(refused_offline(what), warning=True)
        self.search_box.setFocus()

    def _search_offline(self, text: str) -> None:
        """A card (or '#number') in this till's copy of the card index; a name cannot be
        found without the server, which is said in one line."""
        assert self.till is not None
        self.results_model.set_hits([], {}, self.shop)
        reference = text.strip()
        card = self.till.find(reference) if reference else None
        if card is not None:
            self.offline_text = self.tr("Offline: found by card in this till's copy of the cards.")
            self.show_offline_customer(card)
        else:
            self._show_nobody()
            if not reference:
                self.offline_text = ""
            elif reference.isdigit() or reference.startswith("#"):
                self.offline_text = self.tr(
                    "The shop server is not answering and this till's copy of the cards has no"
                    " card {card}."
                ).format(card=reference)
            else:
                self.offline_text = self.tr(
                    "The shop server is not answering: only a card can be found until it is"
                    " back; scan the customer's card."
                )
        self.update_hint()

    def _show_from_copy(self, contact_id: int, chosen: bool) -> None:
        """The customer as this till's copy of the cards has them, if it does."""
        card = self.till.card_of(contact_id) if self.till is not None else None
        if card is not None:
            self.show_offline_customer(card, chosen)
            return
        self._show_nobody()
        self.offline_text = self.tr(
            "The shop server is not answering and this till's copy of the cards does not have"
            " this customer."
        )
        self.update_hint()

    def show_offline_customer(self, card: CardEntry, chosen: bool = True) -> None:
        """Show the customer from this till's copy of the cards, marked offline."""
        assert self.till is not None
        self.shown_contact_id = card.contact_id
        self.shown_profile = None
        self.shown_offline = card
        self.customer_chosen = chosen
        self.panel.show_offline(card, seen_text(self.till.cards_seen))
        self.panel.membership_row.hide()  # the server's to say
        self.tabs.setCurrentIndex(0)
        self.tabs.setTabEnabled(1, False)  # the history is the server's
        self.right.setCurrentWidget(self.customer_page)

    def _offline_customer_at_counter(self) -> CardEntry | None:
        """The customer shown from the till's copy, if any and chosen (as _customer_at_counter)."""
        if self.shown_offline is None or self.right.currentWidget() is not self.customer_page:
            return None
        return self.shown_offline if self.customer_chosen else None

    def on_till_changed(self) -> None:
        """The server went away or came back, or the sales waiting changed."""
        assert self.till is not None
        self.update_banner()
        if self.till.online and (self.shown_offline is not None or self.offline_text):
            # Back: a real search, and the whole profile of the customer shown.
            shown, chosen = self.shown_offline, self.customer_chosen
            self.offline_text = ""
            if self.search_box.text().strip():
                self.run_search(keep_current=True)
            else:
                self.update_hint()
            if shown is not None and self.shown_contact_id in (None, shown.contact_id):
                self.show_customer(shown.contact_id, chosen=chosen)
        elif (
            not self.till.online
            and self.shown_profile is not None
            and self.right.currentWidget() is self.customer_page
        ):
            # Away: the customer on screen as the till's copy has them (balance as of when).
            card = self.till.card_of(self.shown_profile.id)
            if card is not None:
                self.show_offline_customer(card, self.customer_chosen)

    def update_banner(self) -> None:
        if self.till is None:
            return
        waiting = waiting_text(self.till.waiting)
        if self.till.online:
            text = waiting
        else:
            text = self.tr(
                "Offline: the shop server is not answering. Scan a card to sell; sales are kept"
                " on this till until it is back."
            )
            if waiting:
                text += "  ·  " + waiting
        self.offline_banner.setText(text)
        if bool(self.offline_banner.property("offline")) != (not self.till.online):
            self.offline_banner.setProperty("offline", not self.till.online)
            self.offline_banner.style().unpolish(self.offline_banner)
            self.offline_banner.style().polish(self.offline_banner)
        self.offline_banner.setVisible(bool(text))
        # What needs the server is greyed out while it is away (its keys say why, once).
        for button in (self.redeem_button, self.voucher_button, self.log_button, self.text_button,
                       self.task_button, self.print_button, self.enrol_button,
                       self.gift_card_button, self.panel.membership_button,
                       self.panel.ask_button):  # fmt: skip
            button.setEnabled(self.till.online)

    # -- keyboard ---------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.search_box and event.type() == QEvent.Type.ShortcutOverride:
            key_event: QKeyEvent = event  # type: ignore[assignment]
            if QKeySequence(key_event.keyCombination()) == self.undo_keys:
                return True  # the counter's Undo sale, not the box's undo of its typing
        if watched is self.search_box and event.type() == QEvent.Type.KeyPress:
            key_event: QKeyEvent = event  # type: ignore[assignment]
            key = key_event.key()
            if key in _NAVIGATION_KEYS and self.results_model.rowCount():
                self._move_selection(key)
                return True
            if key == Qt.Key.Key_Escape and self.search_box.text():
                self.search_box.clear()
                self.run_search()
                return True
        return super().eventFilter(watched, event)

    def _move_selection(self, key: Qt.Key) -> None:
        self.customer_chosen = True
        step = {Qt.Key.Key_Up: -1, Qt.Key.Key_Down: 1, Qt.Key.Key_PageUp: -10}.get(key, 10)
        last = self.results_model.rowCount() - 1
        row = min(max(self.results.currentIndex().row() + step, 0), last)
        self.results.selectionModel().setCurrentIndex(
            self.results_model.index(row),
            QItemSelectionModel.SelectionFlag.ClearAndSelect,
        )

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.search_box.setFocus()
        self.type_timer.start()

    def focus_search(self) -> None:
        """The cursor in the search box with its text selected (Ctrl+1): the next scan or
        name typed replaces the last search instead of being added to it."""
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.type_timer.start()

    # -- type size --------------------------------------------------------------------------

    def fit_type(self) -> None:
        """Type as large as the screen and the Counter's room allow (see type_scale)."""
        if self.isVisible():
            self.apply_type_scale(type_scale(self.screen_size(), self.size()))

    def screen_size(self) -> QSize:
        return self.screen().size()

    def apply_type_scale(self, scale: float) -> None:
        if scale == self.type_scale:
            return
        self.type_scale = scale
        self.content.setStyleSheet(
            counter_style_sheet(scale, self.base_points) + voucher_button_style(scale)
        )
        self.results.setFixedWidth(round(RESULTS_WIDTH * scale))
        rows = QFont(self.content.font())
        rows.setPointSizeF(scaled(POINTS["counterResults"], scale))
        # Two lines, with room for taller scripts (CJK, Arabic) whose fallback fonts the item
        # delegate does not measure.
        self.results_model.row_height = int(QFontMetrics(rows).lineSpacing() * 2.7) + 14
        self.results.doItemsLayout()
        self.panel.avatar.setFixedSize(avatar_pixels(scale), avatar_pixels(scale))
