#!/usr/bin/env bash
# Inventory benchmark (issue 5): allocation orders/s and publish-to-allocation latency for 1 and 2
# inventory workers, with orders spread over 200 SKUs and concentrated on 3 hot SKUs, as a
# Markdown table. Arguments: [orders=10000] [workers=1,2]. Record the output in docs/benchmarks.md.
exec "$(dirname "${BASH_SOURCE[0]}")/run-bench.sh" oms-inventory-bench "$@"
