"""Quick enrol: a new customer from the counter in a few keystrokes.

Name, then optionally phone, email and a scanned card; Enter saves. If the shop may already
know this person (same phone or email, or a very similar name), the first Enter shows who,
and the cashier either opens that customer or presses Enter again to enrol anyway.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from relapp.domain.changes import Change
from relapp.domain.contacts.enrolment import (
    CleanContact,
    Duplicate,
    NewContact,
    clean_new_contact,
    enrol,
    likely_duplicates,
)
from relapp.domain.contacts.fields import InvalidContact
from relapp.domain.loyalty.cards import is_valid_card_number
from relapp.domain.shop.formats import shop_format
from relapp.domain.shop.settings import load_settings
from relapp.errors import RelappError
from relapp.ui.counter.clues import clue_line
from relapp.ui.till_outbox_status import refused_offline, server_away
from relapp.ui.widgets.field_problems import FieldProblems

DUPLICATES_IN_SIGHT = 3


@dataclass(frozen=True)
class EnrolOutcome:
    contact_id: int  # the new customer, or the existing one the cashier chose instead
    change: Change | None  # None when nobody was created


class EnrolDialog(QDialog):
    def __init__(self, prefill: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("New customer"))
        self.setMinimumWidth(480)
        self.outcome: EnrolOutcome | None = None
        self._checked_duplicates_for: CleanContact | None = None
        self.region = load_settings().phone_region

        self.given_name = QLineEdit(maxLength=100)
        self.family_name = QLineEdit(maxLength=100)
        self.phone = QLineEdit(maxLength=40)
        self.phone.setPlaceholderText(self.tr("e.g. 0412 345 678 or +44 20 7946 0958"))
        self.email = QLineEdit(maxLength=254)
        self.card_number = QLineEdit(maxLength=32)
        self.card_number.setPlaceholderText(self.tr("Scan a card, or leave empty for the next"))
        form = QFormLayout()
        form.addRow(self.tr("&Given name:"), self.given_name)
        form.addRow(self.tr("&Family name:"), self.family_name)
        form.addRow(self.tr("&Phone:"), self.phone)
        form.addRow(self.tr("&Email:"), self.email)
        form.addRow(self.tr("&Card number:"), self.card_number)
        self.problems = FieldProblems(
            {
                "given_name": self.given_name,
                "family_name": self.family_name,
                "phone": self.phone,
                "email": self.email,
                "card_number": self.card_number,
            },
            check=self._problems_now,
        )

        self.duplicate_warning = QLabel(objectName="duplicateWarning", wordWrap=True)
        self.duplicates = QListWidget(objectName="duplicateList")
        self.duplicates.setSpacing(2)
        self.duplicates.itemActivated.connect(lambda _item: self.open_existing())
        for widget in (self.duplicate_warning, self.duplicates):
            widget.hide()

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.enrol_button = QPushButton(self.tr("&Enrol"))
        self.enrol_button.setDefault(True)
        self.buttons.addButton(self.enrol_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.open_button = QPushButton(self.tr("&Open selected customer"))
        self.buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.hide()  # after addButton, which shows it
        self.enrol_button.clicked.connect(self.try_enrol)
        self.open_button.clicked.connect(self.open_existing)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problems)
        layout.addWidget(self.duplicate_warning)
        layout.addWidget(self.duplicates)
        layout.addWidget(self.buttons)
        self._prefill(prefill)

    def _prefill(self, text: str) -> None:
        """What the cashier had typed in the search: a scanned card, a phone or a name."""
        text = text.strip()
        digits = "".join(text.split())
        if digits.isdigit() and len(digits) >= 8 and is_valid_card_number(digits):
            self.card_number.setText(digits)
        elif text and all(ch.isdigit() or ch in "+-() " for ch in text):
            self.phone.setText(text)
        elif text:
            given, _, family = text.partition(" ")
            self.given_name.setText(given)
            self.family_name.setText(family.strip())
        self.given_name.setFocus()

    def new_contact(self) -> NewContact:
        return NewContact(
            given_name=self.given_name.text(),
            family_name=self.family_name.text(),
            phone=self.phone.text(),
            email=self.email.text(),
            card_number=self.card_number.text(),
        )

    def _problems_now(self) -> dict[str, str]:
        try:
            clean_new_contact(self.new_contact(), self.region)
        except InvalidContact as error:
            return error.problems
        return {}

    def try_enrol(self) -> None:
        try:
            clean = clean_new_contact(self.new_contact(), self.region)
        except InvalidContact as error:
            self.problems.show_problems(error.problems)
            return
        self.problems.clear_problems()
        try:
            if clean != self._checked_duplicates_for:
                # The fields changed since the last warning: look again before creating anyone.
                self._checked_duplicates_for = clean
                duplicates = likely_duplicates(clean)
                if duplicates:
                    self.show_duplicates(duplicates)
                    return
            enrolment = enrol(clean)
        except InvalidContact as error:
            self.problems.show_problems(error.problems)
            return
        except Exception as error:
            if server_away(error) is not None:
                self._checked_duplicates_for = None  # looked at again once it answers
                text = refused_offline(self.tr("enrolling a customer waits until it is back"))
                self.problems.show_problems({"": text})
                return
            if not isinstance(error, RelappError):
                raise
            self.problems.show_problems({"": str(error)})
            return
        self.outcome = EnrolOutcome(enrolment.contact_id, enrolment.change)
        self.accept()

    def show_duplicates(self, duplicates: list[Duplicate]) -> None:
        self.duplicate_warning.setText(
            self.tr(
                "This may be a customer you already have. Open them instead, or press "
                "Enter to enrol a new customer anyway."
            )
        )
        self.duplicates.clear()
        shop = shop_format()
        for duplicate in duplicates:
            clues = clue_line(duplicate.clues, shop)
            item = QListWidgetItem(
                f"{duplicate.name} — {self.tr(duplicate.reason)}" + (f"\n{clues}" if clues else "")
            )
            item.setData(Qt.ItemDataRole.UserRole, duplicate.id)
            self.duplicates.addItem(item)
        self.duplicates.setCurrentRow(0)
        # Three of them in sight, each with its two lines: who they are, what tells them apart.
        shown = range(min(self.duplicates.count(), DUPLICATES_IN_SIGHT))
        self.duplicates.setFixedHeight(
            sum(self.duplicates.sizeHintForRow(row) for row in shown)
            + 2 * self.duplicates.frameWidth()
            + 2 * self.duplicates.spacing() * len(shown)
        )
        for widget in (self.duplicate_warning, self.duplicates, self.open_button):
            widget.show()
        self.enrol_button.setText(self.tr("&Enrol anyway"))

    def open_existing(self) -> None:
        item = self.duplicates.currentItem()
        if item is None:
            return
        self.outcome = EnrolOutcome(item.data(Qt.ItemDataRole.UserRole), None)
        self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None = None, prefill: str = "") -> EnrolOutcome | None:
        """The customer to show after enrolling (new or existing), or None if cancelled."""
        dialog = cls(prefill, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.outcome
