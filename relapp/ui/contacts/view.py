"""The Contacts view: every customer in one table, filtered, sorted, edited and tidied in bulk.

The table is a key-paged model (table_model.py), so a million customers open at once. Bulk
actions work on the selected rows; a selection of many rows is read back as ranges of the
sorted list, never one row at a time.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QLocale, QObject, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QMenu,
    QStackedWidget,
    QTableView,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from relapp.domain.changes import Change, Entity
from relapp.domain.contacts import bulk_actions
from relapp.domain.contacts.listing import (
    ContactFilter,
    contact_ids_page,
    delete_segment,
    filter_choices,
    save_segment,
    segment_filter,
)
from relapp.errors import RelappError
from relapp.ui.change_bus import ChangeBus
from relapp.ui.contacts import prompts
from relapp.ui.contacts.duplicates_dialog import DuplicatesDialog
from relapp.ui.contacts.editor_dialog import ContactEditorDialog
from relapp.ui.contacts.filter_bar import FilterBar
from relapp.ui.contacts.table_model import NAME, ContactsTableModel
from relapp.ui.counter.enrol_dialog import EnrolDialog
from relapp.ui.customer_actions import CustomerActions
from relapp.ui.icons import view_icon
from relapp.ui.operations import published, run_change, run_slow_change
from relapp.ui.staff.current_staff import CurrentStaff
from relapp.ui.widgets.empty_state import EmptyState
from relapp.ui.widgets.paged_table import configure_paged_table
from relapp.ui.widgets.stale_while_hidden import StaleWhileHidden

# Rough column widths in average characters; measuring contents would read every row.
_COLUMN_CHARS = (26, 19, 28, 14, 10, 8, 8, 11, 15, 30)


class ContactsView(QWidget):
    def __init__(
        self,
        change_bus: ChangeBus,
        actions: CustomerActions | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.change_bus = change_bus
        self.customer_actions = actions or CustomerActions(change_bus, CurrentStaff(self), self)
        # Read when first shown (counting a big shop is not start-up work), then at each
        # change while on screen, or when shown again after changes made while hidden.
        self.freshness = StaleWhileHidden(self, self.reload)

        self.filter_bar = FilterBar()
        self.filter_bar.filter_changed.connect(self.apply_filter)
        self.filter_bar.text.installEventFilter(self)  # Down goes on to the table

        self.model = ContactsTableModel(self)
        self.table = QTableView(objectName="contactsTable")
        self.table.setModel(self.model)
        configure_paged_table(
            self.table, _COLUMN_CHARS, QAbstractItemView.SelectionMode.ExtendedSelection
        )
        # The indicator first: enabling sorting then sorts as the list already is, so
        # nothing is read before the view is first shown (self.freshness).
        self.table.horizontalHeader().setSortIndicator(NAME, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        # Enter or a double click; a shortcut for Enter would also fire in the filter box.
        self.table.activated.connect(lambda _index: self.edit_current())
        self.table.selectionModel().selectionChanged.connect(self.update_status)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)

        self.toolbar = QToolBar(objectName="contactsToolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.actions_by_name: dict[str, QAction] = {}
        self._add_action("new", self.tr("New…"), self.new_contact, QKeySequence.StandardKey.New)
        self._add_action("edit", self.tr("Edit…"), self.edit_current)
        self.actions_by_name["edit"].setToolTip(self.tr("Edit the customer (Enter)"))
        self._add_action("history", self.tr("History…"), self.show_history, "Ctrl+H")
        # F5 as at the Counter and in Today; Ctrl+Shift+L, its key here before, still works.
        self._add_action("log", self.tr("Log contact…"), self.log_contact, "F5")
        self.actions_by_name["log"].setShortcuts([QKeySequence("F5"), QKeySequence("Ctrl+Shift+L")])
        self._add_action("dossier", self.tr("Dossier…"), self.print_dossier, "Ctrl+P")
        self._add_action("cards", self.tr("Print cards…"), self.print_cards, "Ctrl+Shift+P")
        self.toolbar.addSeparator()
        self._add_action("tag", self.tr("Tag…"), self.tag_selected, "Ctrl+T")
        self._add_action("untag", self.tr("Untag…"), self.untag_selected, "Ctrl+Shift+T")
        # Ctrl+L locks the window (Staff > Lock).
        self._add_action("stage", self.tr("Set stage…"), self.set_stage_of_selected,
                         "Ctrl+Shift+S")  # fmt: skip
        self._add_action("archive", self.tr("Archive"), self.archive_selected, "Delete")
        self._add_action("unarchive", self.tr("Unarchive"), self.unarchive_selected, "Ctrl+U")
        self.toolbar.addSeparator()
        self._add_action("import", self.tr("Import…"), self.import_customers)
        self._add_action("export", self.tr("Export…"), self.export_customers)
        # Used now and then: behind More, so the toolbar fits a 1200-pixel window.
        self._add_action("save_segment", self.tr("Save as segment…"), self.save_as_segment,
                         toolbar=False)  # fmt: skip
        self._add_action("delete_segment", self.tr("Delete segment"), self.delete_segment,
                         toolbar=False)  # fmt: skip
        self._add_action("duplicates", self.tr("Find duplicates…"), self.find_duplicates,
                         toolbar=False)  # fmt: skip
        self._add_action("export_personal", self.tr("Export personal data…"),
                         self.export_personal_data, toolbar=False)  # fmt: skip
        self._add_action("erase_personal", self.tr("Erase personal data…"),
                         self.erase_personal_data, toolbar=False)  # fmt: skip
        self.more_menu = QMenu(self)
        for name in ("save_segment", "delete_segment", "duplicates", "", "export_personal",
                     "erase_personal"):  # fmt: skip
            if name:
                self.more_menu.addAction(self.actions_by_name[name])
            else:
                self.more_menu.addSeparator()
        more = QToolButton(text=self.tr("More"), objectName="contactsMore")
        more.setMenu(self.more_menu)
        more.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.toolbar.addSeparator()
        self.toolbar.addWidget(more)

        self.status = QLabel(objectName="contactsStatus")
        self.empty = EmptyState(view_icon("contacts"), self.tr("No customers here"))
        self.empty.set_body("")
        self.body = QStackedWidget()
        self.body.addWidget(self.table)
        self.body.addWidget(self.empty)

        layout = QVBoxLayout(self)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.body, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        layout.addLayout(bottom)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Down in the filter box goes on to the table, as at the Counter.
        if (
            watched is self.filter_bar.text
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Down
            and self.body.currentWidget() is self.table
        ):
            self.table.setFocus(Qt.FocusReason.TabFocusReason)
            return True
        return super().eventFilter(watched, event)

    def _add_action(
        self,
        name: str,
        title: str,
        slot: Callable[[], None],
        shortcut: str | QKeySequence.StandardKey | None = None,
        toolbar: bool = True,
    ) -> None:
        action = QAction(title, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.setToolTip(f"{title.rstrip('…')} ({action.shortcut().toString()})")
        action.triggered.connect(slot)
        if toolbar:
            self.toolbar.addAction(action)
        self.addAction(action)
        self.actions_by_name[name] = action

    # -- loading ------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)  # self.freshness has read a stale list just before
        self.focus_first_field()

    def focus_first_field(self) -> None:
        """The filter box: what someone opening Contacts (Ctrl+2, Ctrl+F) types first.
        Down or Tab reaches the table."""
        self.filter_bar.text.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def reload(self) -> None:
        """Read the filter choices and the list afresh, from the first row (self.freshness
        calls it when the view is shown while stale)."""
        self.filter_bar.set_choices(filter_choices())
        self.apply_filter(self.filter_bar.current_filter())

    def apply_filter(self, contact_filter: ContactFilter) -> None:
        try:
            self.model.set_filter(contact_filter)
        except RelappError as error:  # a damaged saved segment
            prompts.tell_problem(self, str(error))
            self.filter_bar.choose_segment("")
            return
        if self.model.rowCount():
            self.table.setCurrentIndex(self.model.index(0, NAME))
        self.body.setCurrentWidget(self.table if self.model.rowCount() else self.empty)
        self._explain_empty()
        self.update_status()

    def on_change(self, change: Change) -> None:
        if change.entities & {Entity.CONTACTS, Entity.TAGS, Entity.SEGMENTS, Entity.POINTS}:
            self.freshness.changed(lambda: self._show_change(change))

    def _show_change(self, change: Change) -> None:
        """Read the list again on screen, keeping the place of the person using it."""
        if change.entities & {Entity.TAGS, Entity.SEGMENTS}:
            self.filter_bar.set_choices(filter_choices())
        current = self.table.currentIndex()
        kept = self.model.contact_id(current.row()) if current.isValid() else None
        self.model.reload()
        if self.model.rowCount():
            # The same customer stays selected if still listed nearby, else the same row.
            row = self.model.row_near(kept, current.row()) if kept is not None else None
            if row is None:
                row = min(max(current.row(), 0), self.model.rowCount() - 1)
            self.table.setCurrentIndex(self.model.index(row, max(current.column(), 0)))
        self.body.setCurrentWidget(self.table if self.model.rowCount() else self.empty)
        self._explain_empty()
        self.update_status()

    def _explain_empty(self) -> None:
        if self.filter_bar.is_filtering():
            self.empty.set_body(
                self.tr("No customer matches these filters. Change or clear them above.")
            )
        else:
            self.empty.set_body(
                self.tr(
                    "Customers you enrol at the counter or add here (Ctrl+N) are listed here, "
                    "with their tags, ladder stage, tier and points."
                )
            )

    def update_status(self) -> None:
        locale = QLocale()
        count = self.model.rowCount()
        text = self.tr("{count} customers").format(count=locale.toString(count))
        selected = self.selected_row_count()
        if selected > 1:
            text += self.tr(" · {selected} selected").format(selected=locale.toString(selected))
        self.status.setText(text)
        has_rows = bool(count)
        for name in ("edit", "history", "log", "dossier", "cards", "tag", "untag", "stage",
                     "archive", "unarchive", "export_personal", "erase_personal"):  # fmt: skip
            self.actions_by_name[name].setEnabled(has_rows)
        self.actions_by_name["delete_segment"].setEnabled(
            self.filter_bar.current_segment() is not None
        )

    # -- selection ----------------------------------------------------------------------------

    def selected_row_count(self) -> int:
        return sum(selection.height() for selection in self.table.selectionModel().selection())

    def selected_ids(self) -> list[int]:
        """The selected contacts, read by range of the sorted list (fast for 100,000 rows)."""
        ids: list[int] = []
        ranges = sorted(
            (selection.top(), selection.bottom())
            for selection in self.table.selectionModel().selection()
        )
        for top, bottom in ranges:
            ids += contact_ids_page(self.model.query, top, bottom - top + 1)
        if not ids and self.table.currentIndex().isValid():
            contact_id = self.model.contact_id(self.table.currentIndex().row())
            ids = [contact_id] if contact_id else []
        return list(dict.fromkeys(ids))

    def select_all(self) -> None:
        self.table.selectAll()

    # -- actions ------------------------------------------------------------------------------

    def new_contact(self) -> None:
        outcome = EnrolDialog.ask(self, prefill=self.filter_bar.text.text())
        if outcome is not None:
            published(self.change_bus, outcome)

    def current_contact_id(self) -> int | None:
        index = self.table.currentIndex()
        return self.model.contact_id(index.row()) if index.isValid() else None

    def edit_current(self) -> None:
        contact_id = self.current_contact_id()
        if contact_id is None:
            return
        change = ContactEditorDialog.ask(self, contact_id)
        if change is not None:
            published(self.change_bus, change)

    def show_history(self) -> None:
        contact_id = self.current_contact_id()
        if contact_id is not None:
            self.customer_actions.show_history(self, contact_id)

    def log_contact(self) -> None:
        contact_id = self.current_contact_id()
        if contact_id is not None:
            self.customer_actions.log_contact(self, contact_id)

    def print_dossier(self) -> None:
        contact_id = self.current_contact_id()
        if contact_id is not None:
            self.customer_actions.print_dossier(self, contact_id)

    def print_cards(self) -> None:
        ids = self.selected_ids()
        if ids:
            self.customer_actions.print_cards(self, ids)

    def tag_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        tag = prompts.ask_tag(
            self,
            self.tr("Tag customers"),
            self.tr("Add this tag to {count} customers:").format(count=len(ids)),
            filter_choices().tags,
        )
        if tag:
            self._run_bulk(lambda: bulk_actions.tag_contacts(ids, tag))

    def untag_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        tag = prompts.ask_tag(
            self,
            self.tr("Untag customers"),
            self.tr("Remove this tag from {count} customers:").format(count=len(ids)),
            filter_choices().tags,
        )
        if tag:
            self._run_bulk(lambda: bulk_actions.untag_contacts(ids, tag))

    def set_stage_of_selected(self) -> None:
        ids = self.selected_ids()
        stage = prompts.ask_stage(self, len(ids)) if ids else None
        if stage:
            self._run_bulk(lambda: bulk_actions.set_ladder_stage(ids, stage))

    def archive_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        sure = prompts.confirm(
            self,
            self.tr("Archive customers"),
            self.tr(
                "Archive {count} customers? They leave the counter search and this list, and "
                "keep all their history and points. Show “Archived” to find them again and "
                "unarchive them."
            ).format(count=QLocale().toString(len(ids))),
            self.tr("Archive"),
        )
        if sure:
            self._run_bulk(lambda: bulk_actions.archive_contacts(ids))

    def unarchive_selected(self) -> None:
        ids = self.selected_ids()
        if ids:
            self._run_bulk(lambda: bulk_actions.unarchive_contacts(ids))

    def _run_bulk(self, action: Callable[[], bulk_actions.BulkResult]) -> None:
        # A hundred thousand contacts take a second or two: off the window's thread, behind a
        # progress dialog that shows only if it takes more than a moment. Not cancellable:
        # each action is one transaction.
        def work(_report: object, _should_stop: object) -> bulk_actions.BulkResult:
            try:
                return action()
            except ValueError as error:  # a tag name refused: told like any refusal
                raise RelappError(str(error)) from error

        result = run_slow_change(
            self, self.change_bus, self.tr("Updating the customers…"), work, (),
            cancellable=False,
        )  # fmt: skip
        if not isinstance(result, bulk_actions.BulkResult):
            return
        self.status.setText(
            self.status.text()
            + self.tr(" · {changed} changed").format(changed=QLocale().toString(result.changed))
        )

    def save_as_segment(self) -> None:
        name = prompts.ask_segment_name(self, self.filter_bar.current_segment() or "")
        if not name:
            return
        contact_filter = self.filter_bar.current_filter()
        segment = contact_filter.segment

        def save() -> Change:
            wanted = contact_filter
            if segment is not None:
                # Saving on top of a segment keeps its conditions together with the new ones.
                wanted = _combined(segment_filter(segment), contact_filter)
            return save_segment(name, wanted)

        change = run_change(self, self.change_bus, save, refusals=(RelappError, ValueError))
        if change is None:
            return
        self.filter_bar.clear()
        self.filter_bar.choose_segment(name)

    def delete_segment(self) -> None:
        name = self.filter_bar.current_segment()
        if name is None:
            return
        sure = prompts.confirm(
            self,
            self.tr("Delete segment"),
            self.tr(
                "Delete the saved segment “{name}”? Its customers are not touched; only the "
                "saved filter goes."
            ).format(name=name),
            self.tr("Delete segment"),
        )
        if sure:
            self.filter_bar.choose_segment("")
            run_change(self, self.change_bus, lambda: delete_segment(name))

    def find_duplicates(self) -> None:
        change = DuplicatesDialog.ask(self)
        if change is not None:
            published(self.change_bus, change)

    def import_customers(self) -> None:
        from relapp.ui.contacts.import_dialog import ImportDialog

        ImportDialog.ask(self, self.change_bus, self.customer_actions.current_staff.staff_id)

    def export_customers(self) -> None:
        from relapp.ui.contacts.export_dialog import ExportDialog

        ExportDialog(self.filter_bar.current_filter(), self).exec()

    def export_personal_data(self) -> None:
        from relapp.ui.contacts import privacy_actions

        contact_id = self.current_contact_id()
        if contact_id is not None:
            privacy_actions.export_personal_data(
                self, contact_id, self.customer_actions.current_staff
            )

    def erase_personal_data(self) -> None:
        from relapp.ui.contacts import privacy_actions

        contact_id = self.current_contact_id()
        if contact_id is not None:
            privacy_actions.erase_personal_data(
                self, contact_id, self.customer_actions.current_staff, self.change_bus
            )

    def _context_menu(self, position) -> None:
        menu = QMenu(self)
        for name in ("edit", "history", "log", "dossier", "cards", "tag", "untag", "stage",
                     "archive", "unarchive"):  # fmt: skip
            menu.addAction(self.actions_by_name[name])
        menu.addSeparator()
        for name in ("export_personal", "erase_personal"):
            menu.addAction(self.actions_by_name[name])
        menu.exec(self.table.viewport().mapToGlobal(position))


def _combined(saved: ContactFilter, extra: ContactFilter) -> ContactFilter:
    """A segment's conditions plus those chosen on top of it."""
    return ContactFilter(
        text=" ".join(part for part in (saved.text, extra.text) if part.strip()),
        tags=tuple(dict.fromkeys(saved.tags + extra.tags)),
        stages=_both(saved.stages, extra.stages),
        tiers=_both(saved.tiers, extra.tiers),
        consent=extra.consent or saved.consent,
        archived=extra.archived if extra.archived != "active" else saved.archived,
    )


def _both(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...]:
    """Values allowed by both conditions (an empty condition allows any)."""
    if first and second:
        common = tuple(value for value in first if value in second)
        if not common:
            raise ValueError(
                "The segment and the filters chosen on top of it exclude each other: "
                "nobody could ever be in it."
            )
        return common
    return first or second
