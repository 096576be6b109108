"""Writing a report off the GUI thread, with progress and Cancel, into the app's scratch folder.

The PDF goes to a private temporary folder first: the preview shows it, Print prints it and
Save as copies it where the user chooses. The folder is removed when the app quits (after a
crash, the system's temporary-file cleaning removes it).
"""

from __future__ import annotations

import atexit
import re
import shutil
import tempfile
from functools import cache
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from relapp.errors import RelappError
from relapp.reports.catalogue import REPORTS_BY_KEY, ReportRequest, ReportResult, write_report
from relapp.ui.widgets.background_task import run_with_progress

STEPS = 1000  # the progress bar's resolution


@cache
def scratch_folder() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="relapp-reports-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def suggested_file_name(request: ReportRequest) -> str:
    """ "Customer dossier 1841.pdf", "Segment list VIP.pdf", "Retention summary Harbour
    Street.pdf", "Survey results After your visit.pdf": what Save as proposes."""
    title = REPORTS_BY_KEY[request.kind].title
    detail = request.customer or request.segment or request.shop or request.partner
    if not detail:
        detail = _listening_name(request)
    if request.since is not None and request.until is not None:
        detail = f"{detail} {request.since.isoformat()} to {request.until.isoformat()}".strip()
    if not detail and request.ids:
        detail = str(request.ids[0]) if len(request.ids) == 1 else f"{len(request.ids)} customers"
    name = f"{title} {detail}".strip()
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", name)[:120] + ".pdf"


def _listening_name(request: ReportRequest) -> str:
    """The survey's or the competition's name; its number if it is gone; "" for neither."""
    from relapp.domain.listening.competitions import find_competition
    from relapp.domain.listening.surveys import survey_definition

    try:
        if request.survey is not None:
            return survey_definition(request.survey).name
        if request.competition is not None:
            return find_competition(request.competition).name
    except RelappError:  # gone since it was chosen: the report itself then says so
        return str(request.survey or request.competition)
    return ""


def generate(parent: QWidget | None, request: ReportRequest) -> ReportResult | None:
    """The written report, or None if cancelled or refused (the reason was shown)."""
    from relapp.reports.document import ReportCancelled

    counter = len(list(scratch_folder().iterdir()))
    out = scratch_folder() / f"{counter:04d} {suggested_file_name(request)}"

    def work(report, should_stop):
        return write_report(
            request,
            out,
            progress=lambda fraction: report(round(fraction * STEPS), STEPS),
            cancelled=should_stop,
        )

    title = REPORTS_BY_KEY[request.kind].title
    label = QCoreApplication.translate("reports", "Making the {title}…").format(title=title)
    try:
        return run_with_progress(parent, label, work, (ReportCancelled,), maximum=STEPS)
    except RelappError as error:
        QMessageBox.warning(parent, QCoreApplication.translate("reports", "Relapp"), str(error))
        return None
