"""The installable builds' parts that can be checked without building (packaging/).

Building the bundle and the .deb takes minutes; packaging/ci-bundle.sh does that. These checks
take a second: the desktop entry and AppStream metadata validate, the PyInstaller spec names
every resource folder, the names the desktop matches agree, and the smoke test that the
bundle runs (`relapp --smoke-test`) passes from the source tree.
"""

from __future__ import annotations

import ast
import configparser
import io
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

import relapp
from relapp import smoke_test
from relapp.ui.smoke_checks import needs_offscreen, required_plugins

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
DESKTOP_FILE = PACKAGING / "relapp.desktop"
METAINFO = PACKAGING / "io.github.relapp.Relapp.metainfo.xml"


def run_tool(*command: str) -> subprocess.CompletedProcess:
    if shutil.which(command[0]) is None:
        pytest.skip(f"{command[0]} is not installed")
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


def test_the_desktop_entry_validates():
    result = run_tool("desktop-file-validate", str(DESKTOP_FILE))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == ""  # not even a hint


def test_the_appstream_metadata_validates():
    result = run_tool("appstreamcli", "validate", "--no-net", str(METAINFO))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_desktop_entry_matches_the_apps_desktop_file_name(qapp):
    from PySide6.QtGui import QGuiApplication

    from relapp.ui.app import create_application

    create_application()
    # Wayland finds the window's icon and name through this file name.
    assert DESKTOP_FILE.stem == QGuiApplication.desktopFileName() == "relapp"
    entry = configparser.ConfigParser(interpolation=None)
    entry.read(DESKTOP_FILE, encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert desktop["Exec"].split()[0] == "relapp"
    assert desktop["Icon"] == "relapp"
    icons = ROOT / "resources" / "icons"
    assert (icons / "relapp.svg").is_file()
    for size in (16, 24, 32, 48, 64, 128, 256, 512):  # the hicolor sizes build-deb.sh installs
        assert (icons / f"relapp-{size}.png").is_file()


def test_the_metainfo_launches_the_desktop_entry_and_names_this_version():
    component = ElementTree.parse(METAINFO).getroot()
    assert component.findtext("launchable") == DESKTOP_FILE.name
    assert component.findtext("provides/binary") == "relapp"
    newest = component.find("releases/release")
    assert newest is not None and newest.get("version") == relapp.__version__


def spec_assignment(name: str):
    tree = ast.parse((PACKAGING / "relapp.spec").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == name for target in node.targets
        ):
            return ast.literal_eval(node.value)
    raise AssertionError(f"relapp.spec assigns no {name}")


def test_the_spec_bundles_every_resource_folder():
    folders = {path.name for path in (ROOT / "resources").iterdir() if path.is_dir()}
    assert folders >= {"icons", "fonts", "styles"}
    assert folders <= set(spec_assignment("RESOURCE_FOLDERS"))


def test_the_spec_keeps_the_qt_plugins_the_smoke_test_requires():
    import fnmatch

    excludes = spec_assignment("QT_EXCLUDES")
    for platform in ("linux", "win32"):
        for folder, stem in required_plugins(platform):
            for name in (f"lib{stem}.so", f"{stem}.dll"):
                path = f"PySide6/Qt/plugins/{folder}/{name}"
                hit = [p for p in excludes if fnmatch.fnmatch(path, p) or fnmatch.fnmatch(name, p)]
                assert hit == [], f"{path} is excluded by {hit}"


def test_the_smoke_test_passes_from_the_source_tree(qapp):
    from PySide6.QtCore import QLocale

    locale = QLocale()
    out = io.StringIO()
    try:
        code = smoke_test.run_smoke_test(out)
    finally:
        QLocale.setDefault(locale)
    lines = out.getvalue().splitlines()
    assert code == 0, out.getvalue()
    steps = [line.split()[1] for line in lines if line.startswith("ok ")]
    assert steps == [
        "resources", "database", "enrol", "search", "sale", "workers", "report", "passwords", "qt",
        "plugins",
        "window",
    ]  # fmt: skip
    assert lines[-1].startswith("smoke test passed")


def test_a_failing_step_is_named_without_a_traceback(monkeypatch):
    def no_fonts(self):
        raise smoke_test.SmokeTestFailure("missing from resources: fonts/DejaVuSans.ttf")

    monkeypatch.setattr(smoke_test._SmokeRun, "resources", no_fonts)
    out = io.StringIO()
    assert smoke_test.run_smoke_test(out) == 1
    assert out.getvalue().splitlines()[1:] == [
        "FAILED resources: missing from resources: fonts/DejaVuSans.ttf",
        "smoke test failed",
    ]


def test_an_unexpected_error_shows_its_traceback_in_the_detail(monkeypatch):
    def broken(self):
        raise ValueError("the sale was refused")

    monkeypatch.setattr(smoke_test._SmokeRun, "sale", broken)
    out = io.StringIO()
    assert smoke_test.run_smoke_test(out) == 1
    text = out.getvalue()
    assert "FAILED sale: ValueError: the sale was refused" in text
    assert "  detail: Traceback" in text
    assert "ok report" not in text  # it stops at the first failure


def test_offscreen_only_when_there_is_no_display():
    assert needs_offscreen({}, "linux")
    assert not needs_offscreen({"DISPLAY": ":0"}, "linux")
    assert not needs_offscreen({"WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert not needs_offscreen({"QT_QPA_PLATFORM": "xcb"}, "linux")
    assert not needs_offscreen({}, "win32")


def test_the_windows_installer_script_compiles(tmp_path):
    if shutil.which("makensis") is None:
        pytest.skip("makensis is not installed (apt-get install nsis)")
    from PIL import Image

    bundle = tmp_path / "bundle"
    (bundle / "_internal").mkdir(parents=True)
    for name in ("relapp.exe", "relapp-cli.exe", "_internal/base_library.zip"):
        (bundle / name).write_bytes(b"stand-in")
    icon = tmp_path / "relapp.ico"
    Image.open(ROOT / "resources" / "icons" / "relapp-48.png").save(icon, sizes=[(48, 48)])
    out = tmp_path / "Relapp-test-setup.exe"
    result = run_tool(
        "makensis", "-V2", "-WX", f"-DVERSION={relapp.__version__}", f"-DBUNDLE={bundle}",
        f"-DICON={icon}", f"-DOUTFILE={out}", str(PACKAGING / "relapp.nsi"),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert out.read_bytes()[:2] == b"MZ"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="shell scripts for Linux")
def test_the_packaging_scripts_parse():
    for script in sorted(PACKAGING.glob("*.sh")):
        result = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
        assert result.returncode == 0, f"{script.name}: {result.stderr}"


def test_the_user_guide_ships_in_the_bundle_and_the_wheel(tmp_path):
    """Help > User guide opens docs/user-guide.md from resources/docs in a build."""
    assert "user-guide.md" in spec_assignment("DOCUMENTS")
    spec = (PACKAGING / "relapp.spec").read_text(encoding="utf-8")
    assert '"resources/docs") for name in DOCUMENTS' in spec
    build = tmp_path / "build"
    result = subprocess.run(
        [sys.executable, "setup.py", "-q", "build_py", "--build-lib", str(build)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    shipped = build / "relapp" / "resources" / "docs" / "user-guide.md"
    assert shipped.read_bytes() == (ROOT / "docs" / "user-guide.md").read_bytes()
