"""Exporting customers as CSV (for Excel and mailing tools) or vCard (for phones).

Which customers (everyone, the ones the Contacts view lists now, or a saved segment), which
format, and for CSV a byte-order mark so that Excel reads accents right; optionally only the
customers who agreed to be contacted on one channel. The file is written in the background
with progress and Cancel; a cancelled export leaves no file behind.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import date
from pathlib import Path

from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from relapp.domain.contacts.listing import ContactFilter, count_contacts, filter_choices
from relapp.domain.terms import CHANNEL_NAMES, CONSENT_CHANNELS
from relapp.errors import RelappError
from relapp.exchange.exporter import ExportCancelled, export_csv, export_vcard
from relapp.ui.widgets.background_task import run_with_progress

FORMATS = (
    ("csv", "CSV (Excel, mailing tools)"),
    ("vcard3", "vCard 3.0 (phones, most address books)"),
    ("vcard4", "vCard 4.0 (newer address books)"),
)
ALL, LISTED = "all", "listed"


class ExportDialog(QDialog):
    def __init__(
        self, current_filter: ContactFilter | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Export customers"))
        self.setMinimumWidth(560)
        self.current_filter = current_filter
        self.written: Path | None = None

        self.which = QComboBox(objectName="exportWhich")
        self.which.addItem(self.tr("All active customers"), ALL)
        if current_filter is not None and current_filter != ContactFilter():
            self.which.addItem(self.tr("The customers listed now (the current filters)"), LISTED)
        for name in filter_choices().segments:
            self.which.addItem(self.tr("Segment: {name}").format(name=name), name)
        if current_filter is not None and current_filter.segment is not None:
            listed = self.which.findData(LISTED)
            self.which.setCurrentIndex(max(0, listed))
        self.format = QComboBox(objectName="exportFormat")
        for key, title in FORMATS:
            self.format.addItem(self.tr(title), key)
        self.format.currentIndexChanged.connect(self._format_changed)
        self.bom = QCheckBox(self.tr("Add a byte-order mark for &Excel"), checked=True)
        self.bom.setToolTip(
            self.tr("Excel shows accented letters correctly only in a file that starts with one.")
        )
        self.consent = QComboBox(objectName="exportConsent")
        self.consent.addItem(self.tr("Anyone (no consent needed)"), None)
        for channel in CONSENT_CHANNELS:
            self.consent.addItem(self.tr(CHANNEL_NAMES[channel]), channel)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.tr("&Customers:"), self.which)
        form.addRow(self.tr("&Format:"), self.format)
        form.addRow("", self.bom)
        consent_label = QLabel(self.tr("Only customers who agreed\nto be contacted &by:"))
        consent_label.setBuddy(self.consent)
        form.addRow(consent_label, self.consent)

        self.status = QLabel(objectName="exportStatus", wordWrap=True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export_button = QPushButton(self.tr("&Export…"), objectName="exportButton")
        self.export_button.setDefault(True)
        self.buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.export_button.clicked.connect(self.export)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.which.setFocus()

    def _format_changed(self) -> None:
        self.bom.setEnabled(self.format.currentData() == "csv")

    def chosen_filter(self) -> ContactFilter:
        which = self.which.currentData()
        if which == ALL:
            return ContactFilter()
        if which == LISTED and self.current_filter is not None:
            return self.current_filter
        return ContactFilter(segment=which)

    def suggested_name(self) -> str:
        which = self.which.currentData()
        title = {ALL: "Customers", LISTED: "Customers (filtered)"}.get(which, f"Customers {which}")
        suffix = ".csv" if self.format.currentData() == "csv" else ".vcf"
        safe = "".join("_" if ch in '\\/:*?"<>|' else ch for ch in title)
        return f"{safe} {date.today().isoformat()}{suffix}"

    def ask_path(self) -> Path | None:
        is_csv = self.format.currentData() == "csv"
        kinds = self.tr("CSV files (*.csv)") if is_csv else self.tr("vCard files (*.vcf)")
        folder = self.written.parent if self.written else Path.home()
        chosen, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export customers"), str(folder / self.suggested_name()), kinds
        )
        if not chosen:
            return None
        path = Path(chosen)
        wanted = ".csv" if is_csv else ".vcf"
        return path if path.suffix else path.with_suffix(wanted)

    def export(self) -> None:
        self.status.setWordWrap(True)
        out = self.ask_path()
        if out is None:
            return
        contact_filter = self.chosen_filter()
        kind, bom, consent = (
            self.format.currentData(),
            self.bom.isChecked(),
            self.consent.currentData(),
        )
        try:
            total = count_contacts(_with_consent(contact_filter, consent))
        except (RelappError, ValueError) as error:
            self.status.setText(str(error))
            return

        def work(report, should_stop):
            def progress(count: int) -> bool:
                report(count, max(total, count))
                return not should_stop()

            try:
                if kind == "csv":
                    return export_csv(
                        out, contact_filter, consent=consent, bom=bom, progress=progress
                    )
                version = "3.0" if kind == "vcard3" else "4.0"
                return export_vcard(
                    out, contact_filter, consent=consent, version=version, progress=progress
                )
            except OSError as error:  # in the worker: said in a sentence here
                raise RelappError(cannot_write.format(path=out, reason=error.strerror)) from None

        cannot_write = self.tr("Cannot write {path}: {reason}.")
        label = self.tr("Exporting {count} customers…").format(count=QLocale().toString(total))
        try:
            count = run_with_progress(self, label, work, (ExportCancelled,), maximum=total)
        except RelappError as error:
            self.status.setText(str(error))
            return
        if count is None:
            with suppress(OSError):
                out.unlink()
            self.status.setText(self.tr("The export was cancelled; no file was written."))
            return
        self.written = out
        self.status.setWordWrap(False)  # a path does not wrap: the dialog widens to show it
        self.status.setText(
            self.tr("Exported {count} customers to {path}").format(
                count=QLocale().toString(count), path=out
            )
        )
        self.resize(max(self.width(), self.sizeHint().width()), self.height())


def _with_consent(contact_filter: ContactFilter, consent: str | None) -> ContactFilter:
    from dataclasses import replace

    return contact_filter if consent is None else replace(contact_filter, consent=consent)
