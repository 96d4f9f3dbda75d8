#!/usr/bin/env bash
# Notification benchmark (issue 26): a burst of web orders' confirmations rendered and handed to a
# local Aliyun-shaped SMS endpoint and a real SMTP server (aiosmtpd); prints messages/s and delay
# p50/p99 per medium as a Markdown table. Argument: [orders=2000]. Record the output in docs/benchmarks.md.
exec "$(dirname "${BASH_SOURCE[0]}")/run-bench.sh" oms-notification-bench "$@"
