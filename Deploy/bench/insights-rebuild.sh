#!/usr/bin/env bash
# Rebuild-rate benchmark and check for insights (issue 13): against the running local stack
# (`oms-stack.sh up`, then some traffic: `demo`, `omsctl load`), starts a new insights generation
# in a fresh schema and consumer group, times it from start to serving the same summary as the
# running generation, compares every report byte for byte, prints events/s, and removes it again.
#   Deploy/bench/insights-rebuild.sh [generation=2]
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="${OMS_STACK_DIR:-$REPO/.oms}"
GENERATION="${1:-2}"
SCHEMA="insights_g$GENERATION"
PORT=$((8090 + GENERATION * 3))
eval "$("$REPO/Deploy/local/oms-stack.sh" env)"
# The reports need an analyst's (or ops') token; the local stack's are in OMS_API_TOKENS.
AUTH=(-H "Authorization: Bearer $(tr ',' '\n' <<<"$OMS_API_TOKENS" | sed -n 's/^[^:]*:analyst=//p' | head -n 1)")
BIN="$(cat "$STATE/bin-dir")"
PSQL=(psql "$OMS_DATABASE_URL" -v ON_ERROR_STOP=1 -qtA)
LIVE="http://127.0.0.1:8087" NEW="http://127.0.0.1:$PORT"
say() { printf '[insights-rebuild %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }

curl -fs "${AUTH[@]}" "$LIVE/health/ready" >/dev/null || { echo "insights is not running: Deploy/local/oms-stack.sh up" >&2; exit 1; }
AS_OF="$(date -u +%Y-%m-%dT%H:%M:%S.000Z)"
REPORTS=(/v1/insights/summary "/v1/insights/sales?by=day" "/v1/insights/sales?by=channel" "/v1/insights/sales?by=province"
         "/v1/insights/sales?by=category" "/v1/insights/fulfillment?by=carrier" "/v1/insights/fulfillment?by=warehouse"
         "/v1/insights/returns?by=sku" "/v1/insights/complaints?by=carrier" "/v1/insights/customers/segments?asOf=$AS_OF")
EXPECTED="$(curl -fs "${AUTH[@]}" "$LIVE/v1/insights/summary")"
"${PSQL[@]}" -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE; CREATE SCHEMA $SCHEMA" >/dev/null
say "generation $GENERATION into schema $SCHEMA (group oms.insights.events-g$GENERATION), port $PORT"
START="$(date +%s%3N)"
OMS_INSIGHTS_GENERATION="$GENERATION" OMS_DATABASE_SCHEMA="$SCHEMA" OMS_HTTP_PORT="$PORT" OMS_KAFKA_SESSION_TIMEOUT_MS=6000 \
  LD_LIBRARY_PATH="$STATE/lib" "$BIN/oms-insights" >"$STATE/logs/insights-g$GENERATION.log" 2>&1 &
PID=$!
trap 'kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true' EXIT
CAUGHT_UP=""
for _ in $(seq 1 2400); do
  if [ "$(curl -fs "${AUTH[@]}" "$NEW/v1/insights/summary" 2>/dev/null)" = "$EXPECTED" ]; then CAUGHT_UP=1; break; fi
  kill -0 "$PID" 2>/dev/null || { tail -n 20 "$STATE/logs/insights-g$GENERATION.log" >&2; exit 1; }
  sleep 0.25
done
ELAPSED=$(( $(date +%s%3N) - START ))
[ -n "$CAUGHT_UP" ] || { say "generation $GENERATION did not catch up in 10 minutes"; exit 1; }
EVENTS="$("${PSQL[@]}" -c "SELECT count(*) FROM $SCHEMA.inbox")"
DIFFERENT=0
for path in "${REPORTS[@]}"; do
  if [ "$(curl -fs "${AUTH[@]}" "$LIVE$path")" != "$(curl -fs "${AUTH[@]}" "$NEW$path")" ]; then say "DIFFERS: $path"; DIFFERENT=$((DIFFERENT + 1)); fi
done
ORDERS="$(curl -fs "${AUTH[@]}" "$NEW/v1/insights/summary" | sed -E 's/.*"ordersReceived":([0-9]+).*/\1/')"
say "rebuilt $ORDERS orders from $EVENTS events in ${ELAPSED} ms (start-up and group join included): $(( EVENTS * 1000 / (ELAPSED > 0 ? ELAPSED : 1) )) events/s"
say "${#REPORTS[@]} reports compared, $DIFFERENT different"
kill "$PID"; wait "$PID" 2>/dev/null || true
trap - EXIT
"${PSQL[@]}" -c "DROP SCHEMA $SCHEMA CASCADE" >/dev/null
[ "$DIFFERENT" -eq 0 ]
