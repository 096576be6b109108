#!/usr/bin/env bash
# CI for the installable builds: build the bundle, run its smoke test headless, build the .deb
# and run the smoke test again from the package's files, and compile the Windows installer
# script around a stand-in bundle. A resource, module or Qt plugin missing from the bundle, or
# a library missing from the .deb's Depends, fails here.
#
#   packaging/ci-bundle.sh                         uses build/bundle-venv (made on first use)
#   PYTHON=.venv/bin/python packaging/ci-bundle.sh uses an environment with the app installed
#
# As root (CI) it installs what it needs from Debian: packaging/deb-build-packages.txt and nsis.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)

if [ "$(id -u)" = 0 ]; then
    mapfile -t wanted < <(grep -v '^#' packaging/deb-build-packages.txt | tr -s ' \n' '\n' | sed '/^$/d')
    wanted+=(nsis)
    missing=()
    for name in "${wanted[@]}"; do
        dpkg-query -W -f='${Status}' "$name" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$name")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "ci-bundle: installing ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
fi

packaging/build-bundle.sh

echo "ci-bundle: smoke test of dist/relapp"
QT_QPA_PLATFORM=offscreen dist/relapp/relapp --smoke-test

packaging/build-deb.sh
deb=$(ls -t dist/relapp_*.deb | head -1)
unpacked=$(mktemp -d)
trap 'rm -rf "$unpacked"' EXIT
dpkg-deb -x "$deb" "$unpacked"
echo "ci-bundle: smoke test of $deb's files"
QT_QPA_PLATFORM=offscreen "$unpacked/opt/relapp/relapp" --smoke-test
desktop-file-validate "$unpacked/usr/share/applications/relapp.desktop"
appstreamcli validate --no-net "$unpacked/usr/share/metainfo/io.github.relapp.Relapp.metainfo.xml"

if command -v makensis >/dev/null; then
    PYTHON=${PYTHON:-} packaging/build-installer.sh --dummy
else
    echo "ci-bundle: makensis not found; Windows installer script not compiled"
fi
echo "ci-bundle: done in $(( $(date +%s) - started ))s"
