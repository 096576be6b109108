"""Item models and delegates of the contact editor: preference and handle rows, referrers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import QComboBox, QLineEdit, QStyledItemDelegate, QWidget

from relapp.domain.contacts.editing import MAX_NETWORK_LENGTH, Pair, referral_candidates

ID_ROLE = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex


class PairsModel(QAbstractTableModel):
    """Editable rows of two texts: preferences (kind, value) or social handles (network, handle).

    labels shows a first-column code in words ("like" as "Like"); other codes show as stored.
    """

    def __init__(
        self, headers: tuple[str, str], labels: dict[str, str] | None = None, parent=None
    ) -> None:
        super().__init__(parent)
        self._headers = headers
        self._labels = labels or {}
        self._rows: list[list[str]] = []

    def pairs(self) -> tuple[Pair, ...]:
        return tuple((first, second) for first, second in self._rows)

    def set_pairs(self, pairs: Iterable[Pair]) -> None:
        self.beginResetModel()
        self._rows = [[first, second] for first, second in pairs]
        self.endResetModel()

    def add_row(self, first: str) -> int:
        row = len(self._rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.append([first, ""])
        self.endInsertRows()
        return row

    def remove_rows(self, rows: Iterable[int]) -> None:
        for row in sorted(set(rows), reverse=True):
            if 0 <= row < len(self._rows):
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row]
                self.endRemoveRows()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt signature)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt signature)
        return 0 if parent.isValid() else 2

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not self.checkIndex(index, QAbstractTableModel.CheckIndexOption.IndexIsValid):
            return None
        value = self._rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._labels.get(value, value) if index.column() == 0 else value
        if role == Qt.ItemDataRole.EditRole:
            return value
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not self.checkIndex(
            index, QAbstractTableModel.CheckIndexOption.IndexIsValid
        ):
            return False
        self._rows[index.row()][index.column()] = "" if value is None else str(value)
        self.dataChanged.emit(index, index)
        return True

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < 2
        ):
            return self._headers[section]
        return None


class ReferrerModel(QAbstractListModel):
    """Who may have referred the customer being edited: (id, name) matching what was typed."""

    def __init__(self, contact_id: int, parent=None) -> None:
        super().__init__(parent)
        self._contact_id = contact_id
        self._candidates: list[tuple[int, str]] = []
        self._ambiguous: set[str] = set()  # names shared by several candidates

    def search(self, text: str) -> None:
        self.beginResetModel()
        self._candidates = (
            referral_candidates(text, exclude_id=self._contact_id) if text.strip() else []
        )
        names = [name.casefold() for _, name in self._candidates]
        self._ambiguous = {name for name in names if names.count(name) > 1}
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt signature)
        return 0 if parent.isValid() else len(self._candidates)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not self.checkIndex(index, QAbstractListModel.CheckIndexOption.IndexIsValid):
            return None
        contact_id, name = self._candidates[index.row()]
        if role == Qt.ItemDataRole.DisplayRole and name.casefold() in self._ambiguous:
            return QCoreApplication.translate(
                "ContactEditorDialog", "{name} (customer no. {number})"
            ).format(name=name, number=contact_id)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return name
        if role == ID_ROLE:
            return contact_id
        return None


class ChoiceDelegate(QStyledItemDelegate):
    """A combo box for a code column: fixed choices, or (editable) suggestions to type over."""

    def __init__(self, choices: dict[str, str], editable: bool, parent=None) -> None:
        super().__init__(parent)
        self._choices = choices  # code -> shown
        self._editable = editable

    def createEditor(self, parent: QWidget, option, index: Index) -> QWidget:
        combo = QComboBox(parent, editable=self._editable)
        for code, shown in self._choices.items():
            combo.addItem(shown, code)
        if self._editable:
            combo.lineEdit().setMaxLength(MAX_NETWORK_LENGTH)
            combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        return combo

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        code = index.data(Qt.ItemDataRole.EditRole)
        position = editor.findData(code)
        if position >= 0:
            editor.setCurrentIndex(position)
        elif self._editable:
            editor.setEditText(code)

    def setModelData(self, editor: QWidget, model, index: Index) -> None:
        if self._editable:
            text = editor.currentText()
            codes = {shown: code for code, shown in self._choices.items()}
            model.setData(index, codes.get(text, text))
        else:
            model.setData(index, editor.currentData())


class LimitedTextDelegate(QStyledItemDelegate):
    """Plain cell editing, stopped at the length the domain accepts."""

    def __init__(self, limit: int, parent=None) -> None:
        super().__init__(parent)
        self._limit = limit

    def createEditor(self, parent: QWidget, option, index: Index) -> QWidget:
        editor = super().createEditor(parent, option, index)
        if isinstance(editor, QLineEdit):
            editor.setMaxLength(self._limit)
        return editor
