"""Settings' Backups group: where automatic backups go and how many are kept, a backup now,
and restoring the shop from a backup (after a confirmation, with a safety copy first)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QWidget,
)

from relapp.db.backups import (
    BackupCancelled,
    BackupFile,
    default_backup_folder,
    inspect_backup,
    list_backups,
    restore_backup,
    take_backup,
)
from relapp.domain.changes import Change
from relapp.domain.shop.settings import load_settings
from relapp.errors import RelappError
from relapp.ui.widgets.background_task import run_with_progress

OTHER_FILE = "other"


class BackupBox(QGroupBox):
    """Signals:
    restored(Change): the database was replaced by a backup; every view must read again.
    """

    restored = Signal(object)

    def __init__(self, database_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Backups"))
        self.database_path = Path(database_path)
        self.folder = QLineEdit(objectName="backupFolder")
        self.folder.setPlaceholderText(str(default_backup_folder(self.database_path)))
        choose = QPushButton(self.tr("Choose…"))
        choose.clicked.connect(self.choose_folder)
        self.keep = QSpinBox(minimum=1, maximum=365, objectName="backupKeep")
        self.keep.setSuffix(self.tr(" backups"))
        self.backup_button = QPushButton(self.tr("Back up now"), objectName="backupNow")
        self.backup_button.clicked.connect(self.back_up_now)
        self.restore_button = QPushButton(self.tr("Restore from a backup…"), objectName="restore")
        self.restore_button.clicked.connect(self.restore)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(choose)
        buttons = QHBoxLayout()
        buttons.addWidget(self.backup_button)
        buttons.addWidget(self.restore_button)
        buttons.addStretch(1)
        form = QFormLayout(self)
        form.addRow(self.tr("Back up into:"), folder_row)
        form.addRow(self.tr("&Keep the last:"), self.keep)
        self.last_backup = QLabel(objectName="lastBackup")
        form.addRow(self.tr("Last backup:"), self.last_backup)
        form.addRow(buttons)

    def load(self) -> None:
        settings = load_settings()
        self.folder.setText(settings.backup_folder)
        self.keep.setValue(settings.backup_keep)
        self.show_last_backup()

    def showEvent(self, event: QShowEvent) -> None:
        self.show_last_backup()  # automatic backups happen while the view is elsewhere
        super().showEvent(event)

    def show_last_backup(self) -> None:
        backups = list_backups(self.backup_folder(), self.database_path.stem)
        if not backups:
            self.last_backup.setText(self.tr("none yet in this folder"))
            return
        self.last_backup.setText(
            self.tr("{backup}; {count} kept").format(
                backup=self.backup_label(backups[0]), count=len(backups)
            )
        )

    def backup_label(self, backup: BackupFile) -> str:
        """When it was taken, in local time, and its size: 23 Nov 2026, 16:48 (12.93 MiB)."""
        locale = QLocale()
        return self.tr("{when} ({size})").format(
            when=locale.toString(
                backup.taken_at.astimezone().replace(tzinfo=None), "d MMM yyyy, HH:mm"
            ),
            size=locale.formattedDataSize(backup.bytes),
        )

    def backup_folder(self) -> Path:
        text = self.folder.text().strip()
        return Path(text) if text else default_backup_folder(self.database_path)

    def choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(
            self, self.tr("Back up into"), str(self.backup_folder())
        )
        if chosen:
            self.folder.setText(chosen)

    def back_up_now(self) -> None:
        path = self.database_path
        folder, keep = self.backup_folder(), self.keep.value()

        def work(report, should_stop):
            return take_backup(
                path, folder=folder, keep=keep,
                progress=lambda done, total: (report(done, total), not should_stop())[1],
            )  # fmt: skip

        try:
            result = run_with_progress(
                self, self.tr("Backing up the shop…"), work, (BackupCancelled,)
            )
        except RelappError as error:
            QMessageBox.warning(self, self.tr("Relapp"), str(error))
            return
        if result is not None:
            self.show_last_backup()
            size = QLocale().formattedDataSize(result.bytes)
            QMessageBox.information(
                self, self.tr("Relapp"),
                self.tr("Backed up to {path} ({size}), checked.").format(
                    path=result.path, size=size
                ),
            )  # fmt: skip

    def restore(self) -> None:
        chosen = self.choose_backup()
        if chosen is None:
            return
        try:
            # integrity_check reads the whole file: minutes for a million customers.
            info = run_with_progress(
                self, self.tr("Checking the backup…"),
                lambda _report, _should_stop: inspect_backup(chosen), (), cancellable=False,
            )  # fmt: skip
        except RelappError as error:
            QMessageBox.warning(self, self.tr("Relapp"), str(error))
            return
        if info is None or not self.confirm_restore(chosen):
            return
        path = self.database_path

        def work(_report, _should_stop):
            return restore_backup(path, info.path, inspected=info)

        try:
            result = run_with_progress(
                self, self.tr("Restoring the shop…"), work, (), cancellable=False
            )
        except RelappError as error:
            QMessageBox.warning(self, self.tr("Relapp"), str(error))
            return
        self.restored.emit(Change.everything())
        kept = (
            self.tr(" The database as it was is kept as {path}.").format(path=result.safety_copy)
            if result.safety_copy
            else ""
        )
        QMessageBox.information(
            self, self.tr("Relapp"), self.tr("The shop was restored from {file}.").format(
                file=chosen.name) + kept,
        )  # fmt: skip

    def choose_backup(self) -> Path | None:
        """A backup of this shop from the folder (newest first), or another file."""
        backups = list_backups(self.backup_folder(), self.database_path.stem)
        labels = [self.backup_label(backup) for backup in backups]
        other = self.tr("Another file…")
        choice, accepted = QInputDialog.getItem(
            self, self.tr("Restore from a backup"), self.tr("Backup to restore:"),
            [*labels, other], 0, False,
        )  # fmt: skip
        if not accepted:
            return None
        if choice != other:
            return backups[labels.index(choice)].path
        path, _filter = QFileDialog.getOpenFileName(
            self, self.tr("Restore from a backup"), str(self.backup_folder()),
            self.tr("Relapp databases (*.db);;All files (*)"),
        )  # fmt: skip
        return Path(path) if path else None

    def confirm_restore(self, chosen: Path) -> bool:
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("Restore the shop?"),
            self.tr(
                "Replace everything in this shop with the backup {file}? Sales, customers and "
                "points recorded since that backup are replaced too. A copy of the database as "
                "it is now is kept beside it first, so this can be undone by restoring that copy."
            ).format(file=chosen.name),
            parent=self,
        )
        go = box.addButton(self.tr("Restore"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.exec()
        return box.clickedButton() is go
