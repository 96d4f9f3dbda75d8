#!/usr/bin/env bash
# Intake benchmark (issue 3): per worker count, the edge's accepts/s and request latency and the
# workers' orders/s, as a Markdown table. Arguments: [orders=20000] [concurrency=64] [workers=1,2,4].
# Record the output in docs/benchmarks.md with the machine line.
exec "$(dirname "${BASH_SOURCE[0]}")/run-bench.sh" oms-intake-bench "$@"
