#!/usr/bin/env bash
# Turns a Debian 12 machine into an AI Data Analyst broker: the package, the service account
# and groups, the instance folders with their owners and modes, the instance configuration,
# the systemd units, and the state store's migrations. Run as root; safe to run again: it
# repairs what differs and reports every change (a run with nothing to do says so).
#
# Who may write what (docs/deploy.md, "Users, groups and modes"): nothing that root executes or
# reads as configuration is writable by the service account `da` or by a group; `da` owns only
# the data and docs folders it writes.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: setup.sh [--package FILE.deb | --build DIR] [--config-dir DIR] [--hostname NAME]

Installs and configures an AI Data Analyst broker on Debian 12 (run as root; idempotent).

  --package FILE.deb  install this package (apt-get pulls its dependencies)
  --build DIR         install from a build tree (cmake --install DIR --prefix /usr)
                      Without either, the package must be installed already.
  --config-dir DIR    the instance's config folder (instance.yaml, .env); default
                      /opt/data-analyst/config, or DA_CONFIG_DIR from /etc/default/da.
                      A folder elsewhere (an instance repository) is written to
                      /etc/default/da, where the units and the server/bin commands read it.
  --hostname NAME     the broker's DNS name, written into a new instance.yaml
  -h, --help          this text

What it does, each step only where something differs:
  groups dataread, data-private, data-ops; system user and group da (home /var/lib/da);
  /opt/data-analyst root:root 0755; <config> root:da 0750 with instance.yaml (from the
  example, when absent) and .env (from the template, when absent; 0640 root:da, never
  overwritten); <data_dir> da:dataread 0750 with parquet/ da:dataread 2750 and
  parquet/private/ da:data-private 2750; <catalog_dir> da:dataread 2750; the units whose
  X-DA-Enable-When= key is set enabled, the others disabled; each periodic job's timer
  schedule (da schedule, e.g. sync.schedule); da migrate (as da).
EOF
}

readonly DEFAULT_CONFIG_DIR=/opt/data-analyst/config
readonly APP_DIR=/opt/data-analyst
readonly DA=/usr/bin/da
readonly SHARE=/usr/share/da
readonly SERVICE_HOME=/var/lib/da
readonly RELEASES=${DA_RELEASES:-/var/lib/da-releases}
readonly UNIT_DIRS=(/etc/systemd/system /usr/local/lib/systemd/system /usr/lib/systemd/system /lib/systemd/system)

PACKAGE=""
BUILD=""
CONFIG_DIR=""
HOSTNAME_ARG=""
CHANGES=0

die() { echo "setup: $*" >&2; exit 1; }
changed() { echo "setup: $*"; CHANGES=$((CHANGES + 1)); }
note() { echo "setup: $*"; }

parse_arguments() {
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --package) PACKAGE="${2:?--package needs a FILE.deb}"; shift 2 ;;
      --build) BUILD="${2:?--build needs a build folder}"; shift 2 ;;
      --config-dir) CONFIG_DIR="${2:?--config-dir needs a folder}"; shift 2 ;;
      --hostname) HOSTNAME_ARG="${2:?--hostname needs a name}"; shift 2 ;;
      -h|--help) usage; exit 0 ;;
      *) usage >&2; die "unknown argument '$1'" ;;
    esac
  done
  [[ -n "$PACKAGE" && -n "$BUILD" ]] && die "give --package or --build, not both"
  if [[ -n "$HOSTNAME_ARG" && ! "$HOSTNAME_ARG" =~ ^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$ ]]; then
    die "--hostname '$HOSTNAME_ARG' is not a DNS name"
  fi
  if [[ -z "$CONFIG_DIR" ]]; then
    CONFIG_DIR=$(configured_dir_from_defaults)
  fi
  [[ "$CONFIG_DIR" == /* ]] || die "--config-dir must be an absolute path, not '$CONFIG_DIR'"
  CONFIG_DIR="${CONFIG_DIR%/}"
}

# DA_CONFIG_DIR from /etc/default/da (a previous run's --config-dir), else the default.
configured_dir_from_defaults() {
  local line
  if [[ -f /etc/default/da ]]; then
    line=$(grep -E '^DA_CONFIG_DIR=' /etc/default/da | tail -n 1 || true)
    if [[ -n "$line" ]]; then echo "${line#DA_CONFIG_DIR=}"; return; fi
  fi
  echo "$DEFAULT_CONFIG_DIR"
}

# ---- the package --------------------------------------------------------------------------

install_package() {
  if [[ -n "$PACKAGE" ]]; then
    [[ -f "$PACKAGE" ]] || die "no package at $PACKAGE"
    local wanted installed
    wanted=$(dpkg-deb -f "$PACKAGE" Version)
    installed=$(dpkg-query -W -f='${Status} ${Version}' da 2>/dev/null || true)
    if [[ "$installed" == "install ok installed $wanted" ]]; then
      note "package da $wanted is installed already"
    else
      local path
      path=$(readlink -f "$PACKAGE")
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$path" \
        || die "apt-get could not install $PACKAGE (see above)"
      changed "installed package da $wanted"
    fi
    keep_release "$PACKAGE" "$wanted"
  elif [[ -n "$BUILD" ]]; then
    command -v cmake >/dev/null || die "--build needs cmake (apt-get install cmake)"
    [[ -f "$BUILD/cmake_install.cmake" ]] || die "$BUILD is not a configured build folder"
    local log
    log=$(mktemp)
    if ! cmake --install "$BUILD" --prefix /usr >"$log" 2>&1; then
      cat "$log" >&2; rm -f "$log"; die "cmake --install $BUILD failed"
    fi
    if grep -q -- '-- Installing:' "$log"; then
      changed "installed from $BUILD ($(grep -c -- '-- Installing:' "$log") files)"
    fi
    rm -f "$log"
  fi
  [[ -x "$DA" ]] || die "$DA is missing: give --package FILE.deb or --build DIR"
}

# deploy.sh rolls back to the package in the releases folder: the first one comes from here.
keep_release() {
  local release="$RELEASES/da_${2}_amd64.deb"
  install -d -m 0755 "$RELEASES"
  if ! cmp -s "$1" "$release"; then
    install -m 0644 "$1" "$release"
    (cd "$RELEASES" && sha256sum "$(basename "$release")" >"$release.sha256")
    changed "kept the package in $release (for deploy.sh's rollbacks)"
  fi
}

# Root runs /usr/bin/da and reads /usr/share/da: neither may be writable by anyone else, nor
# may any folder above them (or above the config folder) be.
require_root_only_writable() {
  local path="$1" probe
  probe="$path"
  while :; do
    if [[ -e "$probe" ]]; then
      local owner mode
      owner=$(stat -L -c %u "$probe")
      mode=$(stat -L -c %a "$probe")
      if [[ "$owner" != 0 ]] || (( 8#$mode & 8#022 )); then
        die "$probe (on the way to $path) is $(stat -L -c '%U:%G %a' "$probe"): only root may write there, since root runs or reads what lies below; fix it (chown root:root, chmod go-w) and run again"
      fi
    fi
    [[ "$probe" == / ]] && break
    probe=$(dirname "$probe")
  done
}

check_installed_files() {
  require_root_only_writable "$DA"
  require_root_only_writable "$SHARE"
  local writable
  writable=$(find "$SHARE" /usr/lib/da "$DA" ! -type l \( ! -user root -o -perm /022 \) -print 2>/dev/null | head -n 5)
  [[ -z "$writable" ]] || die "installed files writable by others than root: $writable"
}

# ---- accounts ------------------------------------------------------------------------------

ensure_group() {
  getent group "$1" >/dev/null && return 0
  groupadd --system "$1"
  changed "created group $1"
}

ensure_service_user() {
  ensure_group da
  if ! getent passwd da >/dev/null; then
    useradd --system --gid da --home-dir "$SERVICE_HOME" --no-create-home \
      --shell /usr/sbin/nologin --comment "AI Data Analyst services" da
    changed "created system user da"
  fi
  local shell home
  shell=$(getent passwd da | cut -d: -f7)
  home=$(getent passwd da | cut -d: -f6)
  if [[ "$shell" != /usr/sbin/nologin || "$home" != "$SERVICE_HOME" ]]; then
    usermod --shell /usr/sbin/nologin --home "$SERVICE_HOME" da
    changed "user da: shell /usr/sbin/nologin, home $SERVICE_HOME"
  fi
  ensure_dir "$SERVICE_HOME" da da 750
}

# ---- files and folders ---------------------------------------------------------------------

# Owner, group and mode (octal, as stat %a prints it) of an existing path.
ensure_attributes() {
  local path="$1" owner="$2" group="$3" mode="$4" current
  [[ -L "$path" ]] && die "$path is a symbolic link where a real file or folder belongs"
  current=$(stat -c '%U:%G %a' "$path")
  if [[ "$current" != "$owner:$group $mode" ]]; then
    chown "$owner:$group" "$path"
    chmod "$mode" "$path"
    changed "$path: $current -> $owner:$group $mode"
  fi
}

ensure_dir() {
  local path="$1"
  if [[ ! -d "$path" ]]; then
    [[ -e "$path" || -L "$path" ]] && die "$path exists and is not a folder"
    mkdir -p "$path"
    changed "created $path"
  fi
  ensure_attributes "$@"
}

# ---- the instance configuration -------------------------------------------------------------

# Sets `key: value` on the first line of `section:`'s block that names `key`, keeping the
# comment after it; fails when the example no longer has that line.
set_yaml_value() {
  local file="$1" section="$2" key="$3" value="$4"
  if ! awk -v s="$section" -v k="$key" '
      $0 ~ "^" s ":" {inside = 1; next}
      /^[^ #]/ {inside = 0}
      inside && $0 ~ "^  #? ?" k ":" {found = 1}
      END {exit found ? 0 : 1}' "$file"; then
    die "cannot set $section.$key in $file: the example has no such line"
  fi
  local tmp
  tmp=$(mktemp)
  awk -v s="$section" -v k="$key" -v v="$value" '
      $0 ~ "^" s ":" {inside = 1; print; next}
      /^[^ #]/ {inside = 0}
      inside && !done && $0 ~ "^  #? ?" k ":" {
        rest = $0
        sub(/^  #? ?/, "", rest)
        comment = ""
        if (match(rest, / +# /)) comment = substr(rest, RSTART)
        sub(/^ +/, "", comment)
        line = "  " k ": " v
        if (comment != "") {
          pad = 36 - length(line); if (pad < 1) pad = 1
          line = line sprintf("%" pad "s", "") comment
        }
        print line; done = 1; next
      }
      {print}' "$file" >"$tmp"
  cat "$tmp" >"$file"
  rm -f "$tmp"
}

# A new instance.yaml for this server: the example with the server's paths, the portal behind
# nginx on a Unix socket, the portal running as da, the account helper.
write_instance_yaml() {
  local target="$CONFIG_DIR/instance.yaml"
  [[ -e "$target" || -L "$target" ]] && return 0
  local tmp="$CONFIG_DIR/.instance.yaml.new"
  install -m 0640 -o root -g da "$SHARE/config/instance.yaml.example" "$tmp"
  set_yaml_value "$tmp" server listen "unix:/run/da/portal.sock"
  # unix: nginx on the portal's socket; 127.0.0.1: nginx in front of the WebSocket gateway,
  # which listens on TCP (without it every desktop app shares one address's connection cap).
  set_yaml_value "$tmp" server trusted_proxies "[unix, 127.0.0.1]"
  set_yaml_value "$tmp" server app_dir "$APP_DIR"
  if [[ -n "$HOSTNAME_ARG" ]]; then
    set_yaml_value "$tmp" server hostname "\${SERVER_HOSTNAME:-$HOSTNAME_ARG}"
  fi
  set_yaml_value "$tmp" paths data_dir "\${DATA_DIR:-$APP_DIR/data}"
  set_yaml_value "$tmp" paths catalog_dir "\${DOCS_DIR:-$APP_DIR/docs}"
  set_yaml_value "$tmp" accounts helper_socket "/run/da/account-helper.sock"
  set_yaml_value "$tmp" accounts portal_user "da"
  mv "$tmp" "$target"
  changed "created $target from the example (edit it, then run setup.sh again)"
}

# A new .env with a fresh portal signing key; the other secrets stay empty for the operator.
write_env() {
  local target="$CONFIG_DIR/.env"
  [[ -e "$target" || -L "$target" ]] && return 0
  local tmp="$CONFIG_DIR/.env.new" key
  install -m 0640 -o root -g da "$SHARE/config/.env.template" "$tmp"
  key=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
  sed -i "s/^WEBAPP_SECRET_KEY=\$/WEBAPP_SECRET_KEY=$key/" "$tmp"
  mv "$tmp" "$target"
  changed "created $target from the template with a new WEBAPP_SECRET_KEY (fill in the other secrets)"
}

write_default_file() {
  local target=/etc/default/da
  if [[ "$CONFIG_DIR" == "$DEFAULT_CONFIG_DIR" && ! -e "$target" ]]; then return 0; fi
  local wanted="# Written by setup.sh: the instance's config folder, for the units and server/bin.
DA_CONFIG_DIR=$CONFIG_DIR"
  if [[ ! -f "$target" ]] || [[ "$(cat "$target")" != "$wanted" ]]; then
    printf '%s\n' "$wanted" >"$target.new"
    chmod 0644 "$target.new"
    mv "$target.new" "$target"
    changed "$target: DA_CONFIG_DIR=$CONFIG_DIR"
  fi
  ensure_attributes "$target" root root 644
}

configure_instance() {
  ensure_dir "$APP_DIR" root root 755
  if [[ ! -d "$CONFIG_DIR" ]]; then
    mkdir -p "$CONFIG_DIR"
    changed "created $CONFIG_DIR"
  fi
  require_root_only_writable "$(dirname "$CONFIG_DIR")"
  ensure_attributes "$CONFIG_DIR" root da 750
  write_instance_yaml
  write_env
  ensure_file_attributes_if_real "$CONFIG_DIR/instance.yaml"
  ensure_file_attributes_if_real "$CONFIG_DIR/.env"
  write_default_file
}

# instance.yaml may be a link into an instance repository (dual-repo): then the file it names
# is the repository's, whose folder was checked above; a real file gets root:da 0640.
ensure_file_attributes_if_real() {
  local path="$1"
  if [[ -L "$path" ]]; then
    local target
    target=$(readlink -f "$path")
    [[ -f "$target" ]] || die "$path links to $target, which does not exist"
    require_root_only_writable "$target"
    return 0
  fi
  ensure_attributes "$path" root da 640
}

da_config() { "$DA" --config "$CONFIG_DIR" "$@"; }

# KEY's value in instance.yaml (after ${VAR} interpolation), or `default` when it is not set.
config_value() {
  local key="$1" default="$2" value status
  set +e
  value=$(da_config config get "$key")
  status=$?
  set -e
  case $status in
    0) echo "$value" ;;
    1) echo "$default" ;;
    *) die "cannot read $key: fix $CONFIG_DIR/instance.yaml (da --config $CONFIG_DIR config check)" ;;
  esac
}

# The instance's data and docs folders, from instance.yaml (after ${VAR} interpolation).
lay_out_data() {
  local data_dir docs_dir
  # Plain assignments: a failed lookup ends the script (set -e), it never yields "".
  data_dir=$(config_value paths.data_dir ./data)
  # paths.docs_dir is the old name of paths.catalog_dir.
  docs_dir=$(config_value paths.catalog_dir "$(config_value paths.docs_dir ./docs)")
  data_dir=$(absolute_in_instance "$data_dir")
  docs_dir=$(absolute_in_instance "$docs_dir")
  local dir
  for dir in "$data_dir" "$docs_dir"; do
    # da will own it: it must not hold the configuration or anything else root relies on.
    [[ "$CONFIG_DIR/" == "$dir/"* || "$dir" == "$APP_DIR" ]] \
      && die "$dir (paths in $CONFIG_DIR/instance.yaml) would give da the folder above the configuration: use a folder of its own, e.g. $APP_DIR/data"
  done
  # data/: analysts pass through it to parquet/ (group dataread); what else lies there
  # (state.db, metadata, staging) is da's. No setgid: the state store keeps group da.
  ensure_dir "$data_dir" da dataread 750
  # parquet/: setgid, so everything published below stays readable by dataread.
  ensure_dir "$data_dir/parquet" da dataread 2750
  # parquet/private/: only data-private (da is no member, so the sync cannot hand the folder
  # to that group itself: it is made here).
  ensure_dir "$data_dir/parquet/private" da data-private 2750
  ensure_dir "$docs_dir" da dataread 2750
}

# Relative paths in instance.yaml resolve against the folder above the config folder.
absolute_in_instance() {
  local path="${1%/}"
  [[ -n "$path" && "$path" != . && "$path" != / ]] || die "a data or docs folder of '$1' in $CONFIG_DIR/instance.yaml cannot be right"
  if [[ "$path" == /* ]]; then echo "$path"; else echo "$(dirname "$CONFIG_DIR")/${path#./}"; fi
}

# ---- systemd units --------------------------------------------------------------------------

systemd_running() { [[ -d /run/systemd/system ]]; }

# The product's units (da-*.service, da-*.timer) as installed by the package, one per name.
installed_units() {
  local dir file name
  declare -A seen=()
  for dir in "${UNIT_DIRS[@]:1}"; do
    [[ -d "$dir" ]] || continue
    for file in "$dir"/da-*.service "$dir"/da-*.timer; do
      [[ -f "$file" ]] || continue
      name=$(basename "$file")
      [[ -n "${seen[$name]:-}" ]] && continue
      seen[$name]=1
      echo "$file"
    done
  done
}

# Whether a unit should run: its X-DA-Enable-When= keys (any of them set), else always.
# A unit without [Install] (started by a timer) is never enabled itself.
unit_wanted() {
  local file="$1" keys status
  grep -q '^\[Install\]' "$file" || return 2
  keys=$(sed -n 's/^X-DA-Enable-When=//p' "$file" | tr '\n' ' ')
  [[ -z "${keys// }" ]] && return 0
  set +e
  # shellcheck disable=SC2086
  da_config config is-set $keys
  status=$?
  set -e
  case $status in
    0) return 0 ;;
    1) return 1 ;;
    *) die "da config is-set $keys failed for $(basename "$file") (exit $status): fix instance.yaml (da --config $CONFIG_DIR config check)" ;;
  esac
}

# /run/da holds the sockets of services running as different users (the portal and send API
# as da, the account helper as root): it exists from boot on, not only once the portal started.
write_runtime_dir_rule() {
  local rule="d /run/da 0755 da da -" file=/etc/tmpfiles.d/da.conf
  if [[ "$(cat "$file" 2>/dev/null)" != "$rule" ]]; then
    mkdir -p /etc/tmpfiles.d
    printf '%s\n' "$rule" >"$file"
    chmod 0644 "$file"
    changed "$file: /run/da from boot on"
  fi
}

configure_units() {
  command -v systemctl >/dev/null || die "systemctl is missing: this script needs systemd (Debian's default)"
  write_runtime_dir_rule
  local files file unit state wanted to_start=()
  mapfile -t files < <(installed_units)
  [[ ${#files[@]} -gt 0 ]] || die "no da-* units in ${UNIT_DIRS[*]:1}: is the package installed completely?"
  write_schedules
  systemd_running && systemctl daemon-reload
  for file in "${files[@]}"; do
    unit=$(basename "$file")
    wanted=0
    unit_wanted "$file" || wanted=$?
    [[ $wanted == 2 ]] && continue
    state=$(systemctl is-enabled "$unit" 2>/dev/null || true)
    if [[ $wanted == 0 ]]; then
      if [[ "$state" != enabled ]]; then
        systemctl enable --quiet "$unit"
        changed "enabled $unit"
      fi
      to_start+=("$unit")
    elif [[ "$state" == enabled ]]; then
      systemd_running && systemctl stop "$unit"
      systemctl disable --quiet "$unit"
      changed "disabled $unit (its X-DA-Enable-When= key is not set)"
    fi
  done
  [[ ${#to_start[@]} -eq 0 ]] && return 0
  if systemd_running; then
    systemd-tmpfiles --create /etc/tmpfiles.d/da.conf
    systemctl start "${to_start[@]}" || die "could not start ${to_start[*]}: see systemctl status and journalctl -u for each"
  else
    note "systemd is not running here: at boot it will start ${to_start[*]}"
  fi
}

# Every periodic job's schedule (da schedule) as a drop-in replacing its timer's times.
write_schedules() {
  local -A installed=()
  local file listing job timer
  for file in $(installed_units); do installed[$(basename "$file")]=1; done
  listing=$(da_config schedule --list) || die "da schedule --list failed (see above)"
  while read -r job timer; do
    [[ -n "$job" && -n "${installed[$timer]:-}" ]] || continue
    write_schedule "$job" "$timer"
  done <<<"$listing"
}

write_schedule() {
  local job="$1" dir="/etc/systemd/system/$2.d" target wanted
  target="$dir/schedule.conf"
  wanted=$(da_config schedule --systemd "$job") || die "da schedule --systemd $job failed: check its setting (da schedule) in $CONFIG_DIR/instance.yaml"
  if [[ ! -f "$target" ]] || [[ "$(cat "$target")" != "$wanted" ]]; then
    mkdir -p "$dir"
    printf '%s\n' "$wanted" >"$target.new"
    chmod 0644 "$target.new"
    mv "$target.new" "$target"
    changed "$target: the schedule of the $job job"
  fi
}

# ---- the state store ------------------------------------------------------------------------

migrate_state() {
  # As da: the store it creates belongs to the services that write it.
  if runuser -u da -- "$DA" --config "$CONFIG_DIR" migrate --check >/dev/null 2>&1; then
    return 0
  fi
  runuser -u da -- "$DA" --config "$CONFIG_DIR" migrate || die "da migrate failed (see above)"
  changed "applied the state store's migrations"
}

main() {
  parse_arguments "$@"
  [[ $(id -u) -eq 0 ]] || die "run as root (it creates users and folders and installs units)"
  cd /
  install_package
  check_installed_files
  ensure_group dataread
  ensure_group data-private
  ensure_group data-ops
  ensure_service_user
  configure_instance
  lay_out_data
  configure_units
  migrate_state
  if [[ $CHANGES -eq 0 ]]; then
    note "nothing to change"
  else
    note "$CHANGES change(s); next: edit $CONFIG_DIR/instance.yaml and .env, then run webapp-setup.sh"
  fi
}

main "$@"
