#!/usr/bin/env bash
# server/deploy.sh for real, on a Debian 12 machine booted with systemd (debian_root.sh): the
# package is installed by setup.sh, the units run under systemd, a timer-started sync
# publishes the sample data, and then
#   - a package whose checksum is wrong is refused and nothing changes;
#   - an upgrade keeps the state (users, tokens, registry, published data) and serves;
#   - a broken upgrade (its portal cannot start) is rolled back by itself: the previous version
#     serves again, with the same state, and deploy.sh exits 1 naming the portal.
#
#   deploy_in_debian_root_test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail

SRC=$(readlink -f "$1")
BUILD=$(readlink -f "$2")
HARNESS="$SRC/tests/deploy/debian_root.sh"

[[ $(id -u) -eq 0 ]] || { echo "this test needs root (namespaces, mounts, users)" >&2; exit 1; }

passed=0
failed=0
check() { # DESCRIPTION COMMAND...
  if "${@:2}"; then passed=$((passed + 1)); echo "ok: $1"
  else failed=$((failed + 1)); echo "FAILED: $1" >&2; fi
}
started=$SECONDS
phase() { echo "--- $1 (after $((SECONDS - started)) s)"; }

WORK=$(mktemp -d /tmp/da-deploy-test.XXXXXX)
R="$WORK/root"
cleanup() {
  if [[ -n "${DA_KEEP_ROOT:-}" ]]; then echo "kept the booted root: $R (stop: $HARNESS stop $R)"; return; fi
  "$HARNESS" stop "$R" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
in_root() { "$HARNESS" run "$R" "$@"; }
as_da() { in_root runuser -u da -- env DA_CONFIG_DIR=/opt/data-analyst/config /usr/bin/da "$@"; }

# ---- three packages: the release, an upgrade, and a broken upgrade -----------------------------

phase "packages"
"$SRC/scripts/package_deb.sh" --build-dir "$BUILD" --out "$WORK/pkg" -Z gzip -z 1 >/dev/null
base=$(ls "$WORK"/pkg/da_*_amd64.deb)
version=$(dpkg-deb --field "$base" Version)

# variant VERSION [broken]: the same package under another version; a broken one's portal
# exits at once (every other command works), as a release with a startup bug would.
variant() {
  local v="$1" dir="$WORK/variant-$1"
  dpkg-deb -R "$base" "$dir"
  sed -i "s/^Version: .*/Version: $v/" "$dir/DEBIAN/control"
  if [[ "${2:-}" == broken ]]; then
    mv "$dir/usr/bin/da" "$dir/usr/bin/da.real"
    cat >"$dir/usr/bin/da" <<'EOF'
#!/bin/sh
for argument in "$@"; do
  [ "$argument" = serve ] && { echo "da: error: this release cannot serve" >&2; exit 1; }
done
exec /usr/bin/da.real "$@"
EOF
    chmod 0755 "$dir/usr/bin/da"
  fi
  dpkg-deb --root-owner-group -Zgzip -z1 -b "$dir" "$WORK/pkg/da_${v}_amd64.deb" >/dev/null
  rm -rf "$dir"
  echo "$WORK/pkg/da_${v}_amd64.deb"
}
upgrade=$(variant "$version+upgrade1")
broken=$(variant "$version+upgrade2" broken)

# ---- a broker: setup.sh, an instance with the sample data, the units running ---------------------

phase "booting a Debian 12 root with systemd"
"$HARNESS" boot "$R"
mkdir -p "$R/root/pkg"
cp "$base" "$upgrade" "$broken" "$R/root/pkg/"
install -m 0755 "$SRC/server/setup.sh" "$R/root/setup.sh"

phase "setup.sh --package $(basename "$base")"
in_root /root/setup.sh --package "/root/pkg/$(basename "$base")" --hostname broker.example.test >"$WORK/setup.log" 2>&1 ||
  { cat "$WORK/setup.log" >&2; exit 1; }

# The instance: the sample shop as CSV files, synced by the timer's service.
cat >"$R/opt/data-analyst/config/instance.yaml" <<'EOF'
instance:
  name: Deploy test
server:
  hostname: broker.example.test
  base_url: https://broker.example.test
  listen: unix:/run/da/portal.sock
  trusted_proxies: [unix]
auth:
  webapp_secret_key: ${WEBAPP_SECRET_KEY}
  email:
    dev_mode: true
  allowed_domain: example.com
data_source:
  type: csv
  csv:
    base_dir: /opt/data-analyst/incoming
paths:
  data_dir: /opt/data-analyst/data
  docs_dir: /opt/data-analyst/docs
accounts:
  portal_user: da
EOF
echo "WEBAPP_SECRET_KEY=$(openssl rand -hex 32)" >>"$R/opt/data-analyst/config/.env"
mkdir -p "$R/opt/data-analyst/incoming"
in_root /usr/bin/da sample-data --size xs --out /opt/data-analyst/incoming >/dev/null
in_root install -o da -g dataread -m 0644 /opt/data-analyst/incoming/data_description.md \
  /opt/data-analyst/docs/data_description.md
in_root /root/setup.sh >"$WORK/setup2.log" 2>&1 || { cat "$WORK/setup2.log" >&2; exit 1; }

in_root systemctl start da-sync.service
in_root systemctl restart da-portal.service
portal_health() {
  in_root curl -fsS --max-time 5 --unix-socket /run/da/portal.sock http://localhost/health
}
wait_for_portal() {
  for _ in $(seq 1 100); do portal_health >/dev/null 2>&1 && return 0; sleep 0.2; done
  return 1
}
check "the portal serves under systemd (Type=notify)" wait_for_portal
as_da users grant-role ana@example.com admin >/dev/null
token=$(as_da users token create ana@example.com --name deploy-test | tail -1)

# What must survive every deployment: users and tokens, the registry, the published data.
state() {
  as_da --json users list
  as_da --json tables list
  as_da query "SELECT count(*) FROM orders" --format csv
  as_da query "SELECT sum(total_amount) FROM orders" --format csv
}
state >"$WORK/state.before"
check "the sync published the sample orders" grep -q '^100$' "$WORK/state.before"

installed() { in_root dpkg-query -W -f='${Version}' da; }

# ---- a wrong checksum --------------------------------------------------------------------------

phase "deploy.sh with a wrong checksum"
set +e
in_root /usr/share/da/server/deploy.sh "/root/pkg/$(basename "$upgrade")" --sha256 "$(printf '0%.0s' {1..64})" \
  >"$WORK/wrong.log" 2>&1
status=$?
set -e
check "a wrong checksum is refused" test "$status" -eq 1
check "the refusal names the checksum" grep -q "SHA-256" "$WORK/wrong.log"
check "nothing changed" test "$(installed)" = "$version"

# ---- an upgrade --------------------------------------------------------------------------------

phase "deploy.sh $(basename "$upgrade")"
sha=$(sha256sum "$upgrade" | cut -d' ' -f1)
if ! in_root /usr/share/da/server/deploy.sh "/root/pkg/$(basename "$upgrade")" --sha256 "$sha" >"$WORK/upgrade.log" 2>&1; then
  cat "$WORK/upgrade.log" >&2
fi
check "the upgrade is installed" test "$(installed)" = "$version+upgrade1"
check "the portal serves after the upgrade" wait_for_portal
state >"$WORK/state.upgraded"
check "the upgrade kept the state" diff "$WORK/state.before" "$WORK/state.upgraded"
check "a token made before the upgrade still works" \
  in_root curl -fsS --max-time 5 --unix-socket /run/da/portal.sock \
  -H "Authorization: Bearer $token" http://localhost/api/catalog -o /dev/null
check "the state was backed up" test -n "$(ls "$R/var/backups/da")"

[[ -n "${DA_STOP_AFTER_UPGRADE:-}" ]] && exit 1
# ---- a broken upgrade --------------------------------------------------------------------------

phase "deploy.sh $(basename "$broken") (broken)"
sha=$(sha256sum "$broken" | cut -d' ' -f1)
set +e
in_root /usr/share/da/server/deploy.sh "/root/pkg/$(basename "$broken")" --sha256 "$sha" \
  --health-timeout 10 >"$WORK/broken.log" 2>&1
status=$?
set -e
check "a broken upgrade fails the deployment" test "$status" -eq 1
check "deploy.sh says the portal failed and that it rolled back" \
  grep -q "portal.*rolled back\|rolled back.*portal" <(tr '\n' ' ' <"$WORK/broken.log")
check "the previous version is installed again" test "$(installed)" = "$version+upgrade1"
check "the previous version serves" wait_for_portal
state >"$WORK/state.rolledback"
check "the rollback lost no state" diff "$WORK/state.before" "$WORK/state.rolledback"
[[ $failed -eq 0 ]] || { echo "--- deploy.sh output of the broken upgrade"; cat "$WORK/broken.log"; } >&2

phase "done"
echo "$passed checks passed, $failed failed"
[[ $failed -eq 0 ]]
