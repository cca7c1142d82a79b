#!/usr/bin/env bash
# Bring up the local infrastructure, idempotently, in order: MariaDB, Redis, Kafka, and make
# sure the nginx binary the gateway runs is installed.
# Services that already answer are left as they are.
#   scripts/infra/up.sh
# Honours the env of the individual scripts (DB_PORT, REDIS_PORT, KAFKA_PORT, KAFKA_HOME_DIR, ...).
set -euo pipefail

# shellcheck source=lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

t0=$(now_ms)
"$INFRA_DIR/mariadb.sh" ensure
"$INFRA_DIR/redis.sh" ensure
"$INFRA_DIR/kafka.sh" start
"$INFRA_DIR/nginx.sh" ensure
info "infrastructure up in $(fmt_secs $(($(now_ms) - t0)))"
