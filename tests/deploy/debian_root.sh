#!/usr/bin/env bash
# A throwaway Debian 12 machine for deployment tests: a root made by debootstrap, booted with
# systemd as the PID 1 of its own PID and mount namespaces, so that setup.sh, deploy.sh and the
# units run for real (sandboxing, Type=notify, timers, restarts) on a machine whose own PID 1 is
# not systemd. It shares the host's network: what it serves is on the host's 127.0.0.1.
#
#   debian_root.sh image                 build the cached root tarball if missing; print its path
#   debian_root.sh boot DIR              unpack a fresh root into DIR and boot it (DIR.pid)
#   debian_root.sh run DIR CMD...        run CMD inside the booted root, as root
#   debian_root.sh stop DIR              kill everything in it and delete DIR
#
# The tarball is cached in $DA_TEST_CACHE (default ~/.cache/da-tests); building it takes about
# two minutes and needs the Debian mirror (DEBIAN_MIRROR, default deb.debian.org).
set -euo pipefail

CACHE="${DA_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/da-tests}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
# What a bare server has, plus what the tests drive it with. The package's own dependencies are
# included so that installing it needs no download; apt fetches anything missing.
PACKAGES=(systemd systemd-sysv dbus sudo openssh-server rsync curl ca-certificates openssl procps
  nginx libcurl4 libyaml-cpp0.7 libspdlog1.10 libfmt9 libsqlite3-0 libssl3 libsodium23 libisal2
  libsystemd0 zlib1g)
# Units that cannot work or do not matter in a container; masked so the machine boots clean.
MASKED=(systemd-logind.service systemd-timesyncd.service e2scrub_reap.service getty@tty1.service
  serial-getty@ttyS0.service console-getty.service systemd-networkd.service nginx.service
  ssh.service apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer
  man-db.timer dpkg-db-backup.timer)
IMAGE_KEY="$(printf '%s\n' bookworm "${PACKAGES[@]}" "${MASKED[@]}" | sha256sum | cut -c1-12)"
IMAGE="$CACHE/bookworm-systemd-$IMAGE_KEY.tar"

die() { echo "debian_root: $*" >&2; exit 1; }

build_image() {
  mkdir -p "$CACHE"
  exec 9>"$CACHE/.lock"
  flock 9
  [[ -f "$IMAGE" ]] && return 0
  local work
  work="$(mktemp -d "$CACHE/build.XXXXXX")"
  trap 'rm -rf "$work"' RETURN
  echo "debian_root: building $IMAGE with debootstrap (about two minutes)" >&2
  local include
  include="$(IFS=,; echo "${PACKAGES[*]}")"
  debootstrap --variant=minbase --include="$include" bookworm "$work/root" "$MIRROR" \
    >"$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log" >&2; die "debootstrap failed"; }
  chroot "$work/root" systemctl mask "${MASKED[@]}" >/dev/null 2>&1
  chroot "$work/root" apt-get clean
  echo "deb $MIRROR bookworm main" >"$work/root/etc/apt/sources.list"
  tar -C "$work/root" -cf "$work/image.tar" .
  mv "$work/image.tar" "$IMAGE"
}

systemd_pid() {
  [[ -f "$1.pid" ]] || die "$1 is not booted (no $1.pid)"
  cat "$1.pid"
}

run_in() {
  local dir="$1"; shift
  nsenter -t "$(systemd_pid "$dir")" -p -m -u -i -r -w \
    env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"
}

boot() {
  local dir="$1"
  build_image
  [[ -e "$dir" ]] && die "$dir already exists"
  mkdir -p "$dir"
  tar -C "$dir" -xf "$IMAGE"
  cp /etc/resolv.conf "$dir/etc/resolv.conf"
  echo "da-test" >"$dir/etc/hostname"
  # The root becomes a mount point of its own and the host's tree is detached, so the services'
  # sandboxing (ProtectSystem=, PrivateTmp=, ...) can build their namespaces as on a real host.
  unshare --pid --fork --mount --uts --ipc --propagation private sh -c \
    "mount --bind '$dir' '$dir' && cd '$dir' && mkdir -p .host && pivot_root . .host && \
     exec chroot . sh -c 'mount -t proc proc /proc && umount -l /.host && umount /proc && \
       rmdir /.host && exec /lib/systemd/systemd --system'" \
    >"$dir.console" 2>&1 </dev/null &
  local outer=$! pid="" i
  for i in $(seq 1 100); do
    pid="$(pgrep -P "$outer" || true)"
    [[ -n "$pid" ]] && break
    sleep 0.1
  done
  [[ -n "$pid" ]] || die "systemd did not start (see $dir.console)"
  echo "$pid" >"$dir.pid"
  local state=""
  for i in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || die "systemd stopped while booting (see $dir.console)"
    state="$(run_in "$dir" systemctl is-system-running 2>/dev/null || true)"
    [[ "$state" == running || "$state" == degraded ]] && break
    sleep 0.1
  done
  if [[ "$state" == degraded ]]; then
    run_in "$dir" systemctl --failed --no-pager >&2 || true
  fi
  [[ "$state" == running || "$state" == degraded ]] || die "$dir did not finish booting ($state)"
}

stop() {
  local dir="$1"
  if [[ -f "$dir.pid" ]]; then
    local pid
    pid="$(cat "$dir.pid")"
    # Killing the namespace's PID 1 kills every process in it and drops its mounts.
    kill -9 "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$dir.pid"
  fi
  rm -rf --one-file-system "$dir"
}

case "${1:-}" in
  image) build_image; echo "$IMAGE" ;;
  boot) boot "${2:?DIR}" ;;
  run) shift; dir="${1:?DIR}"; shift; run_in "$dir" "$@" ;;
  stop) stop "${2:?DIR}" ;;
  *) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
