#!/usr/bin/env bash
# Pull benchmark on loopback, in one run:
#   (a) plain rsync of the broker's parquet/ into an empty folder: over SSH to a loopback
#       sshd as an analyst account (the baseline, as root), and local `rsync -a` (a disk copy)
#   (b) the first `da pull` (HTTPS) of the same files from `da serve` into an empty workspace,
#       and the first `da pull --via ssh` (as root)
#   (c) a repeat `da pull` with nothing changed (target: no data bytes, < 1 s)
#   (d) a `da pull` after 1 % of the partitions changed (target: <= 2 % of the bytes)
# with BENCH_TABLES tables (default 500), half of them partitioned into 12 months.
# The SSH steps need root (a temporary analyst account and sshd, both removed at the end).
#   BENCH_TABLES, BENCH_ROWS (rows per table, default 20000), BENCH_DIR (default bench/out/pull)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="$ROOT/${1:-build}"
DA="$BUILD/da"
TOOL="$BUILD/bench/da_bench"
TABLES="${BENCH_TABLES:-500}"
ROWS="${BENCH_ROWS:-20000}"
WORK="${BENCH_DIR:-$ROOT/bench/out/pull}"
PORT="${BENCH_PORT:-18650}"
SSH_PORT="${BENCH_SSH_PORT:-18651}"
command -v rsync >/dev/null || { echo "rsync is missing (scripts/bootstrap.sh installs it)" >&2; exit 1; }

measure() { "$TOOL" measure -- "$@" | tail -n 1; }
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<<"$2"; }
pulled() { sed -n "s/.*pulled \([0-9]*\) of \([0-9]*\) file(s), \([0-9]*\) bytes.*/\3/p" <<<"$1"; }
# The transfer part of a pull (until every file is in place; the views come after).
transfer_seconds() { sed -n "s/.*removed [0-9]* in \([0-9.]*\) s;.*/\1/p" <<<"$1"; }

rm -rf "$WORK"
mkdir -p "$WORK/broker/config" "$WORK/broker/docs" "$WORK/broker/data/parquet/bench"
cd "$WORK/broker"
cat >config/instance.yaml <<YAML
paths:
  data_dir: ./data
  docs_dir: ./docs
logging:
  level: warn
accounts:
  home_root: $WORK/homes
server:
  hostname: 127.0.0.1
  base_url: http://127.0.0.1:$PORT
  listen: 127.0.0.1:$PORT
  threads: 4
  access_log: false
auth:
  allowed_domain: example.com
  webapp_secret_key: \${WEBAPP_SECRET_KEY}
YAML
echo "WEBAPP_SECRET_KEY=$(openssl rand -hex 32)" >config/.env

echo "generating $TABLES tables of $ROWS rows"
{
  echo '```yaml'
  echo 'folder_mapping: {bench: bench}'
  echo 'tables:'
  for ((t = 0; t < TABLES; t++)); do
    if ((t % 2)); then
      echo "  - {id: bench.t$t, name: t$t, sync_strategy: partitioned, partition_by: day}"
    else
      echo "  - {id: bench.t$t, name: t$t, sync_strategy: full_refresh}"
    fi
  done
  echo '```'
} >docs/data_description.md
SQL=""
flush() { [[ -n "$SQL" ]] && "$DA" --config config query "$SQL SELECT 1" >/dev/null; SQL=""; }
for ((t = 0; t < TABLES; t++)); do
  ((t % 20 == 0)) && flush
  select="SELECT i AS id, $t * 1000003 + i * 7919 AS v, md5(CAST(i * $t AS VARCHAR)) AS label, DATE '2024-01-01' + CAST(i % 365 AS INTEGER) AS day FROM range($ROWS) r(i)"
  if ((t % 2)); then
    mkdir -p "data/parquet/bench/t$t"
    for m in $(seq -w 1 12); do
      SQL+="COPY ($select WHERE month(day) = $m) TO 'data/parquet/bench/t$t/2024-$m.parquet' (FORMAT parquet);"
    done
  else
    SQL+="COPY ($select) TO 'data/parquet/bench/t$t.parquet' (FORMAT parquet);"
  fi
done
flush
FILES=$(find data/parquet -name '*.parquet' | wc -l)
BYTES=$(du -sb data/parquet | cut -f1)
echo "broker: $FILES files, $((BYTES / 1000000)) MB"

"$DA" --config config serve >"$WORK/serve.log" 2>&1 &
SERVE_PID=$!
SSHD_PID=""
ANALYST="dabench$$"
cleanup() {
  kill "$SERVE_PID" 2>/dev/null || true
  if [[ -n "$SSHD_PID" ]]; then
    kill "$SSHD_PID" 2>/dev/null || true
    "$DA" --config "$WORK/broker/config" admin remove-analyst "$ANALYST" --force >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

# The SSH route: an analyst account and an sshd on a loopback port (root only).
SSH_OK=0
if [[ $(id -u) -eq 0 && -x /usr/sbin/sshd ]]; then
  mkdir -p "$WORK/homes" "$WORK/sshd" /run/sshd
  ssh-keygen -q -t ed25519 -N "" -f "$WORK/sshd/host_key"
  ssh-keygen -q -t ed25519 -N "" -f "$WORK/sshd/analyst" -C bench
  cat >"$WORK/sshd/sshd_config" <<CFG
ListenAddress 127.0.0.1
Port $SSH_PORT
HostKey $WORK/sshd/host_key
PidFile $WORK/sshd/sshd.pid
AuthorizedKeysFile .ssh/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin no
CFG
  cat >"$WORK/sshd/client_config" <<CFG
Host broker
  HostName 127.0.0.1
  Port $SSH_PORT
  User $ANALYST
  IdentityFile $WORK/sshd/analyst
  IdentitiesOnly yes
  BatchMode yes
  StrictHostKeyChecking no
  UserKnownHostsFile $WORK/sshd/known_hosts
  LogLevel ERROR
CFG
  /usr/sbin/sshd -D -e -f "$WORK/sshd/sshd_config" 2>"$WORK/sshd/sshd.log" &
  SSHD_PID=$!
  "$DA" --config config admin add-analyst "$ANALYST" "$(cat "$WORK/sshd/analyst.pub")" >/dev/null
  for _ in $(seq 50); do (echo >"/dev/tcp/127.0.0.1/$SSH_PORT") 2>/dev/null && break; sleep 0.1; done
  ssh -F "$WORK/sshd/client_config" broker true && SSH_OK=1
fi
for _ in $(seq 100); do (echo >"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done
"$DA" --config config users grant-role bench@example.com analyst >/dev/null
TOKEN=$("$DA" --config config users token create bench@example.com | grep -o 'dap_[A-Za-z0-9_-]*' | head -n 1)
export DA_PORTAL_TOKEN="$TOKEN"
# The manifest's digests are cached on the broker; the first manifest computes them.
"$DA" pull --portal "http://127.0.0.1:$PORT" "$WORK/warmup" >/dev/null 2>&1
cat $(find data/parquet -name '*.parquet') >/dev/null

# Each first-pull step 3 times, interleaved, into an empty folder; the median counts.
median() { printf '%s\n' "$@" | sort -g | sed -n 2p; }
wall() { field wall_seconds "$(measure "$@")"; }
RUNS_A=(); RUNS_A_SSH=(); RUNS_B=(); RUNS_B_SSH=(); RUNS_B_TRANSFER=()
for run in 1 2 3; do
  rm -rf "$WORK/rsync-copy" "$WORK/rsync-ssh" "$WORK/ws-timed" "$WORK/ws-ssh"
  sync
  RUNS_A+=("$(wall rsync -a data/parquet/ "$WORK/rsync-copy/")")
  if ((SSH_OK)); then
    RUNS_A_SSH+=("$(wall rsync -a -e "ssh -F $WORK/sshd/client_config" broker:server/parquet/ "$WORK/rsync-ssh/")")
    RUNS_B_SSH+=("$(wall "$DA" pull "$WORK/ws-ssh" --via ssh --host broker --ssh-config "$WORK/sshd/client_config")")
  fi
  T0=$(date +%s.%N)
  B_RUN=$("$DA" pull --portal "http://127.0.0.1:$PORT" "$WORK/ws-timed" 2>/dev/null)
  RUNS_B+=("$(awk -v t0="$T0" -v t1="$(date +%s.%N)" 'BEGIN { printf "%.3f", t1 - t0 }')")
  RUNS_B_TRANSFER+=("$(transfer_seconds "$B_RUN")")
  echo "run $run: rsync ${RUNS_A[-1]} s, rsync over SSH ${RUNS_A_SSH[-1]:-n/a} s, da pull ${RUNS_B[-1]} s (transfer ${RUNS_B_TRANSFER[-1]} s), da pull --via ssh ${RUNS_B_SSH[-1]:-n/a} s"
done
B_OUT=$("$DA" pull --portal "http://127.0.0.1:$PORT" "$WORK/ws" 2>/dev/null)
C_OUT=$("$DA" pull --portal "http://127.0.0.1:$PORT" "$WORK/ws" 2>/dev/null)
C=$(measure "$DA" pull --portal "http://127.0.0.1:$PORT" "$WORK/ws")
# 1 % of the partition files get new contents.
CHANGED=$(( (TABLES / 2 * 12 + 99) / 100 ))
for f in $(find data/parquet -path '*/t*/*.parquet' | sort | head -n "$CHANGED"); do
  "$DA" --config config query "COPY (SELECT * FROM read_parquet('$f') UNION ALL SELECT -1, 0, 'changed', DATE '2024-01-01') TO '$f.new' (FORMAT parquet)" >/dev/null
  mv "$f.new" "$f"
done
D_OUT=$("$DA" pull --portal "http://127.0.0.1:$PORT" "$WORK/ws" 2>/dev/null)

a=$(median "${RUNS_A[@]}"); b=$(median "${RUNS_B[@]}"); c=$(field wall_seconds "$C")
bt=$(median "${RUNS_B_TRANSFER[@]}")
c_bytes=$(pulled "$C_OUT"); d_bytes=$(pulled "$D_OUT")
printf '\n%-52s %9s\n' "step" "wall (s)"
if ((SSH_OK)); then
  a_ssh=$(median "${RUNS_A_SSH[@]}"); b_ssh=$(median "${RUNS_B_SSH[@]}")
  printf '%-52s %9.2f\n' "(a) rsync -a over SSH of parquet/ (baseline, median)" "$a_ssh"
fi
printf '%-52s %9.2f\n' "(a2) local rsync -a of parquet/ (disk copy, median)" "$a"
printf '%-52s %9.2f\n' "(b) first da pull (HTTPS), $FILES files, median" "$b"
printf '%-52s %9.2f\n' "    of which the transfer (files in place), median" "$bt"
((SSH_OK)) && printf '%-52s %9.2f\n' "(b2) first da pull --via ssh, median" "$b_ssh"
printf '%-52s %9.2f   %s bytes\n' "(c) repeat da pull, nothing changed" "$c" "$c_bytes"
printf '%-52s %9s   %s bytes (%s files changed)\n' "(d) da pull after 1% of partitions changed" "" "$d_bytes" "$CHANGED"
awk -v bt="$bt" -v assh="${a_ssh:-0}" -v bssh="${b_ssh:-0}" -v a="$a" -v b="$b" -v c="$c" -v cb="$c_bytes" -v db="$d_bytes" -v total="$BYTES" 'BEGIN {
  if (assh > 0) {
    printf "\nthroughput b vs a = %.2f of rsync over SSH (target >= 0.80): %s\n", assh / b, (assh / b >= 0.8 ? "met" : "MISSED")
    printf "throughput b2 vs a = %.2f of rsync over SSH\n", assh / bssh
    printf "transfer throughput b vs a = %.2f of rsync over SSH (the files only, without the views)\n", assh / bt
  } else {
    printf "\n(no SSH baseline: run as root with openssh-server installed)\n"
  }
  printf "throughput b vs a2 = %.2f of a local rsync -a disk copy\n", a / b
  printf "repeat pull %.2f s, %d bytes (target < 1 s, 0 bytes): %s\n", c, cb, (c < 1 && cb == 0 ? "met" : "MISSED")
  printf "after 1%% change: %.2f%% of the bytes (target <= 2%%): %s\n", 100 * db / total, (db / total <= 0.02 ? "met" : "MISSED")
}'
