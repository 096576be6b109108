"""Partners (Campaigns > Partners…, Alt+E): the businesses the shop works with, and for the
one selected, the customers who came through them, their code batches (new codes, printed
or saved as a CSV file to hand over) and the partner report.

A manager adds and changes partners and makes codes (the domain refuses anyone else, said
in one sentence). Every change goes out on the change bus like a view's.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from relapp.db.fields import parse_timestamp
from relapp.domain.partners.batches import Batch, batches_of
from relapp.domain.partners.figures import last_quarter, since_agreement, this_quarter
from relapp.domain.partners.partners import (
    Partner,
    PartnerLine,
    customers_of,
    list_partners,
    save_partner,
)
from relapp.domain.shop.formats import ShopFormat, shop_format
from relapp.domain.terms import PARTNER_DIRECTION_NAMES
from relapp.errors import RelappError
from relapp.reports.catalogue import ReportRequest
from relapp.ui.campaigns.batch_dialog import BatchDialog
from relapp.ui.campaigns.partner_dialog import PartnerDialog
from relapp.ui.change_bus import ChangeBus
from relapp.ui.operations import published

ROLE = Qt.ItemDataRole.UserRole
STATES = {"current": "current", "not yet": "not started", "ended": "ended", "": "no dates"}
# The report's periods, as offered: key -> title.
PERIODS = {
    "last_quarter": "The last full quarter",
    "this_quarter": "This quarter so far",
    "agreement": "Since the agreement began",
}


def _table(headers: list[str], object_name: str) -> QTableWidget:
    made = QTableWidget(0, len(headers), objectName=object_name)
    made.setHorizontalHeaderLabels(headers)
    made.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    made.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    made.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    made.setAlternatingRowColors(True)
    made.verticalHeader().hide()
    header = made.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    header.setHighlightSections(False)
    return made


def _cell(text: str, data: object = None, numeric: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if data is not None:
        item.setData(ROLE, data)
    if numeric:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def agreement_text(partner: Partner, shop: ShopFormat, tr) -> str:
    """ "1 Jul 2025 – 30 Jun 2026 (current)", or "no dates"."""
    start, end = partner.agreement_from, partner.agreement_until
    state = tr(STATES[partner.agreement_state()])
    if start is None and end is None:
        return state
    span = f"{shop.day(start) if start else '…'} – {shop.day(end) if end else '…'}"
    return f"{span} ({state})"


def choose_csv_path(parent: QWidget, suggested: str) -> Path | None:
    """Where to save a batch's codes as CSV (the file dialog; a test replaces this)."""
    chosen, _filter = QFileDialog.getSaveFileName(
        parent, parent.tr("Save the codes"), str(Path.home() / suggested),
        parent.tr("CSV files (*.csv)"),
    )  # fmt: skip
    if not chosen:
        return None
    path = Path(chosen)
    return path if path.suffix.lower() == ".csv" else path.with_name(path.name + ".csv")


class PartnersDialog(QDialog):
    def __init__(
        self, change_bus: ChangeBus, staff_id: int | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.change_bus = change_bus
        self.staff_id = staff_id
        self.lines: list[PartnerLine] = []
        self.batches: list[Batch] = []
        self.setWindowTitle(self.tr("Partners"))
        self.resize(980, 720)
        hint = QLabel(
            self.tr(
                "Businesses you work with. Customers who came through a partner are counted "
                "for them (set it in the customer's details, or it is set when they first use "
                "one of the partner's codes). A partner's offers go only to customers who "
                "agreed to partner offers."
            ),
            objectName="settingsHint",
            wordWrap=True,
        )
        self.table = _table(
            [self.tr(title) for title in ("Partner", "Agreement", "Customers", "Codes used",
                                          "Business record")],
            "partnersTable",
        )  # fmt: skip
        self.table.itemSelectionChanged.connect(self.show_partner)
        self.table.itemActivated.connect(lambda _item: self.edit_partner())
        self.add_button = QPushButton(self.tr("&Add partner…"), objectName="addPartner")
        self.add_button.clicked.connect(lambda: self.edit_partner(new=True))
        self.edit_button = QPushButton(self.tr("&Edit partner…"), objectName="editPartner")
        self.edit_button.clicked.connect(self.edit_partner)
        self.note = QLabel(objectName="settingsHint", wordWrap=True)
        self.note.setTextFormat(Qt.TextFormat.PlainText)

        self.customers = _table(
            [self.tr(title) for title in ("Name", "Customer number", "Card", "Joined")],
            "partnerCustomers",
        )
        self.customers_note = QLabel(objectName="settingsHint", wordWrap=True)
        customers_page = QWidget()
        customers_layout = QVBoxLayout(customers_page)
        customers_layout.addWidget(self.customers_note)
        customers_layout.addWidget(self.customers, 1)

        self.batch_table = _table(
            [self.tr(title) for title in ("Batch", "Way", "Each gives", "Made", "Valid until",
                                          "Codes", "Used")],
            "partnerBatches",
        )  # fmt: skip
        self.batch_table.itemSelectionChanged.connect(self._update_buttons)
        self.new_batch_button = QPushButton(self.tr("&New codes…"), objectName="newCodes")
        self.new_batch_button.clicked.connect(self.new_batch)
        self.print_button = QPushButton(self.tr("Print c&odes…"), objectName="printCodes")
        self.print_button.clicked.connect(self.print_codes)
        self.csv_button = QPushButton(self.tr("Save as CS&V…"), objectName="saveCodes")
        self.csv_button.clicked.connect(self.save_codes)
        batch_buttons = QHBoxLayout()
        for button in (self.new_batch_button, self.print_button, self.csv_button):
            batch_buttons.addWidget(button)
        batch_buttons.addStretch(1)
        batches_page = QWidget()
        batches_layout = QVBoxLayout(batches_page)
        batches_layout.addWidget(self.batch_table, 1)
        batches_layout.addLayout(batch_buttons)

        self.period = QComboBox(objectName="partnerPeriod")
        for key, title in PERIODS.items():
            self.period.addItem(self.tr(title), key)
        self.period.currentIndexChanged.connect(lambda _index: self._show_period())
        self.period_shown = QLabel(objectName="settingsHint")
        self.report_button = QPushButton(self.tr("&Make report"), objectName="partnerReport")
        self.report_button.clicked.connect(self.make_report)
        period_label = QLabel(self.tr("Per&iod:"))
        period_label.setBuddy(self.period)
        report_row = QHBoxLayout()
        report_row.addWidget(period_label)
        report_row.addWidget(self.period)
        report_row.addWidget(self.period_shown)
        report_row.addSpacing(12)
        report_row.addWidget(self.report_button)
        report_row.addStretch(1)
        report_hint = QLabel(
            self.tr(
                "For a quarterly review with the partner: the customers who came through "
                "them and joined in the period, what they spent, who came back after 3, 6 and "
                "12 months, and the codes issued and redeemed both ways. The Reports view "
                "makes it for any days, or for every partner."
            ),
            objectName="settingsHint",
            wordWrap=True,
        )
        report_page = QWidget()
        report_layout = QVBoxLayout(report_page)
        report_layout.addWidget(report_hint)
        report_layout.addLayout(report_row)
        report_layout.addStretch(1)

        self.tabs = QTabWidget(objectName="partnerTabs")
        self.tabs.addTab(customers_page, self.tr("&Customers"))
        self.tabs.addTab(batches_page, self.tr("Co&des"))
        self.tabs.addTab(report_page, self.tr("&Report"))

        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.note, 1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.table, 2)
        layout.addLayout(buttons)
        layout.addWidget(self.tabs, 5)
        layout.addWidget(close)
        self.reload()
        self.table.setFocus()

    # -- reading ----------------------------------------------------------------------------

    def reload(self, select: str | None = None) -> None:
        """Read the partners again; select: the partner to select by name (else the one
        selected, else the first)."""
        kept = select or (self.current().partner.name if self.current() else None)
        self.lines = list_partners()
        shop, locale = shop_format(), QLocale()
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.lines))
        for row, line in enumerate(self.lines):
            used = self.tr("{used} of {codes}").format(
                used=locale.toString(line.redeemed), codes=locale.toString(line.codes)
            )
            cells = (
                _cell(line.partner.name, row),
                _cell(agreement_text(line.partner, shop, self.tr)),
                _cell(locale.toString(line.customers), numeric=True),
                _cell(used if line.codes else "–", numeric=True),
                _cell(line.business or "–"),
            )
            for column, item in enumerate(cells):
                self.table.setItem(row, column, item)
        self.table.blockSignals(False)
        names = [line.partner.name for line in self.lines]
        if self.lines:
            self.table.selectRow(names.index(kept) if kept in names else 0)
        self.show_partner()

    def current(self) -> PartnerLine | None:
        selected = self.table.selectionModel().selectedRows()
        if not selected or not self.lines:
            return None
        row = selected[0].row()
        return self.lines[row] if row < len(self.lines) else None

    def show_partner(self) -> None:
        line = self.current()
        self.tabs.setEnabled(line is not None)
        self.customers.setRowCount(0)
        self.batch_table.setRowCount(0)
        self.batches = []
        if line is None or line.partner.id is None:
            self.note.setText(
                self.tr("No partners yet: press Add partner to record the first.")
                if not self.lines
                else ""
            )
            self._update_buttons()
            return
        partner = line.partner
        self.note.setText(partner.offers)
        self._show_customers(partner)
        self._show_batches(partner)
        self._show_period()
        self._update_buttons()

    def _show_customers(self, partner: Partner) -> None:
        assert partner.id is not None
        found = customers_of(partner.id)
        shop, locale = shop_format(), QLocale()
        if not found.total:
            text = self.tr("Nobody has come through {partner} yet.")
        elif found.total > len(found.newest):
            text = self.tr("{total} customers came through {partner}; the newest are listed.")
        else:
            text = self.tr("{total} customers came through {partner}.")
        self.customers_note.setText(
            text.format(total=locale.toString(found.total), partner=partner.name)
        )
        self.customers.setRowCount(len(found.newest))
        for row, (contact_id, name, card, joined) in enumerate(found.newest):
            cells = (_cell(name, contact_id), _cell(str(contact_id), numeric=True), _cell(card),
                     _cell(shop.day(parse_timestamp(joined).astimezone())))  # fmt: skip
            for column, item in enumerate(cells):
                self.customers.setItem(row, column, item)

    def _show_batches(self, partner: Partner) -> None:
        assert partner.id is not None
        self.batches = batches_of(partner.id)
        shop, locale = shop_format(), QLocale()
        self.batch_table.setRowCount(len(self.batches))
        for row, batch in enumerate(self.batches):
            offer = batch.offer
            if batch.min_spend_cents:
                offer = self.tr("{offer} on {least} or more").format(
                    offer=offer, least=shop.money(batch.min_spend_cents))  # fmt: skip
            cells = (
                _cell(batch.label or "–", row),
                _cell(self.tr(PARTNER_DIRECTION_NAMES[batch.direction])),
                _cell(offer),
                _cell(shop.day(parse_timestamp(batch.valid_from).astimezone())),
                _cell(shop.day(parse_timestamp(batch.valid_until).astimezone())),
                _cell(locale.toString(batch.codes), numeric=True),
                _cell(locale.toString(batch.redeemed), numeric=True),
            )
            for column, item in enumerate(cells):
                self.batch_table.setItem(row, column, item)
        if self.batches:
            self.batch_table.selectRow(0)

    def current_batch(self) -> Batch | None:
        selected = self.batch_table.selectionModel().selectedRows()
        if not selected or not self.batches:
            return None
        row = selected[0].row()
        return self.batches[row] if row < len(self.batches) else None

    def period_days(self) -> tuple[date, date]:
        """(first day, last day) of the period chosen for the selected partner's report."""
        key = self.period.currentData()
        line = self.current()
        if key == "agreement" and line is not None:
            return since_agreement(line.partner)
        if key == "this_quarter":
            return this_quarter()
        return last_quarter()

    def _show_period(self) -> None:
        first, last = self.period_days()
        shop = shop_format()
        self.period_shown.setText(f"{shop.day(first)} – {shop.day(last)}")

    def _update_buttons(self) -> None:
        line = self.current()
        self.edit_button.setEnabled(line is not None)
        ready = self.current_batch() is not None
        self.print_button.setEnabled(ready)
        self.csv_button.setEnabled(ready)

    # -- acting -----------------------------------------------------------------------------

    def edit_partner(self, new: bool = False) -> None:
        line = None if new else self.current()
        if not new and line is None:
            return
        change = PartnerDialog.ask(
            self, None if line is None else line.partner,
            lambda partner: save_partner(partner, self.staff_id),
        )  # fmt: skip
        if change is None:
            return
        published(self.change_bus, change)
        saved = line.partner.name if line is not None else None
        self.reload(select=self._newest_name() if new else saved)
        self.table.setFocus()

    def _newest_name(self) -> str | None:
        """The partner just added: the one of the highest id."""
        ids = [(line.partner.id or 0, line.partner.name) for line in list_partners()]
        return max(ids)[1] if ids else None

    def new_batch(self) -> None:
        line = self.current()
        if line is None or line.partner.id is None:
            return
        made = BatchDialog.ask(self, line.partner.id, line.partner.name, self.staff_id)
        if made is None:
            return
        published(self.change_bus, made.change)
        self.reload()
        self.tabs.setCurrentIndex(1)
        self.batch_table.setFocus()
        self.note.setText(
            self.tr("{n} codes made: print them or save them as CSV to hand over.").format(
                n=QLocale().toString(len(made.codes))
            )
        )

    def print_codes(self) -> None:
        from relapp.reports.partner_codes import batch_sheet
        from relapp.ui.reports.generate import scratch_folder
        from relapp.ui.reports.preview_dialog import ReportPreviewDialog

        batch = self.current_batch()
        if batch is None:
            return
        name = _file_name(batch, "pdf")
        try:
            path = batch_sheet(batch, scratch_folder() / name)
        except RelappError as error:
            QMessageBox.warning(self, self.tr("Partners"), str(error))
            return
        preview = ReportPreviewDialog(self.tr("Codes to hand over"), path, "", name, self)
        preview.exec()
        preview.deleteLater()

    def save_codes(self) -> None:
        from relapp.exchange.partner_codes import batch_csv

        batch = self.current_batch()
        if batch is None:
            return
        path = choose_csv_path(self, _file_name(batch, "csv"))
        if path is None:
            return
        try:
            written = batch_csv(batch, path)
        except RelappError as error:
            QMessageBox.warning(self, self.tr("Partners"), str(error))
            return
        self.note.setText(
            self.tr("{n} codes saved in {path}.").format(n=QLocale().toString(written), path=path)
        )

    def make_report(self) -> None:
        from relapp.ui.reports.preview_dialog import ReportPreviewDialog

        line = self.current()
        if line is None:
            return
        first, last = self.period_days()
        request = ReportRequest("partner", partner=line.partner.name, since=first, until=last)
        ReportPreviewDialog.make_and_show(self, request)

    @classmethod
    def show_for(cls, parent: QWidget | None, change_bus: ChangeBus, staff_id: int | None) -> None:
        dialog = cls(change_bus, staff_id, parent)
        dialog.exec()
        dialog.deleteLater()


def _file_name(batch: Batch, suffix: str) -> str:
    """ "Café Luna codes Table cards 2026-12-06.csv": what saving proposes."""
    made = parse_timestamp(batch.valid_from).astimezone().date().isoformat()
    name = " ".join(part for part in (batch.partner, "codes", batch.label, made) if part)
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", name)[:120] + f".{suffix}"
