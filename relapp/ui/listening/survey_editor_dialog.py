"""A survey or poll as the shop sets it up (Listening > Surveys and polls: New, Edit).

The survey's own settings on top (name, survey or poll, anonymous, offered at the Counter,
how often a customer is asked, the low scores that open a complaint case, the intro), its
questions below: a list (Alt+Q) and the chosen question's kind, text, options (one a line,
for a choice) and whether it must be answered. Add (Alt+A), Remove (Alt+V), Up and Down
(Alt+U, Alt+W) work on the list. Save (Enter, or Ctrl+Return from the intro or the options)
records the survey; a refusal is said in one sentence above the buttons and the dialog stays
open with everything as typed.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from relapp.db.migrations.m0021_listening import MAX_DAYS
from relapp.domain.changes import Change
from relapp.domain.listening.surveys import (
    CHOICE_KINDS,
    MAX_NAME,
    MAX_OPTION,
    MAX_QUESTION,
    NEVER_LOW_NPS,
    NEVER_LOW_RATING,
    NPS_RANGE,
    RATING_RANGE,
    QuestionDraft,
    SurveyDefinition,
    has_answers,
    save_survey,
    survey_definition,
)
from relapp.domain.terms import QUESTION_KIND_NAMES, QUESTION_KINDS, SURVEY_KIND_NAMES, SURVEY_KINDS
from relapp.errors import RelappError
from relapp.ui.operations import tell_refusal

FIRST_QUESTION = QuestionDraft("rating", "How did we do today?")
NEW_QUESTION = QuestionDraft("rating", "")


def question_line(number: int, question: QuestionDraft) -> str:
    """ "2. Rating (1 to 5): How was your visit?" """
    text = question.text or "…"
    return f"{number}. {QUESTION_KIND_NAMES[question.kind]}: {text}"


class SurveyEditorDialog(QDialog):
    def __init__(
        self, survey: SurveyDefinition | None, answered: bool, staff_id: int | None,
        parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle(self.tr("New survey") if survey is None else survey.name)
        self.staff_id = staff_id
        self.change: Change | None = None
        self.original = survey or SurveyDefinition("", (FIRST_QUESTION,), active=True)
        shown = self.original
        self.questions: list[QuestionDraft] = list(shown.questions)
        self.filling = False  # the question's fields are being filled from the list

        self.name = QLineEdit(shown.name, maxLength=MAX_NAME, objectName="surveyName")
        self.name.setPlaceholderText(self.tr("How did we do?"))
        self.kind = QComboBox(objectName="surveyKind")
        for kind in SURVEY_KINDS:
            self.kind.addItem(self.tr(SURVEY_KIND_NAMES[kind]), kind)
        self.kind.setCurrentIndex(SURVEY_KINDS.index(shown.kind))
        self.kind.setToolTip(self.tr("A survey asks one or more questions; a poll exactly one"))
        self.anonymous = QCheckBox(self.tr("Anon&ymous: keep answers without the customer's name"))
        self.anonymous.setChecked(shown.anonymous)
        if answered:
            self.anonymous.setEnabled(False)
            self.anonymous.setToolTip(
                self.tr("It has answers given this way, so it stays so; make a new survey instead")
            )
        self.active = QCheckBox(self.tr("&Offer at the Counter after a sale"))
        self.active.setChecked(shown.active)
        self.ask_every = QSpinBox(minimum=0, maximum=MAX_DAYS, objectName="surveyAskEvery")
        self.ask_every.setSuffix(self.tr(" days"))
        self.ask_every.setSpecialValueText(self.tr("every sale"))
        self.ask_every.setValue(shown.ask_every_days)
        self.low_rating = QSpinBox(minimum=NEVER_LOW_RATING, maximum=RATING_RANGE[1],
                                   objectName="surveyLowRating")  # fmt: skip
        self.low_rating.setSpecialValueText(self.tr("never"))
        self.low_rating.setValue(shown.low_rating)
        self.low_nps = QSpinBox(minimum=NEVER_LOW_NPS, maximum=NPS_RANGE[1],
                                objectName="surveyLowNps")  # fmt: skip
        self.low_nps.setSpecialValueText(self.tr("never"))
        self.low_nps.setValue(shown.low_nps)
        self.low_hint = QLabel(objectName="settingsHint", wordWrap=True)
        self.anonymous.toggled.connect(lambda _on: self._say_what_low_scores_do())
        self.intro = QPlainTextEdit(shown.intro, objectName="surveyIntro")
        self.intro.setPlaceholderText(self.tr("What the cashier says first (optional)"))
        self.intro.setTabChangesFocus(True)
        self.intro.setMaximumHeight(self.intro.fontMetrics().lineSpacing() * 3 + 14)

        self.question_list = QListWidget(objectName="surveyQuestions")
        self.question_list.currentRowChanged.connect(self._fill_question)
        self.add_button = QPushButton(self.tr("&Add question"))
        self.add_button.clicked.connect(self.add_question)
        self.remove_button = QPushButton(self.tr("Remo&ve"))
        self.remove_button.clicked.connect(self.remove_question)
        self.up_button = QPushButton(self.tr("&Up"))
        self.up_button.clicked.connect(lambda: self.move_question(-1))
        self.down_button = QPushButton(self.tr("Do&wn"))
        self.down_button.clicked.connect(lambda: self.move_question(1))
        self.question_kind = QComboBox(objectName="questionKind")
        for kind in QUESTION_KINDS:
            self.question_kind.addItem(self.tr(QUESTION_KIND_NAMES[kind]), kind)
        self.question_text = QLineEdit(maxLength=MAX_QUESTION, objectName="questionText")
        self.question_text.setPlaceholderText(self.tr("What to ask"))
        self.options = QPlainTextEdit(objectName="questionOptions")
        self.options.setPlaceholderText(self.tr("One option a line, at least two"))
        self.options.setTabChangesFocus(True)
        self.options.setMinimumHeight(self.options.fontMetrics().lineSpacing() * 4 + 14)
        self.options.setToolTip(self.tr("Each option at most {n} characters").format(n=MAX_OPTION))
        self.required = QCheckBox(self.tr("Must be answ&ered"))
        for signal in (self.question_kind.currentIndexChanged, self.question_text.textEdited,
                       self.options.textChanged, self.required.toggled):  # fmt: skip
            signal.connect(lambda *_args: self._store_question())

        self.problem = QLabel(objectName="fieldProblems", wordWrap=True)
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.hide()
        note = QLabel(objectName="settingsHint", wordWrap=True)
        note.setText(
            self.tr(
                "It has answers: changing the questions or the intro makes a new version, and "
                "the answers given stay with the questions they answered."
            )
        )
        note.setVisible(answered)

        settings = QFormLayout()
        settings.addRow(self.tr("&Name:"), self.name)
        settings.addRow(self.tr("&Kind:"), self.kind)
        settings.addRow("", self.anonymous)
        settings.addRow("", self.active)
        settings.addRow(self.tr("Ask a customer a&gain after:"), self.ask_every)
        lows = QHBoxLayout()
        for text, field in ((self.tr("&rating at or under"), self.low_rating),
                            (self.tr("recommend &score at or under"), self.low_nps)):  # fmt: skip
            label = QLabel(text)
            label.setBuddy(field)
            lows.addWidget(label)
            lows.addWidget(field)
            lows.addSpacing(12)
        lows.addStretch(1)
        settings.addRow(self.tr("A low score is a:"), lows)
        settings.addRow("", self.low_hint)
        settings.addRow(self.tr("&Intro:"), self.intro)

        list_buttons = QHBoxLayout()
        for button in (self.add_button, self.remove_button, self.up_button, self.down_button):
            button.setAutoDefault(False)
            list_buttons.addWidget(button)
        list_buttons.addStretch(1)
        list_label = QLabel(self.tr("&Questions:"))
        list_label.setBuddy(self.question_list)
        listing = QVBoxLayout()
        listing.addWidget(list_label)
        listing.addWidget(self.question_list, 1)
        listing.addLayout(list_buttons)
        question_form = QFormLayout()
        question_form.addRow(self.tr("Kin&d:"), self.question_kind)
        question_form.addRow(self.tr("&Text:"), self.question_text)
        question_form.addRow(self.tr("O&ptions:"), self.options)
        question_form.addRow("", self.required)
        questions = QGroupBox()
        sides = QHBoxLayout()
        sides.addLayout(listing, 1)
        sides.addLayout(question_form, 1)
        questions_layout = QVBoxLayout(questions)
        questions_layout.addLayout(sides)
        questions_layout.addWidget(note)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        save_shortcut = QShortcut(QKeySequence("Ctrl+Return"), self)
        save_shortcut.activated.connect(self.save)
        layout = QVBoxLayout(self)
        layout.addLayout(settings)
        layout.addWidget(questions, 1)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.resize(max(self.sizeHint().width(), 760), self.sizeHint().height())

        self._refill_list(0)
        self._say_what_low_scores_do()
        self.name.setFocus()

    # -- the questions ---------------------------------------------------------------------------

    def _refill_list(self, current: int) -> None:
        self.question_list.blockSignals(True)
        self.question_list.clear()
        for number, question in enumerate(self.questions, start=1):
            self.question_list.addItem(question_line(number, question))
        self.question_list.blockSignals(False)
        if self.questions:
            self.question_list.setCurrentRow(min(max(current, 0), len(self.questions) - 1))
        self._fill_question(self.question_list.currentRow())

    def _fill_question(self, row: int) -> None:
        """The chosen question's fields (all empty and disabled when there is none)."""
        has = 0 <= row < len(self.questions)
        question = self.questions[row] if has else NEW_QUESTION
        self.filling = True
        self.question_kind.setCurrentIndex(QUESTION_KINDS.index(question.kind))
        self.question_text.setText(question.text)
        self.options.setPlainText("\n".join(question.options))
        self.required.setChecked(question.required)
        self.filling = False
        for widget in (self.question_kind, self.question_text, self.required, self.remove_button):
            widget.setEnabled(has)
        self.options.setEnabled(has and question.kind in CHOICE_KINDS)
        self.up_button.setEnabled(has and row > 0)
        self.down_button.setEnabled(has and row < len(self.questions) - 1)

    def _store_question(self) -> None:
        """What the question's fields say, into the list (as typed: checked on Save)."""
        row = self.question_list.currentRow()
        if self.filling or not 0 <= row < len(self.questions):
            return
        kind = self.question_kind.currentData()
        choice = kind in CHOICE_KINDS
        options = tuple(line.strip() for line in self.options.toPlainText().splitlines())
        if options and not options[-1]:
            options = options[:-1]  # the new line typed after the last option
        self.questions[row] = QuestionDraft(
            kind, self.question_text.text(), options if choice else (), self.required.isChecked()
        )
        self.options.setEnabled(choice)
        self.question_list.item(row).setText(question_line(row + 1, self.questions[row]))

    def add_question(self) -> None:
        """A new rating question after the chosen one, its text field ready for typing."""
        row = self.question_list.currentRow() + 1
        self.questions.insert(row, NEW_QUESTION)
        self._refill_list(row)
        self.question_text.setFocus()

    def remove_question(self) -> None:
        row = self.question_list.currentRow()
        if 0 <= row < len(self.questions):
            del self.questions[row]
            self._refill_list(row)
            self.question_list.setFocus()

    def move_question(self, step: int) -> None:
        row = self.question_list.currentRow()
        target = row + step
        if 0 <= row < len(self.questions) and 0 <= target < len(self.questions):
            self.questions[row], self.questions[target] = (
                self.questions[target],
                self.questions[row],
            )
            self._refill_list(target)

    # -- saving ----------------------------------------------------------------------------------

    def _say_what_low_scores_do(self) -> None:
        if self.anonymous.isChecked():
            text = self.tr(
                "Anonymous answers name nobody, so a low score cannot open a complaint case."
            )
        else:
            text = self.tr(
                "A low score opens a complaint case for the customer, listed in Today's open"
                " cases; \u201cnever\u201d opens none."
            )
        self.low_hint.setText(text)

    def survey(self) -> SurveyDefinition:
        """The survey as the form says."""
        return replace(
            self.original,
            name=self.name.text(),
            kind=self.kind.currentData(),
            anonymous=self.anonymous.isChecked(),
            active=self.active.isChecked(),
            ask_every_days=self.ask_every.value(),
            low_rating=self.low_rating.value(),
            low_nps=self.low_nps.value(),
            intro=self.intro.toPlainText(),
            questions=tuple(self.questions),
        )

    def save(self) -> None:
        try:
            self.change = save_survey(self.survey(), self.staff_id)
        except RelappError as refusal:
            self.problem.setText(str(refusal))
            self.problem.show()
            return
        self.accept()

    @classmethod
    def ask(cls, parent: QWidget, survey_id: int | None, staff_id: int | None) -> Change | None:
        """Make a survey (survey_id None) or change one; the change saved, or None."""
        try:
            survey = None if survey_id is None else survey_definition(survey_id)
            answered = survey_id is not None and has_answers(survey_id)
        except RelappError as refusal:
            tell_refusal(parent, str(refusal), parent.tr("Survey"))
            return None
        dialog = cls(survey, answered, staff_id, parent)
        dialog.exec()
        return dialog.change
