"""The one way the window runs a change: published when it succeeds, told when refused."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from PySide6.QtWidgets import QWidget

from relapp.domain.changes import Change, Entity
from relapp.errors import RelappError
from relapp.ui import operations


@pytest.fixture
def heard(change_bus) -> list[Change]:
    changes: list[Change] = []
    change_bus.changed.connect(changes.append)
    return changes


@pytest.fixture
def told(monkeypatch) -> list[str]:
    sentences: list[str] = []
    monkeypatch.setattr(
        operations.QMessageBox, "warning", lambda parent, title, text: sentences.append(text)
    )
    return sentences


@dataclass(frozen=True)
class Outcome:
    change: Change | None


def test_a_change_is_published_and_returned(qtbot, change_bus, heard, told):
    parent = QWidget()
    qtbot.addWidget(parent)
    change = Change.of(Entity.TASKS)
    assert operations.run_change(parent, change_bus, lambda: change) is change
    assert heard == [change] and told == []


def test_a_refusal_is_told_and_nothing_is_published(qtbot, change_bus, heard, told):
    parent = QWidget()
    qtbot.addWidget(parent)

    def refuse() -> Change:
        raise RelappError("Only a manager can do that.")

    assert operations.run_change(parent, change_bus, refuse) is None
    assert told == ["Only a manager can do that."] and heard == []


def test_a_value_error_is_a_refusal_only_where_asked(qtbot, change_bus, heard, told):
    parent = QWidget()
    qtbot.addWidget(parent)

    def refuse() -> Change:
        raise ValueError("A tier needs a name.")

    result = operations.run_change(parent, change_bus, refuse, refusals=(ValueError,))
    assert result is None and told == ["A tier needs a name."]
    with pytest.raises(ValueError):  # not a refusal here: a bug, for the crash handler
        operations.run_change(parent, change_bus, refuse)


def test_an_outcome_carrying_a_change_publishes_it_and_nothing_if_empty(change_bus, heard):
    change = Change.of(Entity.POINTS, contact_ids=frozenset({7}))
    operations.published(change_bus, Outcome(change))
    operations.published(change_bus, Outcome(None))
    operations.published(change_bus, Change.of())
    assert heard == [change]
