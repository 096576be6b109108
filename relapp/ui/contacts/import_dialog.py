"""Importing customers from a CSV or vCard file, step by step.

File → (CSV only) which column holds what, with the first rows shown as they will be stored →
what to do with customers already in the shop, and whether to try a dry run first → the work
in the background with progress and Cancel → what happened. The importer does everything in
one transaction, so a Cancel (or a dry run) leaves the database exactly as it was.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QDate, QLocale, Qt, QTimer
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from relapp.errors import RelappError
from relapp.exchange.csv_read import FIELDS, UnreadableFile, guess_mapping, read_table
from relapp.exchange.importer import (
    ImportCancelled,
    ImportResult,
    RowError,
    detect_format,
    import_file,
    preview,
    write_error_report,
)
from relapp.ui.change_bus import ChangeBus
from relapp.ui.operations import published
from relapp.ui.widgets.background_task import run_with_progress

# The rejected rows listed on the last page; the error report holds them all.
SHOWN_PROBLEMS = 500
PROBLEM_COLOUR = "#b42318"  # the style sheet's colour for problems
PREVIEW_ROWS = 20
PREVIEW_PAUSE_MS = 150

FIELD_TITLES = {
    "given_name": "First name",
    "family_name": "Last name",
    "full_name": "Full name (split in two)",
    "organisation": "Organisation",
    "email": "Email",
    "phone": "Phone",
    "street": "Street",
    "locality": "City",
    "region": "Region",
    "postcode": "Postcode",
    "country": "Country",
    "birthday": "Birthday",
    "card_number": "Card number",
    "notes": "Notes",
    "tags": "Tags",
    "opening_points": "Opening points",
}
# The preview's columns: a title and how to show it from a PreviewRow's values.
PREVIEW_COLUMNS = ("Line", "Problem", "Name", "Organisation", "Email", "Phone", "Address",
                   "Birthday", "Card", "Points", "Tags", "Notes")  # fmt: skip
PROBLEM_COLUMN = 1
POLICY_TITLES = (
    ("skip", "Skip them: keep the customer as it is"),
    ("merge", "Merge: fill the customer's empty fields, never overwrite one"),
    ("create", "Create a new customer anyway"),
)
FILE_PAGE, MAPPING_PAGE, OPTIONS_PAGE, RESULT_PAGE = range(4)


def preview_cells(values: dict[str, str]) -> list[str]:
    """A preview row's values under PREVIEW_COLUMNS (without Line and Problem).

    Values are stored columns for a good row, the file's cells by field for a row with a
    problem: both are shown."""
    name = " ".join(part for part in (values.get("given_name"), values.get("family_name")) if part)
    address = ", ".join(
        values[key]
        for key in ("street", "locality", "region", "postcode", "country")
        if values.get(key)
    )
    if values.get("birth_month"):
        year = values.get("birth_year")
        month, day = int(values["birth_month"]), int(values.get("birth_day") or 1)
        # In words, as people say it: "4 July 1985", or "4 July" without a year (2000 is a
        # leap year, so 29 February reads too).
        when = QDate(int(year) if year else 2000, month, day)
        birthday = QLocale().toString(when, "d MMMM yyyy" if year else "d MMMM")
    else:
        birthday = values.get("birthday", "")
    return [
        name or values.get("full_name", ""),
        values.get("organisation", ""),
        values.get("email", ""),
        values.get("phone", ""),
        address,
        birthday,
        values.get("card_number", ""),
        values.get("opening_points", ""),
        values.get("tags", ""),
        " ".join(values.get("notes", "").split()),
    ]


class ImportDialog(QDialog):
    """Import customers; publishes the change of a real import on the change bus."""

    def __init__(
        self,
        change_bus: ChangeBus,
        staff_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.change_bus = change_bus
        self.staff_id = staff_id
        self.path: Path | None = None
        self.kind = "csv"
        self.headers: list[str] = []
        self.import_result: ImportResult | None = None
        self.setWindowTitle(self.tr("Import customers"))
        self.setMinimumSize(860, 560)

        self.pages = QStackedWidget()
        self.pages.addWidget(self._file_page())
        self.pages.addWidget(self._mapping_page())
        self.pages.addWidget(self._options_page())
        self.pages.addWidget(self._result_page())
        self.preview_timer = QTimer(self, singleShot=True, interval=PREVIEW_PAUSE_MS)
        self.preview_timer.timeout.connect(self.refresh_preview)

        self.back_button = QPushButton(self.tr("< &Back"))
        self.back_button.clicked.connect(self.go_back)
        self.next_button = QPushButton(self.tr("&Next >"), objectName="importNext")
        self.next_button.setDefault(True)
        self.next_button.clicked.connect(self.go_next)
        self.close_button = QPushButton(self.tr("Cancel"))
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)
        buttons.addWidget(self.close_button)
        self.step = QLabel(objectName="importStep")
        font = self.step.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.step.setFont(font)
        layout = QVBoxLayout(self)
        layout.addWidget(self.step)
        layout.addWidget(self.pages, 1)
        layout.addLayout(buttons)
        QShortcut(QKeySequence("Ctrl+O"), self, activated=self.choose_file)
        self.show_page(FILE_PAGE)

    # -- pages --------------------------------------------------------------------------------

    def _file_page(self) -> QWidget:
        page = QWidget()
        intro = QLabel(
            self.tr(
                "Choose the file to import: a CSV file (saved from Excel, Google Contacts, "
                "Outlook or a till) or a vCard file (.vcf) from a phone or an address book."
            ),
            wordWrap=True,
        )
        self.file_edit = QLineEdit(objectName="importFile", clearButtonEnabled=True)
        self.file_edit.setPlaceholderText(self.tr("The file to import"))
        choose = QPushButton(self.tr("&Choose…"))
        choose.setToolTip(self.tr("Choose the file (Ctrl+O)"))
        choose.clicked.connect(self.choose_file)
        row = QHBoxLayout()
        file_label = QLabel(self.tr("&File:"))
        file_label.setBuddy(self.file_edit)
        row.addWidget(file_label)
        row.addWidget(self.file_edit, 1)
        row.addWidget(choose)
        self.file_problem = QLabel(objectName="fieldProblems", wordWrap=True)
        self.file_problem.setTextFormat(Qt.TextFormat.PlainText)
        self.file_problem.hide()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(self.file_problem)
        tips = QLabel(
            self.tr(
                "Tips: in Excel, use File › Save As › CSV UTF-8. In Google Contacts, use Export › "
                "Google CSV. The first line of a CSV file should name the columns (First name, "
                "Last name, Email, Phone…); you can say which is which in the next step.\n\n"
                "Nothing is written until you press Import, and you can try a dry run first."
            ),
            objectName="settingsHint",
            wordWrap=True,
        )
        layout.addSpacing(12)
        layout.addWidget(tips)
        layout.addStretch(1)
        return page

    def _mapping_page(self) -> QWidget:
        page = QWidget()
        intro = QLabel(
            self.tr(
                "Say what each column of the file holds; columns set to Ignore are not read. "
                "Below, the first rows as they will be stored; rows with a problem are shown in "
                "red and will be set aside (you can save a list of them at the end)."
            ),
            wordWrap=True,
        )
        self.columns = QTableWidget(0, 3, objectName="importColumns")
        self.columns.setHorizontalHeaderLabels(
            [self.tr("Column in the file"), self.tr("First value"), self.tr("Store as")]
        )
        self.columns.verticalHeader().hide()
        self.columns.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.columns.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.columns.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.preview_table = QTableWidget(0, len(PREVIEW_COLUMNS), objectName="importPreview")
        self.preview_table.setHorizontalHeaderLabels([self.tr(t) for t in PREVIEW_COLUMNS])
        self.preview_table.verticalHeader().hide()
        self.preview_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview_table.setWordWrap(False)
        self.preview_table.horizontalHeader().setStretchLastSection(True)
        self.preview_problem = QLabel(objectName="fieldProblems", wordWrap=True)
        self.preview_problem.setTextFormat(Qt.TextFormat.PlainText)
        self.preview_problem.hide()
        self.preview_title = QLabel()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(intro)
        layout.addWidget(self.columns, 2)
        layout.addWidget(self.preview_title)
        layout.addWidget(self.preview_table, 3)
        layout.addWidget(self.preview_problem)
        return page

    def _options_page(self) -> QWidget:
        page = QWidget()
        question = QLabel(
            self.tr(
                "When a row is a customer already in the shop (the same card number, email "
                "or phone):"
            ),
            wordWrap=True,
        )
        self.policy = QButtonGroup(self)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(question)
        for index, (key, title) in enumerate(POLICY_TITLES):
            button = QRadioButton(self.tr(title), objectName=f"policy_{key}")
            button.setChecked(index == 0)
            self.policy.addButton(button, index)
            layout.addWidget(button)
        layout.addSpacing(12)
        self.dry_run = QCheckBox(self.tr("&Dry run first: check every row, write nothing"))
        self.dry_run.setChecked(True)
        layout.addWidget(self.dry_run)
        note = QLabel(
            self.tr(
                "The import is all or nothing: pressing Cancel while it runs leaves the "
                "database unchanged."
            ),
            objectName="settingsHint",
            wordWrap=True,
        )
        layout.addSpacing(12)
        layout.addWidget(note)
        layout.addStretch(1)
        return page

    def _result_page(self) -> QWidget:
        page = QWidget()
        self.outcome = QLabel(objectName="importOutcome", wordWrap=True)
        self.outcome.setTextFormat(Qt.TextFormat.PlainText)
        self.counts = QLabel(objectName="importCounts")
        self.counts.setTextFormat(Qt.TextFormat.RichText)
        self.save_errors_button = QPushButton(self.tr("&Save error report…"))
        self.save_errors_button.clicked.connect(self.save_error_report)
        self.for_real_button = QPushButton(self.tr("&Import for real"), objectName="importForReal")
        self.for_real_button.clicked.connect(lambda: self.run_import(dry_run=False))
        self.report_saved = QLabel(wordWrap=True)
        self.report_saved.setTextFormat(Qt.TextFormat.PlainText)
        # The rows set aside, on screen as well as in the report (the first SHOWN_PROBLEMS).
        self.problems_table = QTableWidget(0, 2, objectName="importProblems")
        self.problems_table.setHorizontalHeaderLabels([self.tr("Line"), self.tr("Problem")])
        self.problems_table.verticalHeader().hide()
        self.problems_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.problems_table.horizontalHeader().setStretchLastSection(True)
        self.problems_table.setWordWrap(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.for_real_button)
        buttons.addWidget(self.save_errors_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.outcome)
        layout.addWidget(self.counts)
        layout.addLayout(buttons)
        layout.addWidget(self.report_saved)
        layout.addWidget(self.problems_table, 1)
        return page

    def show_problems(self, errors: list[RowError]) -> None:
        shown = errors[:SHOWN_PROBLEMS]
        self.problems_table.setRowCount(len(shown))
        for row, error in enumerate(shown):
            line = QTableWidgetItem(QLocale().toString(error.line))
            line.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            reason = QTableWidgetItem(error.reason)
            reason.setToolTip(error.reason)
            self.problems_table.setItem(row, 0, line)
            self.problems_table.setItem(row, 1, reason)
        self.problems_table.resizeColumnToContents(0)
        self.problems_table.setVisible(bool(shown))

    # -- moving between pages -----------------------------------------------------------------

    def show_page(self, index: int) -> None:
        self.pages.setCurrentIndex(index)
        steps = (
            self.tr("Step 1: the file"),
            self.tr("Step 2: the columns"),
            self.tr("Step 3: customers already in the shop"),
            self.tr("What happened"),
        )
        self.step.setText(steps[index])
        real_import = self.import_result is not None and not self.import_result.dry_run
        self.back_button.setEnabled(index != FILE_PAGE and not real_import)
        self.next_button.setVisible(index != RESULT_PAGE)
        self.next_button.setText(
            self.tr("&Import") if index == OPTIONS_PAGE else self.tr("&Next >")
        )
        self.close_button.setText(self.tr("Close") if index == RESULT_PAGE else self.tr("Cancel"))
        if index == FILE_PAGE:
            self.file_edit.setFocus()
        elif index == MAPPING_PAGE:
            self.columns.setFocus()
        elif index == OPTIONS_PAGE:
            self.policy.checkedButton().setFocus()

    def go_back(self) -> None:
        index = self.pages.currentIndex()
        if index == OPTIONS_PAGE and self.kind == "csv":
            self.show_page(MAPPING_PAGE)
        elif index in (MAPPING_PAGE, OPTIONS_PAGE):
            self.show_page(FILE_PAGE)
        elif index == RESULT_PAGE:
            self.show_page(OPTIONS_PAGE)

    def go_next(self) -> None:
        index = self.pages.currentIndex()
        if index == FILE_PAGE:
            if self.open_file(self.file_edit.text().strip()):
                self.show_page(MAPPING_PAGE if self.kind == "csv" else OPTIONS_PAGE)
        elif index == MAPPING_PAGE:
            if not self.mapping():
                self._preview_problem(self.tr("Choose what at least one column holds."))
                return
            self.show_page(OPTIONS_PAGE)
        elif index == OPTIONS_PAGE:
            self.run_import(dry_run=self.dry_run.isChecked())

    # -- the file and its columns -------------------------------------------------------------

    def choose_file(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Import customers"),
            self.file_edit.text() or str(Path.home()),
            self.tr("Customer files (*.csv *.txt *.tsv *.vcf *.vcard);;All files (*)"),
        )
        if chosen:
            self.file_edit.setText(chosen)
            self.show_page(FILE_PAGE)
            self.go_next()

    def open_file(self, text: str) -> bool:
        """Read the file's header (CSV) or check it is a vCard; say what is wrong if not."""
        self.file_problem.hide()
        if not text:
            return self._file_problem(self.tr("Choose a file to import."))
        path = Path(text).expanduser()
        try:
            if not path.is_file():
                return self._file_problem(self.tr("There is no file {path}.").format(path=path))
            if path == self.path:
                return True  # back to the file step and on again: keep the chosen columns
            self.kind = detect_format(path)
            if self.kind == "csv":
                table = read_table(path)
                if any(not ch.isprintable() for header in table.headers for ch in header):
                    raise UnreadableFile(self.tr("This is not a table of customers."))
                self._fill_columns(table.headers, table.rows[:PREVIEW_ROWS])
        except UnreadableFile as error:
            return self._file_problem(f"{path.name}: {error}")
        except OSError as error:
            message = self.tr("Cannot read {path}: {reason}.")
            return self._file_problem(message.format(path=path, reason=error.strerror or error))
        except RelappError as error:
            return self._file_problem(str(error))
        self.path = path
        if self.kind == "csv":
            self.refresh_preview()
        return True

    def _file_problem(self, text: str) -> bool:
        self.file_problem.setText(text)
        self.file_problem.show()
        self.file_edit.setFocus()
        return False

    def _fill_columns(self, headers: list[str], rows: list[tuple[int, list[str]]]) -> None:
        self.headers = headers
        guessed = guess_mapping(headers)
        self.columns.setRowCount(len(headers))
        for index, header in enumerate(headers):
            title = header or self.tr("(column {n}, no name)").format(n=index + 1)
            self.columns.setItem(index, 0, QTableWidgetItem(title))
            example = next(
                (cells[index] for _, cells in rows if index < len(cells) and cells[index].strip()),
                "",
            )
            self.columns.setItem(index, 1, QTableWidgetItem(" ".join(example.split())))
            combo = QComboBox()
            combo.addItem(self.tr("Ignore"), None)
            for field in FIELDS:
                combo.addItem(self.tr(FIELD_TITLES[field]), field)
            combo.setCurrentIndex(max(0, combo.findData(guessed.get(index))))
            combo.currentIndexChanged.connect(lambda _i, row=index: self._field_chosen(row))
            self.columns.setCellWidget(index, 2, combo)
        self.columns.resizeColumnsToContents()

    def column_combo(self, index: int) -> QComboBox:
        return self.columns.cellWidget(index, 2)  # type: ignore[return-value]

    def column_index(self, header: str) -> int:
        return self.headers.index(header)

    def mapping(self) -> dict[int, str]:
        """Column index -> field, as chosen."""
        chosen = {}
        for index in range(self.columns.rowCount()):
            field = self.column_combo(index).currentData()
            if field:
                chosen[index] = field
        return chosen

    def _field_chosen(self, row: int) -> None:
        """A field is read from one column only: another column holding it goes to Ignore."""
        field = self.column_combo(row).currentData()
        if field:
            for index in range(self.columns.rowCount()):
                other = self.column_combo(index)
                if index != row and other.currentData() == field:
                    other.blockSignals(True)
                    other.setCurrentIndex(0)
                    other.blockSignals(False)
        self.preview_timer.start()

    def refresh_preview(self) -> None:
        self.preview_timer.stop()
        self.preview_problem.hide()
        self.preview_table.setRowCount(0)
        if self.path is None:
            return
        mapping = self.mapping()
        if not mapping:
            self._preview_problem(self.tr("Choose what at least one column holds."))
            return
        try:
            rows = preview(self.path, mapping, rows=PREVIEW_ROWS)
        except (UnreadableFile, RelappError, ValueError, OSError) as error:
            self._preview_problem(str(error))
            return
        problems = sum(1 for row in rows if row.problem)
        title = self.tr("The first {count} rows as they will be stored").format(count=len(rows))
        if problems:
            title += self.tr(" ({problems} with a problem)").format(problems=problems)
        self.preview_title.setText(title + ":")
        red = QColor(PROBLEM_COLOUR)
        self.preview_table.setRowCount(len(rows))
        for row_number, row in enumerate(rows):
            cells = [str(row.line), row.problem or "", *preview_cells(row.values)]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if row.problem:
                    item.setForeground(red)
                    item.setToolTip(row.problem)
                self.preview_table.setItem(row_number, column, item)
        self.preview_table.resizeColumnsToContents()
        for column in range(len(PREVIEW_COLUMNS) - 1):
            width = min(self.preview_table.columnWidth(column), 240)
            self.preview_table.setColumnWidth(column, width)

    def _preview_problem(self, text: str) -> None:
        self.preview_problem.setText(text)
        self.preview_problem.show()

    def problem_rows(self) -> list[int]:
        """Preview rows shown with a problem (their table row numbers)."""
        return [
            row
            for row in range(self.preview_table.rowCount())
            if self.preview_table.item(row, PROBLEM_COLUMN).text()
        ]

    # -- importing ----------------------------------------------------------------------------

    def policy_key(self) -> str:
        return POLICY_TITLES[max(0, self.policy.checkedId())][0]

    def run_import(self, dry_run: bool) -> None:
        if self.path is None:
            return
        path, mapping = self.path, self.mapping() if self.kind == "csv" else None
        policy, staff_id, kind = self.policy_key(), self.staff_id, self.kind

        def work(report, should_stop):
            return import_file(
                path,
                kind,
                mapping=mapping,
                duplicates=policy,
                dry_run=dry_run,
                progress=lambda done, total: (report(done, total), not should_stop())[1],
                staff_id=staff_id,
            )

        label = self.tr("Checking {name}…") if dry_run else self.tr("Importing {name}…")
        try:
            result = run_with_progress(self, label.format(name=path.name), work, (ImportCancelled,))
        except RelappError as error:
            QMessageBox.warning(self, self.tr("Import customers"), str(error))
            return
        self.show_result(result, dry_run)

    def show_result(self, result: ImportResult | None, dry_run: bool) -> None:
        self.report_saved.clear()
        if result is None:
            self.import_result = None
            self.outcome.setText(
                self.tr("The import was cancelled. Nothing was written: the database is unchanged.")
            )
            self.counts.clear()
            self.show_problems([])
            self.save_errors_button.hide()
            self.for_real_button.setVisible(True)
            self.for_real_button.setText(self.tr("&Import again"))
            self.show_page(RESULT_PAGE)
            return
        self.import_result = result
        if dry_run:
            self.outcome.setText(
                self.tr(
                    "Dry run of {name}: this is what an import would do. Nothing was written."
                ).format(name=self.path.name)
            )
        else:
            self.outcome.setText(self.tr("{name} was imported.").format(name=self.path.name))
            published(self.change_bus, result)
        locale = QLocale()
        if dry_run:
            imported, merged = self.tr("Would be imported"), self.tr("Would be merged")
        else:
            imported = self.tr("Imported as new customers")
            merged = self.tr("Merged into existing customers")
        lines = (
            (imported, result.imported),
            (merged, result.merged),
            (self.tr("Skipped (already in the shop)"), result.skipped),
            (self.tr("Rejected (a problem in the row)"), result.rejected),
        )
        cell = "<tr><td>{}</td><td align='right'>&nbsp;&nbsp;<b>{}</b></td></tr>"
        rows = "".join(cell.format(html.escape(title), locale.toString(n)) for title, n in lines)
        notes = len(result.errors) - result.rejected
        extra = ""
        if notes > 0:
            extra = (
                "<p>"
                + self.tr("{n} imported rows have a note (listed below).").format(
                    n=locale.toString(notes)
                )
                + "</p>"
            )
        if len(result.errors) > SHOWN_PROBLEMS:
            extra += (
                "<p>"
                + self.tr("The first {shown} problems are listed; the error report has all.")
                .format(shown=locale.toString(SHOWN_PROBLEMS))
                + "</p>"
            )  # fmt: skip
        self.counts.setText(f"<table>{rows}</table>{extra}")
        self.show_problems(result.errors)
        self.save_errors_button.setVisible(bool(result.errors))
        self.for_real_button.setText(self.tr("&Import for real"))
        self.for_real_button.setVisible(dry_run)
        self.show_page(RESULT_PAGE)
        (self.for_real_button if dry_run else self.close_button).setFocus()

    def save_error_report(self) -> None:
        if self.import_result is None or self.path is None:
            return
        suggested = self.path.with_name(f"{self.path.stem} - rejected rows.csv")
        chosen, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save error report"), str(suggested), self.tr("CSV files (*.csv)")
        )
        if not chosen:
            return
        try:
            write_error_report(chosen, self.import_result)
        except OSError as error:
            message = self.tr("Cannot write {path}: {reason}.")
            QMessageBox.warning(
                self,
                self.tr("Save error report"),
                message.format(path=chosen, reason=error.strerror or error),
            )
            return
        self.report_saved.setText(
            self.tr("The rows set aside were saved to {path}.").format(path=chosen)
        )

    @classmethod
    def ask(
        cls, parent: QWidget | None, change_bus: ChangeBus, staff_id: int | None = None
    ) -> ImportResult | None:
        dialog = cls(change_bus, staff_id, parent)
        dialog.exec()
        return dialog.import_result
