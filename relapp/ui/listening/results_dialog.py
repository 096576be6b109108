"""A survey's results in the app (Listening > Surveys > Results…, Alt+R).

The results (relapp.domain.listening.results) are read in the background with progress and
Cancel: at half a million answers that takes a moment. Then: what the survey is and how many
answered, each version's questions (the current version first; a version list when there
are several), and for the question chosen four tabs: its answers (the headline figure, every
possible answer as a bar and in a table), month by month (a chart of its figure, or of the
answers, each month, and the table), by customer (split by saved segment, tier or ladder
stage, as the customers are now) and the written answers (the newest TEXT_LIMIT, with how
many there are). Save as PDF… (Ctrl+S) writes the whole of it, every written answer
included. A survey nobody answered says so instead.

The charts are painted here with QPainter (QtCharts is not part of the app's Qt); each keeps
its figures in a table beside it, so every number can be read, selected and copied.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path

from PySide6.QtCore import QLocale, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QKeySequence, QPainter, QPalette, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from relapp.domain.contacts.listing import filter_choices
from relapp.domain.listening.results import (
    ROUGH_BELOW,
    Figures,
    QuestionResults,
    ResultsCancelled,
    SurveyResults,
    customer_split,
    headline,
    segment_split,
    survey_results,
)
from relapp.domain.shop.formats import shop_format
from relapp.domain.terms import QUESTION_KIND_NAMES
from relapp.errors import RelappError
from relapp.ui.icons import view_icon
from relapp.ui.loyalty.tables import cell, table
from relapp.ui.operations import tell_refusal
from relapp.ui.widgets.background_task import run_with_progress
from relapp.ui.widgets.empty_state import EmptyState

BAR_COLOUR = QColor("#2a7f78")
NEGATIVE_COLOUR = QColor("#c2410c")
SCORED = ("rating", "nps")
TIERS, STAGES = "\0tiers", "\0stages"  # the Split by list's own entries; others: segments
SPLIT_TAB = 2


def show_survey_results(parent: QWidget, survey_id: int) -> None:
    """Read the survey's results (progress, Cancel) and show them; a refusal is told."""
    results = read_results(parent, survey_id)
    if results is not None:
        ResultsDialog(results, parent).exec()


def read_results(parent: QWidget, survey_id: int) -> SurveyResults | None:
    """The results without the splits by customer: they are read when By customer is first
    shown, each segment when chosen."""
    label = parent.tr("Counting the answers…")
    try:
        return run_with_progress(
            parent,
            label,
            lambda report, stop: survey_results(
                survey_id, segments=(), by_customer=False, report=report, cancelled=stop
            ),
            (ResultsCancelled,),
            maximum=4,
        )
    except RelappError as refusal:
        tell_refusal(parent, str(refusal), parent.tr("Survey results"))
        return None


def choose_pdf_path(parent: QWidget, suggested: str) -> Path | None:
    """Where to save the results (the file dialog; a test replaces this)."""
    chosen, _filter = QFileDialog.getSaveFileName(
        parent, parent.tr("Save the results"), str(Path.home() / suggested),
        parent.tr("PDF documents (*.pdf)"),
    )  # fmt: skip
    if not chosen:
        return None
    path = Path(chosen)
    return path if path.suffix.lower() == ".pdf" else path.with_name(path.name + ".pdf")


def month_name(month: str, locale: QLocale) -> str:
    """ "Jun 2026" for "2026-06", in the app's language."""
    return locale.toString(date(int(month[:4]), int(month[5:7]), 1), "MMM yyyy")


class ResultsDialog(QDialog):
    def __init__(self, results: SurveyResults, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.results = results
        self.locale = QLocale()
        self.setWindowTitle(self.tr("Results: {survey}").format(survey=results.name))
        self.resize(1040, 720)
        self.summary = QLabel(self._summary(), objectName="resultsSummary", wordWrap=True)
        self.status = QLabel(objectName="resultsStatus", wordWrap=True)

        self.versions = QComboBox(objectName="resultsVersion")
        for version in results.versions:
            state = self.tr("current") if version.current else self.tr("earlier")
            self.versions.addItem(self.tr("Version {n} ({state}): {responses} responses").format(
                n=version.number, state=state,
                responses=self.locale.toString(version.responses)))  # fmt: skip
        self.versions.setVisible(len(results.versions) > 1)
        self.versions.currentIndexChanged.connect(lambda _index: self._fill_questions())
        self.questions = QListWidget(objectName="resultsQuestions")
        self.questions.setMinimumWidth(260)
        self.questions.setWordWrap(True)
        self.questions.currentRowChanged.connect(lambda _row: self._show_question())

        self.headline = QLabel(objectName="resultsHeadline", wordWrap=True)
        self.note = QLabel(objectName="settingsHint", wordWrap=True)
        self.bars = BarChart()
        self.answers = table([self.tr("Answer"), self.tr("Count"), self.tr("Share")])
        self.answers.setObjectName("resultsAnswers")
        answers_page = _page([self.headline, self.note], self.bars, self.answers)
        self.trend_title = QLabel(objectName="settingsHint")
        self.trend = TrendChart()
        self.months = table([self.tr("Month"), self.tr("Answers"), self.tr("Figure"),
                             self.tr("95 % interval")])  # fmt: skip
        self.months.setObjectName("resultsMonths")
        months_page = _page([self.trend_title], self.trend, self.months)
        self.split_by = QComboBox(objectName="resultsSplitBy")
        self.split_by.addItem(self.tr("Loyalty tier"), TIERS)
        self.split_by.addItem(self.tr("Ladder stage"), STAGES)
        for name in filter_choices().segments:
            self.split_by.addItem(self.tr("Segment: {name}").format(name=name), name)
        self.split_by.currentIndexChanged.connect(lambda _index: self._split_chosen())
        self.split_by.setToolTip(self.tr("Each customer as they are now"))
        split_label = QLabel(self.tr("Split &by:"))
        split_label.setBuddy(self.split_by)
        split_row = QHBoxLayout()
        split_row.addWidget(split_label)
        split_row.addWidget(self.split_by)
        split_row.addStretch(1)
        self.splits = table([])
        self.splits.setObjectName("resultsSplits")
        self.split_note = QLabel(objectName="settingsHint", wordWrap=True)
        split_page = QWidget()
        split_layout = QVBoxLayout(split_page)
        split_layout.addLayout(split_row)
        split_layout.addWidget(self.splits, 1)
        split_layout.addWidget(self.split_note)
        self.texts_count = QLabel(objectName="resultsTextCount", wordWrap=True)
        self.texts = table([self.tr("When"), self.tr("Who"), self.tr("Answer")])
        self.texts.setObjectName("resultsTexts")
        self.texts.setWordWrap(True)
        texts_page = QWidget()
        texts_layout = QVBoxLayout(texts_page)
        texts_layout.addWidget(self.texts_count)
        texts_layout.addWidget(self.texts, 1)
        self.tabs = QTabWidget(objectName="resultsTabs")
        self.tabs.addTab(answers_page, self.tr("&Answers"))
        self.tabs.addTab(months_page, self.tr("&Month by month"))
        self.tabs.addTab(split_page, self.tr("By &customer"))
        self.tabs.addTab(texts_page, self.tr("&Written answers"))
        self.tabs.currentChanged.connect(lambda _index: self._split_chosen())

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.versions)
        left_layout.addWidget(self.questions, 1)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(1, 1)
        self.empty = EmptyState(view_icon("listening"), self.tr("No answers yet"))
        self.empty.set_body(
            self.tr(
                "Nobody has answered {survey} yet. Its results appear here once customers answer "
                "at the Counter after a sale, or on paper (Paper…)."
            ).format(survey=results.name)
        )
        self.body = QStackedWidget()
        self.body.addWidget(splitter)
        self.body.addWidget(self.empty)
        self.body.setCurrentWidget(splitter if results.responses else self.empty)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.save_button = QPushButton(self.tr("&Save as PDF…"), objectName="saveResults")
        self.save_button.setToolTip(self.tr("Every figure and every written answer (Ctrl+S)"))
        self.save_button.setEnabled(bool(results.responses))
        self.save_button.clicked.connect(self.save_pdf)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Close).setAutoDefault(False)
        self.save_button.setAutoDefault(False)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save_pdf)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self._fill_questions()
        self.questions.setFocus()

    # -- what is shown -----------------------------------------------------------------------

    def _summary(self) -> str:
        results = self.results
        kind = self.tr("Poll") if results.kind == "poll" else self.tr("Survey")
        kept = self.tr("anonymous") if results.anonymous else self.tr("answers kept by name")
        parts = [kind, kept, self._many(results.responses, self.tr("1 response"),
                                        self.tr("{n} responses"))]  # fmt: skip
        if results.months:
            parts.append(self.tr("{first} to {last}").format(
                first=month_name(results.months[0][0], self.locale),
                last=month_name(results.months[-1][0], self.locale)))  # fmt: skip
        return " · ".join(parts)

    def _many(self, count: int, one: str, many: str) -> str:
        return one if count == 1 else many.format(n=self.locale.toString(count))

    def current_question(self) -> QuestionResults | None:
        versions = self.results.versions
        index = max(self.versions.currentIndex(), 0)
        if not versions or not 0 <= self.questions.currentRow() < len(versions[index].questions):
            return None
        return versions[index].questions[self.questions.currentRow()]

    def _fill_questions(self) -> None:
        self.questions.clear()
        if not self.results.versions:
            return
        version = self.results.versions[max(self.versions.currentIndex(), 0)]
        for question in version.questions:
            self.questions.addItem(f"{question.position}. {question.text}")
        if version.questions:
            self.questions.setCurrentRow(0)

    def _show_question(self) -> None:
        question = self.current_question()
        if question is None:
            return
        overall = question.overall
        kind = self.tr(QUESTION_KIND_NAMES.get(question.kind, question.kind))
        answers = self._many(overall.answers, self.tr("1 answer"), self.tr("{n} answers"))
        line = headline(overall, question.kind)
        self.headline.setText(" · ".join(part for part in (kind, answers, line) if part))
        rough = overall.nps is not None and overall.nps.answers and overall.nps.rough
        self.note.setText(self.tr(
            "Fewer than {n} answers: the interval is wide and only a rough guide.").format(
            n=ROUGH_BELOW) if rough else "")  # fmt: skip
        self.note.setVisible(bool(rough))
        self.bars.set_bars([(bar.label, bar.count) for bar in overall.bars], overall.answers)
        self.bars.setVisible(bool(overall.bars))
        self.answers.setVisible(bool(overall.bars))
        self._fill(self.answers, [(bar.label, self.locale.toString(bar.count),
                                   _share(bar.count, overall.answers))
                                  for bar in overall.bars])  # fmt: skip
        self._show_months(question)
        self._show_splits(question)
        self._show_texts(question)
        self.tabs.setTabEnabled(3, question.kind == "text")
        if question.kind == "text" and self.tabs.currentIndex() != 3:
            self.tabs.setCurrentIndex(3)
        elif question.kind != "text" and self.tabs.currentIndex() == 3:
            self.tabs.setCurrentIndex(0)

    def _show_months(self, question: QuestionResults) -> None:
        figure = {"nps": self.tr("NPS"), "rating": self.tr("Average")}.get(question.kind)
        self.months.setHorizontalHeaderLabels(
            [self.tr("Month"), self.tr("Answers"), figure or "", self.tr("95 % interval")]
        )
        self.months.setColumnHidden(2, figure is None)
        self.months.setColumnHidden(3, question.kind != "nps")
        self.trend_title.setText({
            "nps": self.tr("The NPS each month, from -100 to +100 (negative ones in orange)."),
            "rating": self.tr("The average rating each month, of 5."),
        }.get(question.kind, self.tr("The answers each month.")))  # fmt: skip
        points, rows = [], []
        for month, figures in question.months:
            value = _figure(figures, question.kind)
            points.append((month_name(month, self.locale), value, figures.answers))
            cells = _score_cells(figures, question.kind) if figure else [""]
            if question.kind == "nps":
                cells = cells[1:]  # the NPS and its interval; the average is in Answers
            rows.append((month_name(month, self.locale), self.locale.toString(figures.answers),
                         *cells))  # fmt: skip
        self.trend.set_points(points, question.kind)
        self._fill(self.months, rows)

    def _split_chosen(self) -> None:
        """By customer reads what it shows the first time it is shown (progress, Cancel): the
        tiers and stages of every respondent, or a segment's customers, about a second or two
        each at a million customers."""
        if self.tabs.currentIndex() != SPLIT_TAB:
            return
        chosen = self.split_by.currentData()
        results = self.results
        read: Callable[[], SurveyResults] | None = None
        if chosen in (TIERS, STAGES) and not results.by_customer:
            label = self.tr("Reading the customers' tiers and stages…")
            read = partial(customer_split, results)
        elif chosen not in (TIERS, STAGES) and chosen not in results.segments:
            label = self.tr("Reading the segment {name}…").format(name=chosen)
            read = partial(segment_split, results, chosen)
        if read is not None:
            work = read
            try:
                split = run_with_progress(self, label, lambda _report, _stop: work(),
                                          (ResultsCancelled,))  # fmt: skip
            except RelappError as refusal:
                tell_refusal(self, str(refusal), self.tr("Survey results"))
                split = None
            if split is not None:
                self.results = split
        self._show_question()

    def _show_splits(self, question: QuestionResults) -> None:
        chosen = self.split_by.currentData()
        if chosen == TIERS:
            groups = question.by_tier
        elif chosen == STAGES:
            groups = question.by_stage
        else:
            groups = tuple(group for group in question.by_segment if group.label == chosen)
        scored = question.kind in SCORED
        extra = ([self.tr("Average")] + ([self.tr("NPS"), self.tr("95 % interval")]
                                         if question.kind == "nps" else [])
                 if scored else [bar.label for bar in question.overall.bars])  # fmt: skip
        header = [self.tr("Customers"), self.tr("Answers"), *extra]
        self.splits.setColumnCount(len(header))
        self.splits.setHorizontalHeaderLabels(header)
        rows = []
        for group in groups:
            figures = group.figures
            cells = (_score_cells(figures, question.kind) if scored else
                     [_share(bar.count, figures.answers) for bar in figures.bars])  # fmt: skip
            rows.append((group.label, self.locale.toString(figures.answers), *cells))
        self._fill(self.splits, rows)
        notes = []
        if chosen in (TIERS, STAGES) and not self.results.by_customer:
            notes.append(self.tr("Not read yet."))
        if self.split_by.count() == 2:
            notes.append(self.tr("Save a segment in Contacts to split by it too."))
        if not groups and chosen in (TIERS, STAGES):
            notes.append(self.tr("No named customer answered this question."))
        if self.results.anonymous_responses:
            notes.append(self._many(
                self.results.anonymous_responses,
                self.tr("1 anonymous response counts in every total and in no split: it keeps "
                        "no customer."),
                self.tr("{n} anonymous responses count in every total and in no split: they "
                        "keep no customer.")))  # fmt: skip
        notes.append(self.tr("Each customer as they are now: their tier, stage and segments "
                             "today."))  # fmt: skip
        self.split_note.setText(" ".join(notes))

    def _show_texts(self, question: QuestionResults) -> None:
        shown, total = len(question.texts), question.text_count
        if not total:
            self.texts_count.setText(self.tr("Nobody wrote anything yet."))
        elif shown < total:
            self.texts_count.setText(self.tr(
                "The newest {shown} of {total} written answers; Save as PDF lists them all."
            ).format(shown=self.locale.toString(shown),
                     total=self.locale.toString(total)))  # fmt: skip
        else:
            self.texts_count.setText(self._many(total, self.tr("1 written answer."), self.tr(
                "{n} written answers, the newest first.")))  # fmt: skip
        anonymous, shop = self.tr("anonymous"), shop_format()
        self._fill(self.texts, [
            (shop.day(text.answered_at.astimezone())
             if text.answered_at else month_name(text.month, self.locale),
             text.customer or (anonymous if text.answered_at is None else "–"), text.text)
            for text in question.texts
        ])  # fmt: skip
        self.texts.resizeRowsToContents()

    def _fill(self, target, rows) -> None:
        target.setRowCount(len(rows))
        for row, cells in enumerate(rows):
            for column, text in enumerate(cells):
                target.setItem(row, column, cell(str(text), numeric=column > 0 and target
                                                 is not self.texts))  # fmt: skip

    # -- saving ------------------------------------------------------------------------------

    def save_pdf(self) -> None:
        if not self.results.responses:
            return
        target = choose_pdf_path(self, f"Survey results {self.results.name}.pdf")
        if target is None:
            return
        from relapp.reports.document import ReportCancelled
        from relapp.reports.survey_results import survey_results_report

        steps = 1000
        survey_id = self.results.survey_id

        def work(report, stop):
            return survey_results_report(
                target, survey_id, None,  # every saved segment: the document is whole
                progress=lambda done: report(round(done * steps), steps), cancelled=stop,
            )  # fmt: skip

        try:
            written = run_with_progress(self, self.tr("Writing the results…"), work,
                                        (ReportCancelled, ResultsCancelled),
                                        maximum=steps)  # fmt: skip
        except RelappError as refusal:
            tell_refusal(self, str(refusal), self.tr("Survey results"))
            return
        if written is not None:
            self.status.setText(self.tr("Saved in {path}.").format(path=written))


def _page(labels: list[QLabel], chart: QWidget, figures: QWidget) -> QWidget:
    """Labels over a chart with the table of its figures beside it."""
    page = QWidget()
    layout = QVBoxLayout(page)
    for label in labels:
        layout.addWidget(label)
    row = QHBoxLayout()
    row.addWidget(chart, 3)
    row.addWidget(figures, 2)
    layout.addLayout(row, 1)
    return page


def _share(count: int, total: int) -> str:
    return f"{count / total:.0%}" if total else "–"


def _figure(figures: Figures, kind: str) -> float | None:
    """A month's figure in the trend: the NPS, the average rating, or the answers."""
    if kind == "nps":
        return figures.nps.score if figures.nps is not None and figures.nps.answers else None
    if kind == "rating":
        return figures.average
    return float(figures.answers)


def _score_cells(figures: Figures, kind: str) -> list[str]:
    average = "–" if figures.average is None else f"{figures.average:.1f}"
    if kind != "nps":
        return [average]
    nps = figures.nps
    if nps is None or not nps.answers:
        return [average, "–", "–"]
    return [average, f"{nps.score:+.0f}", f"{nps.low:+.0f} to {nps.high:+.0f}"]


class BarChart(QWidget):
    """A horizontal bar for each possible answer, with its count and share."""

    ROW = 22

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[tuple[str, int]] = []
        self.total = 0

    def set_bars(self, rows: list[tuple[str, int]], total: int) -> None:
        self.rows, self.total = rows, total
        self.setMinimumHeight(self.ROW * len(rows) + 8)
        self.setAccessibleDescription(
            "; ".join(f"{label}: {count}" for label, count in rows))  # fmt: skip
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(420, self.ROW * len(self.rows) + 8)

    def paintEvent(self, _event) -> None:
        if not self.rows:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = painter.fontMetrics()
        text = self.palette().color(QPalette.ColorRole.WindowText)
        label_width = min(max(metrics.horizontalAdvance(label) for label, _ in self.rows) + 14,
                          self.width() // 3)  # fmt: skip
        figure_width = metrics.horizontalAdvance("000,000 (100%)") + 8
        room = max(self.width() - label_width - figure_width, 10)
        highest = max((count for _label, count in self.rows), default=0) or 1
        for row, (label, count) in enumerate(self.rows):
            top = 4 + row * self.ROW
            painter.setPen(text)
            shown = metrics.elidedText(label, Qt.TextElideMode.ElideRight, label_width - 8)
            painter.drawText(
                QRectF(0, top, label_width - 8, self.ROW),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                shown,
            )
            length = room * count / highest
            painter.fillRect(QRectF(label_width, top + 4, length, self.ROW - 8), BAR_COLOUR)
            figure = f"{count:,} ({_share(count, self.total)})"
            painter.drawText(
                QRectF(label_width + length + 4, top, figure_width, self.ROW),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                figure,
            )
        painter.end()


class TrendChart(QWidget):
    """A bar a month: the NPS (from -100 to +100 about a zero line), the average rating (of
    5), or the number of answers."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.points: list[tuple[str, float | None, int]] = []
        self.kind = ""
        self.setMinimumHeight(180)

    def set_points(self, points: list[tuple[str, float | None, int]], kind: str) -> None:
        self.points, self.kind = points, kind
        self.setAccessibleDescription("; ".join(
            f"{label}: {'none' if value is None else round(value, 1)}"
            for label, value, _answers in points))  # fmt: skip
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(520, 200)

    def paintEvent(self, _event) -> None:
        if not self.points:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = painter.fontMetrics()
        text = self.palette().color(QPalette.ColorRole.WindowText)
        low, high = {"nps": (-100.0, 100.0), "rating": (0.0, 5.0)}.get(
            self.kind, (0.0, float(max((v or 0 for _l, v, _a in self.points), default=0) or 1))
        )
        top, bottom = 18.0, self.height() - metrics.height() - 6.0
        left, width = 4.0, self.width() - 8.0
        slot = width / len(self.points)

        def y_of(value: float) -> float:
            return bottom - (value - low) / (high - low) * (bottom - top)

        zero = y_of(max(low, 0.0))
        painter.setPen(self.palette().color(QPalette.ColorRole.Mid))
        painter.drawLine(int(left), int(zero), int(left + width), int(zero))
        every = max(1, int(len(self.points) * (metrics.horizontalAdvance("Mmm 0000") + 8)
                           // max(width, 1)) + 1)  # fmt: skip
        for index, (label, value, _answers) in enumerate(self.points):
            x = left + index * slot
            if value is not None:
                y = y_of(value)
                bar = QRectF(x + slot * 0.15, min(y, zero), slot * 0.7, abs(zero - y))
                painter.fillRect(bar, NEGATIVE_COLOUR if value < 0 else BAR_COLOUR)
                painter.setPen(text)
                shown = (f"{value:+.0f}" if self.kind == "nps" else f"{value:.1f}"
                         if self.kind == "rating" else f"{value:,.0f}")  # fmt: skip
                above = min(y, zero) - metrics.height() - 1
                painter.drawText(QRectF(x, max(above, 0), slot, metrics.height()),
                                 Qt.AlignmentFlag.AlignCenter, shown)  # fmt: skip
            if index % every == 0:
                painter.setPen(text)
                wide = metrics.horizontalAdvance(label) + 2
                start = min(max(x + slot / 2 - wide / 2, 0.0), self.width() - wide)
                painter.drawText(
                    QRectF(start, bottom + 4, wide, metrics.height()),
                    Qt.AlignmentFlag.AlignCenter,
                    label,
                )
        painter.end()
