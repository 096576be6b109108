#!/usr/bin/env bash
# Build the Windows installer with NSIS (Debian: apt-get install nsis).
#
#   packaging/build-installer.sh BUNDLE_DIR   wrap a Windows bundle (dist\relapp built on
#                                             Windows, copied here) into
#                                             dist/Relapp-VERSION-setup.exe
#   packaging/build-installer.sh --dummy      wrap a stand-in bundle: proves relapp.nsi
#                                             compiles (PyInstaller cannot cross-build the
#                                             Windows bundle on Linux)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v makensis >/dev/null || { echo "build-installer: needs makensis (apt-get install nsis)" >&2; exit 1; }

version=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' relapp/__init__.py)
case "${1:-}" in
    --dummy)
        bundle=build/nsis-dummy-bundle
        rm -rf "$bundle" && mkdir -p "$bundle/_internal/resources"
        printf 'stand-in for the PyInstaller executable\n' > "$bundle/relapp.exe"
        printf 'stand-in for the PyInstaller console executable\n' > "$bundle/relapp-cli.exe"
        cp -r resources/icons "$bundle/_internal/resources/"
        out=build/Relapp-$version-setup-dummy.exe
        ;;
    "" | -*)
        echo "usage: packaging/build-installer.sh BUNDLE_DIR | --dummy" >&2; exit 2 ;;
    *)
        bundle=$1
        [ -f "$bundle/relapp.exe" ] || { echo "build-installer: no relapp.exe in $bundle" >&2; exit 1; }
        out=dist/Relapp-$version-setup.exe
        ;;
esac

python=${PYTHON:-}
if [ -z "$python" ]; then
    python=python3
    [ -x build/bundle-venv/bin/python ] && python=build/bundle-venv/bin/python
fi
"$python" packaging/make_ico.py build/relapp.ico >/dev/null
mkdir -p "$(dirname "$out")"
bundle=$(cd "$bundle" && pwd)
makensis -V2 -WX -DVERSION="$version" -DBUNDLE="$bundle" -DICON="$PWD/build/relapp.ico" \
    -DOUTFILE="$PWD/$out" packaging/relapp.nsi
echo "build-installer: $out ($(du -h "$out" | cut -f1))"
