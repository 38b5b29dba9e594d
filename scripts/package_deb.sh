#!/usr/bin/env bash
# Builds the Debian package da_<version>_<arch>.deb from a build tree (what `make package` runs).
#
#   scripts/package_deb.sh [--build-dir DIR] [--out DIR] [-Z xz|gzip|zstd|none] [-z LEVEL]
#
# The package holds what `cmake --install` puts under /usr (da stripped, its private libduckdb,
# example config, server files, nginx template, docs) and the units in /lib/systemd/system,
# where Debian 12 keeps them. It installs files only: no users, no enabled units, nothing in
# /etc (server/setup.sh does the rest). Depends are the Debian packages dpkg-shlibdeps finds
# for the binary (not libduckdb, which the package carries) and the programs da runs.
# Maintainer: DA_DEB_MAINTAINER ("Name <email>"), default "AI Data Analyst <root@localhost>".
set -euo pipefail

usage() {
  sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
}

build_dir=build
out_dir=""
compression=xz
level=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build-dir) build_dir="$2"; shift 2 ;;
    --out) out_dir="$2"; shift 2 ;;
    -Z) compression="$2"; shift 2 ;;
    -z) level="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "package_deb.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

for tool in cmake dpkg-deb dpkg-shlibdeps strip; do
  if ! command -v "$tool" >/dev/null; then
    echo "package_deb.sh: $tool is missing: run scripts/bootstrap.sh (Debian packages dpkg-dev, binutils, cmake)" >&2
    exit 1
  fi
done
if [[ ! -f "$build_dir/CMakeCache.txt" || ! -x "$build_dir/da" ]]; then
  echo "package_deb.sh: $build_dir holds no built da: run 'make build' (or cmake --build $build_dir --target da) first" >&2
  exit 1
fi
build_dir="$(cd "$build_dir" && pwd)"
out_dir="$(mkdir -p "${out_dir:-$build_dir}" && cd "${out_dir:-$build_dir}" && pwd)"

version="$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build_dir/CMakeCache.txt")"
arch="$(dpkg --print-architecture)"
deb="$out_dir/da_${version}_${arch}.deb"

# The staging folder is laid out as dpkg-shlibdeps expects: debian/control and debian/da/.
stage="$(mktemp -d "$out_dir/.da-deb.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
root="$stage/debian/da"
DESTDIR="$root" cmake --install "$build_dir" --prefix /usr >/dev/null
strip "$root/usr/bin/da"
strip --strip-unneeded "$root/usr/lib/da/libduckdb.so"
mkdir -p "$root/lib/systemd"
mv "$root/usr/lib/systemd/system" "$root/lib/systemd/system"
rmdir "$root/usr/lib/systemd"

# -l: libduckdb is the package's own; dpkg-shlibdeps then leaves it out of Depends. It still
# warns that it cannot read a version from the name libduckdb.so: that is expected.
mkdir -p "$root/DEBIAN"
printf 'Source: da\n\nPackage: da\nArchitecture: any\n' >"$stage/debian/control"
shlibs="$(cd "$stage" && dpkg-shlibdeps -O -ldebian/da/usr/lib/da debian/da/usr/bin/da \
  2> >(grep -v "libduckdb.so'$" >&2))"
shlibs="${shlibs#shlibs:Depends=}"
# Programs da runs: rsync (analysts' pulls over SSH run it at both ends) and useradd/usermod
# (passwd: analyst accounts); setup.sh and deploy.sh drive systemd. Recommended: nginx fronts the portal, sshd (with ssh, which
# da pull runs) serves analysts' rsync, python3 runs notification scripts not marked executable.
depends="$shlibs, passwd, rsync, systemd"
recommends="nginx, openssh-server, python3"
suggests="certbot"

installed_kib="$(du -sk --apparent-size "$root" | cut -f1)"
cat >"$root/DEBIAN/control" <<EOF
Package: da
Version: $version
Architecture: $arch
Maintainer: ${DA_DEB_MAINTAINER:-AI Data Analyst <root@localhost>}
Installed-Size: $installed_kib
Section: misc
Priority: optional
Depends: $depends
Recommends: $recommends
Suggests: $suggests
Description: AI Data Analyst: data distribution for AI analytical work
 The broker syncs tables from data sources to Parquet, keeps the catalog,
 runs the web portal and the notification services, and distributes data
 to analysts, who query it locally with DuckDB. One binary, da, with its
 own libduckdb; systemd units, an nginx site template, example configuration
 and server/setup.sh in /usr/share/da.
EOF
chmod -R go-w "$root"

args=(--root-owner-group -Z"$compression")
[[ -n "$level" ]] && args+=(-z"$level")
dpkg-deb "${args[@]}" --build "$root" "$deb" >/dev/null
echo "$deb"
