#!/usr/bin/env bash
# The end-to-end benchmark (issue 10), one command:
#   Deploy/bench/e2e-bench.sh [max orders=20000] [fixed rate=1000] [fixed seconds=30] [steady rate=100] [steady seconds=60]
# 1. starts the local stack in release mode on fresh service schemas (warehouses automatic),
# 2. measures the machine's ceilings: PostgreSQL with pgbench running the pipeline's real
#    per-batch writes (pg-ceiling-batch.pgbench) and the broker's raw produce/consume rate,
# 3. runs the suite at maximum rate, at the fixed rate, and at a steady rate this machine sustains,
#    each with `omsctl load --follow` (channel mix, Zipf SKUs, 2 % held by risk), sampling the CPU
#    time of every service, PostgreSQL and the broker,
# 4. measures a replay after the max run (logistics from the earliest offsets: events/s through the inbox),
# 5. prints every figure, the suite-to-database-ceiling ratio, and writes the results with the
#    machine description into docs/benchmarks.md (between the e2e-bench markers) and a plot of
#    throughput and p99 over time into docs/benchmarks-e2e.png.
# Raw results stay in .oms/bench/<time>/. Destructive for the local stack's service data.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="${OMS_STACK_DIR:-$REPO/.oms}"
MAX_ORDERS="${1:-20000}" FIXED_RATE="${2:-1000}" FIXED_SECONDS="${3:-30}" STEADY_RATE="${4:-100}" STEADY_SECONDS="${5:-60}"
STACK="$REPO/Deploy/local/oms-stack.sh"
OUT="$STATE/bench/e2e-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"
say() { printf '[e2e-bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }

say "results in $OUT"
"$STACK" down >/dev/null 2>&1 || true
eval "$("$STACK" infra 2>/dev/null)"
PSQL=(psql "$OMS_DATABASE_URL" -v ON_ERROR_STOP=1 -qtA)
"${PSQL[@]}" -c "DROP SCHEMA IF EXISTS intake, risk, inventory, fulfillment, logistics, aftersales, insights CASCADE" >/dev/null
say "starting the suite (release build)"
OMS_FULFILLMENT_DEFAULT_MODE=automatic "$STACK" up --release >"$OUT/stack.log" 2>&1
BIN="$(cat "$STATE/bin-dir")"
OMSCTL=("$BIN/omsctl")
PY="$STATE/venv/bin/python"

# --- machine ---------------------------------------------------------------------------------
{
  echo "cpus=$(nproc)"
  echo "cpu_model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "memory_gib=$(awk '/MemTotal/ {printf "%.0f", $2 / 1048576}' /proc/meminfo)"
  echo "kernel=$(uname -r)"
  echo "postgres=$("${PSQL[@]}" -c 'SHOW server_version') synchronous_commit=$("${PSQL[@]}" -c 'SHOW synchronous_commit')"
  echo "swift=$(swift --version 2>/dev/null | head -n1)"
} >"$OUT/machine.txt"
cat "$OUT/machine.txt"

# --- ceilings (the services migrated their schemas, then stop: idle services poll too) -------
for service in intake risk inventory fulfillment logistics aftersales insights; do "$STACK" stop "$service" >/dev/null 2>&1; done
say "PostgreSQL ceiling: pgbench, one stage batch of 100 events per transaction"
"${PSQL[@]}" -f "$REPO/Deploy/bench/pg-ceiling.sql" >/dev/null 2>&1
pgbench "$OMS_DATABASE_URL" -n -M prepared -f "$REPO/Deploy/bench/pg-ceiling-batch.pgbench" -c 4 -j 2 -T 20 >"$OUT/pgbench.txt" 2>&1
grep -E 'tps|latency average|failed' "$OUT/pgbench.txt" | sed 's/^/    /'
"${PSQL[@]}" -c "DROP SCHEMA bench_ceiling CASCADE" >/dev/null
say "broker ceiling: raw produce and consume"
"$PY" "$REPO/Deploy/bench/broker-ceiling.py" "$OMS_KAFKA_BROKERS" 200000 | tee "$OUT/broker.json" | sed 's/^/    /'

# --- the suite -------------------------------------------------------------------------------
"$STACK" start >/dev/null 2>&1
# Zipf demand puts ~17 % of all lines on the most popular SKU: stock every SKU in every warehouse
# for a third of all orders, so the runs measure flow, not backorders.
"${OMSCTL[@]}" demo --setup-only --top-up $(( (MAX_ORDERS + FIXED_RATE * FIXED_SECONDS + STEADY_RATE * STEADY_SECONDS) / 3 + 50 )) >/dev/null
cpu_sample() {  # name cpu-seconds per line: every service, postgres (all), broker, machine busy
  local hz; hz="$(getconf CLK_TCK)"
  for name in intake risk inventory fulfillment logistics aftersales insights broker; do
    local pid; pid="$(cat "$STATE/pids/$name.pid" 2>/dev/null || true)"
    if [ -n "$pid" ] && [ -r "/proc/$pid/stat" ]; then
      awk -v n="$name" -v hz="$hz" '{print n, ($14 + $15) / hz}' "/proc/$pid/stat"
    fi
  done
  ps -C postgres -o times= | awk '{s += $1} END {print "postgres", s}'
  awk -v hz="$hz" '/^cpu / {print "machine_busy", ($2 + $3 + $4 + $7 + $8) / hz; print "machine_total", ($2 + $3 + $4 + $5 + $6 + $7 + $8) / hz}' /proc/stat
  curl -fs "http://127.0.0.1:8081/metrics" >/dev/null || true
  local processed=0 port
  for port in 8081 8082 8083 8084 8085 8086 8087; do
    processed=$(( processed + $(curl -fs "http://127.0.0.1:$port/metrics" | awk '/^oms_events_processed_total/ {s += $NF} END {printf "%d", s}') ))
  done
  echo "events_processed $processed"
}
PSQL_ADMIN=(psql -h 127.0.0.1 -p "${OMS_PG_PORT:-54329}" -U postgres -v ON_ERROR_STOP=1 -qtA oms)
fresh_broker() {
  # The local broker (Tansu, in-memory storage) costs more CPU per request the more it holds: on
  # one broker three 10,000-order runs in a row cost it 44 s, 104 s and 159 s of CPU. Every run
  # therefore starts on an empty broker (services stopped, broker restarted, topics re-created).
  for service in intake risk inventory fulfillment logistics aftersales insights; do "$STACK" stop "$service" >/dev/null 2>&1; done
  "$STACK" restart-broker >/dev/null 2>&1
  OMS_FULFILLMENT_DEFAULT_MODE=automatic "$STACK" start >/dev/null 2>&1
}
statements() {  # the statements that took the most database time since the last reset
  "${PSQL_ADMIN[@]}" -F $'\t' -c "SELECT round(total_exec_time)::int, calls, round(mean_exec_time::numeric, 3), rows,
      left(regexp_replace(query, '\\s+', ' ', 'g'), 160) FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 12" 2>/dev/null || true
}
run_load() {  # label, then omsctl load arguments
  local label="$1"; shift
  say "suite: $label"
  fresh_broker
  "${PSQL_ADMIN[@]}" -c "SELECT pg_stat_statements_reset()" >/dev/null 2>&1 || true
  cpu_sample >"$OUT/$label.cpu-before"
  "${OMSCTL[@]}" load --follow --mix promotion --zipf 1 --hold-rate 0.02 --concurrency 64 --settle 300 --run "E$label$(date +%s | tail -c 5)" \
    --output "$OUT/$label.json" "$@" | sed 's/^/    /'
  "${OMSCTL[@]}" status --check >/dev/null 2>&1 || sleep 5
  cpu_sample >"$OUT/$label.cpu-after"
  statements >"$OUT/$label.statements.tsv"
}
run_load max --orders "$MAX_ORDERS"

# --- replay rate, on the max run's topics: logistics re-reads everything from the beginning; its
# inbox skips it all (before the next run starts on an empty broker) ---------------------------
say "replay: logistics from the earliest offsets"
"$STACK" stop logistics >/dev/null 2>&1
sleep 2
"${OMSCTL[@]}" replay --service logistics --to-earliest --execute >"$OUT/replay-plan.txt"
grep -E 'messages to reprocess|EXECUTED' "$OUT/replay-plan.txt" | sed 's/^/    /'
REPLAY_START="$(date +%s%3N)"
"$STACK" start >/dev/null 2>&1
# Done = logistics skipped (inbox) every message it re-reads. The rate counts from the last
# sample (every 0.1 s) before its first skipped event, so the group join (a few seconds here) is
# reported apart and the rate is, if anything, understated by one sampling interval.
REPLAY_MESSAGES="$(grep -oE 'messages to reprocess: [0-9]+' "$OUT/replay-plan.txt" | grep -oE '[0-9]+$' || echo 0)"
skipped() { { curl -fs "http://127.0.0.1:8085/metrics" 2>/dev/null || true; } | awk '/^oms_events_(duplicate|ignored)_total/ {s += $NF} END {printf "%d", s}'; }
LAST_IDLE_MS="$REPLAY_START"
for _ in $(seq 1 3000); do
  SAMPLED_MS="$(date +%s%3N)"
  SKIPPED="$(skipped)"; SKIPPED="${SKIPPED:-0}"
  [ "$SKIPPED" -eq 0 ] && LAST_IDLE_MS="$SAMPLED_MS"
  [ "$SKIPPED" -ge "$REPLAY_MESSAGES" ] && break
  sleep 0.1
done
DONE_MS="$(date +%s%3N)"
{
  echo "replay_ms $(( DONE_MS - REPLAY_START ))"
  echo "replay_after_join_ms $(( DONE_MS - LAST_IDLE_MS ))"
  echo "replay_after_join_messages $SKIPPED"
  echo "replay_skipped $SKIPPED"
} >"$OUT/replay.txt"
sed 's/^/    /' "$OUT/replay.txt"

run_load fixed --rate "$FIXED_RATE" --duration "$FIXED_SECONDS"
run_load steady --rate "$STEADY_RATE" --duration "$STEADY_SECONDS"

# --- report ----------------------------------------------------------------------------------
"$PY" -c "import matplotlib" 2>/dev/null || "$STATE/venv/bin/pip" install -q --disable-pip-version-check "matplotlib==3.9.2" >/dev/null
"$PY" "$REPO/Deploy/bench/e2e-report.py" "$OUT" "$REPO/docs/benchmarks.md" "$REPO/docs/benchmarks-e2e.png" \
  "$MAX_ORDERS" "$FIXED_RATE" "$FIXED_SECONDS" "$STEADY_RATE" "$STEADY_SECONDS"
