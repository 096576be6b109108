"""StaleWhileHidden: a hidden view reads once when shown, a visible one at each change."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from relapp.ui.widgets.stale_while_hidden import StaleWhileHidden


def watched_widget(qtbot) -> tuple[QWidget, StaleWhileHidden, list[str]]:
    """A plain widget whose reads are counted in the returned list."""
    widget = QWidget()
    qtbot.addWidget(widget)
    reads: list[str] = []
    freshness = StaleWhileHidden(widget, lambda: reads.append("read"))
    return widget, freshness, reads


def test_a_change_while_hidden_does_not_read(app, qtbot):
    _widget, freshness, reads = watched_widget(qtbot)
    freshness.changed()
    assert reads == [] and freshness.stale


def test_showing_reads_once_however_many_changes_came(app, qtbot):
    widget, freshness, reads = watched_widget(qtbot)
    widget.show()
    assert reads == ["read"] and not freshness.stale  # stale from the start: read when shown
    widget.hide()
    for _ in range(3):
        freshness.changed()
    assert reads == ["read"]
    widget.show()
    assert reads == ["read", "read"] and not freshness.stale
    widget.hide()
    widget.show()  # nothing changed meanwhile
    assert reads == ["read", "read"]


def test_a_change_while_shown_reads_at_once(app, qtbot):
    widget, freshness, reads = watched_widget(qtbot)
    widget.show()
    freshness.changed()
    freshness.changed()
    assert reads == ["read"] * 3 and not freshness.stale


def test_an_update_replaces_the_read_only_while_shown(app, qtbot):
    widget, freshness, reads = watched_widget(qtbot)
    freshness.changed(lambda: reads.append("update"))
    assert reads == []
    widget.show()
    freshness.changed(lambda: reads.append("update"))
    assert reads == ["read", "update"] and not freshness.stale


def test_read_now_reads_even_while_hidden(app, qtbot):
    widget, freshness, reads = watched_widget(qtbot)
    freshness.read_now()
    assert reads == ["read"] and not freshness.stale
    widget.show()
    assert reads == ["read"]
