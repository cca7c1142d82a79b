#!/usr/bin/env bash
# Make sure the nginx binary the local gateway runs is installed (Debian package `nginx`).
# Only the binary is used: `npm start` and the end-to-end suite start their own nginx master
# with a config rendered from gateway/routes.json (scripts/gateway/nginxConf.ts), their own pid
# file and temp paths, on their own port. The Debian service and its default site are not used
# (on machines where the package's postinst starts it, it listens on :80 and stays untouched).
#
#   scripts/infra/nginx.sh ensure     # idempotent; installs with apt-get as root (or sudo -n)
#   scripts/infra/nginx.sh status     # prints the binary and its version
#
# Environment:
#   NGINX_BIN   the nginx binary to use instead of the one in PATH or /usr/sbin
set -euo pipefail

# shellcheck source=lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

find_nginx() {
  if [ -n "${NGINX_BIN:-}" ]; then
    [ -x "$NGINX_BIN" ] && echo "$NGINX_BIN"
    return
  fi
  if command -v nginx >/dev/null 2>&1; then
    command -v nginx
  elif [ -x /usr/sbin/nginx ]; then
    echo /usr/sbin/nginx
  else
    return 1
  fi
}

version() { "$1" -v 2>&1 | sed 's/^nginx version: //'; }

cmd_ensure() {
  local bin
  if bin=$(find_nginx); then
    info "nginx: $bin ($(version "$bin"))"
    return 0
  fi
  [ -z "${NGINX_BIN:-}" ] || die "nginx: NGINX_BIN=$NGINX_BIN is not an executable"
  if is_root; then
    apt_install nginx
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    info "nginx: sudo apt-get install -y nginx"
    sudo -n env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq
    sudo -n env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
      --no-install-recommends nginx >/dev/null
  else
    die "nginx: not installed and we are not root.
        To fix: install it (Debian/Ubuntu: sudo apt-get install -y nginx) or set NGINX_BIN"
  fi
  bin=$(find_nginx) || die "nginx: still not found after install"
  info "nginx: installed $bin ($(version "$bin"))"
}

cmd_status() {
  local bin
  if bin=$(find_nginx); then
    info "nginx: $bin ($(version "$bin"))"
    return 0
  fi
  info "nginx: not installed"
  return 3
}

run_ensure_or_status "$@"
