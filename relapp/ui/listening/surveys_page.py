"""Listening > Surveys and polls: the shop's surveys with their kind, anonymity, whether the
Counter offers them, their current version and how many answered; New (Ctrl+N), Edit
(Enter), Activate or Deactivate (Alt+A), the results (Alt+R) and paper forms, printed and
typed back (Alt+P). With no survey yet, a page saying what a
survey does and how to make the first."""

from __future__ import annotations

from PySide6.QtCore import QLocale, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from relapp.domain.changes import Change, Entity
from relapp.domain.listening.surveys import SurveySummary, list_surveys, set_active
from relapp.domain.terms import SURVEY_KIND_NAMES
from relapp.ui.change_bus import ChangeBus
from relapp.ui.icons import view_icon
from relapp.ui.listening.survey_editor_dialog import SurveyEditorDialog
from relapp.ui.loyalty.tables import cell, table
from relapp.ui.operations import published, run_change
from relapp.ui.staff.current_staff import CurrentStaff
from relapp.ui.widgets.empty_state import EmptyState
from relapp.ui.widgets.stale_while_hidden import StaleWhileHidden

COLUMNS = ("Name", "Kind", "Answers kept", "At the Counter", "Version", "Answers")


class SurveysPage(QWidget):
    def __init__(
        self,
        change_bus: ChangeBus,
        current_staff: CurrentStaff | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.change_bus = change_bus
        self.current_staff = current_staff
        self.freshness = StaleWhileHidden(self, self.reload)

        self.table = table([self.tr(title) for title in COLUMNS])
        self.table.setObjectName("surveyTable")
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)  # the name takes the room, not the count
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.itemActivated.connect(lambda _item: self.edit_survey())
        self.table.currentCellChanged.connect(lambda *_cells: self._update_buttons())
        self.new_button = QPushButton(self.tr("New survey…"), objectName="newSurvey")
        self.new_button.setToolTip(self.tr("Make a survey or a poll (Ctrl+N)"))
        self.new_button.clicked.connect(self.new_survey)
        # Ctrl+N while this page is on screen (a shortcut of a hidden widget does not fire).
        new_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.New), self)
        new_shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        new_shortcut.activated.connect(self.new_survey)
        self.edit_button = QPushButton(self.tr("&Edit…"), objectName="editSurvey")
        self.edit_button.setToolTip(self.tr("Change the survey's settings or questions (Enter)"))
        self.edit_button.clicked.connect(self.edit_survey)
        self.active_button = QPushButton(self.tr("&Activate"), objectName="activateSurvey")
        self.active_button.clicked.connect(self.toggle_active)
        self.results_button = QPushButton(self.tr("&Results…"), objectName="surveyResults")
        self.results_button.setToolTip(self.tr("What the customers said, as figures and charts"))
        self.results_button.clicked.connect(self.show_results)
        self.paper_button = QPushButton(self.tr("&Paper…"), objectName="surveyPaper")
        self.paper_button.setToolTip(
            self.tr("Print the survey as forms to fill in by hand, and type the answers back")
        )
        self.paper_button.clicked.connect(self.show_paper)
        buttons = QHBoxLayout()
        for button in (self.new_button, self.edit_button, self.active_button,
                       self.results_button, self.paper_button):  # fmt: skip
            buttons.addWidget(button)
        buttons.addStretch(1)

        self.empty = EmptyState(view_icon("listening"), self.tr("No survey yet"))
        self.empty.set_body(
            self.tr(
                "A survey asks customers a few questions at the counter after a sale, or on "
                "paper: a rating, how likely they are to recommend you, a choice, yes or no, a "
                "few words. A poll asks just one. A low score opens a complaint case in Today, "
                "so you can make it right."
            )
        )
        self.empty.set_detail(self.tr("Press New survey (Ctrl+N) to make the first one."))
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.table)
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack, 1)
        layout.addLayout(buttons)
        self.surveys: list[SurveySummary] = []
        self._update_buttons()

    # -- reading ---------------------------------------------------------------------------------

    def reload(self) -> None:
        kept = self.current()
        self.surveys = list_surveys()
        locale = QLocale()
        self.table.setRowCount(0)
        for row, survey in enumerate(self.surveys):
            self.table.insertRow(row)
            cells = (
                cell(survey.name, survey.id),
                cell(self.tr(SURVEY_KIND_NAMES[survey.kind])),
                cell(self.tr("anonymous") if survey.anonymous else self.tr("with the name")),
                cell(self.tr("offered") if survey.active else self.tr("not offered")),
                cell(locale.toString(survey.version_number), numeric=True),
                cell(locale.toString(survey.responses), numeric=True),
            )
            for column, made in enumerate(cells):
                self.table.setItem(row, column, made)
        rows = [n for n, survey in enumerate(self.surveys) if kept and survey.id == kept.id]
        if self.surveys:
            self.table.setCurrentCell(rows[0] if rows else 0, 0)
        self.stack.setCurrentWidget(self.table if self.surveys else self.empty)
        self._update_buttons()

    def on_change(self, change: Change) -> None:
        if change.touches(Entity.SURVEYS):
            self.freshness.changed()

    def focus_first_field(self) -> None:
        (self.table if self.surveys else self.new_button).setFocus(Qt.FocusReason.OtherFocusReason)

    def current(self) -> SurveySummary | None:
        row = self.table.currentRow()
        return self.surveys[row] if 0 <= row < len(self.surveys) else None

    def _update_buttons(self) -> None:
        survey = self.current()
        for button in (self.edit_button, self.active_button,
                       self.results_button, self.paper_button):  # fmt: skip
            button.setEnabled(survey is not None)
            button.setVisible(bool(self.surveys))  # nothing to act on yet: only New
        active = survey is not None and survey.active
        self.active_button.setText(self.tr("De&activate") if active else self.tr("&Activate"))
        self.active_button.setToolTip(
            self.tr("Stop offering it at the Counter")
            if active
            else self.tr("Offer it at the Counter after a sale")
        )

    def _staff_id(self) -> int | None:
        return None if self.current_staff is None else self.current_staff.staff_id

    # -- acting ----------------------------------------------------------------------------------

    def new_survey(self) -> None:
        before = {survey.id for survey in self.surveys}
        self._edited(SurveyEditorDialog.ask(self, None, self._staff_id()))
        self.reload()  # the new survey is selected, ready for Results or Activate
        made = [row for row, survey in enumerate(self.surveys) if survey.id not in before]
        if made:
            self.table.setCurrentCell(made[0], 0)

    def edit_survey(self) -> None:
        survey = self.current()
        if survey is not None:
            self._edited(SurveyEditorDialog.ask(self, survey.id, self._staff_id()))

    def _edited(self, change: Change | None) -> None:
        if change is not None:
            published(self.change_bus, change)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def toggle_active(self) -> None:
        survey = self.current()
        if survey is None:
            return
        staff_id = self._staff_id()
        run_change(self, self.change_bus, lambda: set_active(survey.id, not survey.active,
                                                             staff_id))  # fmt: skip

    def show_results(self) -> None:
        survey = self.current()
        if survey is None:
            return
        # Imported here: the results are another part's, and the page must open without them.
        from relapp.ui.listening.results_dialog import show_survey_results

        show_survey_results(self, survey.id)

    def show_paper(self) -> None:
        survey = self.current()
        if survey is None:
            return
        from relapp.ui.listening.paper_dialog import show_paper_forms

        show_paper_forms(self, survey.id)
