"""Build hook: ship the top-level resources/ folder inside the installed package.

A checkout keeps resources/ beside relapp/ (DESIGN.md layout); an installed wheel has no such
sibling, so the build copies it to relapp/resources. relapp.resources looks in both places.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPyWithResources(build_py):
    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "relapp" / "resources"
        shutil.copytree(Path(__file__).parent / "resources", target, dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildPyWithResources})
