"""One window per database: the second launch hands over to the first."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QDir
from PySide6.QtNetwork import QLocalSocket
from PySide6.QtWidgets import QMainWindow

from relapp.ui.single_instance import (
    ACTIVATE_MESSAGE,
    SingleInstance,
    bring_forward,
    claim,
    server_name,
)


@pytest.fixture
def instances():
    """Close every instance a test claimed, so no socket outlives it."""
    claimed: list[SingleInstance] = []
    yield claimed
    for instance in claimed:
        instance.close()
        instance.deleteLater()


def test_a_second_claim_on_the_same_database_hands_over(qapp, qtbot, tmp_path, instances):
    database = tmp_path / "shop.db"
    first = claim(database)
    assert first is not None
    instances.append(first)

    with qtbot.waitSignal(first.activation_requested, timeout=3000):
        second = claim(database)
    assert second is None


def test_the_same_file_named_another_way_is_the_same_database(qapp, qtbot, tmp_path, instances):
    (tmp_path / "sub").mkdir()
    first = claim(tmp_path / "shop.db")
    instances.append(first)
    with qtbot.waitSignal(first.activation_requested, timeout=3000):
        assert claim(tmp_path / "sub" / ".." / "shop.db") is None


def test_different_databases_do_not_clash(qapp, qtbot, tmp_path, instances):
    first = claim(tmp_path / "shop.db")
    other = claim(tmp_path / "other.db")
    assert first is not None and other is not None
    instances += [first, other]
    assert first.name != other.name

    with (
        qtbot.assertNotEmitted(first.activation_requested, wait=200),
        qtbot.waitSignal(other.activation_requested, timeout=3000),
    ):
        assert claim(tmp_path / "other.db") is None


def test_a_closed_instance_frees_the_database(qapp, tmp_path, instances):
    first = claim(tmp_path / "shop.db")
    first.close()
    again = claim(tmp_path / "shop.db")
    assert again is not None
    instances += [first, again]


@pytest.mark.skipif(sys.platform.startswith("win"), reason="named pipes leave no file behind")
def test_a_socket_left_by_a_crash_is_replaced(qapp, qtbot, tmp_path, instances):
    leftover = Path(QDir.tempPath()) / server_name(tmp_path / "shop.db")  # "/" keeps a full path
    # What a crashed instance leaves: a socket file nobody listens on.
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(str(leftover))
    dead.close()
    try:
        assert leftover.exists()
        first = claim(tmp_path / "shop.db")
        assert first is not None
        instances.append(first)
        assert Path(first.full_server_name()) == leftover
        with qtbot.waitSignal(first.activation_requested, timeout=3000):
            assert claim(tmp_path / "shop.db") is None
    finally:
        if leftover.exists() and not instances:
            os.unlink(leftover)


def test_a_stranger_on_the_socket_is_ignored(qapp, qtbot, tmp_path, instances):
    first = claim(tmp_path / "shop.db")
    instances.append(first)
    stranger = QLocalSocket()
    stranger.connectToServer(first.name)
    assert stranger.waitForConnected(1000)
    with qtbot.assertNotEmitted(first.activation_requested, wait=300):
        stranger.write(b"GET / HTTP/1.0\r\n\r\n" + b"x" * 100)
        stranger.flush()
    stranger.abort()
    # It still answers a real launch afterwards.
    with qtbot.waitSignal(first.activation_requested, timeout=3000):
        assert claim(tmp_path / "shop.db") is None


def test_the_name_depends_on_the_user_and_the_path(tmp_path, monkeypatch):
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    name = server_name(tmp_path / "shop.db")
    assert name.startswith("relapp-") and len(name) < 40  # short: Unix socket paths are limited
    assert server_name(tmp_path / "shop.db") == name
    assert server_name(tmp_path / "other.db") != name
    monkeypatch.setattr("relapp.ui.single_instance._user_name", lambda: "someone-else")
    assert server_name(tmp_path / "shop.db") != name
    assert ACTIVATE_MESSAGE.endswith(b"\n")


def test_bring_forward_restores_a_minimised_window(qapp, qtbot):
    window = QMainWindow()
    qtbot.addWidget(window)
    window.showMinimized()
    assert window.isMinimized()
    bring_forward(window)
    assert window.isVisible()
    assert not window.isMinimized()


def test_bring_forward_finds_the_main_window_itself(qapp, qtbot):
    window = QMainWindow()
    qtbot.addWidget(window)
    window.showMinimized()
    bring_forward()
    assert not window.isMinimized()


@pytest.mark.skipif(sys.platform.startswith("win"), reason="named pipes have no folder")
def test_the_socket_is_in_the_users_runtime_folder(qapp, qtbot, tmp_path, monkeypatch, instances):
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    first = claim(tmp_path / "shop.db")
    instances.append(first)
    assert Path(first.full_server_name()).parent == runtime
    with qtbot.waitSignal(first.activation_requested, timeout=3000):
        assert claim(tmp_path / "shop.db") is None
