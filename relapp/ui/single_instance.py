"""One window per database: a second launch brings the running window forward.

Two Relapp windows on one database file would be two writers (each with its own caches,
daily round and staff sign-in) where the owner meant one. So the first launch on a database
listens on a local socket (a named pipe on Windows) named after the user and the database
path (or the shop server's URL, without its password); a later launch on the same database
finds it listening, asks it to come forward, and quits. Another database (or another user on
the same PC) gets another name and runs beside it. Windows on other PCs are not this module's
business: a shop server is there for several tills.

A crash leaves the socket file behind on Linux and macOS: nobody answers on it, so the next
launch removes it and listens in its place. A lock file makes the "does anyone answer? then I
listen" sequence atomic, so two launches in the same instant do not both become the first.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

from PySide6.QtCore import QDir, QLockFile, QObject, Qt, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

from relapp.db.server.urls import is_server_url

ACTIVATE_MESSAGE = b"relapp-activate 1\n"
CONNECT_TIMEOUT_MS = 500
WRITE_TIMEOUT_MS = 1000
LOCK_TIMEOUT_MS = 5000


def server_name(database_path: Path | str) -> str:
    """The local socket for this user and database: the same for every launch on it.

    database_path is a shop file, or a shop server's URL (one window per server database on
    this PC; the URL is taken as written, without its password).

    On Linux it lives in the user's runtime folder ($XDG_RUNTIME_DIR, emptied at logout) when
    there is one, else Qt puts it in the temporary folder; on Windows it is a named pipe.
    """
    key = f"{_user_name()}\0{_database_key(database_path)}"
    name = "relapp-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]
    runtime_dir = os.environ.get("XDG_RUNTIME_DIR", "")
    if not sys.platform.startswith("win") and runtime_dir and os.path.isdir(runtime_dir):
        return os.path.join(runtime_dir, name)
    return name


class SingleInstance(QObject):
    """The running instance's side: listens for later launches on the same database.

    Signals:
        activation_requested(): another launch on this database wants the window forward.
    """

    activation_requested = Signal()

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._server = QLocalServer(self)
        # Only this user may connect (the socket file's mode on Unix, the pipe's ACL on Windows).
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)
        self._received: dict[QLocalSocket, bytes] = {}

    def listen(self) -> bool:
        if self._server.listen(self.name):
            return True
        if self._server.serverError() == QLocalSocket.LocalSocketError.AddressInUseError:
            # Nobody answered on it (claim() asked first): a crashed instance's leftover.
            QLocalServer.removeServer(self.name)
            return self._server.listen(self.name)
        return False

    def full_server_name(self) -> str:
        """The socket file (Unix) or pipe (Windows) it listens on; empty if not listening."""
        return self._server.fullServerName()

    def error_string(self) -> str:
        return self._server.errorString()

    def close(self) -> None:
        """Stop listening (the socket file goes too); a later launch becomes the first."""
        self._server.close()

    def _accept(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            self._received[socket] = b""
            socket.readyRead.connect(lambda socket=socket: self._read(socket))
            socket.disconnected.connect(lambda socket=socket: self._read(socket, closing=True))
            self._read(socket)  # the message may have come with the connection

    def _read(self, socket: QLocalSocket, closing: bool = False) -> None:
        if socket not in self._received:
            return  # already dealt with
        received = self._received[socket] + bytes(socket.readAll().data())
        if ACTIVATE_MESSAGE in received:
            self.activation_requested.emit()
            closing = True
        elif len(received) >= len(ACTIVATE_MESSAGE):
            closing = True  # not our message: do not keep reading
        if closing:
            del self._received[socket]
            socket.abort()
            socket.deleteLater()
        else:
            self._received[socket] = received


def claim(database_path: Path | str) -> SingleInstance | None:
    """Become the one instance on this database, or hand over to the one already running.

    Returns None if another instance is running on the database: it has been asked to bring
    its window forward, and this launch should quit. Otherwise returns the listening
    SingleInstance (keep a reference; its activation_requested signal asks for the window).
    If the socket cannot be created at all (an unusual system), the launch goes ahead rather
    than refusing to open the shop: a SingleInstance that is not listening is returned.
    """
    name = server_name(database_path)
    lock = QLockFile(os.path.join(QDir.tempPath(), name) + ".lock")
    lock.setStaleLockTime(0)  # stale only if its process is gone, however long it ran
    locked = lock.tryLock(LOCK_TIMEOUT_MS)
    try:
        if _ask_running_instance(name):
            return None
        instance = SingleInstance(name)
        if not instance.listen():
            print(
                f"relapp: cannot watch for a second window ({instance.error_string()}); "
                "going on without it.",
                file=sys.stderr,
            )
        return instance
    finally:
        if locked:
            lock.unlock()


def bring_forward(window: QWidget | None = None) -> None:
    """Show the window un-minimised, raised and focused; a dialog in front of it (the
    welcome dialog, a sale being entered) comes forward instead. With no window given,
    the application's main window (or whatever top-level window is showing) is meant."""
    target = QApplication.activeModalWidget() or window or _main_window()
    if target is None:
        return
    if target.isMinimized():
        target.setWindowState(target.windowState() & ~Qt.WindowState.WindowMinimized)
    target.show()
    target.raise_()
    target.activateWindow()
    # Where the window system refuses focus stealing (Wayland, some X11 window managers),
    # the task bar entry asks for attention instead.
    QApplication.alert(target)


def _main_window() -> QWidget | None:
    showing = [w for w in QApplication.topLevelWidgets() if w.isVisible() or w.isMinimized()]
    main_windows = [w for w in showing if isinstance(w, QMainWindow)]
    return (main_windows or showing or [None])[0]


def _ask_running_instance(name: str) -> bool:
    """True if an instance listens on name and was asked to come forward."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
        return False
    socket.write(ACTIVATE_MESSAGE)
    socket.waitForBytesWritten(WRITE_TIMEOUT_MS)
    socket.disconnectFromServer()
    if socket.state() != QLocalSocket.LocalSocketState.UnconnectedState:
        socket.waitForDisconnected(WRITE_TIMEOUT_MS)
    return True


def _database_key(database_path: Path | str) -> str:
    if is_server_url(database_path):
        # Not a Path: "postgresql://host" would become "postgresql:/host". Without the
        # password (given or not, it is the same database), and postgres:// is postgresql://.
        parts = urlsplit(str(database_path))
        user = f"{parts.username}@" if parts.username else ""
        try:
            port = f":{parts.port}" if parts.port else ""
        except ValueError:  # not a number: libpq will say so; the key needs no more
            port = ":?"
        where = f"{user}{parts.hostname or ''}{port}"
        query = f"?{parts.query}" if parts.query else ""
        return f"postgresql://{where}{parts.path}{query}"
    path = Path(database_path).expanduser()
    try:
        path = path.resolve()
    except OSError:
        path = path.absolute()
    return os.path.normcase(str(path))


def _user_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (a container, a service account): the uid will do
        return str(os.getuid()) if hasattr(os, "getuid") else "user"
