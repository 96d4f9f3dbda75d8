#!/usr/bin/env bash
# Webhook benchmark (issue 25): a burst of events delivered to a healthy receiver alone, then to the
# same receiver beside one answering after 2 s and one that is down; prints the healthy receiver's
# deliveries/s and delivery delay p50/p99 as a Markdown table. Argument: [events=2000].
# Record the output in docs/benchmarks.md.
exec "$(dirname "${BASH_SOURCE[0]}")/run-bench.sh" oms-webhook-bench "$@"
