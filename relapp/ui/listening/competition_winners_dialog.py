"""A drawn competition's winners (Listening > Competitions > Winners…): who won, how to reach
them, and whether they were told; Mark told records that they were (Today lists them until
then). The draw's seed and whether running it again gives the same winners are said above.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from relapp.domain.listening.winners import Winner, mark_told, verify
from relapp.domain.shop.formats import shop_format
from relapp.ui.change_bus import ChangeBus
from relapp.ui.operations import run_change


class WinnersDialog(QDialog):
    def __init__(
        self, competition_id: int, change_bus: ChangeBus, staff_id: int | None,
        parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.competition_id = competition_id
        self.change_bus = change_bus
        self.staff_id = staff_id
        self.winners: list[Winner] = []
        self.setMinimumSize(620, 320)
        self.about = QLabel(objectName="settingsHint", wordWrap=True)
        self.about.setTextFormat(Qt.TextFormat.PlainText)
        self.about.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = QTableWidget(0, 4, objectName="winnersTable")
        self.table.setHorizontalHeaderLabels(
            [self.tr("Place"), self.tr("Winner"), self.tr("Reach them"), self.tr("Told")]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update)
        self.told_button = QPushButton(self.tr("Mark &told"), objectName="markTold")
        self.told_button.setToolTip(self.tr("You have told this winner of their prize"))
        self.told_button.clicked.connect(self.mark_told)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.told_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.about)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.reload()
        self.table.setFocus()

    def reload(self) -> None:
        checked = verify(self.competition_id)
        drawn = checked.draw
        shop = shop_format()
        self.setWindowTitle(self.tr("Winners: {name}").format(name=drawn.competition.name))
        again = (
            self.tr("Run again from its record, the draw gives the same winners.")
            if checked.matches
            else self.tr("Run again from its record, the draw gives OTHER winners: the record "
                         "was changed.")
        )  # fmt: skip
        self.about.setText(
            self.tr("Drawn {when} from {n} valid entries, seed {seed}. {again}").format(
                when=shop.moment(drawn.drawn_at.astimezone()), n=len(drawn.valid),
                seed=drawn.seed, again=again,
            )
        )  # fmt: skip
        kept = self.table.currentRow()
        self.winners = drawn.winners
        self.table.setRowCount(len(self.winners))
        for row, winner in enumerate(self.winners):
            told = shop.day(winner.told_at.astimezone()) if winner.told_at else self.tr("not yet")
            cells = (str(winner.position), winner.name or self.tr("(erased)"), winner.reach, told)
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        untold = [row for row, winner in enumerate(self.winners) if winner.told_at is None]
        if self.winners:
            self.table.selectRow(kept if kept >= 0 and kept in untold else (untold or [0])[0])
        self._update()

    def _current(self) -> Winner | None:
        row = self.table.currentRow()
        return self.winners[row] if 0 <= row < len(self.winners) else None

    def _update(self) -> None:
        winner = self._current()
        self.told_button.setEnabled(winner is not None and winner.told_at is None)

    def mark_told(self) -> None:
        winner = self._current()
        if winner is None or winner.told_at is not None:
            return
        position = winner.position
        run_change(self, self.change_bus,
                   lambda: mark_told(self.competition_id, position, self.staff_id))  # fmt: skip
        self.reload()

    @classmethod
    def show_for(
        cls, parent: QWidget, competition_id: int, change_bus: ChangeBus, staff_id: int | None
    ) -> None:
        dialog = cls(competition_id, change_bus, staff_id, parent)
        dialog.exec()
        dialog.deleteLater()
