"""Guard against the PySide6 6.12.0 / Python 3.11 crash (DESIGN.md): void Qt calls leaked a
reference to None until the interpreter aborted after a few thousand of them."""

from __future__ import annotations

import os
import subprocess
import sys

import PySide6

CALLS = 50_000


def test_fifty_thousand_void_qt_calls_do_not_abort():
    script = (
        "from PySide6.QtWidgets import QApplication, QLabel\n"
        "app = QApplication([])\n"
        "label = QLabel()\n"
        f"for number in range({CALLS}):\n"
        "    label.setText(str(number))\n"
        "    label.setVisible(False)\n"
        "print(label.text())\n"
    )
    # A subprocess, so an abort fails this test instead of killing the whole run.
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == str(CALLS - 1)


def test_the_known_bad_pyside_is_not_installed_on_python_3_11():
    if sys.version_info[:2] == (3, 11):
        assert PySide6.__version__ != "6.12.0"
