"""The app's automatic backups: taken at start-up and daily, once, without blocking."""

from __future__ import annotations

from relapp.db.backups import default_backup_folder, list_backups
from relapp.ui.automatic_backup import DAILY_WITHIN, ON_START_WITHIN, AutomaticBackup


def test_a_backup_is_taken_at_start_and_not_again_within_the_hour(qtbot, app, demo_db, db_path):
    backups = AutomaticBackup(db_path)
    with qtbot.waitSignal(backups.reported, timeout=20_000) as said:
        backups.run(ON_START_WITHIN)
    folder = default_backup_folder(db_path)
    taken = list_backups(folder, db_path.stem)
    assert len(taken) == 1 and said.args[0] == f"Backed up to {taken[0].path}."
    backups.run(DAILY_WITHIN)  # one exists from moments ago: nothing to do
    backups.worker.wait()
    assert len(list_backups(folder, db_path.stem)) == 1
    backups.stop()
    assert not list(folder.glob("*.part"))
