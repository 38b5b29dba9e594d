#!/bin/bash
# TEST SCAFFOLDING, to be deleted once issue15-units (`da config get`, `da config is-set`,
# `da sync-schedule`) and issue15-ops (`da migrate`) have landed: setup_in_debian_root_test.sh
# installs this as /usr/bin/da in its Debian root only when the real binary lacks one of those
# commands, and it runs the real binary (/usr/lib/da/da-real) for everything else. It reads
# instance.yaml as the scripts' tests write it (two levels; ${VAR:-default} from .env or the default).
set -euo pipefail
REAL=/usr/lib/da/da-real
config=./config
args=("$@")
if [[ "${1:-}" == --config ]]; then config="$2"; shift 2; fi

value_of() { # section.key -> the value (a flow list one item per line); exit 1 when unset
  local section="${1%%.*}" key="${1#*.}" raw
  raw=$(awk -v s="$section" -v k="$key" '
    $0 ~ "^" s ":" {inside = 1; next}
    /^[^ #]/ {inside = 0}
    inside && $0 ~ "^  " k ":" {sub("^  " k ": *", ""); sub(/ +#.*$/, ""); print; exit}' "$config/instance.yaml")
  if [[ "$raw" =~ ^\$\{([A-Z_]+):-(.*)\}$ ]]; then
    local name="${BASH_REMATCH[1]}" fallback="${BASH_REMATCH[2]}" line
    line=$(grep -E "^$name=" "$config/.env" 2>/dev/null | tail -n 1 || true)
    if [[ -n "$line" ]]; then raw="${line#*=}"; else raw="$fallback"; fi
  fi
  [[ -n "$raw" ]] || return 1
  if [[ "$raw" == \[*\] ]]; then tr -d '[]' <<<"$raw" | tr ',' '\n' | sed 's/^ *//'; else echo "$raw"; fi
}

case "${1:-} ${2:-}" in
  "config get") value_of "$3" ;;
  "config is-set")
    shift 2
    # shellcheck disable=SC2048,SC2086  # a key argument may hold several, space-separated
    for key in $*; do
      v=$(value_of "$key" || true)
      [[ -n "$v" && "$v" != false && "$v" != no && "$v" != off ]] && exit 0
    done
    exit 1 ;;
  "sync-schedule --systemd")
    printf '%s\n' "# From sync.schedule in $config/instance.yaml (da sync-schedule --systemd)" "[Timer]" "OnCalendar=" \
      "OnCalendar=*-*-* 06:00:00 UTC" "OnCalendar=*-*-* 14:00:00 UTC" "OnCalendar=*-*-* 19:00:00 UTC" ;;
  "migrate --check") data=$(value_of paths.data_dir); [[ -f "$data/state.db" ]] ;;
  "migrate ") exec "$REAL" --config "$config" users list >/dev/null ;;
  *) exec "$REAL" "${args[@]}" ;;
esac
