"""The flow harness itself must fail a flow whose dialog is broken, and must not hang on a
dialog nobody expected: each case runs as a pytest of its own, in a child process."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).parents[2]


def run_flow(tmp_path: Path, body: str) -> subprocess.CompletedProcess:
    test_file = tmp_path / "test_flow_under_test.py"
    test_file.write_text(
        "from tests.flows.conftest import demo_template, flow  # noqa: F401\n"
        + textwrap.dedent(body)
    )
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(ROOT), str(test_file)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip


def test_a_dialog_called_as_f3_once_called_it_fails_the_redeem_flow(tmp_path):
    result = run_flow(
        tmp_path,
        """
        from relapp.ui.counter.redeem_dialog import RedeemDialog
        from tests.flows.test_counter_flows import test_redeem_a_reward_with_f3 as redeem


        def broken_ask(cls, parent, contact_id, name, balance):  # no staff id, as it was
            raise AssertionError("never reached: the Counter passes a staff id")


        def test_redeem_with_the_old_dialog(flow, monkeypatch):
            monkeypatch.setattr(RedeemDialog, "ask", classmethod(broken_ask))
            redeem(flow)
        """,
    )
    assert result.returncode == 1, result.stdout
    assert "broken_ask() takes 5 positional arguments but 6 were given" in result.stdout


def test_an_error_box_nobody_expected_fails_the_flow_instead_of_hanging(tmp_path):
    result = run_flow(
        tmp_path,
        """
        from PySide6.QtWidgets import QMessageBox
        from relapp.ui.counter.sale_dialog import SaleDialog
        from tests.flows.test_counter_flows import test_scan_a_card_and_record_a_sale as sell


        def refusing_ask(cls, parent, *args):
            QMessageBox.warning(parent, "Relapp", "The till is closed.")


        def test_sale_meets_an_error_box(flow, monkeypatch):
            monkeypatch.setattr(SaleDialog, "ask", classmethod(refusing_ask))
            sell(flow)
        """,
    )
    assert result.returncode == 1, result.stdout
    assert "a dialog left open: 'Relapp'" in result.stdout
    assert "The till is closed." in result.stdout


def test_typing_any_script_and_emoji_enters_exactly_that_text(flow):
    """QTest aborts the whole run on a character outside Latin-1 (a CI run died typing a
    Chinese namesake); the harness types such characters as an input method does."""
    flow.press("Ctrl+1")
    box = flow.current_view().search_box
    text = "Zoë 陈军 Ελένη נועה 😀 e\u0301"
    flow.type(text)
    assert box.text() == text
