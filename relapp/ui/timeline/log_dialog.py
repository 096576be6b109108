"""Quick log: a call, message, visit, query... in a few keystrokes; Enter logs it.

The fields follow the kind: only a call, email or message (and a query, complaint or feedback)
says whether it came in or went out, only a social entry names its network, only feedback has
a score. Before the shop reaches out to a customer it has already contacted as often as the
shop allows, the dialog says so, and the first Enter only turns the button into "Log anyway".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QDateTime, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from relapp.db.fields import parse_timestamp
from relapp.domain import clock
from relapp.domain.contacts.rhythm import OUTBOUND_KINDS, ContactPressure, would_exceed_cap
from relapp.domain.shop.money import format_amount, parse_amount
from relapp.domain.terms import (
    ALWAYS_OUTBOUND_KINDS,
    DEFAULT_DIRECTIONS,
    DIRECTION_NAMES,
    DIRECTION_REQUIRED_KINDS,
    INTERACTION_KINDS,
    NETWORK_KINDS,
    RECORDED_BY_SALES_KINDS,
    SCORED_KINDS,
    SUMMARY_HINTS,
)
from relapp.domain.timeline.history import (
    FUTURE_SLACK,
    MAX_SUMMARY_LENGTH,
    InvalidEntry,
    LoggedInteraction,
    log_interaction,
)
from relapp.ui.timeline.kind_style import SOCIAL_NETWORKS, kind_icon, kind_name
from relapp.ui.widgets.field_problems import FieldProblems

# The kinds that offer a direction, and the one chosen at first (relapp.domain.terms' rules;
# the domain checks them again): a call goes out unless said otherwise, a complaint comes in.
ALWAYS_OUTBOUND = ALWAYS_OUTBOUND_KINDS  # no choice to offer
DIRECTION_KINDS = {
    **dict.fromkeys(sorted(DIRECTION_REQUIRED_KINDS), "outbound"),
    **{kind: way for kind, way in DEFAULT_DIRECTIONS.items() if kind not in ALWAYS_OUTBOUND},
}
LOGGABLE_KINDS = tuple(kind for kind in INTERACTION_KINDS if kind not in RECORDED_BY_SALES_KINDS)
DEFAULT_KIND = "call"
NO_SCORE = -1  # the score spin box's "not given" value, shown as a dash


def plain_label(text: str = "", object_name: str = "") -> QLabel:
    """A label that never reads its text as rich text (names like "Ann <b>" show as typed)."""
    label = QLabel(text, objectName=object_name, wordWrap=True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def to_local(moment: datetime) -> QDateTime:
    return QDateTime.fromSecsSinceEpoch(int(moment.timestamp()))


def to_utc(moment: QDateTime) -> datetime:
    return datetime.fromtimestamp(moment.toSecsSinceEpoch(), UTC)


class EntryFields(QWidget):
    """The fields of one history entry, showing only the rows its kind has.

    Shared by the quick log and the edit dialog. values() gives the entry as
    timeline.log_interaction takes it (keyword arguments but the kind); field_widgets maps
    the domain's problem keys to the widgets to outline.

    Signals:
        outbound_changed(): the kind or the direction changed, so whether this is the shop
            reaching out may have too.
    """

    outbound_changed = Signal()

    def __init__(
        self, kinds: Sequence[str], kind: str, hint: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.kind_picker = QComboBox(objectName="logKind")
        for each in kinds:
            self.kind_picker.addItem(kind_icon(each), kind_name(each), each)
        self.kind_picker.setCurrentIndex(max(0, self.kind_picker.findData(kind)))
        self.hint = plain_label(hint, "logKindHint")
        self.direction = QComboBox(objectName="logDirection")
        for direction, name in DIRECTION_NAMES.items():
            self.direction.addItem(self.tr(name), direction)
        self.network = QComboBox(objectName="logNetwork", editable=True)
        self.network.addItems(SOCIAL_NETWORKS)
        self.network.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.network.setCurrentIndex(-1)
        self.network.lineEdit().setPlaceholderText(self.tr("Instagram, Facebook..."))
        self.score = QSpinBox(objectName="logScore", minimum=NO_SCORE, maximum=10)
        self.score.setSpecialValueText("—")
        self.score.setValue(NO_SCORE)
        self.summary = QLineEdit(objectName="logSummary", maxLength=MAX_SUMMARY_LENGTH)
        self.details = QPlainTextEdit(objectName="logDetails")
        self.details.setTabChangesFocus(True)  # Tab moves on, as in every other field
        self.details.setPlaceholderText(self.tr("Optional; Ctrl+Enter logs"))
        self.details.setFixedHeight(self.details.fontMetrics().lineSpacing() * 5)
        self.amount = QLineEdit(objectName="logAmount", maxLength=20)
        self.amount.setPlaceholderText(self.tr("Optional"))
        self._stored_amount: tuple[str, int | None] | None = None  # see load()
        now = clock.utc_now()
        self.when = QDateTimeEdit(to_local(now), objectName="logWhen", calendarPopup=True)
        self.when.setMaximumDateTime(to_local(now + FUTURE_SLACK))

        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.addRow(self.tr("&Kind:"), self.kind_picker)
        self.form.addRow("", self.hint)
        self.form.addRow(self.tr("&Direction:"), self.direction)
        self.form.addRow(self.tr("&Network:"), self.network)
        self.form.addRow(self.tr("S&core (0–10):"), self.score)
        self.form.addRow(self.tr("&Summary:"), self.summary)
        self.form.addRow(self.tr("De&tails:"), self.details)
        self.form.addRow(self.tr("&Amount:"), self.amount)
        self.form.addRow(self.tr("&When:"), self.when)
        self.form.setRowVisible(self.hint, bool(hint))
        self.field_widgets: dict[str, QWidget] = {
            "kind": self.kind_picker,
            "direction": self.direction,
            "network": self.network,
            "feedback_score": self.score,
            "summary": self.summary,
            "details": self.details,
            "amount_cents": self.amount,
            "occurred_at": self.when,
        }

        self.kind_picker.currentIndexChanged.connect(lambda _index: self._kind_chosen())
        self.direction.currentIndexChanged.connect(lambda _index: self.outbound_changed.emit())
        self._kind_chosen()

    def kind(self) -> str:
        return self.kind_picker.currentData()

    def is_outbound(self) -> bool:
        """Whether this entry is the shop reaching out (what the frequency cap counts)."""
        return self.kind() in OUTBOUND_KINDS and self.direction_value() == "outbound"

    def direction_value(self) -> str | None:
        kind = self.kind()
        if kind in DIRECTION_KINDS:
            return self.direction.currentData()
        return "outbound" if kind in ALWAYS_OUTBOUND else None

    def _kind_chosen(self) -> None:
        kind = self.kind()
        if kind in DIRECTION_KINDS:
            self._set_direction(DIRECTION_KINDS[kind])
        self.form.setRowVisible(self.direction, kind in DIRECTION_KINDS)
        self.form.setRowVisible(self.network, kind in NETWORK_KINDS)
        self.form.setRowVisible(self.score, kind in SCORED_KINDS)
        self.summary.setPlaceholderText(self.tr(SUMMARY_HINTS.get(kind, "")))
        self.outbound_changed.emit()

    def _set_direction(self, direction: str | None) -> None:
        index = self.direction.findData(direction)
        if index >= 0:
            self.direction.setCurrentIndex(index)

    def load(self, entry: dict[str, Any]) -> None:
        """Show a stored entry (timeline.stored_entry); its kind must be among the kinds."""
        self.kind_picker.setCurrentIndex(self.kind_picker.findData(entry["kind"]))
        self._set_direction(entry["direction"])
        self.summary.setText(entry["summary"])
        self.details.setPlainText(entry["details"])
        self.network.setEditText(entry["network"])
        score = entry["feedback_score"]
        self.score.setValue(NO_SCORE if score is None else score)
        amount = entry["amount_cents"]
        self.amount.setText("" if amount is None else format_amount(amount))
        # Kept as stored while its text is: parse_amount refuses 0.00, which the shop may have.
        self._stored_amount = (self.amount.text(), amount)
        moment = parse_timestamp(entry["occurred_at"])
        # A stored time may be later than the maximum set for new entries (a clock that ran
        # ahead); widen it rather than silently change the time.
        if to_local(moment) > self.when.maximumDateTime():
            self.when.setMaximumDateTime(to_local(moment))
        self.when.setDateTime(to_local(moment))

    def values(self) -> dict[str, Any]:
        """The entry as typed, in log_interaction's keyword arguments (all but the kind).

        Raises:
            InvalidEntry: the amount is not one (the domain checks everything else).
        """
        kind = self.kind()
        score = self.score.value()
        return {
            "direction": self.direction_value(),
            "summary": self.summary.text(),
            "details": self.details.toPlainText(),
            "network": self.network.currentText() if kind in NETWORK_KINDS else "",
            "amount_cents": self._amount(),
            "feedback_score": score if kind in SCORED_KINDS and score != NO_SCORE else None,
            "occurred_at": to_utc(self.when.dateTime()),
        }

    def _amount(self) -> int | None:
        if self._stored_amount is not None and self.amount.text() == self._stored_amount[0]:
            return self._stored_amount[1]
        text = self.amount.text().strip()
        if not text:
            return None
        try:
            return parse_amount(text)
        except ValueError as error:
            raise InvalidEntry({"amount_cents": str(error)}) from None


class QuickLogDialog(QDialog):
    def __init__(
        self,
        contact_id: int,
        contact_name: str,
        staff_id: int | None = None,
        kind: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.contact_id = contact_id
        self.staff_id = staff_id
        self.logged: LoggedInteraction | None = None
        self.pressure: ContactPressure | None = None
        self._warned = False  # the cap warning was seen once: the next press logs anyway
        self.setWindowTitle(self.tr("Log contact"))
        self.setMinimumWidth(460)

        who = plain_label(contact_name, "logCustomer")
        self.fields = EntryFields(
            LOGGABLE_KINDS,
            kind if kind in LOGGABLE_KINDS else DEFAULT_KIND,
            self.tr("Purchases are recorded with Record sale (F2)."),
        )
        self.cap_warning = plain_label("", "capWarning")
        self.cap_warning.hide()
        self.problems = FieldProblems(self.fields.field_widgets)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.log_button = QPushButton(self.tr("&Log"), objectName="logButton")
        self.log_button.setToolTip(self.tr("Log (Enter, or Ctrl+Enter in Details)"))
        buttons.addButton(self.log_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.log_button.setDefault(True)
        self.log_button.clicked.connect(self.log)
        buttons.rejected.connect(self.reject)
        # Enter makes a new line in Details; Ctrl+Enter logs from there (and anywhere else).
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, activated=self.log)

        layout = QVBoxLayout(self)
        layout.addWidget(who)
        layout.addWidget(self.fields)
        layout.addWidget(self.cap_warning)
        layout.addWidget(self.problems)
        layout.addWidget(buttons)
        self.fields.outbound_changed.connect(self.check_cap)
        self.check_cap()
        self.fields.summary.setFocus()

    def check_cap(self) -> None:
        """Warn when this would be one outbound contact too many; a new choice is a new
        decision, so it also takes back an earlier "Log anyway"."""
        self.pressure = would_exceed_cap(self.contact_id) if self.fields.is_outbound() else None
        self._warned = False
        self.log_button.setText(self.tr("&Log"))
        if self.pressure is not None:
            self.cap_warning.setText(
                self.tr("Do not contact yet: {reason}.").format(reason=self.pressure.reason)
            )
        self.cap_warning.setVisible(self.pressure is not None)

    def log(self) -> None:
        if self.logged is not None:
            return  # logged already: a second Enter or click must not log it twice
        if self.pressure is not None and not self._warned:
            self._warned = True
            self.log_button.setText(self.tr("Log &anyway"))
            return
        # Refused: wrong fields, an archived or merged customer, an unknown staff member.
        self.logged = self.problems.attempt(
            lambda: log_interaction(
                self.contact_id, self.fields.kind(), staff_id=self.staff_id, **self.fields.values()
            )
        )
        if self.logged is not None:
            self.accept()

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        contact_id: int,
        contact_name: str,
        staff_id: int | None,
        kind: str | None = None,
    ) -> LoggedInteraction | None:
        """The logged entry, or None if cancelled."""
        dialog = cls(contact_id, contact_name, staff_id, kind, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.logged
