#!/usr/bin/env bash
# A headless browser for the API docs test (tests/e2e, puppeteer-core): uses CHROMIUM_PATH or a
# chromium / chromium-browser / google-chrome on PATH; as root on Debian/Ubuntu installs `chromium`.
# Prints the browser's path.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

find_browser() {
  if [ -n "${CHROMIUM_PATH:-}" ] && [ -x "$CHROMIUM_PATH" ]; then
    echo "$CHROMIUM_PATH"
    return 0
  fi
  local name
  for name in chromium chromium-browser google-chrome google-chrome-stable; do
    if command -v "$name" >/dev/null 2>&1; then
      command -v "$name"
      return 0
    fi
  done
  return 1
}

if ! find_browser >/dev/null; then
  if is_root && command -v apt-get >/dev/null 2>&1; then
    apt_install chromium >&2
  else
    die "no Chromium found: install it (Debian: sudo apt-get install chromium) or set CHROMIUM_PATH"
  fi
fi
find_browser
