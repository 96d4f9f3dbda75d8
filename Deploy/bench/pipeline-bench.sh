#!/usr/bin/env bash
# Consumer-pipeline benchmark (issue 2): starts PostgreSQL + broker, builds in release mode and
# prints events/s and batch latency for batch sizes 1, 100 and 1,000 as a Markdown table.
# Record the output in docs/benchmarks.md together with the machine description it prints.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO"
eval "$(Deploy/local/oms-stack.sh infra)"
swift build -c release --product oms-pipeline-bench >/dev/null
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr); PostgreSQL $(psql --version | awk '{print $3}') synchronous_commit=on"
"$(swift build -c release --show-bin-path)/oms-pipeline-bench" "$@"
