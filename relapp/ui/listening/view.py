"""The Listening view (Ctrl+8): what the shop asks its customers and what they answer.

Two pages: Surveys (surveys and polls, asked at the Counter or on paper, and their results)
and Competitions (prize draws: entries, the draw, its winners). Each page reads only while
on screen and hears of changes from the change bus.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from relapp.domain.changes import Change
from relapp.ui.change_bus import ChangeBus
from relapp.ui.listening.competitions_page import CompetitionsPage
from relapp.ui.listening.surveys_page import SurveysPage
from relapp.ui.staff.current_staff import CurrentStaff


class ListeningView(QWidget):
    def __init__(
        self,
        change_bus: ChangeBus,
        current_staff: CurrentStaff | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.surveys = SurveysPage(change_bus, current_staff)
        self.competitions = CompetitionsPage(change_bus, current_staff)
        self.tabs = QTabWidget(objectName="listeningTabs")
        self.tabs.addTab(self.surveys, self.tr("&Surveys and polls"))
        self.tabs.addTab(self.competitions, self.tr("Co&mpetitions"))
        self.tabs.currentChanged.connect(lambda _index: self.focus_first_field())
        title = QLabel(self.tr("Listening"), objectName="editorName")
        hint = QLabel(
            self.tr(
                "Ask your customers what they think, at the counter or on paper, and see what "
                "they say as a whole. A low score opens a complaint case in Today. Run fair "
                "prize draws that anyone can check."
            ),
            objectName="settingsHint",
            wordWrap=True,
        )
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(hint)
        layout.addWidget(self.tabs, 1)

    def on_change(self, change: Change) -> None:
        self.surveys.on_change(change)
        self.competitions.on_change(change)

    def focus_first_field(self) -> None:
        """Ctrl+8: the current page's list (or its New button when the list is empty), not
        the tab bar, so that arrows and Enter work at once."""
        page = self.tabs.currentWidget()
        if isinstance(page, (SurveysPage, CompetitionsPage)):
            page.focus_first_field()
