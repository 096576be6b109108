"""A survey on paper (Listening > Surveys > Paper…, Alt+P): print the forms, and type the
answers back from them.

Print forms: blank ones (how many), or one for each customer of a saved segment with the
customer's name and QR code (not for an anonymous survey: a name on the form would tell who
answered). They are written to a PDF in the background with progress and Cancel
(relapp.reports.survey_forms).

Type answers from paper: a grid, one row a form and one column a question. Scanning a form's
QR code (a barcode scanner types its text and Enter into the field that has the keyboard
focus: the Scan field, or a cell of the grid) adds that form's row, named for its customer,
and puts the cursor in its first answer; the cashier types each answer as the form shows it
(the number beside the ticked box, y or n, the words written) and Tab goes on. A code that
does not read, a form of another survey or of older questions, or one already in the grid
is told in one sentence under the Scan field, and nothing is added. A form without a code
(a blank form of a named survey) gets a row from Add a row, with the customer's card or
number typed in its first cell. Save answers records each row in turn as paper answers
(relapp.domain.listening.paper.record_paper_form): a row saved leaves the grid; the first
refused stays, selected, with the sentence, and the rows after it stay too.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QColor, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from relapp.domain.changes import Change
from relapp.domain.contacts.listing import filter_choices
from relapp.domain.listening.paper import (
    PaperRefused,
    looks_like_form_code,
    per_customer_refusal,
    record_paper_form,
    scanned_form,
    typed_answers,
)
from relapp.domain.listening.surveys import SurveyForm, survey_form
from relapp.domain.loyalty.points import find_customer
from relapp.errors import RelappError
from relapp.ui.operations import tell_refusal
from relapp.ui.widgets.background_task import run_with_progress

CONTACT_ROLE = Qt.ItemDataRole.UserRole + 1
SCANNED_ROLE = Qt.ItemDataRole.UserRole + 2
HINTS = {
    "rating": "1 to 5",
    "nps": "0 to 10",
    "choice": "the option's number",
    "choices": "the options' numbers",
    "yes_no": "y or n",
    "text": "the words written",
}
PROBLEM_COLOUR = QColor("#b91c1c")


def show_paper_forms(parent: QWidget, survey_id: int) -> None:
    """The survey's paper forms: print them, type their answers back; a refusal is told."""
    try:
        form = survey_form(survey_id)
    except RelappError as refusal:
        tell_refusal(parent, str(refusal), parent.tr("Paper forms"))
        return
    PaperDialog(form, parent).exec()


def choose_forms_path(parent: QWidget, suggested: str) -> Path | None:
    """Where to save the forms (the file dialog; a test replaces this)."""
    chosen, _filter = QFileDialog.getSaveFileName(
        parent, parent.tr("Save the forms"), str(Path.home() / suggested),
        parent.tr("PDF documents (*.pdf)"),
    )  # fmt: skip
    if not chosen:
        return None
    path = Path(chosen)
    return path if path.suffix.lower() == ".pdf" else path.with_name(path.name + ".pdf")


def _found_in_parents(widget: QWidget | None, name: str):
    """The first attribute called name of widget or a parent (the page's change bus and
    current staff: show_paper_forms is called with the page alone)."""
    while widget is not None:
        if hasattr(widget, name):
            return getattr(widget, name)
        widget = widget.parentWidget()
    return None


class PaperDialog(QDialog):
    def __init__(self, form: SurveyForm, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = form
        self.change_bus = _found_in_parents(parent, "change_bus")
        staff = _found_in_parents(parent, "current_staff")
        self.staff_id: int | None = None if staff is None else staff.staff_id
        self.setWindowTitle(self.tr("Paper forms: {survey}").format(survey=form.name))
        self.resize(980, 640)
        self.tabs = QTabWidget(objectName="paperTabs")
        self.tabs.addTab(self._print_page(), self.tr("P&rint forms"))
        self.tabs.addTab(self._typing_page(), self.tr("&Type answers from paper"))
        self.tabs.currentChanged.connect(self._tab_shown)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        # Enter is a scanner's end of a code here, never Close (module docstring).
        for button in self.findChildren(QPushButton) + buttons.findChildren(QPushButton):
            button.setAutoDefault(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter left over by the Scan field or the grid does nothing; in Print forms it makes
        the forms."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.tabs.currentIndex() == 0:
                self.make_button.click()
            event.accept()
            return
        super().keyPressEvent(event)

    # -- printing ----------------------------------------------------------------------------

    def _print_page(self) -> QWidget:
        page = QWidget()
        self.blank = QRadioButton(self.tr("&Blank forms:"), checked=True)
        self.copies = QSpinBox(objectName="paperCopies", minimum=1, maximum=500, value=20)
        self.per_customer = QRadioButton(self.tr("One for each customer of the &segment:"))
        self.segment = QComboBox(objectName="paperSegment")
        self.segment.addItems(filter_choices().segments)
        self.segment.activated.connect(lambda _index: self.per_customer.setChecked(True))
        self.copies.valueChanged.connect(lambda _value: self.blank.setChecked(True))
        group = QButtonGroup(page)
        group.addButton(self.blank)
        group.addButton(self.per_customer)
        refusal = per_customer_refusal(self.form)
        if refusal or not self.segment.count():
            self.per_customer.setEnabled(False)
            self.segment.setEnabled(False)
        hint = QLabel(
            refusal or (self.tr("No saved segment yet: save one in Contacts to print a form for "
                                "each of its customers.") if not self.segment.count() else
                        self.tr("Each form carries the customer's name and a QR code; scan it "
                                "when you type the answers back.")),
            objectName="settingsHint", wordWrap=True,
        )  # fmt: skip
        self.make_button = QPushButton(self.tr("&Make forms…"), objectName="makeForms")
        self.make_button.clicked.connect(self.make_forms)
        self.print_status = QLabel(objectName="paperPrintStatus", wordWrap=True)
        rows = QFormLayout()
        rows.addRow(self.blank, self.copies)
        rows.addRow(self.per_customer, self.segment)
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel(self.tr(
            "The forms print the survey's intro and its {n} questions with boxes to tick and "
            "lines to write on, on the shop's paper.").format(n=len(self.form.questions)),
            wordWrap=True))  # fmt: skip
        layout.addLayout(rows)
        layout.addWidget(hint)
        layout.addWidget(self.make_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.print_status)
        layout.addStretch(1)
        return page

    def make_forms(self) -> None:
        segment = self.segment.currentText() if self.per_customer.isChecked() else None
        suggested = f"{self.form.name} forms{f' {segment}' if segment else ''}.pdf"
        target = choose_forms_path(self, suggested)
        if target is None:
            return
        from relapp.reports.document import ReportCancelled
        from relapp.reports.survey_forms import survey_forms

        steps, survey_id, copies = 1000, self.form.survey_id, self.copies.value()

        def work(report, stop):
            return survey_forms(target, survey_id, segment=segment, blank=copies,
                                progress=lambda done: report(round(done * steps), steps),
                                cancelled=stop)  # fmt: skip

        try:
            sheet = run_with_progress(self, self.tr("Making the forms…"), work,
                                      (ReportCancelled,), maximum=steps)  # fmt: skip
        except RelappError as refusal:
            tell_refusal(self, str(refusal), self.tr("Paper forms"))
            return
        if sheet is not None:
            self.print_status.setText(self.tr("{forms} forms ({pages} pages) saved in {path}.")
                                      .format(forms=sheet.forms, pages=sheet.pages,
                                              path=sheet.path))  # fmt: skip

    # -- typing ------------------------------------------------------------------------------

    def _typing_page(self) -> QWidget:
        page = QWidget()
        self.scan = QLineEdit(objectName="paperScan", clearButtonEnabled=True)
        self.scan.setPlaceholderText(self.tr("Scan the QR code at the top of a form, or type it"))
        self.scan.returnPressed.connect(lambda: self.add_scanned(self.scan.text()))
        scan_label = QLabel(self.tr("&Scan:"))
        scan_label.setBuddy(self.scan)
        self.add_row_button = QPushButton(self.tr("&Add a row"), objectName="addPaperRow")
        self.add_row_button.setToolTip(self.tr("A form without a code: type the customer's card "
                                               "or number in the row's first cell"))  # fmt: skip
        self.add_row_button.clicked.connect(self.add_row)
        scan_row = QHBoxLayout()
        scan_row.addWidget(scan_label)
        scan_row.addWidget(self.scan, 1)
        scan_row.addWidget(self.add_row_button)
        self.scan_problem = QLabel(objectName="paperProblem", wordWrap=True)
        self.scan_problem.setStyleSheet(f"color: {PROBLEM_COLOUR.name()};")
        headers = [self.tr("Customer")] + [
            f"{number}. {self.tr(HINTS[question.kind])}"
            for number, question in enumerate(self.form.questions, start=1)
        ]
        self.grid = QTableWidget(0, len(headers), objectName="paperGrid")
        self.grid.setHorizontalHeaderLabels(headers)
        for column, question in enumerate(self.form.questions, start=1):
            self.grid.horizontalHeaderItem(column).setToolTip(question.text)
        # Typing in a cell starts an answer; moving to it alone does not (Tab through a row).
        triggers = QAbstractItemView.EditTrigger
        self.grid.setEditTriggers(triggers.AnyKeyPressed | triggers.DoubleClicked
                                  | triggers.EditKeyPressed)  # fmt: skip
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.grid.itemChanged.connect(self._cell_changed)
        QShortcut(QKeySequence.StandardKey.Delete, self.grid, self.remove_row,
                  context=Qt.ShortcutContext.WidgetShortcut)  # fmt: skip
        legend = QLabel(
            "  ".join(f"{number}. {question.text}"
                      for number, question in enumerate(self.form.questions, start=1)),
            objectName="settingsHint", wordWrap=True,
        )  # fmt: skip
        self.save_button = QPushButton(self.tr("Sa&ve answers"), objectName="savePaper")
        self.save_button.clicked.connect(self.save_answers)
        self.remove_button = QPushButton(self.tr("R&emove row"), objectName="removePaperRow")
        self.remove_button.setToolTip(self.tr("Take the selected row out of the grid (Delete)"))
        self.remove_button.clicked.connect(self.remove_row)
        self.type_status = QLabel(objectName="paperTypeStatus", wordWrap=True)
        actions = QHBoxLayout()
        actions.addWidget(self.save_button)
        actions.addWidget(self.remove_button)
        actions.addWidget(self.type_status, 1)
        layout = QVBoxLayout(page)
        layout.addLayout(scan_row)
        layout.addWidget(self.scan_problem)
        layout.addWidget(self.grid, 1)
        layout.addWidget(legend)
        layout.addLayout(actions)
        self._update_buttons()
        return page

    def _tab_shown(self, index: int) -> None:
        if index == 1:
            self.scan.setFocus(Qt.FocusReason.OtherFocusReason)

    def _update_buttons(self) -> None:
        self.save_button.setEnabled(self.grid.rowCount() > 0)
        self.remove_button.setEnabled(self.grid.rowCount() > 0)

    def add_scanned(self, text: str) -> bool:
        """Add the row of the form whose code was scanned; whether it was added."""
        self.scan.clear()
        if not text.strip():
            return False
        try:
            scanned = scanned_form(text, self.form)
        except RelappError as refusal:
            self.scan_problem.setText(str(refusal))
            return False
        if scanned.contact_id is not None:
            for row in range(self.grid.rowCount()):
                if self.grid.item(row, 0).data(CONTACT_ROLE) == scanned.contact_id:
                    self.scan_problem.setText(self.tr(
                        "{name}'s form is in the grid already (row {row}).").format(
                        name=scanned.customer, row=row + 1))  # fmt: skip
                    return False
        self.scan_problem.clear()
        if scanned.contact_id is None:
            self.add_row()
        else:
            self._new_row(scanned.customer, scanned.contact_id)
            self._start_answers(self.grid.rowCount() - 1)
        return True

    def add_row(self) -> None:
        """A row for a form without a customer's code: anonymous, or typed in its first cell."""
        if self.form.anonymous:
            self._new_row(self.tr("anonymous"), None)
            self._start_answers(self.grid.rowCount() - 1)
            return
        self._new_row("", None, editable=True)
        row = self.grid.rowCount() - 1
        self.grid.setCurrentCell(row, 0)
        self.grid.editItem(self.grid.item(row, 0))

    def _new_row(self, name: str, contact_id: int | None, editable: bool = False) -> None:
        row = self.grid.rowCount()
        self.grid.blockSignals(True)
        self.grid.insertRow(row)
        customer = QTableWidgetItem(name)
        customer.setData(CONTACT_ROLE, contact_id)
        customer.setData(SCANNED_ROLE, not editable)
        customer.setToolTip(self.tr("Type the customer's card or number") if editable else name)
        if not editable:
            customer.setFlags(customer.flags() & ~Qt.ItemFlag.ItemIsEditable)
        self.grid.setItem(row, 0, customer)
        for column in range(1, self.grid.columnCount()):
            self.grid.setItem(row, column, QTableWidgetItem(""))
        self.grid.blockSignals(False)
        self._update_buttons()

    def _start_answers(self, row: int) -> None:
        self.grid.setFocus(Qt.FocusReason.OtherFocusReason)
        self.grid.setCurrentCell(row, 1)
        self.grid.editItem(self.grid.item(row, 1))

    def _cell_changed(self, item: QTableWidgetItem) -> None:
        """A scanner's code typed into a cell (the cashier did not go back to Scan first) is a
        scan, not an answer."""
        if not looks_like_form_code(item.text()):
            return
        text = item.text()
        self.grid.blockSignals(True)
        item.setText("")
        self.grid.blockSignals(False)
        # After the editor has closed: a new row's editor cannot open from inside its commit.
        QTimer.singleShot(0, lambda: self.add_scanned(text))

    def remove_row(self) -> None:
        row = self.grid.currentRow()
        if 0 <= row < self.grid.rowCount():
            self.grid.removeRow(row)
        self._update_buttons()

    def save_answers(self) -> None:
        """Record each row in turn (module docstring)."""
        grid = self.grid
        self._commit_open_editor()
        saved = 0
        changes: list[Change] = []
        while grid.rowCount():
            customer = grid.item(0, 0)
            cells = [grid.item(0, column).text() for column in range(1, grid.columnCount())]
            try:
                contact_id = self._customer_of(customer)
                typed_answers(self.form, cells)  # a cell that does not read: nothing written
                changes.append(record_paper_form(self.form, contact_id, cells, self.staff_id))
            except RelappError as refusal:
                self._publish(changes)
                self._update_buttons()
                grid.selectRow(0)
                who = customer.text() or self.tr("no customer")
                self.type_status.setText(self.tr("{saved} saved.").format(saved=saved)
                                         if saved else "")  # fmt: skip
                tell_refusal(self, self.tr("The first row ({who}): {problem}").format(
                    who=who, problem=refusal), self.tr("Paper answers"))  # fmt: skip
                return
            grid.removeRow(0)
            saved += 1
        self._publish(changes)
        self._update_buttons()
        self.type_status.setText(
            self.tr("1 form saved.") if saved == 1 else self.tr("{n} forms saved.").format(n=saved)
        )
        self.scan.setFocus(Qt.FocusReason.OtherFocusReason)

    def _commit_open_editor(self) -> None:
        """The cell being typed in keeps what was typed (Save pressed by its key)."""
        editor = QApplication.focusWidget()
        if editor is not None and editor is not self.grid and self.grid.isAncestorOf(editor):
            delegate = self.grid.itemDelegate()
            delegate.commitData.emit(editor)
            delegate.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.NoHint)

    def _customer_of(self, item: QTableWidgetItem) -> int | None:
        contact_id = item.data(CONTACT_ROLE)
        if contact_id is not None or item.data(SCANNED_ROLE) or self.form.anonymous:
            return contact_id
        typed = item.text().strip()
        if not typed:
            raise PaperRefused(QCoreApplication.translate(
                "PaperDialog", "type the customer's card or number in the first cell, or scan "
                "the form's code."))  # fmt: skip
        return find_customer(typed)

    def _publish(self, changes: list[Change]) -> None:
        if self.change_bus is not None:
            for change in changes:
                if change.entities:
                    self.change_bus.publish(change)
