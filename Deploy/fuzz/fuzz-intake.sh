#!/usr/bin/env bash
# Coverage-guided fuzzing of intake's untrusted input (issue 22.15): the five channels' payload
# decoders and field checks, and the pricing engine (Tests/Fuzz/IntakeFuzzing). Builds the
# oms-fuzz-intake runner with libFuzzer (-sanitize=fuzzer) in its own scratch directory, seeds the
# corpus from the documented channel examples and the kept findings, and runs for a fixed budget.
# Not part of CI's time: run it by hand; it prints executions and findings for docs/benchmarks.md.
# A crashing input lands in .oms/fuzz/findings/; copy it to Tests/Fuzz/regressions/ with the fix,
# where IntakeFuzzRegressionTests replays it in every test run.
#
# Linking: Debian's ld.gold crashes (internal error in format_file_lineno) on the instrumented
# objects, and -use-ld=lld alone does not reach SwiftPM's link step; the clang linker driver is
# told to use the toolchain's lld (-Xclang-linker -fuse-ld=lld), which links. With -DFUZZING the
# runner's own main calls libFuzzer's driver (SwiftPM names an executable's entry point itself).
# The first build takes a while (release, every dependency instrumented: ~5-15 min on 2 cores).
#
# Usage: Deploy/fuzz/fuzz-intake.sh [seconds, default 300] [jobs, default 1]
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SECONDS_BUDGET="${1:-300}"
JOBS="${2:-1}"
STATE="${OMS_STACK_DIR:-$REPO/.oms}"
WORK="$STATE/fuzz"
mkdir -p "$WORK/corpus" "$WORK/findings"
cd "$REPO"

echo "[fuzz] building oms-fuzz-intake with libFuzzer (release, own scratch path; first build takes a while)"
swift build -c release --product oms-fuzz-intake --scratch-path .build/fuzz \
  -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING -Xswiftc -use-ld=lld -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld >"$WORK/build.log" 2>&1 || { tail -n 30 "$WORK/build.log"; exit 1; }
BIN="$(swift build -c release --scratch-path .build/fuzz --show-bin-path \
  -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING -Xswiftc -use-ld=lld -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld)/oms-fuzz-intake"

# Seeds: selector byte (0 web, 1 marketplace, 2 mini-program, 3 phone, 4 POS, 5 pricing) + example.
i=0
for channel in web marketplace miniprogram phone pos; do
  [ -f "docs/intake/examples/$channel.json" ] && { printf "\\x$(printf %02x $i)" | cat - "docs/intake/examples/$channel.json" > "$WORK/corpus/seed-$channel"; }
  i=$((i + 1))
done
head -c 64 /dev/urandom | { printf '\x05'; cat; } > "$WORK/corpus/seed-pricing"
cp Tests/Fuzz/regressions/* "$WORK/corpus/" 2>/dev/null || true

echo "[fuzz] running $SECONDS_BUDGET s ($JOBS job(s)); corpus $WORK/corpus, findings $WORK/findings"
set +e
touch "$WORK/run.started"   # findings are counted from here: earlier ones stay for the record
# Swift's own backtracer would take the crash signal first and libFuzzer would keep no input.
# libFuzzer writes its per-job logs (fuzz-N.log) to the working directory: run in $WORK.
cd "$WORK"
SWIFT_BACKTRACE=enable=no "$BIN" "$WORK/corpus" -max_total_time="$SECONDS_BUDGET" -max_len=8192 -timeout=10 -rss_limit_mb=4096 \
  -artifact_prefix="$WORK/findings/" -print_final_stats=1 -jobs="$JOBS" -workers="$JOBS" 2>&1 | tee "$WORK/run.log" | grep -E "^#[0-9]+ +(pulse|DONE|NEW)|stat::|==ERROR|deadly signal|Fatal error|SUMMARY" | tail -n 40
status=${PIPESTATUS[0]}
set -e
findings=$(find "$WORK/findings" -type f -newer "$WORK/run.started" | wc -l)
echo "[fuzz] exit $status; new findings: $findings; corpus entries: $(find "$WORK/corpus" -type f | wc -l)"
grep -E "stat::number_of_executed_units|stat::average_exec_per_sec|stat::new_units_added|stat::peak_rss_mb" "$WORK/run.log" | tail -n 4 || true
[ "$findings" = 0 ]
