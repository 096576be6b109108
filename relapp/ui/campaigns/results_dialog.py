"""A produced campaign's results in a window: the PDF of relapp.reports.campaign_results
(the chart of who came back, sent against held out, and the table with the difference and its
interval) shown as the report previews are, ready to print or save."""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from relapp.db.store.campaigns import CampaignRow
from relapp.errors import RelappError
from relapp.ui.reports.preview import PdfPreview


class CampaignResultsDialog(QDialog):
    def __init__(self, campaign: CampaignRow, path: Path, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Results · {name}").format(name=campaign.name))
        self.resize(860, 760)
        self.campaign = campaign
        self.preview = PdfPreview()
        self.pages = self.preview.load(path)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.print_button = QPushButton(self.tr("&Print…"), objectName="printReport")
        self.save_button = QPushButton(self.tr("&Save as PDF…"), objectName="saveReport")
        buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.print_button.clicked.connect(self.preview.print_document)
        self.save_button.clicked.connect(
            lambda: self.preview.save_as(f"campaign-{campaign.id}-results.pdf")
        )
        buttons.rejected.connect(self.reject)
        QShortcut(QKeySequence.StandardKey.Print, self, self.preview.print_document)
        layout = QVBoxLayout(self)
        layout.addWidget(self.preview, 1)
        layout.addWidget(buttons)

    def done(self, result: int) -> None:
        self.preview.clear()  # PDFium lets go of the file
        super().done(result)

    @classmethod
    def show_for(cls, parent: QWidget, campaign: CampaignRow) -> bool:
        """Make the results and show them; False (with the reason told) if they cannot be."""
        from relapp.reports.campaign_results import campaign_results_report

        with tempfile.TemporaryDirectory(prefix="relapp-results-") as folder:
            try:
                path = campaign_results_report(campaign.id, Path(folder) / "results.pdf")
            except RelappError as error:
                QMessageBox.warning(parent, parent.tr("Campaign results"), str(error))
                return False
            dialog = cls(campaign, path, parent)
            dialog.exec()
        return True
