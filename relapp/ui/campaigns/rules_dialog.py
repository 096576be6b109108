"""The Automatic campaigns dialog: the rules (welcome, birthday, win-back, nearing a
reward, lapsed member) on the left, the selected one's editor on the right: on or off, the
channel, its number (what it means is said beside it), the message with merge fields and a
voucher.

Each rule keeps its edits while another is shown; OK saves every rule that was changed, all
of them or none: a refusal is one sentence under the editor, with the rule at fault shown.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from relapp.domain.campaigns.automatic import NUMBER_LIMITS, Rule, RuleRefused, rules, save_rules
from relapp.domain.changes import Change
from relapp.errors import RelappError
from relapp.ui.campaigns.campaign_fields import MergeFieldsButton, OfferFields, buddy_label
from relapp.ui.campaigns.texts import CHANNEL_TITLES, tr


class RuleEditor(QWidget):
    """One rule's fields, as saved (original) until edited."""

    edited = Signal()

    def __init__(self, rule: Rule, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.original = rule
        title = QLabel(tr(rule.text.title), objectName="editorName")
        what = QLabel(
            tr("Lists {what} in Today.").format(what=tr(rule.text.list_label)),
            objectName="settingsHint",
            wordWrap=True,
        )
        self.enabled = QCheckBox(tr("&Turn on"), objectName="ruleEnabled")
        self.enabled.setChecked(rule.enabled)
        self.channel = QComboBox(objectName="ruleChannel")
        for code, channel_title in CHANNEL_TITLES.items():
            self.channel.addItem(tr(channel_title), code)
        self.channel.setCurrentIndex(self.channel.findData(rule.channel))
        # The number inside its meaning: "birthday within [7] days".
        before, _, after = tr(rule.text.number_label).partition("{n}")
        lowest, highest = NUMBER_LIMITS[rule.rule]
        self.number = QSpinBox(objectName="ruleNumber", minimum=lowest, maximum=highest)
        self.number.setPrefix(before)
        self.number.setSuffix(after)
        self.number.setValue(rule.number)
        self.subject = QLineEdit(rule.subject, objectName="ruleSubject")
        self.subject.setPlaceholderText(tr("The email's subject; merge fields work here too"))
        self.message = QPlainTextEdit(objectName="ruleMessage")
        self.message.setPlainText(rule.template)
        self.message.setTabChangesFocus(True)  # Tab moves on, as in every other field
        self.message.setMinimumHeight(self.message.fontMetrics().lineSpacing() * 6 + 12)
        self.fields_button = MergeFieldsButton(self.message)
        self.offer = OfferFields(shared_code=False)
        self.offer.show_offer(rule.offer)
        self.offer.setToolTip(tr("Each customer on the list gets a code of their own"))

        message_box = QVBoxLayout()
        message_box.setSpacing(4)
        message_box.addWidget(self.message, 1)
        under_message = QHBoxLayout()
        under_message.addWidget(self.fields_button)
        under_message.addStretch(1)
        message_box.addLayout(under_message)
        number_row = QHBoxLayout()
        number_row.addWidget(self.number)
        number_row.addStretch(1)
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("", self.enabled)
        form.addRow(tr("&Channel:"), self.channel)
        form.addRow(buddy_label(tr("&Who is listed:"), self.number), number_row)
        form.addRow(tr("S&ubject:"), self.subject)
        form.addRow(buddy_label(tr("&Message:"), self.message), message_box)
        form.addRow(buddy_label(tr("&Voucher:"), self.offer.kind), self.offer)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(title)
        layout.addWidget(what)
        layout.addSpacing(4)
        layout.addLayout(form, 1)

        self.channel.currentIndexChanged.connect(self._channel_chosen)
        self._channel_chosen()
        for signal in (self.enabled.toggled, self.channel.currentIndexChanged,
                       self.number.valueChanged, self.subject.textChanged,
                       self.message.textChanged, self.offer.edited):  # fmt: skip
            signal.connect(self.edited)

    def _channel_chosen(self) -> None:
        self.subject.setEnabled(self.channel.currentData() == "email")

    def rule(self) -> Rule:
        """The rule as edited; raises RelappError (one sentence) for a voucher amount that
        is not one."""
        return Rule(
            self.original.rule, self.enabled.isChecked(), str(self.channel.currentData()),
            self.message.toPlainText(), self.number.value(), self.subject.text(),
            self.offer.offer(),
        )  # fmt: skip


class AutomaticCampaignsDialog(QDialog):
    def __init__(self, staff_id: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.staff_id = staff_id  # a rule records no staff member (yet): kept for ask's callers
        self.change: Change | None = None
        self.setWindowTitle(self.tr("Automatic campaigns"))
        self.setMinimumWidth(820)

        intro = QLabel(
            self.tr(
                "Each rule that is on lists customers in Today every day. Nothing is sent "
                "until you approve a list there."
            ),
            objectName="settingsHint",
            wordWrap=True,
        )
        self.rule_list = QListWidget(objectName="ruleList")
        self.rule_list.setStyleSheet("QListWidget#ruleList::item { padding: 6px 8px; }")
        self.stack = QStackedWidget()
        self.editors: list[RuleEditor] = []
        for row, rule in enumerate(rules()):
            editor = RuleEditor(rule)
            editor.enabled.toggled.connect(lambda _on, row=row: self._show_state(row))
            editor.edited.connect(self.problem_gone)
            self.editors.append(editor)
            self.stack.addWidget(editor)
            self.rule_list.addItem("")
            self._show_state(row)
        self.rule_list.currentRowChanged.connect(self.stack.setCurrentIndex)
        width = max(self.rule_list.sizeHintForColumn(0), 120)
        self.rule_list.setFixedWidth(width + 2 * self.rule_list.frameWidth() + 24)
        self.rule_list.setCurrentRow(0)
        list_label = buddy_label(self.tr("&Rules"), self.rule_list)
        list_label.setObjectName("detailTitle")

        self.problem = QLabel(objectName="fieldProblems", wordWrap=True)
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setDefault(True)
        self.ok_button.setToolTip(self.tr("Save the rules you changed (Enter, or Ctrl+S)"))
        self.ok_button.clicked.connect(self.save)
        buttons.rejected.connect(self.reject)
        # Enter makes a new line in the message; Ctrl+S (or Ctrl+Enter) saves from there too.
        for keys in ("Ctrl+S", "Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, activated=self.save)

        left = QVBoxLayout()
        left.addWidget(list_label)
        left.addWidget(self.rule_list, 1)
        middle = QHBoxLayout()
        middle.setSpacing(16)
        middle.addLayout(left)
        middle.addWidget(self.stack, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addSpacing(6)
        layout.addLayout(middle, 1)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.rule_list.setFocus()

    def _show_state(self, row: int) -> None:
        """The rule's line in the list: its title and whether it is on."""
        editor = self.editors[row]
        state = self.tr("on") if editor.enabled.isChecked() else self.tr("off")
        self.rule_list.item(row).setText(f"{tr(editor.original.text.title)} — {state}")

    def current_editor(self) -> RuleEditor:
        return self.editors[self.stack.currentIndex()]

    def problem_gone(self) -> None:
        self.problem.hide()  # an earlier refusal may no longer hold

    def _refused(self, row: int | None, sentence: str) -> None:
        if row is not None:
            self.rule_list.setCurrentRow(row)
        self.problem.setText(sentence)
        self.problem.show()

    # -- saving ---------------------------------------------------------------------------------

    def save(self) -> None:
        """Save every rule that was changed, all or none; on a refusal show why (one
        sentence) and the rule at fault, and stay open."""
        if self.change is not None:
            return  # saved already: a second Enter must not try again
        changed: list[tuple[int, Rule]] = []
        for row, editor in enumerate(self.editors):
            try:
                rule = editor.rule()
            except RelappError as error:  # a voucher amount that is not one
                self._refused(row, str(error))
                return
            if rule != editor.original:
                changed.append((row, rule))
        if not changed:
            self.change = Change.of()
            self.accept()
            return
        try:
            self.change = save_rules([rule for _row, rule in changed])
        except RuleRefused as refused:
            rows = [row for row, rule in changed if rule.rule == refused.rule]
            self._refused(rows[0] if rows else None, str(refused))
            return
        except RelappError as error:  # a busy shop: no rule's fault
            self._refused(None, str(error))
            return
        self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None, staff_id: int | None) -> Change | None:
        """What saving the rules changed, or None if cancelled (or nothing was changed)."""
        dialog = cls(staff_id, parent)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted or dialog.change is None:
                return None
            return dialog.change if dialog.change.entities else None
        finally:
            dialog.deleteLater()
