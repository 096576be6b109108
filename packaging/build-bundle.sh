#!/usr/bin/env bash
# Build Relapp's one-folder bundle (dist/relapp/) with PyInstaller, from the repository root.
#
#   packaging/build-bundle.sh                 build in build/bundle-venv (made on first use)
#   PYTHON=.venv/bin/python packaging/build-bundle.sh
#                                             build with an existing environment that has the
#                                             app installed (pyinstaller is added if missing)
#
# Prints the bundle's size and the build time. dist/relapp/relapp --smoke-test checks it.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)

if [ -n "${PYTHON:-}" ]; then
    python=$PYTHON
    if ! "$python" -c "import PyInstaller" 2>/dev/null; then
        echo "build-bundle: installing PyInstaller into $("$python" -c 'import sys; print(sys.prefix)')"
        "$python" -m pip install -q -r packaging/requirements-build.txt
    fi
else
    venv=build/bundle-venv
    if [ ! -x "$venv/bin/python" ]; then
        echo "build-bundle: creating $venv"
        python3 -m venv "$venv"
    fi
    python=$venv/bin/python
    # Quiet and quick when everything is already there.
    "$python" -m pip install -q --disable-pip-version-check -r packaging/requirements-build.txt -e .
fi

"$python" -m PyInstaller --noconfirm --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/relapp.spec

elapsed=$(( $(date +%s) - started ))
size=$(du -sh dist/relapp | cut -f1)
files=$(find dist/relapp -type f | wc -l)
echo "build-bundle: dist/relapp is $size on disk ($files files), built in ${elapsed}s"
echo "build-bundle: check it with: QT_QPA_PLATFORM=offscreen dist/relapp/relapp --smoke-test"
