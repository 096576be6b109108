"""Merging two contacts into one, choosing field by field which value to keep.

Everything else (history, tasks, tags, preferences, consent log, points, referrals, gift
cards, memberships) moves to the customer that is kept; the other is archived and marked as
merged, and the audit log records both as they were. The ledger moves through new transfer
entries, never edits.
"""

from __future__ import annotations

from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from relapp.domain.changes import Change
from relapp.domain.contacts.merge import MergePreview, merge_contacts, merge_preview
from relapp.errors import RelappError

FIELD_TITLES = {
    "kind": "Kind",
    "given_name": "Given name",
    "family_name": "Family name",
    "organisation": "Organisation",
    "email": "Email",
    "phone": "Phone",
    "street": "Street",
    "locality": "Town or suburb",
    "region": "State or region",
    "postcode": "Postcode",
    "country": "Country",
    "birthday": "Birthday",
    "card_number": "Card number",
    "ladder_stage": "Ladder stage",
    "referred_by": "Referred by",
    "source": "Source",
    "notes": "Notes",
}
_SHORTEN_AT = 60


def _plain(text: str, object_name: str = "") -> QLabel:
    label = QLabel(text, objectName=object_name, wordWrap=True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


class MergeDialog(QDialog):
    def __init__(self, first_id: int, second_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Merge two customers"))
        self.setMinimumSize(680, 520)
        self.change: Change | None = None
        self.choice_groups: dict[str, QButtonGroup] = {}

        self.keep_first = QRadioButton()
        self.keep_second = QRadioButton()
        self.keep_first.setChecked(True)
        keep = QButtonGroup(self)
        keep.addButton(self.keep_first)
        keep.addButton(self.keep_second)
        self.keep_first.toggled.connect(lambda _checked: self._load())
        self.ids = (first_id, second_id)

        intro = _plain(
            self.tr(
                "Choose which customer to keep and, where they differ, which value each field "
                "keeps. Everything else moves to the kept customer: history, tasks, tags, "
                "preferences, consent records, points, referrals, gift cards, memberships, "
                "vouchers, survey answers, competition entries and a partner's link. "
                "The other is archived and marked as merged; the audit log records both as "
                "they were."
            )
        )
        keep_row = QHBoxLayout()
        keep_row.addWidget(QLabel(self.tr("Keep:")))
        keep_row.addWidget(self.keep_first)
        keep_row.addWidget(self.keep_second)
        keep_row.addStretch(1)

        self.fields_widget = QWidget()
        self.fields_grid = QGridLayout(self.fields_widget)
        scroll = QScrollArea(widgetResizable=True)
        scroll.setWidget(self.fields_widget)
        self.moves = _plain("", "mergeMoves")

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.merge_button = QPushButton(self.tr("&Merge"))
        self.merge_button.setDefault(True)
        buttons.addButton(self.merge_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.merge_button.clicked.connect(self.merge)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(keep_row)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.moves)
        layout.addWidget(buttons)
        self.preview: MergePreview | None = None
        self._load()

    def survivor_and_other(self) -> tuple[int, int]:
        first, second = self.ids
        return (first, second) if self.keep_first.isChecked() else (second, first)

    def _load(self) -> None:
        survivor, other = self.survivor_and_other()
        self.preview = preview = merge_preview(survivor, other)
        first_name, second_name = (
            (preview.survivor_name, preview.other_name)
            if survivor == self.ids[0]
            else (preview.other_name, preview.survivor_name)
        )
        self.keep_first.setText(_button_text(f"{first_name} (#{self.ids[0]})"))
        self.keep_second.setText(_button_text(f"{second_name} (#{self.ids[1]})"))
        self._fill_fields(preview)
        self._describe_moves(preview)

    def _fill_fields(self, preview: MergePreview) -> None:
        while self.fields_grid.count():
            item = self.fields_grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.choice_groups.clear()
        header = (self.tr("Field"), self.tr("Kept customer"), self.tr("Merged customer"))
        for column, title in enumerate(header):
            self.fields_grid.addWidget(_plain(title, "mergeHeader"), 0, column)
        row = 1
        same: list[str] = []
        for field in preview.fields:
            title = self.tr(FIELD_TITLES.get(field.name, field.name))
            if not field.differs:
                if field.survivor:
                    same.append(title)
                continue
            group = QButtonGroup(self)
            self.fields_grid.addWidget(_plain(title), row, 0)
            for column, (choice, value) in enumerate(
                (("survivor", field.survivor), ("other", field.other)), start=1
            ):
                button = QRadioButton(_button_text(_shortened(value)) or self.tr("(empty)"))
                button.setToolTip(value)
                button.setChecked(choice == field.default)
                group.addButton(button)
                button.setProperty("choice", choice)
                self.fields_grid.addWidget(button, row, column)
            if "both" in field.choices:
                both = QRadioButton(self.tr("Keep both"))
                both.setProperty("choice", "both")
                both.setChecked(field.default == "both")
                group.addButton(both)
                self.fields_grid.addWidget(both, row, 3)
            self.choice_groups[field.name] = group
            row += 1
        if same:
            note = self.tr("Same in both: {fields}.").format(fields=", ".join(same))
            self.fields_grid.addWidget(_plain(note, "mergeSame"), row, 0, 1, 3)
            row += 1
        self.fields_grid.setRowStretch(row, 1)
        self.fields_grid.setColumnStretch(1, 1)
        self.fields_grid.setColumnStretch(2, 1)

    def _describe_moves(self, preview: MergePreview) -> None:
        locale = QLocale()
        moves = preview.moves
        parts = [
            (moves.interactions, self.tr("history entry"), self.tr("history entries")),
            (moves.tasks, self.tr("task"), self.tr("tasks")),
            (moves.tags, self.tr("tag"), self.tr("tags")),
            (moves.preferences, self.tr("preference"), self.tr("preferences")),
            (moves.consent_events, self.tr("consent record"), self.tr("consent records")),
            (moves.social_handles, self.tr("social handle"), self.tr("social handles")),
            (moves.points, self.tr("point"), self.tr("points")),
            (moves.referrals, self.tr("referral"), self.tr("referrals")),
            (moves.gift_cards, self.tr("gift card"), self.tr("gift cards")),
            (moves.memberships, self.tr("membership"), self.tr("memberships")),
            (moves.vouchers, self.tr("voucher"), self.tr("vouchers")),
            (moves.survey_responses, self.tr("survey answer"), self.tr("survey answers")),
            (moves.competition_entries, self.tr("competition entry"),
             self.tr("competition entries")),
            (moves.referral_partner, self.tr("referral partner"), self.tr("referral partners")),
            (moves.partner_link, self.tr("partner's link"), self.tr("partners' links")),
        ]  # fmt: skip
        listed = ", ".join(
            f"{locale.toString(count)} {one if count == 1 else many}"
            for count, one, many in parts
            if count
        )
        self.moves.setText(
            self.tr("Moves to the kept customer: {moves}.").format(moves=listed)
            if listed
            else self.tr("The merged customer has no history, points or tags to move.")
        )

    def choices(self) -> dict[str, str]:
        chosen = {}
        for name, group in self.choice_groups.items():
            button = group.checkedButton()
            if button is not None:
                chosen[name] = button.property("choice")
        return chosen

    def merge(self) -> None:
        survivor, other = self.survivor_and_other()
        try:
            self.change = merge_contacts(survivor, other, self.choices())
        except RelappError as error:
            QMessageBox.warning(self, self.tr("Merge"), str(error))
            return
        self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None, first_id: int, second_id: int) -> Change | None:
        """What the merge changed, or None if cancelled or refused."""
        try:
            dialog = cls(first_id, second_id, parent)
        except RelappError as error:
            QMessageBox.warning(parent, "Relapp", str(error))
            return None
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.change


def _shortened(value: str) -> str:
    line = " ".join(value.split())
    return line if len(line) <= _SHORTEN_AT else line[: _SHORTEN_AT - 1] + "…"


def _button_text(text: str) -> str:
    """User text on a button: & would otherwise mark a keyboard shortcut and vanish."""
    return text.replace("&", "&&")
