#!/usr/bin/env bash
# Make sure a MariaDB server answers on 127.0.0.1:$DB_PORT and that root@127.0.0.1
# can log in over TCP with an empty password (local dev / tests / CI only).
#
#   scripts/infra/mariadb.sh ensure     # idempotent
#   scripts/infra/mariadb.sh status
#
# Environment:
#   DB_PORT            TCP port (default 3306)
#   MARIADB_DATADIR    data directory           (default /var/lib/mysql)
#   MARIADB_SOCKET     unix socket              (default /run/mysqld/mysqld.sock)
#   MARIADB_PIDFILE    pid file                 (default /run/mysqld/mysqld.pid)
#   MARIADB_LOG        error log                (default: server config; for a custom
#                      datadir: <datadir>/../mariadb.log)
#   MARIADB_TIMEOUT    seconds to wait for the server (default 60)
# The MARIADB_* overrides exist to run a throw-away second server (tests of this script).
set -euo pipefail

# shellcheck source=lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

DB_HOST=127.0.0.1
DB_PORT="${DB_PORT:-3306}"
MARIADB_DATADIR="${MARIADB_DATADIR:-/var/lib/mysql}"
MARIADB_SOCKET="${MARIADB_SOCKET:-/run/mysqld/mysqld.sock}"
MARIADB_PIDFILE="${MARIADB_PIDFILE:-/run/mysqld/mysqld.pid}"
MARIADB_TIMEOUT="${MARIADB_TIMEOUT:-60}"
if [ -z "${MARIADB_LOG:-}" ] && [ "$MARIADB_DATADIR" != /var/lib/mysql ]; then
  MARIADB_LOG="$(dirname "$MARIADB_DATADIR")/mariadb.log"
fi
MARIADB_LOG="${MARIADB_LOG:-}"

INSTALL_HINT="install MariaDB (Debian/Ubuntu: sudo apt-get install -y mariadb-server), start it
        on $DB_HOST:$DB_PORT and allow root@127.0.0.1 with an empty password:
          sudo mariadb -e \"CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY ''; GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION\""

find_bin() { # find_bin NAME... -> first one found in PATH or /usr/sbin
  local n
  for n in "$@"; do
    if command -v "$n" >/dev/null 2>&1; then
      command -v "$n"
      return 0
    fi
    if [ -x "/usr/sbin/$n" ]; then
      echo "/usr/sbin/$n"
      return 0
    fi
  done
  return 1
}

client() { find_bin mariadb mysql; }

tcp_login_ok() {
  local c
  c=$(client) || return 1
  "$c" --protocol=TCP -h "$DB_HOST" -P "$DB_PORT" -uroot --connect-timeout=3 -N -e 'SELECT 1' >/dev/null 2>&1
}

# run SQL as the DB superuser over the unix socket (unix_socket auth as OS root)
socket_sql() {
  local c
  c=$(client) || return 1
  "$c" --protocol=SOCKET -S "$MARIADB_SOCKET" -uroot -N -e "$1"
}

ensure_root_tcp_login() {
  tcp_login_ok && return 0
  if ! is_root || [ ! -S "$MARIADB_SOCKET" ]; then
    die "mariadb answers on $DB_HOST:$DB_PORT but root@127.0.0.1 cannot log in with an empty password; fix with:
          sudo mariadb -e \"CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY ''; GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION\""
  fi
  info "mariadb: granting root@127.0.0.1 (empty password) over TCP"
  socket_sql "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '';
              GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
              FLUSH PRIVILEGES;" ||
    die "mariadb: could not create root@127.0.0.1 via $MARIADB_SOCKET"
  tcp_login_ok && return 0
  # Without skip-name-resolve, 127.0.0.1 may be matched as root@localhost, which a
  # fresh install restricts to unix_socket auth: also allow an empty password there.
  info "mariadb: allowing empty password for root@localhost too (unix_socket OR password)"
  socket_sql "ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('');
              FLUSH PRIVILEGES;" ||
    die "mariadb: could not alter root@localhost"
  tcp_login_ok || die "mariadb: root@127.0.0.1 still cannot log in over TCP"
}

start_server() {
  local mariadbd
  mariadbd=$(find_bin mariadbd mysqld) || die "mariadb: server binary not found after install"
  local rundir
  rundir=$(dirname "$MARIADB_SOCKET")
  mkdir -p "$rundir" "$(dirname "$MARIADB_PIDFILE")"
  if id mysql >/dev/null 2>&1; then
    chown mysql:mysql "$rundir" 2>/dev/null || true
  fi
  if [ ! -d "$MARIADB_DATADIR/mysql" ]; then
    local installdb
    installdb=$(find_bin mariadb-install-db mysql_install_db) || die "mariadb: mariadb-install-db not found"
    info "mariadb: initializing data directory $MARIADB_DATADIR"
    mkdir -p "$MARIADB_DATADIR"
    "$installdb" --user=mysql --datadir="$MARIADB_DATADIR" --auth-root-authentication-method=socket \
      --skip-test-db >"$(dirname "$MARIADB_DATADIR")/mariadb-install-db.log" 2>&1 || {
      tail -n 30 "$(dirname "$MARIADB_DATADIR")/mariadb-install-db.log" >&2
      die "mariadb: mariadb-install-db failed"
    }
  fi
  info "mariadb: starting $mariadbd on $DB_HOST:$DB_PORT"
  local args=(--user=mysql --datadir="$MARIADB_DATADIR" --socket="$MARIADB_SOCKET"
    --pid-file="$MARIADB_PIDFILE" --port="$DB_PORT" --bind-address="$DB_HOST")
  [ -n "$MARIADB_LOG" ] && args+=(--log-error="$MARIADB_LOG")
  # --pidfile makes start-stop-daemon match this instance only
  start-stop-daemon --start --oknodo --background --pidfile "$MARIADB_PIDFILE" \
    --exec "$mariadbd" -- "${args[@]}"
  local t0 deadline
  t0=$(now_ms)
  deadline=$((t0 + MARIADB_TIMEOUT * 1000))
  until port_open "$DB_HOST" "$DB_PORT" && { tcp_login_ok || socket_sql 'SELECT 1' >/dev/null 2>&1; }; do
    if [ "$(now_ms)" -ge "$deadline" ]; then
      local log=${MARIADB_LOG:-/var/log/mysql/error.log}
      [ -f "$log" ] && tail -n 30 "$log" >&2
      die "mariadb: not answering on $DB_HOST:$DB_PORT after ${MARIADB_TIMEOUT}s"
    fi
    sleep 0.3
  done
  info "mariadb: up on $DB_HOST:$DB_PORT in $(fmt_secs $(($(now_ms) - t0)))"
}

cmd_ensure() {
  if port_open "$DB_HOST" "$DB_PORT"; then
    ensure_root_tcp_login
    info "mariadb: up on $DB_HOST:$DB_PORT (root@127.0.0.1 ok)"
    return 0
  fi
  if ! find_bin mariadbd mysqld >/dev/null; then
    is_root || die "mariadb: nothing answers on $DB_HOST:$DB_PORT and MariaDB is not installed.
        To fix: $INSTALL_HINT"
    apt_install mariadb-server mariadb-client
    # the package's postinst may already have started it
    local _
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      port_open "$DB_HOST" "$DB_PORT" && break
      sleep 0.5
    done
  fi
  if ! port_open "$DB_HOST" "$DB_PORT"; then
    is_root || die "mariadb: installed but not running on $DB_HOST:$DB_PORT and we are not root.
        To fix: start it (e.g. sudo service mariadb start), then: $INSTALL_HINT"
    start_server
  fi
  ensure_root_tcp_login
  info "mariadb: up on $DB_HOST:$DB_PORT (root@127.0.0.1 ok)"
}

cmd_status() {
  if port_open "$DB_HOST" "$DB_PORT"; then
    if tcp_login_ok; then
      info "mariadb: up on $DB_HOST:$DB_PORT (root@127.0.0.1 ok)"
    else
      info "mariadb: up on $DB_HOST:$DB_PORT (root@127.0.0.1 login FAILS)"
    fi
    return 0
  fi
  info "mariadb: not running on $DB_HOST:$DB_PORT"
  return 3
}

run_ensure_or_status "$@"
