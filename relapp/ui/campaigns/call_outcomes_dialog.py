"""A produced call campaign's outcomes typed back from the printed call list, in a grid: one
row per customer called, an Outcome to choose and a Notes line, each logged on the customer's
history when saved (relapp.domain.campaigns.call_outcomes).

Made for the keyboard: Tab, or the arrows, move between the cells; in an Outcome cell the
first letter of an outcome chooses it (again for the next one with that letter), Delete
clears it; Ctrl+S or Enter saves. Rows logged already show their outcome and cannot change.
"""

from __future__ import annotations

from itertools import pairwise

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from relapp.db.store.campaigns import CampaignRow
from relapp.domain.campaigns.call_outcomes import (
    MAX_NOTE,
    OUTCOME_WORDS,
    OUTCOMES,
    CallRow,
    calls_to_log,
    log_call_outcomes,
)
from relapp.domain.changes import Change
from relapp.domain.contacts.phones import display_phone
from relapp.errors import RelappError
from relapp.ui.campaigns.texts import count, tr
from relapp.ui.operations import tell_refusal

HEADERS = ("Number", "Name", "Phone", "Outcome", "Notes")
NUMBER, NAME, PHONE, OUTCOME, NOTES = range(len(HEADERS))
ROW_PROPERTY = "callRow"


class CallOutcomesDialog(QDialog):
    """Signals: none; ask() returns what the saved outcomes changed."""

    def __init__(
        self,
        campaign: CampaignRow,
        rows: list[CallRow],
        staff_id: int | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.campaign = campaign
        self.rows = rows
        self.staff_id = staff_id
        self.change: Change | None = None
        self.setWindowTitle(self.tr("Call outcomes · {name}").format(name=campaign.name))
        self.resize(900, 600)

        logged = sum(1 for row in rows if row.logged)
        intro = QLabel(
            self.tr(
                "{total} customers to call; {logged} logged already. Type an outcome's first "
                "letter to choose it: A Answered, N No answer (N again: Not interested), "
                "L Left message, C Call back; Delete clears it. Tab or the arrows move, "
                "Ctrl+S saves."
            ).format(total=count(len(rows)), logged=count(logged)),
            objectName="settingsHint",
            wordWrap=True,
        )
        intro.setTextFormat(Qt.TextFormat.PlainText)

        self.table = QTableWidget(len(rows), len(HEADERS), objectName="callOutcomes")
        self.table.setHorizontalHeaderLabels([self.tr(header) for header in HEADERS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        # The cells' own widgets take Tab, in reading order; the table does not.
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        for column in (NUMBER, PHONE):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        for column in (NAME, OUTCOME):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(NOTES, QHeaderView.ResizeMode.Stretch)

        self.outcomes: list[QComboBox] = []
        self.notes: list[QLineEdit] = []
        for index, row in enumerate(rows):
            self._fill_row(index, row)
        self.table.resizeColumnToContents(NAME)
        self.table.setColumnWidth(NAME, min(max(self.table.columnWidth(NAME), 160), 280))
        if self.outcomes:  # wide enough for the longest outcome, which the header cannot see
            self.table.setColumnWidth(OUTCOME, self.outcomes[0].sizeHint().width() + 8)
        self.table.resizeRowsToContents()
        editable = [widget for pair in zip(self.outcomes, self.notes, strict=True)
                    for widget in pair if widget.isEnabled()]  # fmt: skip
        for before, after in pairwise(editable):
            QWidget.setTabOrder(before, after)

        self.problem = QLabel(objectName="fieldProblems", wordWrap=True)
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.hide()

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = QPushButton(self.tr("&Save"), objectName="saveCallOutcomes")
        self.save_button.setDefault(True)
        self.save_button.setToolTip(self.tr("Log the outcomes chosen (Ctrl+S or Enter)"))
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.clicked.connect(self.save)
        buttons.rejected.connect(self.reject)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, activated=self.save)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        if editable:
            editable[0].setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            buttons.button(QDialogButtonBox.StandardButton.Cancel).setFocus()

    def _fill_row(self, index: int, row: CallRow) -> None:
        number = QTableWidgetItem(str(row.contact_id))
        number.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.table.setItem(index, NUMBER, number)
        self.table.setItem(index, NAME, QTableWidgetItem(row.name))
        self.table.setItem(index, PHONE, QTableWidgetItem(_phone(row.phone)))

        outcome = QComboBox(objectName="callOutcome")
        outcome.addItem("", None)  # not called yet
        for key in OUTCOMES:
            outcome.addItem(tr(OUTCOME_WORDS[key]), key)
        notes = QLineEdit(objectName="callNote", maxLength=MAX_NOTE)
        notes.setFrame(False)
        if row.logged:
            if row.outcome is None:
                outcome.setItemText(0, self.tr("logged"))
            else:
                outcome.setCurrentIndex(outcome.findData(row.outcome))
            notes.setText(row.note)
            for widget in (outcome, notes):
                widget.setEnabled(False)
                widget.setToolTip(self.tr("Logged already; it stays on the customer's history."))
        outcome.setAccessibleName(self.tr("Outcome for {name}").format(name=row.name))
        notes.setAccessibleName(self.tr("Notes for {name}").format(name=row.name))
        for widget in (outcome, notes):
            widget.setProperty(ROW_PROPERTY, index)
            widget.installEventFilter(self)
        self.table.setCellWidget(index, OUTCOME, outcome)
        self.table.setCellWidget(index, NOTES, notes)
        self.outcomes.append(outcome)
        self.notes.append(notes)

    # -- the keyboard ---------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(watched, QComboBox | QLineEdit):
            row = watched.property(ROW_PROPERTY)
            if event.type() == QEvent.Type.FocusIn and isinstance(row, int):
                self.table.scrollToItem(self.table.item(row, NAME))
            elif event.type() == QEvent.Type.KeyPress and isinstance(row, int):
                assert isinstance(event, QKeyEvent)
                return self._key(watched, row, event)
        return super().eventFilter(watched, event)

    def _key(self, widget: QWidget, row: int, event: QKeyEvent) -> bool:
        """Move between cells with the arrows; True if the key was used here."""
        plain = Qt.KeyboardModifier.KeypadModifier | Qt.KeyboardModifier.ShiftModifier
        if event.modifiers() & ~plain:
            return False  # Alt+Down opens the list, Ctrl+S saves: left to Qt
        key = event.key()
        column = OUTCOME if isinstance(widget, QComboBox) else NOTES
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self._focus_near(row, column, -1 if key == Qt.Key.Key_Up else 1)
            return True
        if isinstance(widget, QComboBox):
            if key == Qt.Key.Key_Right:
                self.notes[row].setFocus(Qt.FocusReason.TabFocusReason)
                return True
            if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
                widget.setCurrentIndex(0)
                return True
            letter = event.text().strip()
            if len(letter) == 1 and letter.isalpha():
                _choose_by_letter(widget, letter)
                return True
            return key == Qt.Key.Key_Left  # the combo would change its choice
        assert isinstance(widget, QLineEdit)
        if key == Qt.Key.Key_Left and widget.cursorPosition() == 0 and not widget.hasSelectedText():
            self.outcomes[row].setFocus(Qt.FocusReason.BacktabFocusReason)
            return True
        return False

    def _focus_near(self, row: int, column: int, step: int) -> None:
        """The same cell in the nearest row that can still be changed, that way."""
        widgets = self.outcomes if column == OUTCOME else self.notes
        target = row + step
        while 0 <= target < len(widgets) and not widgets[target].isEnabled():
            target += step
        if 0 <= target < len(widgets):
            widgets[target].setFocus(Qt.FocusReason.TabFocusReason)

    # -- saving ---------------------------------------------------------------------------------

    def chosen(self) -> dict[int, tuple[str, str]]:
        """contact id -> (outcome, note) of the rows given an outcome and not logged yet;
        raises RelappError for a note without an outcome."""
        found = {}
        for index, row in enumerate(self.rows):
            if row.logged:
                continue
            outcome = self.outcomes[index].currentData()
            note = self.notes[index].text().strip()
            if outcome is None and note:
                raise RelappError(
                    self.tr(
                        "{name} has a note but no outcome; choose one or clear the note."
                    ).format(name=row.name)
                )
            if outcome is not None:
                found[row.contact_id] = (str(outcome), note)
        return found

    def save(self) -> None:
        """Log the outcomes chosen and close; on a refusal say why and log nothing."""
        if self.change is not None:
            return  # saved already: a second Enter must not try again
        try:
            outcomes = self.chosen()
            if not outcomes:
                self.reject()
                return
            self.change = log_call_outcomes(self.campaign.id, outcomes, staff_id=self.staff_id)
        except RelappError as error:
            self.problem.setText(str(error))
            self.problem.show()
            return
        self.accept()

    @classmethod
    def ask(cls, parent: QWidget, campaign: CampaignRow, staff_id: int | None) -> Change | None:
        """What the saved outcomes changed, or None if nothing was saved."""
        try:
            rows = calls_to_log(campaign.id)
        except RelappError as error:
            tell_refusal(parent, str(error), parent.tr("Call outcomes"))
            return None
        dialog = cls(campaign, rows, staff_id, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.change


def _phone(e164: str | None) -> str:
    return display_phone(e164) if e164 else ""


def _choose_by_letter(combo: QComboBox, letter: str) -> None:
    """The next outcome after the one chosen that starts with letter, round to the first.

    Done here, not by the combo's own search, so that the same letter again always goes on
    to the next outcome however slowly it is typed (N: No answer, then Not interested)."""
    wanted = letter.casefold()
    items = combo.count()
    for step in range(1, items + 1):
        index = (combo.currentIndex() + step) % items
        if combo.itemText(index).casefold().startswith(wanted) and combo.itemData(index):
            combo.setCurrentIndex(index)
            return
