#!/usr/bin/env bash
# Make sure a Redis server answers PING on 127.0.0.1:$REDIS_PORT (local dev / tests / CI).
#
#   scripts/infra/redis.sh ensure     # idempotent
#   scripts/infra/redis.sh status
#
# Environment:
#   REDIS_PORT      TCP port (default 6379)
#   REDIS_DIR       working dir / log dir of a server we start (default $REPO/.cache/redis)
#   REDIS_TIMEOUT   seconds to wait for the server (default 30)
set -euo pipefail

# shellcheck source=lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

REDIS_HOST=127.0.0.1
REDIS_PORT="${REDIS_PORT:-6379}"
REDIS_DIR="${REDIS_DIR:-$REPO/.cache/redis}"
REDIS_TIMEOUT="${REDIS_TIMEOUT:-30}"

# redis_ping -> 0 when the server answers +PONG (plain bash, no redis-cli needed)
redis_ping() {
  # shellcheck disable=SC2016 # expanded by the inner bash ($0 $1)
  timeout 2 bash -c '
    exec 3<>"/dev/tcp/$0/$1" || exit 1
    printf "PING\r\n" >&3
    IFS= read -r -t 2 line <&3 || exit 1
    [[ "$line" == "+PONG"* ]]' "$REDIS_HOST" "$REDIS_PORT" 2>/dev/null
}

find_server() {
  if command -v redis-server >/dev/null 2>&1; then
    command -v redis-server
  elif [ -x /usr/bin/redis-server ]; then
    echo /usr/bin/redis-server
  else
    return 1
  fi
}

start_server() {
  local bin=$1
  mkdir -p "$REDIS_DIR"
  info "redis: starting $bin on $REDIS_HOST:$REDIS_PORT"
  "$bin" --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" \
    --save "" --appendonly no \
    --dir "$REDIS_DIR" --pidfile "$REDIS_DIR/redis-$REDIS_PORT.pid" \
    --logfile "$REDIS_DIR/redis-$REDIS_PORT.log" ||
    die "redis: redis-server failed to start (see $REDIS_DIR/redis-$REDIS_PORT.log)"
  local t0 deadline
  t0=$(now_ms)
  deadline=$((t0 + REDIS_TIMEOUT * 1000))
  until redis_ping; do
    if [ "$(now_ms)" -ge "$deadline" ]; then
      tail -n 20 "$REDIS_DIR/redis-$REDIS_PORT.log" >&2 2>/dev/null || true
      die "redis: no PONG from $REDIS_HOST:$REDIS_PORT after ${REDIS_TIMEOUT}s"
    fi
    sleep 0.2
  done
  info "redis: up on $REDIS_HOST:$REDIS_PORT in $(fmt_secs $(($(now_ms) - t0)))"
}

cmd_ensure() {
  if redis_ping; then
    info "redis: up on $REDIS_HOST:$REDIS_PORT"
    return 0
  fi
  if port_open "$REDIS_HOST" "$REDIS_PORT"; then
    die "redis: $REDIS_HOST:$REDIS_PORT is open but does not answer PING (another service, or Redis with a password?)"
  fi
  local bin
  if ! bin=$(find_server); then
    is_root || die "redis: nothing answers on $REDIS_HOST:$REDIS_PORT and redis-server is not installed.
        To fix: install Redis (Debian/Ubuntu: sudo apt-get install -y redis-server) and start it:
          redis-server --daemonize yes --bind 127.0.0.1 -::1 --port $REDIS_PORT --save \"\" --appendonly no"
    apt_install redis-server
    bin=$(find_server) || die "redis: redis-server still not found after install"
    # the package's postinst may already have started it
    local _
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      if redis_ping; then
        info "redis: up on $REDIS_HOST:$REDIS_PORT"
        return 0
      fi
      sleep 0.5
    done
  fi
  start_server "$bin"
}

cmd_status() {
  if redis_ping; then
    info "redis: up on $REDIS_HOST:$REDIS_PORT"
    return 0
  fi
  info "redis: not answering on $REDIS_HOST:$REDIS_PORT"
  return 3
}

run_ensure_or_status "$@"
