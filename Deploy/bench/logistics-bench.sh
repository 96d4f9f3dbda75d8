#!/usr/bin/env bash
# Logistics benchmark (issue 7): carrier selection, tracking numbers, waybills and shipment.dispatched
# for a burst of packed fulfillment orders; prints shipments/s and publish-to-dispatch p50/p99 as a
# Markdown table. Argument: [packed=10000]. Record the output in docs/benchmarks.md.
exec "$(dirname "${BASH_SOURCE[0]}")/run-bench.sh" oms-logistics-bench "$@"
