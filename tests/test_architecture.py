"""Nothing below relapp/ui imports Qt: domain, storage and reports stay testable without it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import relapp

PACKAGE = Path(relapp.__file__).parent
QT_MODULES = ("PySide6", "shiboken6", "PyQt5", "PyQt6")


def qt_imports(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        found += [name for name in names if name.split(".")[0] in QT_MODULES]
    return found


def test_the_checker_spots_qt_imports_of_every_form():
    source = (
        "import os\nfrom PySide6.QtCore import QObject\nimport shiboken6\n"
        "def f():\n    import PySide6\n"
    )
    assert qt_imports(source) == ["PySide6.QtCore", "shiboken6", "PySide6"]
    assert qt_imports("from relapp.ui import x\nimport json\n") == []


def test_no_module_below_ui_imports_qt():
    offenders = {}
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] == "ui":
            continue
        imports = qt_imports(path.read_text(encoding="utf-8"))
        if imports:
            offenders[str(relative)] = imports
    assert offenders == {}
    assert len(list(PACKAGE.rglob("*.py"))) > 20  # the walk really saw the package


def test_command_line_work_does_not_load_qt(tmp_path):
    script = (
        "import sys\n"
        "from relapp.cli import main\n"
        f"code = main(['demo', '--db', {str(tmp_path / 'shop.db')!r}, '--contacts', '5'])\n"
        "assert code == 0, code\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6'))\n"
        "print(loaded)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
