#!/usr/bin/env bash
# Upgrades (or reinstalls) the broker from a package, and puts the previous version back by
# itself when the new one does not come up healthy.
#
#   deploy.sh PACKAGE.deb [--sha256 HEX] [options]
#   deploy.sh --version VERSION [options]      a package already in the releases folder
#
# Steps: verify the package's SHA-256 (from --sha256, or PACKAGE.deb.sha256 next to it), back up
# the state (da backup), install, apply state-store migrations (da migrate), configure the
# instance and its units (setup.sh, idempotent), restart the services in dependency order,
# check health (the portal, the WebSocket gateway when enabled, and `da sync --check`). When a
# check fails, the previous package is reinstalled, the backup restored and the services
# restarted, and the script exits 1 saying what failed.
#
# Options:
#   --sha256 HEX          the package's expected SHA-256 (required unless PACKAGE.sha256 exists)
#   --env-stdin           read NAME=VALUE lines from stdin and set them in the instance's .env
#                         (secrets from CI travel on stdin, never on a command line)
#   --no-rollback         on a failed check, leave the new version in place (for diagnosis)
#   --health-timeout S    how long each service may take to answer (default 60)
#   -h, --help            this text
#
# Runs as root, or as a deploy user through the sudo rule in server/sudoers/da-deploy. Whoever
# may run it can install software as root: give that right only to the CI's deploy key.
# Environment: DA_RELEASES (default /var/lib/da-releases), DA_BACKUPS (default
# /var/backups/da), DA_KEEP_BACKUPS (default 10), DA_CONFIG_DIR (default from /etc/default/da,
# else /opt/data-analyst/config). The log is appended to /var/log/da/deploy.log.
set -euo pipefail
umask 027

RELEASES="${DA_RELEASES:-/var/lib/da-releases}"
BACKUPS="${DA_BACKUPS:-/var/backups/da}"
KEEP_BACKUPS="${DA_KEEP_BACKUPS:-10}"
LOG_DIR=/var/log/da
DA=/usr/bin/da
SETUP=/usr/share/da/server/setup.sh
# Started in this order, stopped in the reverse one: the helpers the portal calls come first.
SERVICE_ORDER=(da-account-helper da-notify-api da-portal da-ws-gateway da-telegram-bot
  da-notify-runner)

package=""
version=""
expected_sha=""
env_stdin=0
rollback=1
health_timeout=60

usage() { sed -n '2,/^set -euo/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; }
say() {
  echo "deploy: $*" >&2
  echo "$(date -u +%FT%TZ) $*" >>"$LOG_DIR/deploy.log" 2>/dev/null || true
}
# The state belongs to the service user: commands that open it run as that user, so that no
# file of it (the SQLite journal included) ends up owned by root.
as_service() { runuser -u da -- "$@"; }
die() { say "error: $*"; exit 1; }

while (($#)); do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --sha256) expected_sha="${2:?--sha256 needs a value}"; shift 2 ;;
    --version) version="${2:?--version needs a value}"; shift 2 ;;
    --env-stdin) env_stdin=1; shift ;;
    --no-rollback) rollback=0; shift ;;
    --health-timeout) health_timeout="${2:?--health-timeout needs seconds}"; shift 2 ;;
    -*) echo "deploy: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) [[ -z "$package" ]] || { echo "deploy: one package at a time" >&2; exit 2; }
       package="$1"; shift ;;
  esac
done

[[ $(id -u) -eq 0 ]] || { echo "deploy: run as root (or through sudo)" >&2; exit 2; }
id da >/dev/null 2>&1 || { echo "deploy: no user da: run setup.sh first" >&2; exit 2; }
install -d -m 0750 "$LOG_DIR"
install -d -m 0755 "$RELEASES"
install -d -m 0750 -o da -g da "$BACKUPS"
exec 8>/run/da-deploy.lock
flock -n 8 || die "another deployment is running"

if [[ -f /etc/default/da ]]; then
  # shellcheck disable=SC1091
  . /etc/default/da
fi
export DA_CONFIG_DIR="${DA_CONFIG_DIR:-/opt/data-analyst/config}"

# --- the package -------------------------------------------------------------------------------

if [[ -n "$version" ]]; then
  [[ -z "$package" ]] || { echo "deploy: give a package or --version, not both" >&2; exit 2; }
  package="$RELEASES/da_${version}_amd64.deb"
fi
[[ -n "$package" ]] || { usage >&2; exit 2; }
[[ -f "$package" ]] || die "no package at $package"
if [[ -z "$expected_sha" && -f "$package.sha256" ]]; then
  expected_sha="$(awk '{print $1; exit}' "$package.sha256")"
fi
[[ -n "$expected_sha" ]] ||
  die "no checksum for $package: pass --sha256 HEX or put its sha256sum in $package.sha256"
actual_sha="$(sha256sum "$package" | awk '{print $1}')"
[[ "${actual_sha,,}" == "${expected_sha,,}" ]] ||
  die "$package has SHA-256 $actual_sha, not the expected $expected_sha: refusing to install it"
new_version="$(dpkg-deb --field "$package" Version)"
[[ "$(dpkg-deb --field "$package" Package)" == da ]] || die "$package is not a da package"

installed_version="$(dpkg-query -W -f='${Version}' da 2>/dev/null || true)"
if [[ -n "$installed_version" && "$(dpkg-query -W -f='${Status}' da)" != "install ok installed" ]]; then
  installed_version=""
fi
previous_package=""
if [[ -n "$installed_version" ]]; then
  previous_package="$RELEASES/da_${installed_version}_amd64.deb"
  [[ -f "$previous_package" ]] || previous_package=""
  if [[ -z "$previous_package" && $rollback -eq 1 ]]; then
    die "version $installed_version is installed but its package is not in $RELEASES, so a \
failed upgrade could not be rolled back: copy it there (or pass --no-rollback)"
  fi
fi
say "deploying da $new_version (installed: ${installed_version:-none}) from $package"

# Keep the package, so that the next deployment can roll back to it.
release="$RELEASES/da_${new_version}_amd64.deb"
if [[ "$(readlink -f "$package")" != "$(readlink -f "$release")" ]]; then
  install -m 0644 "$package" "$release.tmp" && mv "$release.tmp" "$release"
fi
echo "$actual_sha  $(basename "$release")" >"$release.sha256"

# --- steps --------------------------------------------------------------------------------------

set_env_from_stdin() {
  local env_file="$DA_CONFIG_DIR/.env" line name
  [[ -f "$env_file" ]] || die "$env_file does not exist: run setup.sh first"
  local updated
  updated="$(mktemp "$DA_CONFIG_DIR/.env.XXXXXX")"
  cp "$env_file" "$updated"
  while IFS= read -r line || [[ -n "$line" ]]; do
    [[ -z "$line" || "$line" == \#* ]] && continue
    [[ "$line" =~ ^([A-Z_][A-Z0-9_]*)= ]] || { rm -f "$updated"; die "--env-stdin: not NAME=VALUE: ${line%%=*}"; }
    name="${BASH_REMATCH[1]}"
    grep -v "^${name}=" "$updated" >"$updated.next" || true
    printf '%s\n' "$line" >>"$updated.next"
    mv "$updated.next" "$updated"
    say "set $name in $env_file"
  done
  chown root:da "$updated"
  chmod 0640 "$updated"
  mv "$updated" "$env_file"
}

units_present() {
  local unit
  for unit in "${SERVICE_ORDER[@]}"; do
    [[ -n "$(systemctl list-unit-files --no-legend "$unit.service" 2>/dev/null)" ]] && echo "$unit"
  done
}

# The installed da-*.timer units: the timers of the periodic jobs (da schedule). Asked of
# systemd, so that the version being replaced need not know `da schedule`.
timers_present() {
  systemctl list-unit-files --no-legend --plain 'da-*.timer' 2>/dev/null | awk '{print $1}'
}

enabled_services() {
  local unit
  for unit in $(units_present); do
    systemctl is-enabled --quiet "$unit.service" 2>/dev/null && echo "$unit"
  done
}

stop_services() {
  local units=() unit i
  mapfile -t units < <(units_present)
  for ((i = ${#units[@]} - 1; i >= 0; i--)); do
    systemctl stop "${units[i]}.service" 2>/dev/null || true
  done
  for unit in $(timers_present); do
    systemctl stop "$unit" 2>/dev/null || true
    # A job the timer started (a sync) finishes, or is cancelled cleanly, before the switch.
    systemctl stop "$(systemctl show -p Unit --value "$unit" 2>/dev/null)" 2>/dev/null || true
  done
}

start_services() {
  local unit
  systemctl daemon-reload
  for unit in $(enabled_services); do
    systemctl restart "$unit.service" || say "$unit did not start: $(systemctl status "$unit.service" --no-pager -n 5 2>&1 | tail -5)"
  done
  for unit in $(timers_present); do
    systemctl is-enabled --quiet "$unit" 2>/dev/null && systemctl restart "$unit"
  done
  return 0
}

# "unix:/run/da/portal.sock" or "127.0.0.1:8080" -> curl arguments for GET <path>/health.
portal_health() {
  local listen base path
  listen="$("$DA" config get server.listen 2>/dev/null || echo 127.0.0.1:8080)"
  base="$("$DA" config get server.base_url 2>/dev/null || true)"
  path="$(echo "$base" | sed -E 's#^[a-z]+://[^/]*##; s#/$##')"
  local target=(--max-time 5 "http://${listen}${path}/health") answer
  [[ "$listen" == unix:* ]] &&
    target=(--max-time 5 --unix-socket "${listen#unix:}" "http://localhost${path}/health")
  answer="$(curl -sS -w '\n%{http_code}' "${target[@]}")" || return 1
  # "degraded" (503) is a portal that serves and reports a problem of the data (e.g. a filter
  # refresh pending): the deployment is not what broke it.
  case "$(tail -1 <<<"$answer")" in
    200) return 0 ;;
    503) grep -q '"degraded"' <<<"$answer" && return 0 ;;
  esac
  echo "$answer"
  return 1
}

gateway_health() {
  local listen
  listen="$("$DA" config get notifications.ws_listen 2>/dev/null || echo 127.0.0.1:8765)"
  curl -fsS --max-time 5 "http://${listen}/health"
}

# Retries CHECK until it succeeds or the timeout passes; prints its last output on failure.
wait_healthy() {
  local name="$1" check="$2" deadline output
  deadline=$((SECONDS + health_timeout))
  while true; do
    if output="$($check 2>&1)"; then
      say "$name: healthy"
      return 0
    fi
    ((SECONDS < deadline)) || break
    sleep 1
  done
  failure="$name did not become healthy within ${health_timeout}s: ${output:-no answer}"
  return 1
}

check_health() {
  failure=""
  local output
  if ! output="$(as_service "$DA" sync --check 2>&1)"; then
    failure="da sync --check failed: $output"
    return 1
  fi
  say "sync check: ok"
  local enabled
  enabled="$(enabled_services)"
  if grep -qx da-portal <<<"$enabled"; then wait_healthy portal portal_health || return 1; fi
  if grep -qx da-ws-gateway <<<"$enabled"; then wait_healthy gateway gateway_health || return 1; fi
  local unit
  for unit in $enabled; do
    if ! systemctl is-active --quiet "$unit.service"; then
      failure="$unit is $(systemctl is-active "$unit.service" 2>&1): $(journalctl -u "$unit.service" -n 5 --no-pager 2>&1 | tail -5)"
      return 1
    fi
  done
  return 0
}

install_package() {
  local file="$1"
  # apt resolves the Depends from the Debian mirror; downgrades are allowed for rollbacks.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --allow-downgrades \
    -o Dpkg::Options::=--force-confold "$file" >>"$LOG_DIR/deploy.log" 2>&1
}

configure() {
  "$SETUP" >>"$LOG_DIR/deploy.log" 2>&1
}

prune_backups() {
  local old
  ls -1dt "$BACKUPS"/*/ 2>/dev/null | tail -n +"$((KEEP_BACKUPS + 1))" | while read -r old; do
    rm -rf --one-file-system "$old"
  done
}

# --- the deployment ----------------------------------------------------------------------------

((env_stdin)) && set_env_from_stdin

backup=""
if [[ -n "$installed_version" ]]; then
  backup="$BACKUPS/$(date -u +%Y%m%dT%H%M%SZ)-$installed_version"
  say "backing up the state to $backup"
  as_service "$DA" backup --to "$backup" >>"$LOG_DIR/deploy.log" 2>&1 || die "the backup failed: nothing was changed (see $LOG_DIR/deploy.log)"
fi

say "stopping the services"
stop_services
failure=""
if ! install_package "$release"; then
  failure="installing $release failed (see $LOG_DIR/deploy.log)"
elif ! as_service "$DA" migrate >>"$LOG_DIR/deploy.log" 2>&1; then
  failure="da migrate failed: $(tail -3 "$LOG_DIR/deploy.log")"
elif ! configure; then
  failure="setup.sh failed: $(tail -3 "$LOG_DIR/deploy.log")"
else
  say "starting the services"
  start_services
  check_health || true
fi

if [[ -z "$failure" ]]; then
  prune_backups
  say "da $new_version is deployed and healthy"
  exit 0
fi

say "FAILED: $failure"
if ((!rollback)) || [[ -z "$installed_version" ]]; then
  say "nothing to roll back to${installed_version:+ (--no-rollback)}: da $new_version stays installed"
  exit 1
fi

say "rolling back to da $installed_version"
stop_services
install_package "$previous_package" || die "the rollback could not reinstall $previous_package: fix by hand (state backup: $backup)"
as_service "$DA" restore --from "$backup" --force >>"$LOG_DIR/deploy.log" 2>&1 ||
  die "the rollback could not restore the state from $backup: fix by hand"
configure || say "setup.sh failed during the rollback (see $LOG_DIR/deploy.log)"
start_services
new_failure="$failure"
if check_health; then
  say "rolled back: da $installed_version serves again with the state of $backup"
else
  say "the rolled-back version is not healthy either: $failure"
fi
die "the deployment of da $new_version failed and was rolled back: $new_failure"
