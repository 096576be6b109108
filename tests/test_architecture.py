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


# --- raw file access ------------------------------------------------------------------------
# Closing any descriptor of the live database drops the process's SQLite locks (see
# relapp/db/live_files.py). So every call that opens, copies, reads or replaces a file by name
# is listed here with why it can never be handed the database; a new one fails this test until
# it is looked at and, if it can receive a file a person named, passes through
# refuse_database_files() first.
RAW_FILE_CALLS = {"open", "read_bytes", "read_text", "write_bytes", "write_text", "fsync",
                  "copyfile", "copy", "copy2", "copyfileobj", "move", "replace", "rename",
                  "ZipFile", "Canvas", "mkstemp"}  # fmt: skip
ALLOWED_RAW_FILE_CALLS = {
    # Backups: the NAME.part being written (locked with flock), its folder, and the byte
    # copy of a damaged database made in a child process (_copy_files).
    ("backups.py", "_copy_to"): "the .part copy, renamed to a name refused if it is the db",
    ("backups.py", "_remove_leftover_part"): "a .part left by a killed backup",
    ("backups.py", "_create_locked"): "a new .part file",
    ("backups.py", "_copy_files"): "runs in a child process that holds no SQLite lock",
    ("backups.py", "_fsync_file"): "the .part or the child's copy",
    ("backups.py", "_fsync_folder"): "a folder",
    ("crash_log.py", "write_crash_log"): "the error log in the state folder",
    ("smoke_test.py", "report"): "its own PDF in a temporary folder",
    ("reports/document.py", "atomic_pdf"): "target refused if it is the db, then a temp file",
    ("reports/cards.py", "loyalty_cards"): "the temporary file of atomic_pdf",
    ("exchange/person_export.py", "export_person"): "out refused if it is the db, then a temp file",
    ("domain/shop_logo.py", "set_logo"): "path refused if it is the db",
    ("ui/reports/preview.py", "save_as"): "target refused if it is the db",
    ("ui/icons.py", "view_icon"): "a resource file",
    ("ui/app.py", "create_application"): "a resource file",
    ("ui/timeline/kind_style.py", "_drawing"): "a resource file",
    ("ui/help/user_guide_dialog.py", "show_for"): "the user guide, a resource file",
    ("exchange/csv_read.py", "read_table"): "path refused if it is the db",
    ("exchange/vcard.py", "vcard_rows"): "path refused if it is the db",
    ("exchange/importer.py", "detect_format"): "path refused if it is the db",
    ("exchange/importer.py", "write_error_report"): "path refused if it is the db",
    ("exchange/exporter.py", "export_csv"): "out refused if it is the db",
    ("exchange/exporter.py", "export_vcard"): "out refused if it is the db",
}


def raw_file_calls(source: str) -> list[tuple[str, str]]:
    """(enclosing function, called name) for each call that may touch a file by name."""
    found = []

    def visit(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, child.name)
                continue
            if isinstance(child, ast.Call):
                callee = child.func
                is_attribute = isinstance(callee, ast.Attribute)
                name = callee.attr if is_attribute else getattr(callee, "id", "")
                receiver = callee.value if is_attribute else None
                is_str_method = isinstance(receiver, ast.Constant)  # "a-b".replace(...)
                if name in RAW_FILE_CALLS and not is_str_method and _takes_a_path(name, child):
                    found.append((function, name))
            visit(child, function)

    visit(ast.parse(source), "<module>")
    return found


def _takes_a_path(name: str, call: ast.Call) -> bool:
    # text.replace(a, b) and datetime.replace(tzinfo=...) are not os.replace(a, b): os.replace
    # is called as os.replace; Path.replace(target) and Path.rename have one argument.
    if name in ("replace", "rename"):
        callee = call.func
        owner = callee.value if isinstance(callee, ast.Attribute) else None
        return (isinstance(owner, ast.Name) and owner.id == "os") or (
            len(call.args) == 1 and not call.keywords and name == "rename"
        )
    if name in ("copy", "copy2", "move"):  # shutil.move(a, b), not window.move(x, y)
        callee = call.func
        owner = callee.value if isinstance(callee, ast.Attribute) else None
        return owner is None or (isinstance(owner, ast.Name) and owner.id == "shutil")
    return True


def test_the_file_access_checker_sees_opens_copies_and_replaces():
    source = (
        "import os, shutil\n"
        "def reader(path):\n    with open(path) as f:\n        return f.read()\n"
        "def copier(a, b):\n    shutil.copyfile(a, b)\n    os.replace(a, b)\n"
        "def words(text):\n    return text.replace('a', 'b')\n"
    )
    assert raw_file_calls(source) == [
        ("reader", "open"), ("copier", "copyfile"), ("copier", "replace")
    ]  # fmt: skip


def test_raw_file_access_stays_where_it_cannot_reach_the_live_database():
    unlisted = {}
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE).as_posix()
        for function, name in raw_file_calls(path.read_text(encoding="utf-8")):
            if (relative, function) not in ALLOWED_RAW_FILE_CALLS:
                unlisted.setdefault(f"{relative}:{function}", []).append(name)
    assert unlisted == {}
