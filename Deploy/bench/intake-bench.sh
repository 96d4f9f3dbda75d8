#!/usr/bin/env bash
# Intake benchmark (issue 3): starts PostgreSQL + broker, builds in release mode and prints, per
# worker count, the edge's accepts/s and request latency and the workers' orders/s, as a Markdown
# table. Arguments: [orders=20000] [concurrency=64] [workers=1,2,4].
# Record the output in docs/benchmarks.md together with the machine description it prints.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO"
eval "$(Deploy/local/oms-stack.sh infra)"
swift build -c release --product oms-intake-bench >/dev/null
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr)"
"$(swift build -c release --show-bin-path)/oms-intake-bench" "$@"
