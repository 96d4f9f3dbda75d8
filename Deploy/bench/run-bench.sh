#!/usr/bin/env bash
# Shared by the benchmark scripts: starts PostgreSQL + broker, builds PRODUCT in release mode,
# prints the machine description and runs it with the remaining arguments.
# Usage: Deploy/bench/run-bench.sh PRODUCT [args...]
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO"
product="$1"; shift
eval "$(Deploy/local/oms-stack.sh infra)"
config="${OMS_BENCH_CONFIG:-release}"   # debug: figures of a debug build, said so in the output
swift build -c "$config" --product "$product" >/dev/null
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr); PostgreSQL $(psql --version 2>/dev/null | awk '{print $3}') synchronous_commit=on"
echo "build: $config"
"$(swift build -c "$config" --show-bin-path)/$product" "$@"
