"""Settings -> Shop server from the real window: on a shop file, a manager tests a server's
address, moves the shop there (with progress, checked) and this till's setting then names the
server; a wrong address says one sentence and changes nothing; Cancel leaves the server empty;
a till switches to a server that holds the shop already; and on a server, "Use this PC's shop
file instead" forgets the till setting that opened it."""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton

from relapp.db.location import read_till_database, till_settings_path, write_till_database
from relapp.db.server.connection import open_server_database
from relapp.db.server.copy import migrate_shop
from relapp.demo.generator import generate_demo_shop
from relapp.ui.settings import move_to_server_box
from relapp.ui.settings.backup_box import BackupBox
from relapp.ui.settings.move_to_server_box import MoveToServerBox
from relapp.ui.settings.server_box import ServerBox
from tests.flows.harness import Flow, start_server_flow, visible_text


@pytest.fixture(autouse=True)
def till_config(tmp_path, monkeypatch) -> Path:
    """This till's settings folder in tmp_path (platformdirs reads XDG_CONFIG_HOME)."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("RELAPP_DB", raising=False)
    return tmp_path / "config"


@pytest.fixture
def server_shop(new_database) -> str:
    url = new_database(template="relapp_template")
    shop = open_server_database(url)
    generate_demo_shop(40, seed=7, as_of=datetime.now(UTC).date())  # up to today: no round due
    shop.close()
    return url


def on_the_server(url: str, sql: str):
    with psycopg.connect(url) as connection:
        return connection.execute(sql).fetchone()


def in_the_file(path: Path, sql: str):
    with closing(sqlite3.connect(path)) as connection:
        return connection.execute(sql).fetchone()


def server_tables(url: str) -> list[str]:
    with psycopg.connect(url) as connection:
        return [
            name
            for (name,) in connection.execute(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = current_schema()"
            )
        ]


def open_shop_server_box(flow: Flow) -> MoveToServerBox:
    flow.press("Ctrl+6")
    settings = flow.current_view()
    box = settings.findChild(MoveToServerBox)
    assert box is not None and box.isVisible()
    assert settings.findChild(BackupBox).isVisible()  # below the file's backups
    assert box.geometry().top() > settings.findChild(BackupBox).geometry().bottom()
    return box


def type_address_and_test(flow: Flow, box: MoveToServerBox, url: str) -> str:
    """Alt+R (Server address), the address, Enter (Test connection); the status it ends on."""
    flow.press("Alt+R")
    assert box.address.hasFocus()
    flow.press("Ctrl+A")
    flow.type(url)
    flow.press("Return")
    flow.wait_until(lambda: box.status.text() and box.status.text() != "Connecting…", 10_000)
    return box.status.text()


def click_button(flow: Flow, dialog, text: str) -> None:
    buttons = [b for b in dialog.findChildren(QPushButton) if b.text() == text]
    assert buttons, f"no button {text!r} in {visible_text(dialog)!r}"
    flow.click(buttons[0])


def test_a_manager_moves_the_shop_onto_an_empty_server(flow: Flow, new_database):
    url = new_database()
    flow.sign_in("Maya", "1234")  # the owner, a manager
    box = open_shop_server_box(flow)
    assert box.address.placeholderText() == "postgresql://USER@HOST/DATABASE"
    assert not box.move_button.isEnabled() and not box.use_button.isEnabled()

    status = type_address_and_test(flow, box, url)
    assert status.startswith("Connected: PostgreSQL ")
    assert status.endswith(", empty database: ready to receive this shop.")
    assert box.move_button.isEnabled() and not box.use_button.isEnabled()
    assert server_tables(url) == []  # the test only asked

    said = {}

    def confirm(dialog) -> None:
        said["confirm"] = visible_text(dialog)
        click_button(flow, dialog, "Move the shop")

    def moved(dialog) -> None:
        said["moved"] = visible_text(dialog)
        click_button(flow, dialog, "Later")

    flow.in_next_dialog(confirm, "Move this shop to the server?")
    flow.in_next_dialog(moved, "The shop is on the server")
    flow.click(box.move_button)
    flow.wait_for_dialogs()

    assert "The whole shop" in said["confirm"] and "the server is left empty" in said["confirm"]
    assert f"The shop file {flow.db_path} stays as it is, as a copy." in said["confirm"]
    assert "Relapp will open on the shop server next time it starts." in said["moved"]
    assert "Quit now" in said["moved"]

    # The server holds the shop, as a connection of its own sees it; the file is unchanged.
    for sql in (
        "SELECT count(*) FROM contact",
        "SELECT count(*) FROM interaction",
        "SELECT sum(points) FROM points_entry",
    ):
        assert on_the_server(url, sql) == in_the_file(flow.db_path, sql), sql
    assert on_the_server(url, "SELECT count(*) FROM contact")[0] >= 300
    assert read_till_database() == url  # this till opens the server next time
    assert till_settings_path().is_file()
    assert box.status.text().startswith("Moved: ")
    assert "Next time Relapp starts, this till opens the shop server" in box.next_start.text()
    assert not box.move_button.isEnabled()  # the server is not empty any more

    # Tested again, the server now holds the shop: this till can use it.
    status = type_address_and_test(flow, box, url)
    assert "holds a Relapp shop" in status and "this till can use it" in status
    assert box.use_button.isEnabled() and not box.move_button.isEnabled()


def test_a_wrong_address_says_one_sentence_and_changes_nothing(
    flow: Flow, server_cluster, new_database
):
    box = open_shop_server_box(flow)
    missing = f"postgresql://relapp@/no_such_shop?host={server_cluster.socket}"
    status = type_address_and_test(flow, box, missing)
    assert status == (
        "Cannot use the shop server postgresql://relapp@/no_such_shop?host="
        f"{server_cluster.socket}: that database does not exist on the server."
    )
    assert not box.move_button.isEnabled() and not box.use_button.isEnabled()

    assert type_address_and_test(flow, box, "shop-server.local/relapp") == (
        "A shop server's address starts with postgresql://, for example"
        " postgresql://USER@HOST/DATABASE."
    )
    with_password = new_database().replace("relapp@", "relapp:s3cret@")
    said = type_address_and_test(flow, box, with_password)
    assert "~/.pgpass" in said and "s3cret" not in said
    assert not box.move_button.isEnabled()

    assert read_till_database() is None and not till_settings_path().exists()
    assert "\n" not in box.status.text()


def test_cancel_leaves_the_server_empty(flow: Flow, new_database, monkeypatch):
    url = new_database()

    def slow_move(source, target, progress):
        def report(step: str, done: int, total: int) -> None:
            progress(step, done, total)
            time.sleep(0.05)  # a big shop's steps take a while: time to press Cancel

        return migrate_shop(source, target, report)

    monkeypatch.setattr(move_to_server_box, "migrate_shop", slow_move)
    flow.sign_in("Maya", "1234")
    box = open_shop_server_box(flow)
    type_address_and_test(flow, box, url)
    seen = {}

    def press_cancel() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, QProgressDialog) and "Copying" in dialog.labelText():
            seen["label"] = dialog.labelText()
            cancel_timer.stop()
            click_button(flow, dialog, "Cancel")

    cancel_timer = QTimer(interval=20)
    cancel_timer.timeout.connect(press_cancel)
    cancel_timer.start()
    flow.in_next_dialog(
        lambda dialog: click_button(flow, dialog, "Move the shop"), "Move this shop to the server?"
    )
    flow.click(box.move_button)
    flow.wait_for_dialogs()
    cancel_timer.stop()

    assert "Cancel stops the move and leaves the server empty." in seen["label"]
    assert box.status.text() == "Cancelled: nothing was moved, the server was left empty."
    assert server_tables(url) == []
    assert read_till_database() is None


def test_a_till_switches_to_a_server_that_holds_the_shop(server_shop, flow: Flow):
    url = server_shop
    flow.sign_in("Maya", "1234")
    box = open_shop_server_box(flow)
    status = type_address_and_test(flow, box, url)
    assert status.endswith(f"holds a Relapp shop (schema {_schema(url)}, 40 customers): this"
                           " till can use it.")  # fmt: skip
    assert box.use_button.isEnabled() and not box.move_button.isEnabled()
    said = {}

    def confirm(dialog) -> None:
        said["confirm"] = visible_text(dialog)
        click_button(flow, dialog, "Use the server")

    flow.in_next_dialog(confirm, "Use the shop on that server?")
    flow.in_next_dialog(lambda dialog: click_button(flow, dialog, "Later"), "uses the server")
    flow.press("Alt+I")  # Use its shop on this till…
    flow.wait_for_dialogs()
    assert "next time Relapp starts" in said["confirm"]
    assert f"The shop file here ({flow.db_path}) stays as it is" in said["confirm"]
    assert read_till_database() == url
    assert on_the_server(url, "SELECT count(*) FROM contact") == (40,)  # nothing copied


def test_a_counter_cannot_move_the_shop(flow: Flow, new_database):
    url = new_database()
    flow.sign_in("Sam", "0000")  # a counter
    box = open_shop_server_box(flow)
    type_address_and_test(flow, box, url)

    def sign_in_refused(dialog) -> None:
        assert "Only a manager can move the shop to a shop server." in visible_text(dialog)
        flow.press("Escape")

    flow.in_next_dialog(sign_in_refused, "Sign in")
    flow.click(box.move_button)
    flow.wait_for_dialogs()
    assert server_tables(url) == [] and read_till_database() is None


def _schema(url: str) -> int:
    return on_the_server(url, "SELECT version FROM relapp_schema")[0]


# ------------------------------------------------------------------------------ on a server


def test_on_a_server_opened_by_the_till_setting_the_till_goes_back_to_its_file(
    qapp, qtbot, tmp_path, server_shop
):
    write_till_database(server_shop)
    flow = start_server_flow(qtbot, tmp_path, server_shop)
    try:
        flow.sign_in("Maya", "1234")
        flow.press("Ctrl+6")
        settings = flow.current_view()
        assert settings.findChild(MoveToServerBox) is None  # on a server: its own box
        box = settings.findChild(ServerBox)
        assert box.use_file_button.isVisible()
        said = {}

        def confirm(dialog) -> None:
            said["confirm"] = visible_text(dialog)
            click_button(flow, dialog, "Use the shop file")

        flow.in_next_dialog(confirm, "Use this PC's shop file?")
        flow.in_next_dialog(lambda dialog: click_button(flow, dialog, "Later"), "shop file")
        flow.click(box.use_file_button)
        flow.wait_for_dialogs()
        assert "The shop on the server stays as it is" in said["confirm"]
        assert read_till_database() is None
        assert not box.use_file_button.isVisible()
    finally:
        flow.close()


def test_on_a_server_named_otherwise_the_file_is_not_offered(qapp, qtbot, tmp_path, server_shop):
    flow = start_server_flow(qtbot, tmp_path, server_shop)  # as --db URL starts it
    try:
        flow.press("Ctrl+6")
        box = flow.current_view().findChild(ServerBox)
        assert box.isVisible() and not box.use_file_button.isVisible()
    finally:
        flow.close()
