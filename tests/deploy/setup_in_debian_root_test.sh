#!/usr/bin/env bash
# server/setup.sh and server/webapp-setup.sh run for real, as root, inside a fresh Debian 12
# root: setup.sh installs the package and lays out the broker (users, groups, every owner and
# mode), repairs what an operator broke, and a second run changes nothing; webapp-setup.sh
# writes an nginx site with a self-signed certificate that `nginx -t` accepts, with and without
# a sub-path, and refuses a key that does not belong to the certificate; every sudoers file in
# server/sudoers/ passes `visudo -cf`.
#
#   setup_in_debian_root_test.sh DA_BINARY SOURCE_DIR BUILD_DIR
#
# The root is the cached Debian 12 root of tests/deploy/debian_root.sh (debootstrap, built once).
# The test works on a copy in a tmpfs, with /proc, /dev and /run mounted for the chroot, and
# unmounts and removes everything on exit.
set -euo pipefail

DA_BIN=$(readlink -f "$1")
SRC=$(readlink -f "$2")
BUILD=$(readlink -f "$3")
HOST=broker.example.test

[[ $(id -u) -eq 0 ]] || { echo "this test needs root (chroot, mounts, users)" >&2; exit 1; }

passed=0
failed=0
check() { # DESCRIPTION COMMAND...: one named check
  if "${@:2}" >/dev/null; then passed=$((passed + 1)); echo "ok: $1"
  else failed=$((failed + 1)); echo "FAILED: $1" >&2; fi
}
phase_started=$SECONDS
phase() { echo "--- $1 (after $((SECONDS - phase_started)) s)"; }
show() { sed 's/^/  | /' <<<"$1"; }

WORK=$(mktemp -d /tmp/da-setup-test.XXXXXX)
ROOT="$WORK/root"
cleanup() {
  local mount
  for mount in "$ROOT/run" "$ROOT/dev/pts" "$ROOT/dev" "$ROOT/proc" "$WORK"; do
    mountpoint -q "$mount" 2>/dev/null && umount -l "$mount"
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

# ---- the cached Debian root -----------------------------------------------------------------

# The same cached root as every deployment test (tests/deploy/debian_root.sh builds it once).
phase "Debian root"
TARBALL=$("$SRC/tests/deploy/debian_root.sh" image)
mount -t tmpfs -o size=3g tmpfs "$WORK"
mkdir "$ROOT"
tar -C "$ROOT" -xf "$TARBALL"
mount -t proc proc "$ROOT/proc"
mount --bind /dev "$ROOT/dev"
mount --bind /dev/pts "$ROOT/dev/pts"
mount -t tmpfs tmpfs "$ROOT/run"
# Package scripts start no services in here.
printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
chmod 755 "$ROOT/usr/sbin/policy-rc.d"
in_root() { chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root "$@"; }

# ---- the package ----------------------------------------------------------------------------

phase "package"
DEB=$("$SRC/scripts/package_deb.sh" --build-dir "$BUILD" --out "$WORK" -Z gzip -z 1)
cp "$DEB" "$ROOT/tmp/da.deb"
install -m 0755 "$SRC/server/setup.sh" "$SRC/server/webapp-setup.sh" "$ROOT/tmp/"

# ---- setup.sh -------------------------------------------------------------------------------

# Owner, group and mode of everything setup.sh is responsible for, and the accounts.
snapshot() {
  in_root find /opt/data-analyst /var/lib/da /usr/bin/da /usr/lib/da /usr/share/da /etc/default \
    /etc/systemd/system -printf '%p %u:%g %m %y %l\n' | sort
  in_root getent passwd da
  in_root getent group da dataread data-private data-ops
}

attributes_are() { # PATH OWNER:GROUP MODE
  local actual
  actual=$(in_root stat -c '%U:%G %a' "$1" 2>&1)
  [[ "$actual" == "$2 $3" ]] || { echo "  $1 is '$actual', expected '$2 $3'" >&2; return 1; }
}

nothing_writable_by_others_in() {
  local found
  found=$(in_root find "$@" ! -type l \( ! -user root -o -perm /022 \) -print)
  [[ -z "$found" ]] || { echo "  writable by others than root: $found" >&2; return 1; }
}

units_enabled_as_configured() {
  local file unit keys expected actual ok=0
  for file in "$ROOT"/lib/systemd/system/da-*.service "$ROOT"/lib/systemd/system/da-*.timer; do
    [[ -f "$file" ]] || continue
    grep -q '^\[Install\]' "$file" || continue
    unit=$(basename "$file")
    keys=$(sed -n 's/^X-DA-Enable-When=//p' "$file" | tr '\n' ' ')
    expected=enabled
    # shellcheck disable=SC2086
    if [[ -n "${keys// }" ]] && ! in_root da --config /opt/data-analyst/config config is-set $keys; then
      expected=disabled
    fi
    actual=$(in_root systemctl is-enabled "$unit" 2>/dev/null || true)
    if [[ "$actual" != "$expected" ]]; then echo "  $unit is $actual, expected $expected" >&2; ok=1; fi
  done
  return $ok
}

phase "setup.sh, first run"
first=$(in_root /tmp/setup.sh --package /tmp/da.deb --hostname "$HOST" 2>&1) || { echo "$first"; exit 1; }
show "$first"
check "the package is installed with its dependencies" in_root dpkg-query -W da
check "da runs in the new root" in_root da --version
for group in dataread data-private data-ops da; do
  check "group $group exists" in_root getent group "$group"
done
service_account() {
  local entry
  entry=$(in_root getent passwd da)
  [[ -n "$(awk -F: '$3 < 1000 && $6 == "/var/lib/da" && $7 == "/usr/sbin/nologin"' <<<"$entry")" ]]
}
check "da is a system account without a login shell, home /var/lib/da" service_account
while read -r path owner mode; do
  check "$path is $owner $mode" attributes_are "$path" "$owner" "$mode"
done <<'EXPECTED'
/opt/data-analyst root:root 755
/opt/data-analyst/config root:da 750
/opt/data-analyst/config/instance.yaml root:da 640
/opt/data-analyst/config/.env root:da 640
/opt/data-analyst/data da:dataread 750
/opt/data-analyst/data/parquet da:dataread 2750
/opt/data-analyst/data/parquet/private da:data-private 2750
/opt/data-analyst/docs da:dataread 2750
/opt/data-analyst/data/state.db da:da 640
/var/lib/da da:da 750
/usr/bin/da root:root 755
/usr/share/da root:root 755
EXPECTED
check "nothing root runs or reads as configuration is writable by da or a group" \
  nothing_writable_by_others_in /usr/bin/da /usr/lib/da /usr/share/da /opt/data-analyst/config
check ".env got a new 64-digit WEBAPP_SECRET_KEY" grep -Eq '^WEBAPP_SECRET_KEY=[0-9a-f]{64}$' "$ROOT/opt/data-analyst/config/.env"
config_is() { [[ "$(in_root da --config /opt/data-analyst/config config get "$1" | paste -sd,)" == "$2" ]]; }
check "instance.yaml: the portal behind nginx on its socket" config_is server.listen unix:/run/da/portal.sock
check "instance.yaml: proxies trusted" config_is server.trusted_proxies "unix,127.0.0.1"
check "instance.yaml: the hostname given" config_is server.hostname "$HOST"
check "instance.yaml: the portal runs as da" config_is accounts.portal_user da
check "instance.yaml: data in /opt/data-analyst/data" config_is paths.data_dir /opt/data-analyst/data
check "no /etc/default/da for the default config folder" test ! -e "$ROOT/etc/default/da"
check "units enabled exactly when their X-DA-Enable-When= key is set" units_enabled_as_configured
if [[ -f "$ROOT/lib/systemd/system/da-sync.timer" ]]; then
  check "the sync timer's schedule drop-in" grep -q '^OnCalendar=$' "$ROOT/etc/systemd/system/da-sync.timer.d/schedule.conf"
fi

phase "setup.sh repairs what an operator broke"
chmod 0664 "$ROOT/opt/data-analyst/config/.env"
in_root chown da "/opt/data-analyst/config/.env"
chmod 0777 "$ROOT/opt/data-analyst/data"
echo "WEBAPP_SECRET_KEY=kept-by-the-operator" >>"$ROOT/opt/data-analyst/config/.env"
repair=$(in_root /tmp/setup.sh 2>&1) || { echo "$repair"; exit 1; }
show "$repair"
check "the .env's owner and mode are repaired" attributes_are /opt/data-analyst/config/.env root:da 640
check "the data folder's mode is repaired" attributes_are /opt/data-analyst/data da:dataread 750
check "the repair is reported" grep -q '/opt/data-analyst/config/.env: da:da 664 -> root:da 640' <<<"$repair"
check "the .env itself is never rewritten" grep -q 'kept-by-the-operator' "$ROOT/opt/data-analyst/config/.env"

phase "setup.sh, run again"
before=$(snapshot)
again=$(in_root /tmp/setup.sh --package /tmp/da.deb 2>&1) || { echo "$again"; exit 1; }
show "$again"
check "a second run reports nothing to change" grep -q 'setup: nothing to change' <<<"$again"
check "a second run leaves every owner, mode and account as it was" test "$before" == "$(snapshot)"

check "the original's command names run the installed da on this instance" \
  in_root /usr/share/da/server/bin/list-analysts

phase "setup.sh with the configuration in an instance repository (dual-repo)"
mkdir -p "$ROOT/srv/instance"
dual=$(in_root /tmp/setup.sh --config-dir /srv/instance/config 2>&1) || { echo "$dual"; exit 1; }
show "$dual"
check "the config folder is recorded in /etc/default/da" \
  grep -qx 'DA_CONFIG_DIR=/srv/instance/config' "$ROOT/etc/default/da"
check "the instance repository's config folder is root:da 750" attributes_are /srv/instance/config root:da 750
check "its .env is root:da 640" attributes_are /srv/instance/config/.env root:da 640
dual_again=$(in_root /tmp/setup.sh 2>&1) || { echo "$dual_again"; exit 1; }
check "a run without --config-dir finds the folder again and changes nothing" \
  grep -q 'setup: nothing to change' <<<"$dual_again"
chmod g+w "$ROOT/srv"
refused=$(in_root /tmp/setup.sh 2>&1 || true)
check "a config folder below a group-writable folder is refused" \
  grep -q '/srv (on the way to /srv/instance) is root:root 775' <<<"$refused"
chmod g-w "$ROOT/srv"
in_root /tmp/setup.sh --config-dir /opt/data-analyst/config >/dev/null

# ---- webapp-setup.sh ------------------------------------------------------------------------

phase "webapp-setup.sh --self-signed"
site=/etc/nginx/sites-available/da.conf
web=$(in_root /tmp/webapp-setup.sh --self-signed 2>&1) || { echo "$web"; exit 1; }
show "$web"
check "nginx -t accepts the generated site" in_root nginx -t -q
check "the site is enabled and Debian's default site is not" \
  test "$(readlink "$ROOT/etc/nginx/sites-enabled/da.conf")" == "$site" -a ! -e "$ROOT/etc/nginx/sites-enabled/default"
no_placeholder_left() { ! grep -n '@[A-Z_]*@' "$ROOT$site"; }
check "every placeholder is filled in" no_placeholder_left
check "the site is for the configured hostname" grep -q "server_name $HOST;" "$ROOT$site"
check "the portal is reached over its socket" grep -q 'server unix:/run/da/portal.sock;' "$ROOT$site"
check "the WebSocket path goes to the gateway" grep -q 'server 127.0.0.1:8765;' "$ROOT$site"
check "a default server refuses other names on 443" grep -q 'ssl_reject_handshake on;' "$ROOT$site"
certificate_for_host() { [[ "$(in_root openssl x509 -in "/etc/ssl/da/$HOST.crt" -noout -checkhost "$HOST")" == *"does match"* ]]; }
check "the certificate is for the hostname" certificate_for_host
check "the key is root's alone" attributes_are "/etc/ssl/private/da-$HOST.key" root:root 600
check "nginx's group may open the portal's socket" \
  grep -q '^ExecStartPost=+/bin/chgrp www-data /run/da/portal.sock$' "$ROOT/etc/systemd/system/da-portal.service.d/nginx-socket.conf"
web_again=$(in_root /tmp/webapp-setup.sh --self-signed 2>&1) || { echo "$web_again"; exit 1; }
check "webapp-setup.sh run again reports nothing to change" grep -q 'webapp-setup: nothing to change' <<<"$web_again"

phase "webapp-setup.sh with a sub-path"
echo "BASE_URL=https://$HOST/da" >>"$ROOT/opt/data-analyst/config/.env"
sub=$(in_root /tmp/webapp-setup.sh --self-signed 2>&1) || { echo "$sub"; exit 1; }
check "with base_url https://$HOST/da the portal is served under /da/" grep -q 'location /da/ {' "$ROOT$site"
check "and / leads there" grep -q 'return 302 /da/;' "$ROOT$site"
check "nginx -t accepts the sub-path site" in_root nginx -t -q
sed -i '/^BASE_URL=/d' "$ROOT/opt/data-analyst/config/.env"

phase "webapp-setup.sh refuses a key of another certificate"
in_root openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj "/CN=$HOST" -addext "subjectAltName=DNS:$HOST" -keyout /tmp/other.key -out /tmp/other.crt >/dev/null 2>&1
wrong=$(in_root /tmp/webapp-setup.sh --cert /tmp/other.crt --key "/etc/ssl/private/da-$HOST.key" 2>&1 || true)
check "a key that does not belong to the certificate is refused" grep -q 'does not belong to the certificate' <<<"$wrong"
check "and the site keeps its certificate" grep -q "ssl_certificate /etc/ssl/da/$HOST.crt;" "$ROOT$site"

phase "sudoers files"
for file in "$SRC"/server/sudoers/*; do
  [[ -f "$file" ]] || continue
  check "visudo -cf accepts $(basename "$file")" visudo -cf "$file"
done

phase "done"
echo "setup_in_debian_root: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
