"""The audit log: who did what and when, newest first, filtered by action, staff and text.

The table model holds pages of rows (relapp.domain.shop.audit.AuditRow) and loads only those in
view, so a log of a million rows opens at once. A listing is pinned to the newest row when it
was (re)loaded; Refresh picks up what was written since.
"""

from __future__ import annotations

import json

import shiboken6
from PySide6.QtCore import (
    QAbstractTableModel,
    QDateTime,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    QTimeZone,
)
from PySide6.QtGui import QFocusEvent, QKeySequence, QWheelEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from relapp.domain.shop.audit import (
    AuditFilter,
    AuditRow,
    audit_actions,
    audit_details,
    audit_page,
    count_audit,
    pinned,
)
from relapp.domain.shop.formats import shop_format
from relapp.domain.shop.staff import list_staff
from relapp.ui.widgets.key_paged import BlockCache
from relapp.ui.widgets.paged_table import configure_paged_table

BLOCK = 200  # rows read at once: a few screens
CACHED_BLOCKS = 50
TEXT_PAUSE_MS = 300
AUDIT_ID_ROLE = Qt.ItemDataRole.UserRole
COLUMNS = ("When", "Staff", "Action", "What", "Details")
WHEN, STAFF, ACTION, WHAT, DETAILS = range(len(COLUMNS))
_COLUMN_CHARS = (18, 16, 24, 14)
_Index = QModelIndex | QPersistentModelIndex


class AuditTableModel(QAbstractTableModel):
    """The filtered audit log, newest first, read in blocks of BLOCK rows.

    A block that follows one already read is fetched by key (ids below its last id), any other
    by position; see relapp.domain.shop.audit.audit_page.
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.filter = AuditFilter(newest_id=0)
        self._rows: BlockCache[AuditRow] = BlockCache(BLOCK, CACHED_BLOCKS, self._read_block)
        self.shop = shop_format()  # how times are written, read again with each filter

    def set_filter(self, audit_filter: AuditFilter) -> None:
        """List what audit_filter selects, as of now."""
        self.beginResetModel()
        self.shop = shop_format()
        self.filter = pinned(audit_filter)
        self._rows.reset(count_audit(self.filter))
        self.endResetModel()

    def reload(self) -> None:
        self.set_filter(self.filter)

    def audit_row(self, row: int) -> AuditRow | None:
        return self._rows.row(row)

    def _read_block(self, first: int, count: int, after: AuditRow | None) -> list[AuditRow]:
        if after is not None:  # the log is newest first: the rows after it have smaller ids
            return audit_page(self.filter, 0, count, before_id=after.id)
        return audit_page(self.filter, first, count, self._rows.row_count)

    # -- Qt model interface -------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._rows.row_count

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(COLUMNS)
        ):
            return self.tr(COLUMNS[section])
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        line = self.audit_row(index.row())
        if line is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(line, index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            if index.column() == WHEN:
                return _local_time(line, QLocale.FormatType.LongFormat)
            if index.column() == DETAILS and line.summary:
                return line.summary
            return None
        if role == AUDIT_ID_ROLE:
            return line.id
        return None

    def _text(self, line: AuditRow, column: int) -> str:
        if column == WHEN:
            return self.shop.moment(line.occurred_at)
        if column == STAFF:
            return line.staff_name or "—"
        if column == ACTION:
            return _sentence_case(line.action)
        if column == WHAT:
            return line.entity if line.entity_id is None else f"{line.entity} #{line.entity_id}"
        if column == DETAILS:
            return line.summary
        return ""


def _local_time(line: AuditRow, form: QLocale.FormatType) -> str:
    moment = line.occurred_at
    stamp = QDateTime(moment.date(), moment.time(), QTimeZone.utc()).toLocalTime()
    return QLocale().toString(stamp, form)


def _sentence_case(action: str) -> str:
    """ "staff PIN changed" as a table shows it: "Staff PIN changed"."""
    return action[:1].upper() + action[1:]


class ActionFilter(QComboBox):
    """ "All actions" and every action in the log, read when first needed.

    Listing the actions reads the whole log (a quarter of a second on a million rows), so the
    dialog opens without it and the list is filled when the combo is first used.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.addItem(self.tr("All actions"), None)
        self.loaded = False

    def ensure_loaded(self) -> None:
        if self.loaded:
            return
        self.loaded = True
        chosen = self.currentData()
        self.blockSignals(True)
        self._clear_actions()
        for action in audit_actions():
            self.addItem(_sentence_case(action), action)
        self.setCurrentIndex(max(0, self.findData(chosen)) if chosen is not None else 0)
        self.blockSignals(False)

    def forget(self) -> None:
        """Read the actions again when next used: new ones may have been recorded."""
        if not self.loaded:
            return
        chosen = self.currentData()
        self.blockSignals(True)
        self._clear_actions()
        if chosen is not None:  # still shown as the filter until the list is read again
            self.addItem(_sentence_case(chosen), chosen)
            self.setCurrentIndex(1)
        self.loaded = False
        self.blockSignals(False)

    def _clear_actions(self) -> None:
        while self.count() > 1:
            self.removeItem(self.count() - 1)

    def showPopup(self) -> None:
        self.ensure_loaded()
        super().showPopup()

    def focusInEvent(self, event: QFocusEvent) -> None:
        self.ensure_loaded()
        super().focusInEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        self.ensure_loaded()
        super().wheelEvent(event)


class AuditLogDialog(QDialog):
    """A window on the audit log; not modal, so the shop can go on while it is open."""

    _open: AuditLogDialog | None = None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Audit log"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(980, 620)

        self.action_filter = ActionFilter()
        self.action_filter.setToolTip(self.tr("Action"))
        self.staff_filter = QComboBox(toolTip=self.tr("Staff member"))
        self.staff_filter.addItem(self.tr("All staff"), None)
        for member in list_staff(include_inactive=True):
            title = (
                member.name
                if member.active
                else self.tr("{name} (deactivated)").format(name=member.name)
            )
            self.staff_filter.addItem(title, member.id)
        self.text_filter = QLineEdit(clearButtonEnabled=True)
        self.text_filter.setPlaceholderText(self.tr("Search actions, details and staff…"))
        self.text_timer = QTimer(self, singleShot=True, interval=TEXT_PAUSE_MS)
        self.text_timer.timeout.connect(self.apply_filter)
        self.text_filter.textEdited.connect(lambda _text: self.text_timer.start())
        self.text_filter.returnPressed.connect(self.apply_filter)
        self.action_filter.currentIndexChanged.connect(lambda _index: self.apply_filter())
        self.staff_filter.currentIndexChanged.connect(lambda _index: self.apply_filter())
        self.refresh_button = QPushButton(self.tr("&Refresh"), autoDefault=False)
        self.refresh_button.setShortcut(QKeySequence.StandardKey.Refresh)
        self.refresh_button.setToolTip(self.tr("Show what was recorded since this list was read"))
        self.refresh_button.clicked.connect(self.refresh)

        self.model = AuditTableModel(self)
        self.table = QTableView(objectName="auditTable")
        self.table.setModel(self.model)
        configure_paged_table(self.table, _COLUMN_CHARS)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self.show_details())

        self.details = QPlainTextEdit(readOnly=True, objectName="auditDetails")
        self.details.setPlaceholderText(self.tr("Choose a row to see everything it recorded."))
        self.count_label = QLabel()
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)

        filters = QHBoxLayout()
        filters.addWidget(self.text_filter, 2)
        filters.addWidget(self.action_filter, 1)
        filters.addWidget(self.staff_filter, 1)
        filters.addWidget(self.refresh_button)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label, 1)
        bottom.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)
        self.apply_filter()
        self.text_filter.setFocus()

    def current_filter(self) -> AuditFilter:
        return AuditFilter(
            action=self.action_filter.currentData(),
            staff_id=self.staff_filter.currentData(),
            text=self.text_filter.text().strip(),
        )

    def apply_filter(self) -> None:
        self.text_timer.stop()
        self.model.set_filter(self.current_filter())
        self._after_reload()

    def refresh(self) -> None:
        self.action_filter.forget()
        self.model.reload()
        self._after_reload()

    def _after_reload(self) -> None:
        count = self.model.rowCount()
        self.count_label.setText(
            self.tr("{count} entries").format(count=QLocale().toString(count))
            if count != 1
            else self.tr("1 entry")
        )
        if count:
            self.table.selectRow(0)
        self.show_details()

    def show_details(self) -> None:
        row = self.table.currentIndex().row()
        line = self.model.audit_row(row) if row >= 0 else None
        if line is None:
            self.details.clear()
            return
        details = audit_details(line.id) or {}
        self.details.setPlainText(json.dumps(details, indent=2, ensure_ascii=False))

    @classmethod
    def ask(cls, parent: QWidget | None = None) -> AuditLogDialog:
        """Show the audit log (one window at a time, raised if already open)."""
        dialog = cls._open
        if dialog is None or not shiboken6.isValid(dialog):
            dialog = cls._open = cls(parent)
            dialog.destroyed.connect(lambda _=None: setattr(cls, "_open", None))
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog
