"""Build hook: ship the top-level resources/ folder, and the user guide, inside the package.

A checkout keeps resources/ and docs/ beside relapp/ (DESIGN.md layout); an installed wheel has
no such siblings, so the build copies resources/ to relapp/resources and docs/user-guide.md to
relapp/resources/docs (Help > User guide). relapp.resources looks in both places.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPyWithResources(build_py):
    def run(self) -> None:
        super().run()
        root = Path(__file__).parent
        target = Path(self.build_lib) / "relapp" / "resources"
        shutil.copytree(root / "resources", target, dirs_exist_ok=True)
        (target / "docs").mkdir(exist_ok=True)
        shutil.copy2(root / "docs" / "user-guide.md", target / "docs" / "user-guide.md")


setup(cmdclass={"build_py": BuildPyWithResources})
