#!/usr/bin/env bash
# Consumer-pipeline benchmark (issue 2): events/s and batch latency for batch sizes 1, 100 and
# 1,000 as a Markdown table. Record the output in docs/benchmarks.md with the machine line.
exec "$(dirname "${BASH_SOURCE[0]}")/run-bench.sh" oms-pipeline-bench "$@"
