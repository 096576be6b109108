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
    # A shop server's backup: pg_dump's NAME.part renamed once read back (the server's
    # files are the server's; nothing here is the till's database).
    ("db/server/maintenance.py", "_dump"): "pg_dump's .part, renamed once it reads back",
    # Backups: the NAME.part being written (locked with flock), its folder, and the byte
    # copy of a damaged database made in a child process (_copy_files).
    ("db/backups/copy.py", "copy_to"): "the .part copy, renamed to a name refused if it is the db",
    ("db/backups/files.py", "remove_leftover_part"): "a .part left by a killed backup",
    ("db/backups/files.py", "create_locked"): "a new .part file",
    ("db/backups/files.py", "copy_files"): "runs in a child process that holds no SQLite lock",
    ("db/backups/files.py", "fsync_file"): "the .part or the child's copy",
    ("db/backups/files.py", "fsync_folder"): "a folder",
    ("crash_log.py", "write_crash_log"): "the error log in the state folder",
    ("cli/__init__.py", "main"): "os.devnull, for stdout after its reader went away",
    ("smoke_test.py", "report"): "its own PDF in a temporary folder",
    ("reports/document.py", "atomic_pdf"): "target refused if it is the db, then a temp file",
    ("reports/cards.py", "write_card_sheet"): "the temporary file of atomic_pdf",
    ("reports/gift_card.py", "gift_card_pdf"): "the temporary file of atomic_pdf",
    ("reports/campaign_letters.py", "_new_canvas"): "the temporary file of atomic_pdf",
    ("exchange/person_export.py", "export_person"): "out refused if it is the db, then a temp file",
    ("domain/shop/logo.py", "set_logo"): "path refused if it is the db",
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
    ("exchange/campaign_files.py", "_write_atomically"): "target refused, then a temp file",
    ("cli/campaign.py", "_read_template"): "path refused if it is the db",
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


# ------------------------------------------------------------------------ import directions

# Lower layers never import higher ones; a module may import its own layer and those below.
LAYERS = (
    # What everything may use: errors, labels, data folders, the version (relapp itself).
    (
        "relapp",
        "relapp.errors",
        "relapp.labels",
        "relapp.i18n",
        "relapp.resources",
        "relapp.crash_log",
        "relapp.db.location",
    ),
    ("relapp.db",),  # the store: SQLite and everything that speaks to it
    ("relapp.domain",),  # the shop's rules
    ("relapp.reports", "relapp.exchange", "relapp.demo"),
    ("relapp.ui",),
    ("relapp.cli", "relapp.smoke_test", "relapp.__main__"),  # the ways in
)
# Import loops that remain: none. A new one fails the test below; if one must stay for a
# while, list it here (the test also fails once it is gone, so the list stays true).
KNOWN_IMPORT_LOOPS: set[frozenset[str]] = set()


def module_names() -> dict[str, Path]:
    names = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        names[name] = path
    return names


def import_graph() -> dict[str, set[str]]:
    """Each module of relapp and the modules of relapp it imports, at the top or inside a
    function. `from package import module` counts as importing that module."""
    modules = module_names()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                    for alias in node.names
                ]
            else:
                continue
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
                graph[name] |= _packages_run_first(name, target, modules)
    return graph


def _packages_run_first(name: str, target: str, modules: dict[str, Path]) -> set[str]:
    """Importing relapp.ui.counter.customer_panel first runs relapp/ui/counter/__init__.py,
    which may import much more. Packages whose __init__ imports nothing of ours do nothing,
    and the packages the importer is itself inside are running already."""
    parts = target.split(".")
    packages = {".".join(parts[:end]) for end in range(2, len(parts))}
    return {
        package
        for package in packages
        if not (name + ".").startswith(package + ".") and _imports_ours(modules[package])
    }


def _imports_ours(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("relapp"):
            return True
        if isinstance(node, ast.Import) and any(a.name.startswith("relapp") for a in node.names):
            return True
    return False


def _runtime_nodes(tree: ast.AST):
    """Every node but those under `if TYPE_CHECKING:` (imports for annotations only, never
    run, so they make no loop)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            yield from (part for child in node.orelse for part in ast.walk(child))
            continue
        yield node
        yield from _runtime_nodes(node)


def layer_of(module: str) -> int:
    best, depth = len(LAYERS), -1
    for rank, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            matches = module == prefix or module.startswith(prefix + ".")
            if matches and prefix.count(".") > depth:
                best, depth = rank, prefix.count(".")
    return best


def upward_imports(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    return sorted(
        (module, target)
        for module, targets in graph.items()
        for target in targets
        if layer_of(target) > layer_of(module)
    )


def import_loops(graph: dict[str, set[str]]) -> set[frozenset[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    loops: set[frozenset[str]] = set()

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in graph.get(module, ()):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == module:
                    break
            if len(group) > 1:
                loops.add(frozenset(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return loops


def test_the_checkers_see_an_upward_import_and_a_new_loop():
    graph = import_graph()
    assert ("relapp.domain.loyalty.points", "relapp.db.models") not in upward_imports(graph)
    graph["relapp.db.models"].add("relapp.ui.app")  # the store reaching up into the window
    assert ("relapp.db.models", "relapp.ui.app") in upward_imports(graph)
    assert import_loops(graph) - KNOWN_IMPORT_LOOPS  # ui.app imports the store: a new loop
    # Importing a module runs its package's __init__ first, and what that imports.
    modules = module_names()
    staff_view = "relapp.ui.staff.audit_view"
    assert _packages_run_first("relapp.ui.app", staff_view, modules) == {"relapp.ui.staff"}
    assert _packages_run_first("relapp.ui.staff.current_staff", staff_view, modules) == set()
    assert _packages_run_first("relapp.crash_log", "relapp.db.location", modules) == set()
    assert import_loops({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == {
        frozenset({"a", "b", "c"})
    }


def test_no_module_imports_a_higher_layer():
    assert upward_imports(import_graph()) == []


def test_no_new_import_loop_and_the_known_ones_are_still_listed_truly():
    loops = import_loops(import_graph())
    assert loops - KNOWN_IMPORT_LOOPS == set(), "a new import loop"
    assert KNOWN_IMPORT_LOOPS - loops == set(), "fixed: take it off KNOWN_IMPORT_LOOPS"
