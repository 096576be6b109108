"""The Campaigns view: the shop's campaigns, newest first; a new one (Ctrl+N) from a saved
segment; the selected one produced into a folder; and who it reaches and who it leaves out,
by reason, with their names a button away; the rules of the automatic campaigns
(Automatic…, Alt+A), whose lists wait in Today for approval; and the shop's partner businesses
(Partners…, Alt+E: their customers, code batches and report).

A campaign not produced yet is counted as it would be now, so its figures move as customers
give or withdraw consent; a produced one shows what was recorded when it was produced.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from relapp.db.store.campaigns import CampaignRow
from relapp.domain.campaigns.campaigns import reason_words
from relapp.domain.campaigns.listing import (
    Reach,
    campaign_reach,
    left_out_names,
    list_campaigns,
    moment,
    offer_text,
)
from relapp.domain.changes import Change, Entity
from relapp.domain.shop.formats import shop_format
from relapp.errors import RelappError
from relapp.ui.campaigns.call_outcomes_dialog import CallOutcomesDialog
from relapp.ui.campaigns.new_campaign_dialog import NewCampaignDialog
from relapp.ui.campaigns.outbox_dialog import OutboxDialog, OutboxResume
from relapp.ui.campaigns.produce import produce
from relapp.ui.campaigns.results_dialog import show_campaign_results
from relapp.ui.campaigns.rules_dialog import AutomaticCampaignsDialog
from relapp.ui.campaigns.texts import channel_title, count, reach_summary, tr, when
from relapp.ui.change_bus import ChangeBus
from relapp.ui.icons import view_icon
from relapp.ui.operations import published
from relapp.ui.staff.current_staff import CurrentStaff
from relapp.ui.widgets.background_task import TaskWorker
from relapp.ui.widgets.empty_state import EmptyState
from relapp.ui.widgets.stale_while_hidden import StaleWhileHidden

HEADERS = ("Name", "Channel", "Segment", "Created", "Produced")
NAME, CHANNEL, SEGMENT, CREATED, PRODUCED = range(len(HEADERS))
MESSAGE_EXCERPT = 160  # characters of the message shown under the list
ID_ROLE = Qt.ItemDataRole.UserRole
REASON_ROLE = Qt.ItemDataRole.UserRole + 1
# What a campaign's figures depend on besides the campaign: who is in the segment, their
# consent and tags, what they were sent lately, the shop's contact cap.
# Counts still running when their view went: kept until they finish, so no QThread is
# destroyed while it runs; the application waits for them as it quits.
_running_counts: set[TaskWorker] = set()
READ_AGAIN_ON = frozenset({Entity.CAMPAIGNS, Entity.SEGMENTS, Entity.CONTACTS, Entity.TAGS,
                           Entity.INTERACTIONS, Entity.SETTINGS})  # fmt: skip


class CampaignsView(QWidget):
    def __init__(
        self,
        change_bus: ChangeBus,
        current_staff: CurrentStaff | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.change_bus = change_bus
        self.current_staff = current_staff
        self.rows: list[CampaignRow] = []
        self.count_requests = 0  # counts asked of a worker, and the last one shown
        self.counts_shown = 0
        # Read when first shown, then at each change while on screen.
        self.freshness = StaleWhileHidden(self, self.reload)

        title = QLabel(self.tr("Campaigns"), objectName="editorName")
        hint = QLabel(
            self.tr(
                "Reach a saved segment by letter, email, text message or phone. Only the "
                "customers who agreed to that channel hear from you, and each message is "
                "logged on their history."
            ),
            objectName="settingsHint",
            wordWrap=True,
        )
        self.new_action = QAction(self.tr("New campaign…"), self)
        self.new_action.setShortcut(QKeySequence(QKeySequence.StandardKey.New))
        self.new_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.new_action.triggered.connect(self.new_campaign)
        self.addAction(self.new_action)
        self.new_button = QPushButton(self.tr("New campaign…"), objectName="newCampaign")
        self.new_button.setToolTip(self.tr("Make a campaign from a saved segment (Ctrl+N)"))
        self.new_button.clicked.connect(self.new_action.trigger)
        self.produce_button = QPushButton(self.tr("&Produce…"), objectName="produceCampaign")
        self.produce_button.setToolTip(
            self.tr("Write the selected campaign's files and log each message")
        )
        self.produce_button.clicked.connect(self.produce_current)
        self.results_button = QPushButton(self.tr("&Results…"), objectName="campaignResults")
        self.results_button.setToolTip(
            self.tr("Who came back and what they spent, against the hold-out group")
        )
        self.results_button.clicked.connect(self.show_results)
        self.outcomes_button = QPushButton(self.tr("&Outcomes…"), objectName="logCallOutcomes")
        self.outcomes_button.setToolTip(
            self.tr("Type back what each call of the call list brought, to log it")
        )
        self.outcomes_button.clicked.connect(self.log_outcomes)
        self.outbox_button = QPushButton(self.tr("Out&box…"), objectName="campaignOutbox")
        self.outbox_button.setToolTip(
            self.tr("Emails sent from Relapp: waiting, sent, refused or in doubt (Alt+B)")
        )
        self.outbox_button.clicked.connect(self.show_outbox)
        # Emails a previous session left waiting go once the window is up (status bar).
        self.outbox_resume = OutboxResume(self)
        self.outbox_resume.told.connect(self._tell)
        self.outbox_resume.start_soon()
        self.automatic_button = QPushButton(self.tr("&Automatic…"), objectName="automaticRules")
        self.automatic_button.setToolTip(
            self.tr("Rules that list customers in Today every day, for you to approve (Alt+A)")
        )
        self.automatic_button.clicked.connect(self.edit_automatic)
        self.partners_button = QPushButton(self.tr("Partn&ers…"), objectName="partnersButton")
        self.partners_button.setToolTip(
            self.tr(
                "Partner businesses: their customers, their codes and the partner report (Alt+E)"
            )
        )
        self.partners_button.clicked.connect(self.show_partners)

        self.table = QTableWidget(0, len(HEADERS), objectName="campaignsTable")
        self.table.setHorizontalHeaderLabels([self.tr(header) for header in HEADERS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)
        self.table.itemSelectionChanged.connect(self.show_details)

        self.empty = EmptyState(view_icon("campaigns"), self.tr("No campaigns yet"))
        self.empty.set_body(self.tr("Press New campaign (Ctrl+N) to reach a saved segment."))
        self.empty.set_detail(
            self.tr(
                "A campaign makes the letters as one PDF, the emails for your mail program or "
                "Mailchimp, a file for your text-message service, or a call list."
            )
        )
        self.body = QStackedWidget()
        self.body.addWidget(self.table)
        self.body.addWidget(self.empty)

        self.details = QGroupBox(self.tr("Who it reaches"), objectName="campaignDetails")
        self.heading = QLabel(objectName="detailTitle", wordWrap=True)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.summary = QLabel(objectName="factValue", wordWrap=True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.message = QLabel(objectName="settingsHint", wordWrap=True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.left_out_title = QLabel(objectName="detailTitle")
        self.reasons = QListWidget(objectName="campaignReasons")
        self.reasons.setMaximumHeight(self.reasons.fontMetrics().lineSpacing() * 5)
        self.reasons.currentRowChanged.connect(lambda _row: self._update_buttons())
        self.reasons.itemActivated.connect(lambda _item: self.show_names())
        self.names_button = QPushButton(self.tr("Show &names…"), objectName="showNames")
        self.names_button.setToolTip(self.tr("List the customers left out for this reason"))
        self.names_button.clicked.connect(self.show_names)
        facts = QVBoxLayout()
        facts.addWidget(self.heading)
        facts.addWidget(self.summary)
        facts.addWidget(self.message)
        facts.addStretch(1)
        reasons_box = QVBoxLayout()
        reasons_box.addWidget(self.left_out_title)
        reasons_row = QHBoxLayout()
        reasons_row.addWidget(self.reasons, 1)
        reasons_row.addWidget(self.names_button, 0, Qt.AlignmentFlag.AlignTop)
        reasons_box.addLayout(reasons_row)
        details_layout = QHBoxLayout(self.details)
        details_layout.addLayout(facts, 1)
        details_layout.addLayout(reasons_box, 1)

        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.produce_button)
        buttons.addWidget(self.results_button)
        buttons.addWidget(self.outcomes_button)
        buttons.addWidget(self.outbox_button)
        buttons.addWidget(self.automatic_button)
        buttons.addWidget(self.partners_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(hint)
        layout.addLayout(buttons)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.details)
        self._update_buttons()

    # -- reading ----------------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the campaigns again, keeping the one selected (self.freshness calls it)."""
        kept = self.current_campaign()
        self.rows = list_campaigns()
        shop = shop_format()
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.rows))
        for row, campaign in enumerate(self.rows):
            produced = (
                when(moment(campaign.produced_at), shop)
                if campaign.produced_at
                else self.tr("not produced")
            )
            cells = (campaign.name, channel_title(campaign.channel), campaign.segment_name,
                     when(moment(campaign.created_at), shop), produced)  # fmt: skip
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(ID_ROLE, campaign.id)
                self.table.setItem(row, column, item)
        self.table.blockSignals(False)
        self.body.setCurrentWidget(self.table if self.rows else self.empty)
        ids = [campaign.id for campaign in self.rows]
        keep = ids.index(kept.id) if kept is not None and kept.id in ids else 0
        if self.rows:
            self.table.selectRow(keep)
        self.show_details()

    def current_campaign(self) -> CampaignRow | None:
        selected = self.table.selectionModel().selectedRows()
        if not selected or not self.rows:
            return None
        row = selected[0].row()
        return self.rows[row] if row < len(self.rows) else None

    def show_details(self) -> None:
        """Who the selected campaign reaches, and who it leaves out by reason."""
        campaign = self.current_campaign()
        self.details.setVisible(campaign is not None)
        self.reasons.clear()
        if campaign is None:
            self._update_buttons()
            return
        produced = campaign.produced_at is not None
        state = (
            self.tr("produced {when}").format(when=when(moment(campaign.produced_at)))
            if campaign.produced_at
            else self.tr("not produced yet")
        )
        # An automatic campaign's "segment" is its list: "Birthday list of 2026-12-06".
        words = (
            "{channel} to the {segment}, {state}"
            if campaign.rule
            else ("{channel} to the segment {segment}, {state}")
        )
        self.heading.setText(
            self.tr(words).format(
                channel=channel_title(campaign.channel), segment=campaign.segment_name,
                state=state,
            )
        )  # fmt: skip
        offer = offer_text(campaign)
        voucher = "" if offer is None else "\n" + self.tr("Voucher: {offer}").format(offer=offer)
        partner = partner_name(campaign)
        if partner:
            voucher += "\n" + self.tr(
                "{partner}'s offer: only for customers who agreed to partner offers."
            ).format(partner=partner)
        self.message.setText(message_excerpt(campaign) + voucher)
        self.left_out_title.setText("")
        self.reasons.hide()
        if produced:  # what was recorded: one quick read
            self._show_reach(campaign, *self._reach_of(campaign))
        else:  # who it would reach now: a count over the whole shop, off the GUI thread
            self.summary.setText(self.tr("Counting who it reaches…"))
            self._count_in_background(campaign)
        self._update_buttons()

    @staticmethod
    def _reach_of(campaign: CampaignRow) -> tuple[Reach | None, str]:
        try:
            return campaign_reach(campaign), ""
        except RelappError as error:  # its segment was deleted since
            return None, str(error)

    def _count_in_background(self, campaign: CampaignRow) -> None:
        """Count a campaign not produced yet on a worker thread (about a second at
        1,000,000 customers, and it runs again after every sale while the view is on
        screen). Only the answer for the latest request is shown."""
        self.count_requests += 1
        request = self.count_requests
        worker = TaskWorker(lambda _report, _should_stop: self._reach_of(campaign), ())
        worker.succeeded.connect(lambda found: self._counted(request, campaign, *found))
        worker.failed.connect(lambda words: self._counted(request, campaign, None, words))
        _running_counts.add(worker)
        worker.finished.connect(lambda: _running_counts.discard(worker))
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(worker.wait)
        worker.start()

    @property
    def counting(self) -> bool:
        """A count is under way whose answer the view still waits for."""
        return self.count_requests != self.counts_shown

    def _counted(
        self, request: int, campaign: CampaignRow, reach: Reach | None, error: str
    ) -> None:
        if request != self.count_requests:
            return  # a later request is on its way: its answer is the one to show
        self.counts_shown = request
        current = self.current_campaign()
        if current is None or current.id != campaign.id:
            return
        self._show_reach(campaign, reach, error)

    def _show_reach(self, campaign: CampaignRow, reach: Reach | None, error: str) -> None:
        if reach is None:
            self.summary.setText(error)
            self.left_out_title.setText("")
            self.reasons.hide()
        else:
            self.summary.setText(reach_summary(reach, campaign.produced_at is not None))
            self.reasons.clear()
            self._show_reasons(reach, campaign.partner_id is not None)
        self._update_buttons()

    def _show_reasons(self, reach: Reach, partner_offer: bool = False) -> None:
        if not reach.left_out_total:
            self.left_out_title.setText(self.tr("Nobody left out."))
            self.reasons.hide()
            return
        self.left_out_title.setText(
            self.tr("Left out: {total}").format(total=count(reach.left_out_total))
        )
        for reason, number in reach.left_out.items():
            if number:
                words = reason_words(partner_offer)[reason]
                item = QListWidgetItem(f"{count(number)}  {tr(words)}")
                item.setData(REASON_ROLE, reason)
                self.reasons.addItem(item)
        self.reasons.show()
        self.reasons.setCurrentRow(0)

    def _update_buttons(self) -> None:
        campaign = self.current_campaign()
        self.produce_button.setEnabled(campaign is not None and campaign.produced_at is None)
        self.results_button.setEnabled(campaign is not None and campaign.produced_at is not None)
        self.outcomes_button.setEnabled(_produced_call(campaign))
        has_reason = self.reasons.currentItem() is not None
        self.names_button.setVisible(self.reasons.count() > 0)
        self.names_button.setEnabled(campaign is not None and has_reason)

    def on_change(self, change: Change) -> None:
        if change.entities & READ_AGAIN_ON:
            self.freshness.changed()

    def focus_first_field(self) -> None:
        """The list, if there is one, else New campaign."""
        target = self.table if self.rows else self.new_button
        target.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # -- acting ---------------------------------------------------------------------------------

    def staff_id(self) -> int | None:
        return None if self.current_staff is None else self.current_staff.staff_id

    def new_campaign(self) -> None:
        change = NewCampaignDialog.ask(self, self.staff_id())
        if change is None:
            return
        self.table.clearSelection()  # the new one, listed first, is selected on reading
        published(self.change_bus, change)
        if self.rows:
            self.table.selectRow(0)
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def produce_current(self) -> None:
        campaign = self.current_campaign()
        if campaign is None or campaign.produced_at is not None:
            return
        produce(self, self.change_bus, campaign, self.staff_id())

    def show_results(self) -> None:
        campaign = self.current_campaign()
        if campaign is None or campaign.produced_at is None:
            return
        show_campaign_results(self, campaign)

    def log_outcomes(self) -> None:
        campaign = self.current_campaign()
        if campaign is None or not _produced_call(campaign):
            return
        change = CallOutcomesDialog.ask(self, campaign, self.staff_id())
        if change is not None:
            published(self.change_bus, change)

    def edit_automatic(self) -> None:
        change = AutomaticCampaignsDialog.ask(self, self.staff_id())
        if change is not None:
            published(self.change_bus, change)

    def show_partners(self) -> None:
        from relapp.ui.campaigns.partners_dialog import PartnersDialog

        PartnersDialog.show_for(self, self.change_bus, self.staff_id())

    def show_outbox(self) -> None:
        OutboxDialog.show_for(self)

    def _tell(self, text: str) -> None:
        """A sentence in the window's status bar, for half a minute."""
        window = self.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(text, 30_000)

    def show_names(self) -> None:
        campaign = self.current_campaign()
        item = self.reasons.currentItem()
        if campaign is None or item is None:
            return
        reason = item.data(REASON_ROLE)
        try:
            found = left_out_names(campaign, reason)
        except RelappError as error:
            self.summary.setText(str(error))
            return
        words = reason_words(campaign.partner_id is not None)[reason]
        NamesDialog.show_for(self, campaign.name, tr(words), found.names, found.total)


def partner_name(campaign: CampaignRow) -> str:
    """The name of the partner whose offer the campaign carries, "" if none."""
    if campaign.partner_id is None:
        return ""
    from relapp.domain.partners.partners import PartnerRefused, partner_by_id

    try:
        return partner_by_id(campaign.partner_id).name
    except PartnerRefused:
        return ""


def _produced_call(campaign: CampaignRow | None) -> bool:
    """Whether the campaign's call outcomes can be typed back."""
    return campaign is not None and campaign.channel == "call" and campaign.produced_at is not None


def message_excerpt(campaign: CampaignRow) -> str:
    """The start of the campaign's message (and subject), on a line or two."""
    text = " ".join(campaign.template.split())
    if len(text) > MESSAGE_EXCERPT:
        text = text[: MESSAGE_EXCERPT - 1] + "…"
    if campaign.subject:
        return tr("Subject: {subject}. Message: {text}").format(subject=campaign.subject, text=text)
    return tr("Message: {text}").format(text=text)


class NamesDialog(QDialog):
    """The customers of one group: their customer number and name."""

    def __init__(
        self,
        campaign: str,
        reason: str,
        names: tuple[tuple[int, str], ...],
        total: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Left out of {campaign}").format(campaign=campaign))
        self.setMinimumSize(420, 420)
        intro = self.tr("{total} customers left out: {reason}.").format(
            total=count(total), reason=reason
        )
        if total > len(names):
            intro += " " + self.tr("The first {shown} are listed.").format(shown=count(len(names)))
        label = QLabel(intro, wordWrap=True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        # Two columns, not "name · number" on a line: a right-to-left name would put the
        # number on the wrong side.
        self.names = QTableWidget(len(names), 2, objectName="leftOutNames")
        self.names.setHorizontalHeaderLabels([self.tr("Name"), self.tr("Customer number")])
        self.names.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.names.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.names.verticalHeader().hide()
        self.names.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.names.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.ResizeToContents
        )
        for row, (contact_id, name) in enumerate(names):
            self.names.setItem(row, 0, QTableWidgetItem(name))
            number = QTableWidgetItem(str(contact_id))
            number.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.names.setItem(row, 1, number)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.names, 1)
        layout.addWidget(buttons)

    @classmethod
    def show_for(
        cls,
        parent: QWidget | None,
        campaign: str,
        reason: str,
        names: tuple[tuple[int, str], ...],
        total: int,
    ) -> None:
        cls(campaign, reason, names, total, parent).exec()
