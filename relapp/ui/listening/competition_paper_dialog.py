"""Typing in a competition's paper entries (Listening > Competitions > Type paper entries…).

One entry after another from a pile of forms: the search box has the focus and finds the
customer as the Counter's does (card number, name, phone or email; relapp.domain.contacts.
search), the arrow keys move through the matches, Enter enters the one selected and empties
the box for the next form. A refusal (over the limit, not eligible, the draw closed) is said
in one sentence under the box, nothing written, and typing goes on. A competition entered by
purchase takes its free entries here too (No purchase necessary); which way is chosen above.
Each entry goes out on the change bus as it is made.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from relapp.domain.contacts.phones import display_phone
from relapp.domain.contacts.search import ContactHit, search_contacts
from relapp.domain.listening.competitions import Competition, enter
from relapp.domain.terms import ENTRY_ROUTE_NAMES
from relapp.errors import RelappError
from relapp.ui.change_bus import ChangeBus
from relapp.ui.operations import published

SEARCH_PAUSE_MS = 60  # as the Counter's: a scanner's digits arrive as one search
RESULT_LIMIT = 12
TYPED_ROUTES = ("paper", "no_purchase")  # the ways an entry arrives on paper
_NAVIGATION_KEYS = {Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown}


def typed_routes(competition: Competition) -> list[str]:
    """The ways this competition's entries can arrive on paper, in ENTRY_ROUTES order."""
    return [route for route in TYPED_ROUTES if route in competition.routes]


class PaperEntriesDialog(QDialog):
    def __init__(
        self, competition: Competition, change_bus: ChangeBus, staff_id: int | None,
        parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.competition = competition
        self.change_bus = change_bus
        self.staff_id = staff_id
        self.entered = 0
        self.outcome = ""  # what the last Enter did: entered, or why not
        self.hits: list[ContactHit] = []
        self.setWindowTitle(self.tr("Paper entries: {name}").format(name=competition.name))
        self.setMinimumSize(520, 420)

        self.route = QComboBox(objectName="paperRoute")
        for route in typed_routes(competition):
            name = ENTRY_ROUTE_NAMES[route]
            if route == "no_purchase":
                name = self.tr("Free entry (no purchase necessary)")
            self.route.addItem(self.tr(name), route)
        self.route.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.search = QLineEdit(objectName="paperSearch")
        self.search.setPlaceholderText(self.tr("Card number, name, phone or email"))
        self.search.setClearButtonEnabled(True)
        self.search.textEdited.connect(lambda _text: self.timer.start())
        self.search.returnPressed.connect(self.enter_selected)
        self.search.installEventFilter(self)
        self.timer = QTimer(self, singleShot=True, interval=SEARCH_PAUSE_MS)
        self.timer.timeout.connect(self.run_search)
        self.results = QListWidget(objectName="paperResults")
        self.results.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the search box keeps it
        self.results.setUniformItemSizes(True)
        self.results.itemDoubleClicked.connect(lambda _item: self.enter_selected())
        self.message = QLabel(objectName="paperMessage", wordWrap=True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.count = QLabel(objectName="settingsHint")
        self._show_count()

        form = QFormLayout()
        if self.route.count() > 1:
            form.addRow(self.tr("Entry &by:"), self.route)
        form.addRow(self.tr("&Customer:"), self.search)
        hint = QLabel(
            self.tr(
                "Type or scan the card number, or part of the name, phone or email, as at the "
                "Counter; arrows choose, Enter enters and clears the box for the next form."
            ),
            objectName="settingsHint",
            wordWrap=True,
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        # Enter in the search box enters the customer; it must not close the dialog too.
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setAutoDefault(False)
        close.setDefault(False)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addLayout(form)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.count)
        layout.addWidget(buttons)
        self.search.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """The arrow keys in the search box move through the matches."""
        if (
            watched is self.search
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in _NAVIGATION_KEYS
        ):
            self.results.keyPressEvent(event)
            return True
        return super().eventFilter(watched, event)

    def run_search(self) -> None:
        self.timer.stop()
        text = self.search.text()
        self.hits = search_contacts(text, limit=RESULT_LIMIT) if text.strip() else []
        self.results.clear()
        for hit in self.hits:
            phone = display_phone(hit.phone) if hit.phone else None
            details = " · ".join(part for part in (hit.card_number, phone, hit.email) if part)
            item = QListWidgetItem(f"{hit.name}  —  {details}" if details else hit.name)
            self.results.addItem(item)
        if self.hits:
            self.results.setCurrentRow(0)
            self.message.setText(self.outcome)  # what the last Enter did stays said
        elif text.strip():
            self.message.setText(self.tr("No customer matches “{text}”.").format(text=text))

    def enter_selected(self) -> None:
        """Enter the customer selected (searching first if the typing has not paused yet)."""
        if self.timer.isActive() or (self.search.text().strip() and not self.hits):
            self.run_search()
        row = self.results.currentRow()
        if not self.hits or row < 0:
            return
        hit = self.hits[row]
        try:
            made = enter(self.competition.id, hit.id, self.route.currentData(),
                         staff_id=self.staff_id)  # fmt: skip
        except RelappError as refusal:
            self.outcome = str(refusal)
            self.message.setText(self.outcome)
            return
        published(self.change_bus, made.change)
        self.entered += 1
        self.outcome = made.text
        self.message.setText(made.text)
        self._show_count()
        self.search.clear()
        self.hits = []
        self.results.clear()

    def _show_count(self) -> None:
        self.count.setText(
            self.tr("Entries typed in now: {n}").format(n=self.entered)
            if self.entered
            else self.tr("No entries typed in yet.")
        )

    @classmethod
    def type_entries(
        cls, parent: QWidget, competition: Competition, change_bus: ChangeBus,
        staff_id: int | None,
    ) -> int:  # fmt: skip
        """Show the dialog until closed; how many entries were typed in."""
        dialog = cls(competition, change_bus, staff_id, parent)
        dialog.exec()
        dialog.deleteLater()
        return dialog.entered
