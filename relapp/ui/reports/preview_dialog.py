"""A report in a window of its own: the customer's dossier or card, one click from a customer,
or a campaign's results."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout, QWidget

from relapp.reports.catalogue import REPORTS_BY_KEY, ReportRequest
from relapp.ui.reports.generate import generate, suggested_file_name
from relapp.ui.reports.preview import PdfPreview


class ReportPreviewDialog(QDialog):
    def __init__(self, title: str, path, note: str, file_name: str, parent: QWidget | None) -> None:
        """A PDF written at path, shown under title; file_name is what Save as proposes."""
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(860, 760)
        self.preview = PdfPreview()
        self.pages = self.preview.load(path)
        pages = self.pages
        summary = self.tr("1 page") if pages == 1 else self.tr("{n} pages").format(n=pages)
        self.status = QLabel(f"{summary}. {note}".strip(), objectName="reportStatus")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.print_button = QPushButton(self.tr("&Print…"), objectName="printReport")
        self.save_button = QPushButton(self.tr("&Save as PDF…"), objectName="saveReport")
        buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.print_button.clicked.connect(self.preview.print_document)
        self.save_button.clicked.connect(lambda: self.preview.save_as(file_name))
        buttons.rejected.connect(self.reject)
        QShortcut(QKeySequence.StandardKey.Print, self, self.preview.print_document)
        layout = QVBoxLayout(self)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)

    def done(self, result: int) -> None:
        self.preview.clear()  # PDFium lets go of the file
        super().done(result)

    @classmethod
    def make_and_show(cls, parent: QWidget | None, request: ReportRequest) -> bool:
        """Make the report (progress, Cancel) and show it; False if cancelled or refused."""
        result = generate(parent, request)
        if result is None:
            return False
        title = QCoreApplication.translate(
            "ReportPreviewDialog", REPORTS_BY_KEY[request.kind].title
        )
        dialog = cls(title, result.path, result.note, suggested_file_name(request), parent)
        dialog.exec()
        return True
