"""Every keyboard shortcut a window has, read from its actions, shortcuts and buttons.

Read from the widgets themselves, the list cannot go stale: a key added to a view appears in
Help > Keyboard shortcuts without anyone writing it down. What a key does is its action's text;
a bare QShortcut has none, so it is described by its whatsThis, or by the button, menu entry or
tab in the same view that names the key in brackets ("Record sale (F2)", "Print (Ctrl+P)").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractButton, QMenu, QTabWidget, QWidget

EVERYWHERE = "Everywhere"
# From Qt.Key.Key_Back on: the extra keys of some keyboards (New, Save, Back...) that a
# standard shortcut may also answer to; Ctrl+N is the one to tell people about.
_EXTRA_KEYBOARD_KEYS = Qt.Key.Key_Back.value
NO_DESCRIPTION = "?"
_BRACKETED = re.compile(r"\s*\(([^()]*)\)\s*$")


@dataclass(frozen=True)
class ShortcutLine:
    where: str  # EVERYWHERE or a view's title
    keys: str  # as this platform writes them: "Ctrl+Shift+U"
    what: str  # "Switch user…"


def window_shortcuts(window: QWidget, views: Iterable[tuple[str, QWidget]]) -> list[ShortcutLine]:
    """The shortcuts of window, those of the whole window first, then each view's in order.

    views: (title, widget) of the window's views; a shortcut inside one is listed under it.
    Keys bound to the same thing in the same place share a line ("Ctrl+Return, Ctrl+Enter").
    """
    views = list(views)
    found: dict[tuple[str, str], list[str]] = {}
    for owner, sequences, what in _bindings(window):
        where = _section(owner, views)
        if not what:
            what = _described_nearby(sequences[0], _view_of(owner, views) or window)
        keys = found.setdefault((where, what or NO_DESCRIPTION), [])
        keys += [text for text in map(native, sequences) if text not in keys]
    order = [EVERYWHERE] + [title for title, _view in views]
    lines = [ShortcutLine(where, ", ".join(keys), what) for (where, what), keys in found.items()]
    return sorted(lines, key=lambda line: order.index(line.where))


def native(sequence: QKeySequence) -> str:
    return sequence.toString(QKeySequence.SequenceFormat.NativeText)


def _bindings(window: QWidget) -> list[tuple[QObject, list[QKeySequence], str]]:
    """(owner, keys, text) for each action, shortcut and button with keys of its own, in
    window itself (not in a window of its own that it opened, such as a history window)."""

    def in_window(owner: QObject) -> bool:
        widget = owner if isinstance(owner, QWidget) else owner.parent()
        return isinstance(widget, QWidget) and widget.window() is window

    found: list[tuple[QObject, list[QKeySequence], str]] = []
    for action in window.findChildren(QAction):
        keys = _told(action.shortcuts())
        if keys and in_window(_owner_of(action)):
            found.append((_owner_of(action), keys, _plain(action.text())))
    for shortcut in window.findChildren(QShortcut):
        keys = _told(shortcut.keys())
        if keys and in_window(shortcut):
            found.append((shortcut, keys, shortcut.whatsThis()))
    for button in window.findChildren(QAbstractButton):
        key = button.shortcut()
        # An underlined letter (Alt+S for "&Save") shows on screen already.
        mnemonic = not key.isEmpty() and key == QKeySequence.mnemonic(button.text())
        if not key.isEmpty() and not mnemonic and in_window(button):
            found.append((button, [key], _plain(button.text())))
    return found


def _told(keys: list[QKeySequence]) -> list[QKeySequence]:
    """The keys worth telling people about: not empty, not a special keyboard's extra key."""
    return [
        key for key in keys
        if not key.isEmpty() and key[0].key().value < _EXTRA_KEYBOARD_KEYS
    ]  # fmt: skip


def _owner_of(action: QAction) -> QObject:
    """Where an action lives: the widget it was made for, else the first one showing it."""
    parent = action.parent()
    if isinstance(parent, QWidget) and not isinstance(parent, QMenu):
        return parent
    widgets = [w for w in action.associatedObjects() if isinstance(w, QWidget)]
    return widgets[0] if widgets else parent or action


def _view_of(owner: QObject, views: list[tuple[str, QWidget]]) -> QWidget | None:
    node: QObject | None = owner
    while node is not None:
        for _title, view in views:
            if node is view:
                return view
        node = node.parent()
    return None


def _section(owner: QObject, views: list[tuple[str, QWidget]]) -> str:
    view = _view_of(owner, views)
    return next((title for title, each in views if each is view), EVERYWHERE)


def _plain(text: str) -> str:
    """ "&Switch user…\tCtrl+U" as read: "Switch user…"."""
    text = text.split("\t")[0].replace("&&", "\0").replace("&", "").replace("\0", "&")
    return text.strip()


def _same_key(text: str, sequence: QKeySequence) -> bool:
    """Whether text written in a tooltip ("Ctrl+Enter") names sequence. Enter and Return are
    one key to a person."""

    def normal(keys: str) -> str:
        return keys.replace("Enter", "Return").replace(" ", "").lower()

    candidate = QKeySequence(text)
    return not candidate.isEmpty() and normal(candidate.toString()) == normal(sequence.toString())


def _described_nearby(sequence: QKeySequence, area: QWidget) -> str:
    """What a button, menu entry or tab in area that names sequence says it does."""
    for button in area.findChildren(QAbstractButton):
        match = _BRACKETED.search(button.toolTip())
        if match and _same_key(match.group(1), sequence):
            name = _without_keys(_plain(button.text())) or _without_keys(button.toolTip())
            if name:
                return name
    for action in area.findChildren(QAction):
        label, _tab, keys = action.text().partition("\t")
        if keys and _same_key(keys, sequence):
            return _plain(label)
    for tabs in area.findChildren(QTabWidget):
        for index in range(tabs.count()):
            match = _BRACKETED.search(tabs.tabText(index))
            if match and _same_key(match.group(1), sequence):
                return _without_keys(_plain(tabs.tabText(index)))
    return ""


def _without_keys(text: str) -> str:
    """ "Record sale (F2)" without its key: "Record sale"."""
    while (match := _BRACKETED.search(text)) and not QKeySequence(match.group(1)).isEmpty():
        text = text[: match.start()]
    return text.strip()
