"""A competition's terms, as a manager sets one up or changes it (Listening > Competitions).

The name has the focus; the dates default to today and four weeks on. Who may enter is
everyone, current members or a saved segment (chosen beside it). Entry by purchase needs the
free way to enter described (no purchase necessary): its box is enabled with the purchase
box, and the domain refuses a purchase route without it. The rules are printed on the paper
entry form; their first line is what the Counter shows. The domain checks everything on
saving (relapp.domain.listening.competitions.save_competition); its refusal is shown here in
one sentence and the dialog stays open.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from relapp.domain.contacts.listing import filter_choices
from relapp.domain.listening.competitions import (
    MAX_LIMIT,
    MAX_NAME,
    MAX_NO_PURCHASE,
    MAX_WINNERS,
    Competition,
    Draft,
    Saved,
)
from relapp.domain.terms import COMPETITION_ELIGIBILITY_NAMES
from relapp.errors import RelappError

DEFAULT_WEEKS = 4
RULES_EXAMPLE = (
    "e.g. Win a spring hamper. No purchase necessary. Open to customers aged 18 or over. "
    "One winner is drawn at random from all valid entries after the closing date and told "
    "by phone or email within 7 days."
)


def _day_edit(day: date, name: str) -> QDateEdit:
    edit = QDateEdit(calendarPopup=True, objectName=name)
    edit.setDisplayFormat("d MMM yyyy")
    edit.setDate(QDate(day.year, day.month, day.day))
    return edit


class CompetitionDialog(QDialog):
    def __init__(
        self, competition: Competition | None, today: date, save: Callable[[Draft], Saved],
        parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        """save: the domain call that saves the competition as edited (raises to refuse)."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Competition") if competition else self.tr("New competition"))
        self.setMinimumWidth(560)
        self.save = save
        self.saved: Saved | None = None
        shown = competition or Competition(
            0, "", today, today + timedelta(weeks=DEFAULT_WEEKS), "", "all", "", True, False,
            False, "", 1, 1,
        )  # fmt: skip
        self.name = QLineEdit(shown.name, maxLength=MAX_NAME, objectName="competitionName")
        self.name.setPlaceholderText(self.tr("e.g. Spring hamper"))
        self.starts = _day_edit(shown.starts_on, "competitionStarts")
        self.ends = _day_edit(shown.ends_on, "competitionEnds")
        dates = QHBoxLayout()
        dates.addWidget(self.starts)
        until = QLabel(self.tr("&to"))
        until.setBuddy(self.ends)
        dates.addWidget(until)
        dates.addWidget(self.ends)
        dates.addStretch(1)

        self.eligibility = QComboBox(objectName="competitionEligibility")
        for code in ("all", "members", "segment"):
            self.eligibility.addItem(self.tr(COMPETITION_ELIGIBILITY_NAMES[code]), code)
        self.segment = QComboBox(objectName="competitionSegment")
        segments = filter_choices().segments
        self.segment.addItems(list(segments))
        if shown.segment and shown.segment not in segments:
            self.segment.addItem(shown.segment)
        self.segment.setCurrentText(shown.segment)
        self.eligibility.setCurrentIndex(self.eligibility.findData(shown.eligibility))
        if not segments and shown.eligibility != "segment":
            # Nothing to choose: say where segments are made instead of an empty list.
            self.segment.setPlaceholderText(self.tr("no saved segment: save one in Contacts"))
        self.eligibility.currentIndexChanged.connect(lambda _index: self._update())
        who = QHBoxLayout()
        who.addWidget(self.eligibility)
        who.addWidget(self.segment, 1)

        self.by_counter = QCheckBox(self.tr("At the &counter"), objectName="competitionCounter")
        self.by_counter.setChecked(shown.by_counter)
        self.by_paper = QCheckBox(self.tr("On &paper"), objectName="competitionPaper")
        self.by_paper.setChecked(shown.by_paper)
        self.by_purchase = QCheckBox(self.tr("With a p&urchase"), objectName="competitionPurchase")
        self.by_purchase.setChecked(shown.by_purchase)
        self.by_purchase.toggled.connect(lambda _on: self._update())
        ways = QHBoxLayout()
        for box in (self.by_counter, self.by_paper, self.by_purchase):
            ways.addWidget(box)
        ways.addStretch(1)
        self.free_route = QLineEdit(
            shown.no_purchase_route, maxLength=MAX_NO_PURCHASE, objectName="competitionFreeRoute"
        )
        self.free_route.setPlaceholderText(
            self.tr("e.g. Ask at the counter for a free entry, or send your name on a postcard")
        )
        self.free_route.setToolTip(
            self.tr("A prize draw with entry by purchase must also take free entries")
        )
        self.limit = QSpinBox(minimum=1, maximum=MAX_LIMIT, objectName="competitionLimit")
        self.limit.setValue(shown.limit_per_person)
        self.limit.setMaximumWidth(self.limit.sizeHint().width() * 2)
        self.winners = QSpinBox(minimum=1, maximum=MAX_WINNERS, objectName="competitionWinners")
        self.winners.setValue(shown.winners)
        self.winners.setMaximumWidth(self.winners.sizeHint().width() * 2)
        self.rules = QPlainTextEdit(shown.rules, objectName="competitionRules")
        self.rules.setPlaceholderText(self.tr(RULES_EXAMPLE))
        self.rules.setTabChangesFocus(True)
        self.rules.setFixedHeight(self.rules.fontMetrics().lineSpacing() * 6 + 12)
        self.problem = QLabel(objectName="fieldProblems", wordWrap=True)
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.hide()

        form = QFormLayout(self)
        form.addRow(self.tr("&Name:"), self.name)
        # A row of several fields: its label names the first for its mnemonic.
        for text, buddy, row in ((self.tr("&Open from:"), self.starts, dates),
                                 (self.tr("&Who may enter:"), self.eligibility, who)):  # fmt: skip
            label = QLabel(text)
            label.setBuddy(buddy)
            form.addRow(label, row)
        form.addRow(self.tr("Ways to enter:"), ways)
        form.addRow(self.tr("&Free entry:"), self.free_route)
        form.addRow(self.tr("&Entries per person:"), self.limit)
        form.addRow(self.tr("W&inners:"), self.winners)
        form.addRow(self.tr("&Rules:"), self.rules)
        hint = QLabel(
            self.tr(
                "The rules are printed on the paper entry form; their first line is what the "
                "Counter reads out. Winners are drawn from the day after the last day."
            ),
            objectName="settingsHint",
            wordWrap=True,
        )
        form.addRow(hint)
        form.addRow(self.problem)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self._update()
        self.name.setFocus()

    def _update(self) -> None:
        self.segment.setEnabled(self.eligibility.currentData() == "segment")
        self.free_route.setEnabled(self.by_purchase.isChecked())

    def draft(self) -> Draft:
        """The competition as the form says."""
        segment = self.segment.currentText() if self.eligibility.currentData() == "segment" else ""
        return Draft(
            name=self.name.text(),
            starts_on=self.starts.date().toPython(),
            ends_on=self.ends.date().toPython(),
            rules=self.rules.toPlainText(),
            eligibility=self.eligibility.currentData(),
            segment=segment,
            by_counter=self.by_counter.isChecked(),
            by_paper=self.by_paper.isChecked(),
            by_purchase=self.by_purchase.isChecked(),
            no_purchase_route=self.free_route.text(),
            limit_per_person=self.limit.value(),
            winners=self.winners.value(),
        )

    def _save(self) -> None:
        try:
            self.saved = self.save(self.draft())
        except RelappError as error:
            self.problem.setText(str(error))
            self.problem.show()
            return
        self.accept()

    @classmethod
    def ask(
        cls, parent: QWidget | None, competition: Competition | None, today: date,
        save: Callable[[Draft], Saved],
    ) -> Saved | None:  # fmt: skip
        """What saving the competition made, or None if cancelled."""
        dialog = cls(competition, today, save, parent)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        dialog.deleteLater()
        return dialog.saved if accepted else None
