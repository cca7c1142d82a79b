#!/usr/bin/env bash
# Stop what scripts/infra/up.sh started that is ours to stop: only the Kafka broker
# started by kafka.sh. The system's MariaDB and Redis are left alone (others use them).
#   scripts/infra/down.sh
set -euo pipefail

# shellcheck source=lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

"$INFRA_DIR/kafka.sh" stop
info "down (MariaDB and Redis left running)"
