#!/usr/bin/env bash
# The README's test command: brings up PostgreSQL and the broker from scratch (installing what is
# missing), builds, creates the catalogue topics and runs `swift test` (unit + integration) against
# the real infrastructure. Extra arguments go to `swift test` (e.g. --filter PipelineTests).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO"

eval "$(Deploy/local/oms-stack.sh infra)"
echo "[test] librdkafka runtime: $(readlink -f "${LD_LIBRARY_PATH%%:*}/librdkafka.so.1")"

echo "[test] building (debug, with tests)"
swift build --build-tests

echo "[test] ensuring catalogue topics"
"$(swift build --show-bin-path)/omsctl" topics ensure --bootstrap-server "$OMS_KAFKA_BROKERS" >/dev/null

echo "[test] static deployment checks (compose schema, services/env/metrics vs code, k8s)"
Deploy/checks/deploy-check.sh

echo "[test] running swift test"
swift test --skip-build --no-parallel "$@"
