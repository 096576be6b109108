"""The Reports view: pick a report and what it is about, make it, look at it, print or save it.

Reports are made in the background with progress and Cancel (generate.py), shown inside the
app (preview.py), printed through the Qt print dialog or saved as a PDF.

A business with several shops (schema 11) gets a Shop choice (All shops, then each shop by
name) for the reports that can be run for one shop; with one shop (a shop file) it is not
shown. The shops are read each time the view is shown: another till or the command line may
have added one.

The survey results report offers the shop's surveys, the newest first, and the prize draw
record the competitions drawn, the latest draw first; each list is read when its report is
chosen and again after a change to surveys or competitions (when next shown, if hidden).
With none to offer, a sentence says where to make one.
"""

from __future__ import annotations

from PySide6.QtCore import QDate, QLocale, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from relapp.domain.changes import Change, Entity
from relapp.domain.contacts.listing import filter_choices
from relapp.domain.listening.competitions import drawn_competitions
from relapp.domain.listening.surveys import list_surveys
from relapp.domain.partners.figures import last_quarter
from relapp.domain.partners.partners import partner_choices
from relapp.domain.shop.formats import shop_format
from relapp.domain.shop.shops import list_shops
from relapp.reports.catalogue import (
    CUSTOMER,
    CUSTOMERS,
    DRAW,
    PARTNER,
    REPORTS,
    SEGMENT,
    SURVEY,
    ReportRequest,
)
from relapp.ui.icons import view_icon
from relapp.ui.reports.generate import generate, suggested_file_name
from relapp.ui.reports.preview import PdfPreview
from relapp.ui.widgets.empty_state import EmptyState
from relapp.ui.widgets.stale_while_hidden import StaleWhileHidden

KIND_ROLE = Qt.ItemDataRole.UserRole + 1


class ReportsView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.request: ReportRequest | None = None
        # The saved segments are read when the view is shown after a change to them.
        self.segment_freshness = StaleWhileHidden(self, self._fill_segments)
        # The surveys and the drawn competitions: read for the report chosen, when chosen
        # and after a change to them.
        self.listening_freshness = StaleWhileHidden(self, self._fill_listening)

        self.catalogue = QListWidget(objectName="reportList")
        self.catalogue.setFixedWidth(250)
        self.catalogue.setWordWrap(True)
        for kind in REPORTS:
            item = QListWidgetItem(self.tr(kind.title))
            item.setData(KIND_ROLE, kind.key)
            item.setToolTip(self.tr(kind.description))
            self.catalogue.addItem(item)
        self.catalogue.currentRowChanged.connect(lambda _row: self._show_parameters())
        self.catalogue.itemActivated.connect(lambda _item: self.make_report())

        self.description = QLabel(objectName="settingsHint", wordWrap=True)
        self.customer = QLineEdit(objectName="reportCustomer", clearButtonEnabled=True)
        self.customer.setPlaceholderText(self.tr("Customer number or card number"))
        self.customer.returnPressed.connect(self.make_report)
        self.by_ids = QRadioButton(self.tr("Customer numbers:"), checked=True)
        self.by_segment = QRadioButton(self.tr("Everyone in the segment:"))
        self.ids = QLineEdit(objectName="reportIds", clearButtonEnabled=True)
        self.ids.setPlaceholderText(self.tr("e.g. 12, 40, 311"))
        self.ids.returnPressed.connect(self.make_report)
        self.ids.textEdited.connect(lambda _text: self.by_ids.setChecked(True))
        self.segment = QComboBox(objectName="reportSegment")
        self.segment.activated.connect(lambda _index: self.by_segment.setChecked(True))
        self.columns = QListWidget(objectName="reportColumns")
        self.columns.setMaximumHeight(120)
        self.shop = QComboBox(objectName="reportShop")
        self.shop.setToolTip(self.tr("Run the report for one shop, or for all of them"))
        self.shop_names: list[str] = []  # as last read; one or none: no choice shown
        # The partner report's: a partner (or all of them) and its days, the last full
        # quarter to begin with.
        self.partner = QComboBox(objectName="reportPartner")
        self.since = QDateEdit(objectName="reportSince", calendarPopup=True)
        self.until = QDateEdit(objectName="reportUntil", calendarPopup=True)
        first, last = last_quarter()
        for edit, day in ((self.since, first), (self.until, last)):
            edit.setDisplayFormat("d MMM yyyy")
            edit.setDate(QDate(day.year, day.month, day.day))
        self.survey = QComboBox(objectName="reportSurvey")
        self.no_survey = QLabel(
            self.tr("The shop has no survey yet: make one in Listening (Ctrl+8)."),
            objectName="reportNoSurvey", wordWrap=True,
        )  # fmt: skip
        self.draw = QComboBox(objectName="reportDraw")
        self.no_draw = QLabel(
            self.tr("No competition has been drawn yet: draw one in Listening (Ctrl+8), "
                    "Competitions, once it has ended."),
            objectName="reportNoDraw", wordWrap=True,
        )  # fmt: skip
        self.period = QWidget()
        period_row = QHBoxLayout(self.period)
        period_row.setContentsMargins(0, 0, 0, 0)
        period_row.addWidget(self.since)
        period_row.addWidget(QLabel(self.tr("to")))
        period_row.addWidget(self.until)
        period_row.addStretch(1)
        self.parameters = QFormLayout()
        self.make_button = QPushButton(self.tr("Make report"), objectName="makeReport")
        self.make_button.setToolTip(self.tr("Make the report (Ctrl+Enter)"))
        self.make_button.setDefault(True)
        self.make_button.clicked.connect(self.make_report)

        self.preview = PdfPreview()
        self.empty = EmptyState(view_icon("reports"), self.tr("No report yet"))
        self.empty.set_body(
            self.tr(
                "Choose a report on the left, say what it is about, and press Make report. "
                "It appears here to check before you print it or save it as a PDF."
            )
        )
        self.body = QStackedWidget()
        self.body.addWidget(self.empty)
        self.body.addWidget(self.preview)
        self.status = QLabel(objectName="reportStatus", wordWrap=True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.print_button = QPushButton(self.tr("Print…"), objectName="printReport")
        self.print_button.setToolTip(self.tr("Print (Ctrl+P)"))
        self.print_button.clicked.connect(self.print_report)
        self.save_button = QPushButton(self.tr("Save as PDF…"), objectName="saveReport")
        self.save_button.setToolTip(self.tr("Save as PDF (Ctrl+S)"))
        self.save_button.clicked.connect(self.save_report)
        for key, slot in (
            ("Ctrl+Return", self.make_report),
            ("Ctrl+Enter", self.make_report),
            ("Ctrl+P", self.print_report),
            ("Ctrl+S", self.save_report),
        ):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

        form_box = QWidget()
        form = QVBoxLayout(form_box)
        form.setContentsMargins(0, 0, 0, 0)
        form.addWidget(self.description)
        form.addLayout(self.parameters)
        buttons = QHBoxLayout()
        buttons.addWidget(self.make_button)
        buttons.addStretch(1)
        buttons.addWidget(self.status, 3)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.save_button)
        form.addLayout(buttons)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(form_box)
        right_layout.addWidget(self.body, 1)
        splitter = QSplitter()
        splitter.addWidget(self.catalogue)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.catalogue.setCurrentRow(0)
        self._update_buttons()

    # -- parameters -----------------------------------------------------------------------

    def current_kind(self) -> str:
        item = self.catalogue.currentItem()
        return item.data(KIND_ROLE) if item is not None else REPORTS[0].key

    def select_report(self, key: str) -> None:
        for row in range(self.catalogue.count()):
            if self.catalogue.item(row).data(KIND_ROLE) == key:
                self.catalogue.setCurrentRow(row)

    def _show_parameters(self) -> None:
        while self.parameters.rowCount():
            taken = self.parameters.takeRow(0)  # the fields stay, hidden, for the next form
            label = taken.labelItem.widget() if taken.labelItem else None
            if isinstance(label, QLabel):
                label.deleteLater()  # made by addRow from a string
        for widget in (self.customer, self.by_ids, self.ids, self.by_segment, self.segment,
                       self.columns, self.shop, self.partner, self.period, self.survey,
                       self.no_survey, self.draw, self.no_draw):  # fmt: skip
            widget.hide()
        kind = next(kind for kind in REPORTS if kind.key == self.current_kind())
        self.description.setText(self.tr(kind.description))
        if kind.needs == CUSTOMER:
            self.parameters.addRow(self.tr("&Customer:"), self.customer)
            self.customer.show()
        elif kind.needs == CUSTOMERS:
            self.parameters.addRow(self.by_ids, self.ids)
            self.parameters.addRow(self.by_segment, self.segment)
            for widget in (self.by_ids, self.ids, self.by_segment, self.segment):
                widget.show()
        elif kind.needs == SEGMENT:
            self.parameters.addRow(self.tr("&Segment:"), self.segment)
            self.parameters.addRow(self.tr("Columns:"), self.columns)
            self.segment.show()
            self.columns.show()
            self._fill_columns()
        elif kind.needs == PARTNER:
            self._fill_partners()
            self.parameters.addRow(self.tr("&Partner:"), self.partner)
            period_label = QLabel(self.tr("Peri&od:"))
            period_label.setBuddy(self.since)
            self.parameters.addRow(period_label, self.period)
            self.partner.show()
            self.period.show()
        elif kind.needs == SURVEY:
            self._fill_surveys()
            self._add_choice(self.tr("&Survey:"), self.survey, self.no_survey)
        elif kind.needs == DRAW:
            self._fill_draws()
            self._add_choice(self.tr("&Competition:"), self.draw, self.no_draw)
        if kind.by_shop and len(self.shop_names) > 1:
            self.parameters.addRow(self.tr("Sh&op:"), self.shop)
            self.shop.show()

    def _add_choice(self, label: str, choice: QComboBox, none_yet: QLabel) -> None:
        """The choice under its label, or the sentence saying there is nothing to choose."""
        if choice.count():
            self.parameters.addRow(label, choice)
            choice.show()
        else:  # no mnemonic: there is nothing to go to
            self.parameters.addRow(label.replace("&", ""), none_yet)
            none_yet.show()

    def _fill_listening(self) -> None:
        """Read again the list of the report chosen, if it offers surveys or draws."""
        needs = next(kind.needs for kind in REPORTS if kind.key == self.current_kind())
        if needs == SURVEY:
            self._fill_surveys()
            choice, none_yet = self.survey, self.no_survey
        elif needs == DRAW:
            self._fill_draws()
            choice, none_yet = self.draw, self.no_draw
        else:
            return
        if not (choice if choice.count() else none_yet).isVisibleTo(self):
            self._show_parameters()  # the first one came, or the last went: swap the rows

    def _fill_surveys(self) -> None:
        """Every survey, the newest first, with how many answered it."""
        chosen = self.survey.currentData()
        self.survey.clear()
        for survey in list_surveys(newest_first=True):
            responses = (
                self.tr("1 response")
                if survey.responses == 1
                else self.tr("{n} responses").format(n=QLocale().toString(survey.responses))
            )
            self.survey.addItem(f"{survey.name} · {responses}", survey.id)
        self.survey.setCurrentIndex(max(0, self.survey.findData(chosen)))

    def _fill_draws(self) -> None:
        """The competitions drawn, the latest draw first, with the day of the draw."""
        chosen = self.draw.currentData()
        self.draw.clear()
        shop = shop_format()
        for line in drawn_competitions():
            assert line.drawn_at is not None
            drawn = self.tr("drawn {day}").format(day=shop.day(line.drawn_at))
            self.draw.addItem(f"{line.competition.name} · {drawn}", line.competition.id)
        self.draw.setCurrentIndex(max(0, self.draw.findData(chosen)))

    def _fill_shops(self) -> None:
        """Read the shops; the choice keeps the shop chosen, if it is still there."""
        names = [shop.name for shop in list_shops()]
        if names == self.shop_names:
            return
        chosen = self.chosen_shop()
        self.shop_names = names
        self.shop.clear()
        self.shop.addItem(self.tr("All shops"), "")
        for name in names:
            self.shop.addItem(name, name)
        self.shop.setCurrentIndex(max(0, self.shop.findData(chosen)))
        self._show_parameters()

    def _fill_partners(self) -> None:
        """Every partner, read again each time the report is chosen (they change rarely)."""
        chosen = self.partner.currentData()
        self.partner.clear()
        self.partner.addItem(self.tr("All partners"), "")
        for _partner_id, name in partner_choices():
            self.partner.addItem(name, name)
        self.partner.setCurrentIndex(max(0, self.partner.findData(chosen)))

    def chosen_shop(self) -> str:
        """The name of the shop chosen; "" for all shops (or when there is no choice)."""
        if len(self.shop_names) < 2 or self.shop.currentIndex() < 0:
            return ""
        return self.shop.currentData() or ""

    def _fill_segments(self) -> None:
        current = self.segment.currentText()
        self.segment.clear()
        segments = filter_choices().segments
        self.segment.addItems(segments)
        if current in segments:
            self.segment.setCurrentText(current)
        self.segment.setPlaceholderText(self.tr("No saved segments yet (Contacts view)"))

    def _fill_columns(self) -> None:
        if self.columns.count():
            return
        from relapp.reports.segment_list import DEFAULT_COLUMNS, SEGMENT_COLUMNS

        for key, heading in SEGMENT_COLUMNS.items():
            item = QListWidgetItem(self.tr(heading))
            item.setData(KIND_ROLE, key)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = key in DEFAULT_COLUMNS
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.columns.addItem(item)

    def current_request(self) -> ReportRequest | None:
        """What the form asks for, or None (with the reason in the status line)."""
        kind = self.current_kind()
        needs = next(item.needs for item in REPORTS if item.key == kind)
        if needs == CUSTOMER:
            if not self.customer.text().strip():
                return self._refuse(self.tr("Type the customer's number or card number."))
            return ReportRequest(kind, customer=self.customer.text().strip())
        if needs == CUSTOMERS:
            if self.by_segment.isChecked():
                if not self.segment.currentText():
                    return self._refuse(self.tr("Choose a segment, or type customer numbers."))
                return ReportRequest(kind, segment=self.segment.currentText())
            numbers = [part for part in self.ids.text().replace(",", " ").split() if part]
            if not numbers or not all(part.isdigit() and part.isascii() for part in numbers):
                return self._refuse(self.tr("Type customer numbers separated by commas."))
            return ReportRequest(kind, ids=tuple(int(part) for part in numbers))
        if needs == SEGMENT:
            if not self.segment.currentText():
                return self._refuse(self.tr("Choose a segment (save one in the Contacts view)."))
            columns = tuple(
                self.columns.item(row).data(KIND_ROLE)
                for row in range(self.columns.count())
                if self.columns.item(row).checkState() == Qt.CheckState.Checked
            )
            if not columns:
                return self._refuse(self.tr("Tick at least one column."))
            return ReportRequest(kind, segment=self.segment.currentText(), columns=columns)
        if needs == PARTNER:
            since, until = self.since.date().toPython(), self.until.date().toPython()
            if until < since:
                return self._refuse(self.tr("The period cannot end before it begins."))
            return ReportRequest(
                kind, partner=self.partner.currentData() or "", since=since, until=until
            )
        if needs == SURVEY:
            if self.survey.currentIndex() < 0:
                return self._refuse(self.no_survey.text())
            return ReportRequest(kind, survey=self.survey.currentData())
        if needs == DRAW:
            if self.draw.currentIndex() < 0:
                return self._refuse(self.no_draw.text())
            return ReportRequest(kind, competition=self.draw.currentData())
        by_shop = next(item.by_shop for item in REPORTS if item.key == kind)
        return ReportRequest(kind, shop=self.chosen_shop() if by_shop else "")

    def _refuse(self, reason: str) -> None:
        self.status.setText(reason)
        return None

    # -- making, printing, saving -----------------------------------------------------------

    def make_report(self) -> None:
        request = self.current_request()
        if request is None:
            return
        self.show_request(request)

    def show_request(self, request: ReportRequest) -> bool:
        """Make the report and show it; False if it was cancelled or refused."""
        result = generate(self, request)
        if result is None:
            return False
        self.request = request
        pages = self.preview.load(result.path)
        self.body.setCurrentWidget(self.preview)
        summary = self.tr("1 page") if pages == 1 else self.tr("{n} pages").format(n=pages)
        self.status.setText(f"{summary}. {result.note}".strip())
        self._update_buttons()
        return True

    def print_report(self) -> None:
        if self.preview.document is not None and self.preview.print_document():
            self.status.setText(self.tr("Sent to the printer."))

    def save_report(self) -> None:
        if self.request is None:
            return
        saved = self.preview.save_as(suggested_file_name(self.request))
        if saved is not None:
            self.status.setText(self.tr("Saved as {path}.").format(path=saved))

    def _update_buttons(self) -> None:
        ready = self.preview.document is not None
        self.print_button.setEnabled(ready)
        self.save_button.setEnabled(ready)

    # -- refreshing -------------------------------------------------------------------------

    def showEvent(self, event) -> None:
        self._fill_shops()  # one small table; shops come from other tills too, unannounced
        super().showEvent(event)

    def on_change(self, change: Change) -> None:
        if change.touches(Entity.SEGMENTS):
            self.segment_freshness.changed()
        if change.touches(Entity.SURVEYS) or change.touches(Entity.COMPETITIONS):
            self.listening_freshness.changed()
