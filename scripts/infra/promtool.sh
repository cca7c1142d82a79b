#!/usr/bin/env bash
# Prints the path of a `promtool` (Debian's `prometheus` package), fetching it when missing.
#
# The package is downloaded and unpacked into .cache/prometheus rather than installed: installing
# runs its post-install, which on a machine with an init system starts a Prometheus server on
# :9090 (and pulls in a node exporter on :9100) that nobody here wants. promtool is a static Go
# binary and needs nothing else. PROMTOOL, or a promtool on PATH, is used as it is.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DEST="$REPO/.cache/prometheus"
LOCAL="$DEST/root/usr/bin/promtool"
APT=(-o DPkg::Lock::Timeout=600 -o APT::Sandbox::User=root -qq)

if [ -n "${PROMTOOL:-}" ] && [ -x "$PROMTOOL" ]; then
  echo "$PROMTOOL"
elif command -v promtool >/dev/null 2>&1; then
  command -v promtool
elif [ -x "$LOCAL" ]; then
  echo "$LOCAL"
else
  is_root || die "need root to fetch promtool with apt-get (or set PROMTOOL)"
  mkdir -p "$DEST/deb"
  if ! apt-cache show prometheus >/dev/null 2>&1; then
    info "apt-get update" >&2
    DEBIAN_FRONTEND=noninteractive apt-get "${APT[@]}" update >&2
  fi
  info "downloading Debian's prometheus package for promtool" >&2
  (cd "$DEST/deb" && rm -f prometheus_*.deb && apt-get "${APT[@]}" download prometheus >&2)
  dpkg-deb -x "$DEST"/deb/prometheus_*.deb "$DEST/root"
  rm -rf "$DEST/deb" "$DEST/root/usr/bin/prometheus"
  "$LOCAL" --version >/dev/null 2>&1 || die "promtool from the prometheus package does not run"
  echo "$LOCAL"
fi
