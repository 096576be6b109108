"""Fixtures for the flow tests: see harness.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.flows.harness import Flow, make_demo_template, start_flow


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    return make_demo_template(tmp_path_factory.mktemp("flow-demo"))


@pytest.fixture
def flow(qapp, qtbot, tmp_path, demo_template) -> Flow:
    """The real main window on a fresh copy of the demo shop."""
    person = start_flow(qtbot, tmp_path, demo_template)
    yield person
    person.close()
