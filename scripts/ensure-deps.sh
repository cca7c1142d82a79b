#!/usr/bin/env bash
# `npm start`, `npm test` and `npm run bench` on a fresh clone: install the workspace's packages
# first when they are missing or older than package-lock.json (npm keeps its own copy of the
# lock it installed in node_modules/.package-lock.json), so no separate `npm ci` is needed.
set -euo pipefail
cd "$(dirname "$0")/.."
installed=node_modules/.package-lock.json
if [ ! -f "$installed" ] || [ package-lock.json -nt "$installed" ]; then
  echo "[deps] installing packages (npm ci)"
  npm ci --no-audit --no-fund
fi
