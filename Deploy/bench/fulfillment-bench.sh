#!/usr/bin/env bash
# Fulfillment benchmark (issue 6): automatic warehouses pick and pack a burst of reservations
# (packing rules, cartons, parcels, fulfillment.packed); prints fulfillment orders/s and
# publish-to-packed p50/p99 as a Markdown table. Argument: [reservations=10000].
# Record the output in docs/benchmarks.md.
exec "$(dirname "${BASH_SOURCE[0]}")/run-bench.sh" oms-fulfillment-bench "$@"
