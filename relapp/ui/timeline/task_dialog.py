"""A follow-up for a customer: what needs doing, by when, by whom; Enter saves.

The due moment is picked as a local day and time (tomorrow at 10:00 unless changed, with
buttons for the usual choices) and stored in UTC.
"""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QDate, QDateTime, QTime
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from relapp.domain import clock
from relapp.domain.shop.staff import list_staff
from relapp.domain.timeline.follow_ups import MAX_TASK_TITLE, AddedTask, add_task
from relapp.ui.timeline.log_dialog import plain_label, to_utc
from relapp.ui.widgets.field_problems import FieldProblems

DEFAULT_TIME = QTime(10, 0)


class TaskDialog(QDialog):
    def __init__(
        self,
        contact_id: int,
        contact_name: str,
        staff_id: int | None = None,
        interaction_id: int | None = None,
        about: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.contact_id = contact_id
        self.interaction_id = interaction_id
        self.added: AddedTask | None = None
        self.setWindowTitle(self.tr("New follow-up"))
        self.setMinimumWidth(440)

        header = QVBoxLayout()
        header.addWidget(plain_label(contact_name, "taskCustomer"))
        if about:
            header.addWidget(
                plain_label(self.tr("About: {about}").format(about=about), "taskAbout")
            )

        self.title = QLineEdit(objectName="taskTitle", maxLength=MAX_TASK_TITLE)
        self.title.setPlaceholderText(self.tr("e.g. Call back about the blue dress"))
        self.due_date = QDateEdit(objectName="taskDueDate", calendarPopup=True)
        self.due_time = QTimeEdit(DEFAULT_TIME, objectName="taskDueTime")
        self.staff = QComboBox(objectName="taskStaff")
        self.staff.addItem(self.tr("Anyone"), None)
        for member in list_staff():
            self.staff.addItem(member.name, member.id)
        self.staff.setCurrentIndex(max(0, self.staff.findData(staff_id)))

        due = QHBoxLayout()
        due.addWidget(self.due_date, 1)
        due.addWidget(self.due_time)
        for text, days in ((self.tr("T&oday"), 0), (self.tr("To&morrow"), 1),
                           (self.tr("Ne&xt week"), 7)):  # fmt: skip
            button = QPushButton(text)
            button.setAutoDefault(False)  # Enter saves, even with the focus on one of these
            button.clicked.connect(lambda _checked=False, days=days: self.set_due_in(days))
            due.addWidget(button)
        self.set_due_in(1)

        form = QFormLayout()
        form.addRow(self.tr("&What:"), self.title)
        due_label = QLabel(self.tr("&Due:"))
        due_label.setBuddy(self.due_date)  # a row holding a layout has no buddy of its own
        form.addRow(due_label, due)
        form.addRow(self.tr("&For:"), self.staff)
        # An interaction_id problem (an entry of another customer) has no field: only said.
        self.problems = FieldProblems({"title": self.title, "due_at": self.due_date})

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = QPushButton(self.tr("&Save"), objectName="taskSave")
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addLayout(form)
        layout.addWidget(self.problems)
        layout.addWidget(buttons)
        self.title.setFocus()

    def set_due_in(self, days: int) -> None:
        """Due this many days after today (the shop's local day)."""
        today: date = clock.utc_now().astimezone().date()
        self.due_date.setDate(QDate(today + timedelta(days=days)))

    def save(self) -> None:
        if self.added is not None:
            return  # saved already: a second Enter must not add it twice
        due = to_utc(QDateTime(self.due_date.date(), self.due_time.time()))
        self.added = self.problems.attempt(
            lambda: add_task(
                self.contact_id,
                self.title.text(),
                due,
                staff_id=self.staff.currentData(),
                interaction_id=self.interaction_id,
            )
        )
        if self.added is not None:
            self.accept()

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        contact_id: int,
        contact_name: str,
        staff_id: int | None,
        interaction_id: int | None = None,
        about: str = "",
    ) -> AddedTask | None:
        """The added follow-up, or None if cancelled."""
        dialog = cls(contact_id, contact_name, staff_id, interaction_id, about, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.added
