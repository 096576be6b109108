#!/usr/bin/env bash
# Build the Debian package from the bundle: dist/relapp_VERSION_ARCH.deb.
#
#   packaging/build-bundle.sh && packaging/build-deb.sh
#
# The package puts the bundle in /opt/relapp, a `relapp` command in /usr/bin, the desktop entry,
# hicolor icons and AppStream metadata in /usr/share. Its Depends line is worked out from the
# bundle by dpkg-shlibdeps (dpkg-dev), so the libraries the bundle leaves to the system must be
# installed on the build machine: packaging/deb-build-packages.txt lists them, and this script
# installs them when run as root (CI).
set -euo pipefail
cd "$(dirname "$0")/.."

bundle=dist/relapp
[ -x "$bundle/relapp" ] || { echo "build-deb: no $bundle/relapp; run packaging/build-bundle.sh" >&2; exit 1; }
version=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' relapp/__init__.py)
arch=$(dpkg --print-architecture)
package=relapp_${version}_${arch}
started=$(date +%s)

# What dpkg-shlibdeps and the checks need, on a bare machine.
if [ "$(id -u)" = 0 ]; then
    mapfile -t wanted < <(grep -v '^#' packaging/deb-build-packages.txt | tr -s ' \n' '\n' | sed '/^$/d')
    missing=()
    for name in "${wanted[@]}"; do
        dpkg-query -W -f='${Status}' "$name" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$name")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "build-deb: installing ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
fi

root=build/deb/$package
rm -rf "$root"
mkdir -p "$root/DEBIAN" "$root/opt" "$root/usr/bin" "$root/usr/share/applications" \
    "$root/usr/share/metainfo" "$root/usr/share/doc/relapp"
cp -a "$bundle" "$root/opt/relapp"
# PyInstaller finds its files next to the real executable, so a link on the PATH is enough.
ln -s /opt/relapp/relapp "$root/usr/bin/relapp"
install -m 644 packaging/relapp.desktop "$root/usr/share/applications/relapp.desktop"
install -m 644 packaging/io.github.relapp.Relapp.metainfo.xml "$root/usr/share/metainfo/"
for size in 16 24 32 48 64 128 256 512; do
    install -D -m 644 "resources/icons/relapp-$size.png" \
        "$root/usr/share/icons/hicolor/${size}x${size}/apps/relapp.png"
done
install -D -m 644 resources/icons/relapp.svg "$root/usr/share/icons/hicolor/scalable/apps/relapp.svg"
install -m 644 packaging/debian-copyright "$root/usr/share/doc/relapp/copyright"
# The bundle is built by root-owned tools; make modes regular for a system directory.
find "$root/opt" -type d -exec chmod 755 {} +
find "$root/opt" -type f -exec chmod go-w {} +

# Depends: the system libraries the bundle's programs, extensions and Qt plugins load.
# The GTK platform theme is optional (Qt falls back to its own dialogs): Recommends.
# SQLite is in the bundle (see relapp.spec), so the system's is not needed.
elf_files=()
while IFS= read -r -d '' file; do
    [ "$(head -c4 "$file" | tr -d '\0' | tail -c3)" = "ELF" ] && elf_files+=("$file")
done < <(find "$root/opt/relapp" -type f ! -name 'libqgtk3.so' -print0)
mapfile -t private_dirs < <(printf '%s\n' "${elf_files[@]}" | xargs -n1 dirname | sort -u)
shlibdeps_dir=build/deb/shlibdeps
mkdir -p "$shlibdeps_dir/debian"
printf 'Source: relapp\n\nPackage: relapp\nArchitecture: any\n' > "$shlibdeps_dir/debian/control"
abs_files=(); for f in "${elf_files[@]}"; do abs_files+=("$PWD/$f"); done
abs_dirs=(); for d in "${private_dirs[@]}"; do abs_dirs+=("-l$PWD/$d"); done
depends=$(cd "$shlibdeps_dir" && dpkg-shlibdeps -O --ignore-missing-info "${abs_dirs[@]}" \
    "${abs_files[@]}" 2>deb-shlibdeps.log | sed -n 's/^shlibs:Depends=//p') || {
    grep -v 'warning:' "$shlibdeps_dir/deb-shlibdeps.log" >&2
    echo "build-deb: dpkg-shlibdeps failed; install the missing libraries (see above)" >&2
    exit 1
}
depends=$(echo "$depends" | tr ',' '\n' | sed 's/^ *//' | grep -v '^libsqlite3-0\b' | paste -sd, | sed 's/,/, /g')

installed_kb=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<CONTROL
Package: relapp
Version: $version
Architecture: $arch
Maintainer: The Relapp team <relapp@example.invalid>
Installed-Size: $installed_kb
Depends: $depends
Recommends: libgtk-3-0, hicolor-icon-theme
Section: misc
Priority: optional
Description: customer-relationship manager for small shops
 Relapp helps a small shop know, reward and keep its customers: find a
 customer in a second at the counter, record sales and loyalty points, follow
 up on questions and complaints, and print dossiers, loyalty cards and
 reports. It runs with no network and keeps everything in one SQLite file in
 the user's data folder (~/.local/share/Relapp).
CONTROL

desktop-file-validate "$root/usr/share/applications/relapp.desktop"
if command -v appstreamcli >/dev/null; then
    appstreamcli validate --no-net "$root/usr/share/metainfo/io.github.relapp.Relapp.metainfo.xml" >/dev/null
fi

mkdir -p dist
dpkg-deb --build --root-owner-group "$root" "dist/$package.deb" >/dev/null
elapsed=$(( $(date +%s) - started ))
echo "build-deb: dist/$package.deb, $(du -h "dist/$package.deb" | cut -f1) (installs $(( installed_kb / 1024 )) MB), built in ${elapsed}s"
echo "build-deb: Depends: $depends"
