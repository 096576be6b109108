"""Typing a customer's answers to a survey or poll, one question at a time, by keyboard.

Made for a cashier reading the questions out: the answer field has the focus; a rating or an
NPS score is typed as digits ("10" included), yes or no with Y or N, a choice with its number
(several choices: each number ticks or unticks one, Space too), a text as typed. Enter checks
the answer and moves on; on the last question it records them all. Back (Alt+B) returns to
the question before. Declined (Alt+D) notes that the customer said no, so the Counter does not
ask again within the survey's ask_every_days. Escape asks before throwing typed answers away.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from relapp.domain.changes import Change
from relapp.domain.listening.answers import (
    MAX_ANSWER_TEXT,
    Answer,
    answer_problem,
    opens_case,
    record_response,
)
from relapp.domain.listening.asking import record_declined
from relapp.domain.listening.surveys import (
    NPS_RANGE,
    RATING_RANGE,
    Question,
    SurveyForm,
    survey_form,
    thresholds,
)
from relapp.errors import RelappError
from relapp.ui.operations import tell_refusal
from relapp.ui.widgets.confirm import confirm_action

# What each kind of question says about how to answer it.
HOW_TO_ANSWER = {
    "rating": "Type 1 (poor) to 5 (excellent), then Enter.",
    "nps": "Type 0 (not at all likely) to 10 (extremely likely), then Enter.",
    "choice": "Press the number of the answer (or use the arrows), then Enter.",
    "choices": "Press the number of each answer that applies (Space ticks too), then Enter.",
    "yes_no": "Press Y or N, then Enter.",
    "text": "Type the answer, then Enter.",
}
SCORE_STYLE = "QLineEdit#surveyScore { font-size: 20pt; max-width: 5em; }"
QUESTION_STYLE = "QLabel#surveyQuestion { font-size: 15pt; font-weight: 600; }"


@dataclass(frozen=True)
class Answered:
    """What the dialog did: a sentence for the Counter, and the change to publish."""

    text: str
    change: Change


class QuestionPage(QWidget):
    """One question: its text, how to answer, and the field that takes the answer."""

    def __init__(
        self, number: int, count: int, question: Question, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.number = number
        self.question = question
        where = QLabel(self.tr("Question {n} of {count}").format(n=number, count=count),
                       objectName="surveyProgress")  # fmt: skip
        optional = "" if question.required else self.tr(" (optional)")
        text = QLabel(question.text + optional, objectName="surveyQuestion", wordWrap=True)
        text.setTextFormat(Qt.TextFormat.PlainText)
        text.setStyleSheet(QUESTION_STYLE)
        how = QLabel(self.tr(HOW_TO_ANSWER[question.kind]), objectName="settingsHint",
                     wordWrap=True)  # fmt: skip
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(where)
        layout.addWidget(text)
        self.score: QLineEdit | None = None
        self.words: QLineEdit | None = None
        self.options: QListWidget | None = None
        if question.kind in ("rating", "nps"):
            self.score = QLineEdit(objectName="surveyScore", maxLength=2)
            self.score.setValidator(QRegularExpressionValidator(r"\d{0,2}", self.score))
            self.score.setStyleSheet(SCORE_STYLE)
            low, high = RATING_RANGE if question.kind == "rating" else NPS_RANGE
            self.score.setPlaceholderText(f"{low}–{high}")
            layout.addWidget(self.score)
            self.field: QWidget = self.score
        elif question.kind == "text":
            self.words = QLineEdit(objectName="surveyText", maxLength=MAX_ANSWER_TEXT)
            layout.addWidget(self.words)
            self.field = self.words
        else:
            self.options = QListWidget(objectName="surveyOptions")
            labels = (
                (self.tr("Yes (Y)"), self.tr("No (N)"))
                if question.kind == "yes_no"
                else tuple(
                    f"{n}. {option}" if n <= 9 else option
                    for n, option in enumerate(question.options, start=1)
                )
            )
            for label in labels:
                item = QListWidgetItem(label)
                if question.kind == "choices":
                    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                    item.setCheckState(Qt.CheckState.Unchecked)
                self.options.addItem(item)
            mode = (
                QAbstractItemView.SelectionMode.NoSelection
                if question.kind == "choices"
                else QAbstractItemView.SelectionMode.SingleSelection
            )
            self.options.setSelectionMode(mode)
            rows = self.options.count()
            self.options.setMaximumHeight(self.options.sizeHintForRow(0) * min(rows, 8) + 8)
            self.options.installEventFilter(self)
            layout.addWidget(self.options)
            self.field = self.options
        layout.addWidget(how)
        layout.addStretch(1)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Y and N for yes or no; a number picks (or ticks) that option."""
        if watched is self.options and event.type() == QEvent.Type.KeyPress:
            key_event: QKeyEvent = event  # type: ignore[assignment]
            if key_event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
                return False
            text = key_event.text().lower()
            if self.question.kind == "yes_no" and text in ("y", "n"):
                self._pick(0 if text == "y" else 1)
                return True
            if text.isdigit() and text != "0" and self.question.kind != "yes_no":
                row = int(text) - 1
                if row < self.options.count():
                    self._pick(row)
                return True  # not a jump to an option starting with a digit
        return False

    def _pick(self, row: int) -> None:
        assert self.options is not None
        item = self.options.item(row)
        self.options.setCurrentRow(row)
        if self.question.kind == "choices":
            ticked = item.checkState() == Qt.CheckState.Checked
            item.setCheckState(Qt.CheckState.Unchecked if ticked else Qt.CheckState.Checked)
        else:
            item.setSelected(True)

    def answer(self) -> Answer | None:
        """The answer as typed so far; None if nothing is."""
        question_id = self.question.id
        if self.score is not None:
            typed = self.score.text().strip()
            return Answer(question_id, int(typed)) if typed else None
        if self.words is not None:
            typed = self.words.text().strip()
            return Answer(question_id, text=typed) if typed else None
        assert self.options is not None
        if self.question.kind == "choices":
            mask = sum(
                1 << row
                for row in range(self.options.count())
                if self.options.item(row).checkState() == Qt.CheckState.Checked
            )
            return Answer(question_id, mask) if mask else None
        chosen = self.options.selectedIndexes()
        if not chosen:
            return None
        row = chosen[0].row()
        return Answer(question_id, 1 - row if self.question.kind == "yes_no" else row)


class AnswerDialog(QDialog):
    def __init__(
        self, form: SurveyForm, contact_id: int | None, name: str, staff_id: int | None,
        source: str = "counter", parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.form = form
        self.contact_id = contact_id
        self.name = name
        self.staff_id = staff_id
        self.source = source
        self.outcome: Answered | None = None
        self.setWindowTitle(self.tr("Survey: {survey}").format(survey=form.name))
        self.setMinimumWidth(520)
        who = name or self.tr("Anonymous answers")
        heading = QLabel(who, objectName="saleCustomer", wordWrap=True)
        heading.setTextFormat(Qt.TextFormat.PlainText)
        notes = []
        if form.intro:
            notes.append(form.intro)
        if form.anonymous:
            notes.append(self.tr("Anonymous: the answers are kept without the customer's name."))
        intro = QLabel("\n".join(notes), objectName="settingsHint", wordWrap=True)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        intro.setVisible(bool(notes))
        self.pages = QStackedWidget(objectName="surveyPages")
        count = len(form.questions)
        for number, question in enumerate(form.questions, start=1):
            self.pages.addWidget(QuestionPage(number, count, question))
        self.problem = QLabel(objectName="fieldProblems", wordWrap=True)
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.hide()
        self.declined_button = QPushButton(self.tr("&Declined"), objectName="surveyDeclined")
        self.declined_button.setToolTip(
            self.tr("The customer would rather not answer: not asked again for {days} days").format(
                days=thresholds(form.survey_id).ask_every_days
            )
        )
        self.declined_button.clicked.connect(self.declined)
        self.declined_button.setVisible(contact_id is not None)
        self.back_button = QPushButton(self.tr("&Back"), objectName="surveyBack")
        self.back_button.clicked.connect(self.go_back)
        self.next_button = QPushButton(self.tr("&Next"), objectName="surveyNext")
        self.next_button.clicked.connect(self.go_on)
        cancel = QPushButton(self.tr("Cancel"), objectName="surveyCancel")
        cancel.clicked.connect(self.reject)
        for button in (self.declined_button, self.back_button, self.next_button, cancel):
            button.setAutoDefault(False)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the answer field keeps it
        self.next_button.setDefault(True)  # Enter: the next question
        row = QHBoxLayout()
        row.addWidget(self.declined_button)
        row.addStretch(1)
        for button in (self.back_button, self.next_button, cancel):
            row.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.problem)
        layout.addLayout(row)
        self._show_page(0)

    # -- moving through the questions ---------------------------------------------------------

    def page(self) -> QuestionPage:
        return self.pages.currentWidget()  # type: ignore[return-value]

    def _show_page(self, index: int) -> None:
        self.pages.setCurrentIndex(index)
        self.problem.hide()
        last = index == self.pages.count() - 1
        self.next_button.setText(self.tr("&Save") if last else self.tr("&Next"))
        self.back_button.setEnabled(index > 0)
        self.page().field.setFocus(Qt.FocusReason.OtherFocusReason)

    def _say(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()
        self.page().field.setFocus(Qt.FocusReason.OtherFocusReason)

    def go_on(self) -> None:
        """Enter: check this answer, then the next question, or record them all."""
        page = self.page()
        problem = answer_problem(page.number, page.question, page.answer())
        if problem:
            self._say(problem)
            return
        index = self.pages.currentIndex()
        if index < self.pages.count() - 1:
            self._show_page(index + 1)
        else:
            self.save()

    def go_back(self) -> None:
        index = self.pages.currentIndex()
        if index > 0:
            self._show_page(index - 1)

    def answers(self) -> list[Answer]:
        pages = [self.pages.widget(index) for index in range(self.pages.count())]
        found = [page.answer() for page in pages if isinstance(page, QuestionPage)]
        return [answer for answer in found if answer is not None]

    # -- recording ------------------------------------------------------------------------------

    def save(self) -> None:
        answers = self.answers()
        form = self.form
        try:
            low = opens_case(form.survey_id, answers)
            change = record_response(
                form.survey_id, answers, contact_id=self.contact_id, source=self.source,
                staff_id=self.staff_id,
            )  # fmt: skip
        except RelappError as refusal:
            self._say(str(refusal))
            return
        if form.anonymous:
            text = self.tr("Answers to {survey} recorded anonymously. Thank you!")
        elif low:
            text = self.tr(
                "Answers to {survey} recorded for {name}. A low score: a complaint case is open"
                " for {name} in Today."
            )
        else:
            text = self.tr("Answers to {survey} recorded for {name}. Thank you!")
        self.outcome = Answered(text.format(survey=form.name, name=self.name), change)
        self.accept()

    def declined(self) -> None:
        if self.contact_id is None:
            return
        try:
            change = record_declined(self.form.survey_id, self.contact_id)
        except RelappError as refusal:
            tell_refusal(self, str(refusal), self.windowTitle())
            return
        days = thresholds(self.form.survey_id).ask_every_days
        text = self.tr("{name} declined {survey}: not asked again for {days} days.").format(
            name=self.name, survey=self.form.name, days=days
        )
        self.outcome = Answered(text, change)
        self.accept()

    def reject(self) -> None:
        """Escape or Cancel: asks first when answers were typed."""
        if self.outcome is None and self.answers():
            discard = confirm_action(
                self,
                self.tr("Discard answers"),
                self.tr("Discard the answers typed so far? Nothing has been recorded."),
                self.tr("Discard"),
            )
            if not discard:
                self.page().field.setFocus(Qt.FocusReason.OtherFocusReason)
                return
        super().reject()

    @classmethod
    def ask(
        cls, parent: QWidget, survey_id: int, contact_id: int | None, name: str,
        staff_id: int | None, source: str = "counter",
    ) -> Answered | None:  # fmt: skip
        """Answer the survey's current questions; what was recorded (None: nothing)."""
        try:
            form = survey_form(survey_id)
        except RelappError as refusal:
            tell_refusal(parent, str(refusal), parent.tr("Survey"))
            return None
        dialog = cls(form, contact_id, name, staff_id, source, parent)
        dialog.exec()
        return dialog.outcome
