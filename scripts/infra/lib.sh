# shellcheck shell=bash
# Shared helpers for scripts/infra/*.sh (sourced, not executed).

INFRA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$INFRA_DIR/../.." && pwd)"
export REPO

info() { printf '[infra] %s\n' "$*"; }
warn() { printf '[infra] WARNING: %s\n' "$*" >&2; }
die() {
  printf '[infra] ERROR: %s\n' "$*" >&2
  exit 1
}

# port_open HOST PORT -> 0 when a TCP connection can be made (1s timeout)
port_open() {
  timeout 1 bash -c "exec 3<>/dev/tcp/$1/$2" >/dev/null 2>&1
}

# now_ms: wall clock in milliseconds
now_ms() {
  local t=${EPOCHREALTIME/[.,]/}
  echo $((t / 1000))
}

# fmt_secs MS -> "12.3s"
fmt_secs() {
  local ms=$1
  printf '%d.%01ds' $((ms / 1000)) $(((ms % 1000) / 100))
}

is_root() { [ "$(id -u)" -eq 0 ]; }

APT_UPDATED=0
# apt_install PKG... : apt-get install as root (runs apt-get update once per script); waits for
# the dpkg lock, since other installs may run on the same machine
apt_install() {
  is_root || die "need root to install: $*"
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install manually: $*"
  if [ "$APT_UPDATED" -eq 0 ]; then
    info "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq
    APT_UPDATED=1
  fi
  info "apt-get install -y $*"
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "$@" >/dev/null
}

# run_ensure_or_status ARGS... : the command line of a script that defines cmd_ensure and
# cmd_status (mariadb.sh, redis.sh, nginx.sh): `ensure` (idempotent) or `status` (exit 3 when down)
run_ensure_or_status() {
  case "${1:-}" in
    ensure) cmd_ensure ;;
    status) cmd_status ;;
    *)
      echo "usage: $0 ensure|status" >&2
      exit 64
      ;;
  esac
}
