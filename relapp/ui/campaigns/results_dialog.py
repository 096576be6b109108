"""A produced campaign's results in a window: the PDF of relapp.reports.campaign_results
(the chart of who came back, sent against held out, and the table with the difference and its
interval) in the reports' preview window, ready to print or save."""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

from relapp.db.store.campaigns import CampaignRow
from relapp.errors import RelappError
from relapp.ui.reports.preview_dialog import ReportPreviewDialog


def show_campaign_results(parent: QWidget, campaign: CampaignRow) -> bool:
    """Make the results and show them; False (with the reason told) if they cannot be."""
    from relapp.reports.campaign_results import campaign_results_report

    with tempfile.TemporaryDirectory(prefix="relapp-results-") as folder:
        try:
            path = campaign_results_report(campaign.id, Path(folder) / "results.pdf")
        except RelappError as error:
            QMessageBox.warning(parent, parent.tr("Campaign results"), str(error))
            return False
        title = parent.tr("Results · {name}").format(name=campaign.name)
        file_name = f"campaign-{campaign.id}-results.pdf"
        ReportPreviewDialog(title, path, "", file_name, parent).exec()
    return True
