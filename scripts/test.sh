#!/usr/bin/env bash
# `npm test`: every package's tests against real MariaDB/MySQL, Redis and Kafka.
# Servers come from DATABASE_URL / REDIS_URL / KAFKA_BROKERS when set. When none is set and a
# container runtime is reachable, each suite's Jest global setup starts them with
# Testcontainers. With neither (this machine kind has no Docker), the local servers are brought
# up by scripts/infra/up.sh (MariaDB and Redis checked, Kafka fetched with Maven and started).
set -euo pipefail
cd "$(dirname "$0")/.."

container_runtime() {
  [ -n "${DOCKER_HOST:-}" ] || [ -S /var/run/docker.sock ] || [ -S "${HOME}/.docker/run/docker.sock" ] ||
    [ -S "${XDG_RUNTIME_DIR:-/nonexistent}/docker.sock" ] || [ -S "${XDG_RUNTIME_DIR:-/nonexistent}/podman/podman.sock" ]
}

if [ -z "${DATABASE_URL:-}${REDIS_URL:-}${KAFKA_BROKERS:-}" ]; then
  if container_runtime; then
    echo "[test] no server URLs set: Testcontainers starts MySQL, Redis and Kafka per suite"
  else
    echo "[test] no server URLs set and no container runtime: using the local servers"
    bash scripts/infra/up.sh
    export DATABASE_URL="mysql://root@127.0.0.1:${DB_PORT:-3306}/test"
    export REDIS_URL="redis://127.0.0.1:${REDIS_PORT:-6379}"
    export KAFKA_BROKERS="127.0.0.1:${KAFKA_PORT:-9092}"
  fi
fi

# The e2e suite runs behind the real nginx gateway: make sure the binary is there (installed
# from Debian as root when missing; up.sh above already did when it ran).
bash scripts/infra/nginx.sh ensure

# --continue: one failing workspace does not hide the others' results.
exec npx turbo run test --concurrency=1 --continue "$@"
