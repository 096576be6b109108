"""Listening > Competitions: the shop's prize draws, each with its dates, whether it is open,
closed or drawn, its entries and its winners told; New (Ctrl+N), Edit (Enter), Type paper
entries… (Alt+P), Entry form PDF… (Alt+O), Draw… (Alt+D), Draw PDF… (Alt+W) and Winners…
(Alt+I). With no competition yet, a page saying what a fair prize draw is and how to start.

Setting one up and drawing are a manager's (the domain refuses anyone else; in a shop without
staff accounts anyone may, as elsewhere); typing entries and telling winners anyone's. The
draw asks first, with the number of valid entries, and then shows the winners.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QLocale, Qt
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from relapp.domain import clock
from relapp.domain.changes import Change, Entity
from relapp.domain.listening.competitions import (
    CLOSED,
    DRAWN,
    OPEN,
    UPCOMING,
    Listed,
    list_competitions,
    save_competition,
)
from relapp.domain.listening.winners import make_draw, preview, winners_of
from relapp.domain.memberships.status import shop_today
from relapp.domain.shop.formats import shop_format
from relapp.domain.shop.staff import has_staff
from relapp.errors import RelappError
from relapp.ui.change_bus import ChangeBus
from relapp.ui.icons import view_icon
from relapp.ui.listening.competition_dialog import CompetitionDialog
from relapp.ui.listening.competition_paper_dialog import PaperEntriesDialog, typed_routes
from relapp.ui.listening.competition_winners_dialog import WinnersDialog
from relapp.ui.loyalty.tables import cell, table
from relapp.ui.operations import published, run_change, tell_refusal
from relapp.ui.staff.current_staff import CurrentStaff
from relapp.ui.widgets.confirm import confirm_action
from relapp.ui.widgets.empty_state import EmptyState
from relapp.ui.widgets.stale_while_hidden import StaleWhileHidden

COLUMNS = ("Competition", "Dates", "State", "Entries", "Winners", "Ways to enter")
STATE_WORDS = {UPCOMING: "not open yet", OPEN: "open", CLOSED: "closed: ready to draw",
               DRAWN: "drawn"}  # fmt: skip
MANAGER_PERMISSION = "program_settings"  # the manager's own permission (shop.staff)
WATCHED = frozenset({Entity.COMPETITIONS, Entity.SETTINGS, Entity.SEGMENTS})
# What needs the owner first: a draw to make, then those running, to come, and done.
STATE_ORDER = {CLOSED: 0, OPEN: 1, UPCOMING: 2, DRAWN: 3}


def _listing_order(line: Listed, today: date) -> tuple[int, int]:
    """By state (STATE_ORDER), then the soonest end first, or the latest for drawn ones."""
    end = line.competition.ends_on.toordinal()
    state = line.state(today)
    return STATE_ORDER[state], -end if state == DRAWN else end


class CompetitionsPage(QWidget):
    def __init__(
        self,
        change_bus: ChangeBus,
        current_staff: CurrentStaff | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.change_bus = change_bus
        self.current_staff = current_staff
        self.lines: list[Listed] = []
        self.today = shop_today(clock.utc_now())
        self.freshness = StaleWhileHidden(self, self.reload)

        self.table = table([self.tr(title) for title in COLUMNS])
        self.table.setObjectName("competitionTable")
        self.table.itemActivated.connect(lambda _item: self.edit_competition())
        self.table.currentCellChanged.connect(lambda *_cells: self._show_current())
        self.details = QLabel(objectName="settingsHint", wordWrap=True)
        self.details.setTextFormat(Qt.TextFormat.PlainText)

        self.new_button = QPushButton(self.tr("New competition…"), objectName="newCompetition")
        self.new_button.setToolTip(self.tr("Set up a prize draw (Ctrl+N)"))
        self.new_button.clicked.connect(self.new_competition)
        # Ctrl+N while this page is on screen (a shortcut of a hidden widget does not fire).
        new_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.New), self)
        new_shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        new_shortcut.activated.connect(self.new_competition)
        self.edit_button = QPushButton(self.tr("&Edit…"), objectName="editCompetition")
        self.edit_button.setToolTip(self.tr("Change the dates, who may enter, the rules (Enter)"))
        self.edit_button.clicked.connect(self.edit_competition)
        self.paper_button = QPushButton(self.tr("Type &paper entries…"), objectName="paperEntries")
        self.paper_button.setToolTip(self.tr("Type in the entry forms handed in, one by one"))
        self.paper_button.clicked.connect(self.type_paper_entries)
        self.form_button = QPushButton(self.tr("Entry f&orm PDF…"), objectName="entryForm")
        self.form_button.setToolTip(self.tr("The paper entry form with the rules, to print"))
        self.form_button.clicked.connect(self.show_entry_form)
        self.draw_button = QPushButton(self.tr("&Draw…"), objectName="drawCompetition")
        self.draw_button.setToolTip(
            self.tr("Draw the winners at random from the valid entries, once the draw has closed")
        )
        self.draw_button.clicked.connect(self.draw)
        self.draw_pdf_button = QPushButton(self.tr("Dra&w PDF…"), objectName="drawPdf")
        self.draw_pdf_button.setToolTip(
            self.tr("The draw's record for your files: entries, seed, winners, how to check it")
        )
        self.draw_pdf_button.clicked.connect(self.show_draw_pdf)
        self.winners_button = QPushButton(self.tr("W&inners…"), objectName="competitionWinners")
        self.winners_button.setToolTip(self.tr("Who won, how to reach them; mark them told"))
        self.winners_button.clicked.connect(self.show_winners)
        buttons = QHBoxLayout()
        for button in (self.new_button, self.edit_button, self.paper_button, self.form_button,
                       self.draw_button, self.draw_pdf_button, self.winners_button):  # fmt: skip
            buttons.addWidget(button)
        buttons.addStretch(1)

        self.empty = EmptyState(view_icon("listening"), self.tr("No competition yet"))
        self.empty.set_body(
            self.tr(
                "Run a prize draw the fair way: choose the dates, who may enter and how (at the "
                "counter, on paper, with a purchase and always a free way), and print the rules "
                "on a paper entry form. After the last day, Draw picks the winners at random "
                "with a recorded seed, so anyone can check the result, and Today lists the "
                "winners until you have told them."
            )
        )
        self.empty.set_detail(self.tr("Press New competition (Ctrl+N) to set up the first one."))
        listing = QWidget()
        listing_layout = QVBoxLayout(listing)
        listing_layout.setContentsMargins(0, 0, 0, 0)
        listing_layout.addWidget(self.table, 1)
        listing_layout.addWidget(self.details)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(listing)
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack, 1)
        layout.addLayout(buttons)
        self._update_buttons()

    # -- reading ---------------------------------------------------------------------------------

    def reload(self, select: int | None = None) -> None:
        """Read the competitions again, keeping the one selected (or selecting `select`)."""
        kept = select if select is not None else self._current_id()
        self.today = shop_today(clock.utc_now())
        self.lines = sorted(list_competitions(), key=lambda line: _listing_order(line, self.today))
        locale, shop = QLocale(), shop_format()
        self.table.setRowCount(0)
        for row, line in enumerate(self.lines):
            competition = line.competition
            self.table.insertRow(row)
            state = line.state(self.today)
            cells = (
                cell(competition.name, competition.id),
                cell(f"{shop.day(competition.starts_on)} – {shop.day(competition.ends_on)}"),
                cell(self.tr(STATE_WORDS[state])),
                cell(locale.toString(line.entries), numeric=True),
                cell(self._winners_text(line)),
                cell(competition.routes_text),
            )
            for column, made in enumerate(cells):
                self.table.setItem(row, column, made)
        self.stack.setCurrentIndex(1 if self.lines else 0)
        ids = [line.competition.id for line in self.lines]
        if ids:
            self.table.selectRow(ids.index(kept) if kept in ids else 0)
        self._show_current()

    def _winners_text(self, line: Listed) -> str:
        if line.drawn_at is None:
            return self.tr("{n} to draw").format(n=line.competition.winners)
        winners = winners_of(line.competition.id)
        told = sum(1 for winner in winners if winner.told_at is not None)
        return self.tr("{drawn} drawn, {told} told").format(drawn=len(winners), told=told)

    def on_change(self, change: Change) -> None:
        if change.entities & WATCHED:
            self.freshness.changed()

    def showEvent(self, event: QShowEvent) -> None:
        # A new shop day opens, closes competitions: read again when shown on another day.
        if not self.freshness.stale and shop_today(clock.utc_now()) != self.today:
            self.freshness.read_now()
        super().showEvent(event)

    def focus_first_field(self) -> None:
        if self.lines:
            self.table.setFocus()
        else:
            self.new_button.setFocus()

    def current(self) -> Listed | None:
        row = self.table.currentRow()
        return self.lines[row] if 0 <= row < len(self.lines) else None

    def _current_id(self) -> int | None:
        line = self.current()
        return None if line is None else line.competition.id

    def _show_current(self) -> None:
        line = self.current()
        if line is None:
            self.details.setText("")
        else:
            competition = line.competition
            parts = [
                competition.eligibility_text,
                self.tr("at most {n} per person").format(n=competition.limit_per_person),
            ]
            if competition.by_purchase:
                parts.append(self.tr("free entry: {how}").format(how=competition.no_purchase_route))
            rules = competition.summary or self.tr("no rules written yet")
            self.details.setText(" · ".join(parts) + "\n" + self.tr("Rules: ") + rules)
        self._update_buttons()

    def _update_buttons(self) -> None:
        line = self.current()
        state = None if line is None else line.state(self.today)
        self.edit_button.setEnabled(line is not None and state != DRAWN)
        self.paper_button.setEnabled(
            line is not None and state == OPEN and bool(typed_routes(line.competition))
        )
        self.form_button.setEnabled(line is not None)
        self.draw_button.setEnabled(state == CLOSED)
        self.draw_pdf_button.setEnabled(state == DRAWN)
        self.winners_button.setEnabled(state == DRAWN)
        if line is not None and state == OPEN and not typed_routes(line.competition):
            self.paper_button.setToolTip(
                self.tr("This competition takes no paper entries: tick On paper in its terms")
            )
        else:
            self.paper_button.setToolTip(self.tr("Type in the entry forms handed in, one by one"))

    # -- acting ----------------------------------------------------------------------------------

    def _manager(self, action: str) -> tuple[bool, int | None, bool]:
        """(go on, staff id, as owner) for a manager's action: anyone in a shop without staff
        accounts; else the signed-in manager, or one who signs in now."""
        if self.current_staff is None:
            return (not has_staff(), None, not has_staff())
        if not self.current_staff.pins_in_use():
            return (True, self.current_staff.staff_id, True)
        staff_id = self.current_staff.require_permission(self, MANAGER_PERMISSION, action)
        return (staff_id is not None, staff_id, False)

    def _staff_id(self) -> int | None:
        return None if self.current_staff is None else self.current_staff.staff_id

    def new_competition(self) -> None:
        if not self.isVisible():
            return
        go, staff_id, as_owner = self._manager(self.tr("set up prize draws"))
        if not go:
            return
        saved = CompetitionDialog.ask(
            self, None, self.today,
            lambda draft: save_competition(draft, None, staff_id, as_owner=as_owner),
        )  # fmt: skip
        if saved is not None:
            published(self.change_bus, saved.change)
            self.reload(select=saved.competition.id)
            self.table.setFocus()

    def edit_competition(self) -> None:
        line = self.current()
        if line is None:
            return
        if line.drawn_at is not None:
            tell_refusal(self, self.tr("{name} was drawn: its terms stay as they were drawn.")
                         .format(name=line.competition.name), self.tr("Competitions"))  # fmt: skip
            return
        go, staff_id, as_owner = self._manager(self.tr("change prize draws"))
        if not go:
            return
        competition_id = line.competition.id
        saved = CompetitionDialog.ask(
            self, line.competition, self.today,
            lambda draft: save_competition(draft, competition_id, staff_id, as_owner=as_owner),
        )  # fmt: skip
        if saved is not None:
            published(self.change_bus, saved.change)
            self.reload(select=competition_id)
            self.table.setFocus()

    def type_paper_entries(self) -> None:
        line = self.current()
        if line is None or not self.paper_button.isEnabled():
            return
        PaperEntriesDialog.type_entries(self, line.competition, self.change_bus, self._staff_id())
        self.reload()
        self.table.setFocus()

    def draw(self) -> None:
        line = self.current()
        if line is None:
            return
        competition_id = line.competition.id
        try:
            ask = preview(competition_id)
        except RelappError as refusal:
            tell_refusal(self, str(refusal), self.tr("Draw"))
            return
        if ask.valid == 0:
            tell_refusal(
                self,
                self.tr("{name} has no valid entries, so there is nobody to draw.").format(
                    name=line.competition.name
                ),
                self.tr("Draw"),
            )
            return
        go, staff_id, as_owner = self._manager(self.tr("draw a competition"))
        if not go:
            return
        if not confirm_action(self, self.tr("Draw {name}").format(name=line.competition.name),
                              ask.question, self.tr("&Draw")):  # fmt: skip
            return
        drawn = run_change(
            self, self.change_bus,
            lambda: make_draw(competition_id, staff_id=staff_id, as_owner=as_owner),
            title=self.tr("Draw"),
        )  # fmt: skip
        self.reload(select=competition_id)
        if drawn is not None:
            WinnersDialog.show_for(self, competition_id, self.change_bus, self._staff_id())
        self.table.setFocus()

    def show_winners(self) -> None:
        line = self.current()
        if line is None or line.drawn_at is None:
            return
        WinnersDialog.show_for(self, line.competition.id, self.change_bus, self._staff_id())
        self.table.setFocus()

    def show_entry_form(self) -> None:
        from relapp.reports.competition_form import entry_form

        line = self.current()
        if line is not None:
            self._show_pdf(line, self.tr("Entry form"), "entry form", entry_form)

    def show_draw_pdf(self) -> None:
        from relapp.reports.competition_draw import draw_report

        line = self.current()
        if line is not None and line.drawn_at is not None:
            self._show_pdf(line, self.tr("Prize draw"), "draw", draw_report)

    def _show_pdf(self, line: Listed, title: str, what: str, write) -> None:
        """Write one of the competition's PDFs to a scratch folder and show it (Print, Save)."""
        from relapp.ui.reports.generate import scratch_folder
        from relapp.ui.reports.preview_dialog import ReportPreviewDialog

        name = _file_name(line.competition.name, what, self.today)
        try:
            path = write(scratch_folder() / name, line.competition.id)
        except RelappError as refusal:
            tell_refusal(self, str(refusal), title)
            return
        shown = ReportPreviewDialog(title, path, "", name, self)
        shown.exec()
        shown.deleteLater()
        self.table.setFocus()


def _file_name(name: str, what: str, today: date) -> str:
    """ "Spring hamper draw 2026-05-01.pdf": what Save as proposes."""
    cleaned = "".join("_" if ch in '\\/:*?"<>|' or ord(ch) < 32 else ch for ch in name)
    return str(Path(f"{cleaned[:100]} {what} {today.isoformat()}.pdf"))
