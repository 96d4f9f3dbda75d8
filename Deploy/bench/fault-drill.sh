#!/usr/bin/env bash
# Fault drill (issue 11) against the running local stack, every service its own OS process:
# while a run of web orders flows at a fixed rate, faults are injected one after another:
#   kill:<service>     SIGKILL of each service at a random moment, restarted 2 s later
#   relay-crash        a service restarted with OMS_FAULT_CRASH_AT=relayAfterPublishBeforeMark:
#                      it kills itself after the broker acknowledged a batch but before marking
#                      the outbox rows sent (so they are published again)
#   consumer-crash     the same at pipelineAfterDatabaseCommit: after the database commit, before
#                      the offset commit (so the batch is delivered again)
#   worker-pause       an intake worker SIGSTOPped past the session timeout, then SIGCONT
#   postgres-restart   PostgreSQL restarted (fast shutdown: open transactions abort)
#   broker-pause       the broker SIGSTOPped past the session timeout (full run only: the local
#                      broker, Tansu, can leave a consumer group stuck afterwards, README)
# Then, once the suite drains, it checks the invariants: every order id a 202 named stored once,
# none in flight (received/verified/allocated/packed) unless named in a dead letter, held and
# backordered ones reported with their reason, no dead letter at all, no order line reserved twice, one shipment per
# parcel and none missing, the stock ledger equal to on-hand and nothing negative, no committed
# outbox row unpublished, and prints the table: fault, times injected, recovery (s), and the run's
# orders, lost and duplicated. Exits non-zero on any violation.
# Arguments: [orders=4500] [rate=30] [--short]. --short (CI): one kill per process, no broker pause.
# Size the run so the load outlasts the faults (about 100 s short, 160 s full).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$REPO/Deploy/bench/drill-env.sh"
ORDERS="${1:-4500}" RATE="${2:-30}" SHORT="${3:-}"
RUN="F$(date +%s | tail -c 7)"
SESSION_MS="${OMS_KAFKA_SESSION_TIMEOUT_MS:-6000}"
PAUSE_S=$(( SESSION_MS / 1000 + 4 ))
FAILED=0
declare -A INJECTED RECOVERED
say() { printf '[fault-drill %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
mark_logs
fail() { say "VIOLATION: $*"; FAILED=1; }
now_ms() { date +%s%3N; }
port_of() { case "$1" in intake) echo 8081;; risk) echo 8082;; inventory) echo 8083;; fulfillment) echo 8084;; logistics) echo 8085;; aftersales) echo 8086;; insights) echo 8087;; intake-worker-1) echo 8091;; esac; }
pid_of() { cat "$STATE/pids/$1.pid" 2>/dev/null || true; }
ready_after() {  # service start-ms: waits until it answers ready, prints the seconds since start-ms
  local port; port="$(port_of "$1")"
  local deadline=$(( SECONDS + 60 ))
  while [ "$SECONDS" -lt "$deadline" ]; do ready_probe "http://127.0.0.1:$port/health/ready" && break; sleep 0.1; done
  awk -v ms="$(( $(now_ms) - $2 ))" 'BEGIN {printf "%.1f", ms / 1000}'
}
not_ready_report() {  # service: what its readiness answers (and how fast), and its last warnings, for the CI log
  local body
  body="$(curl -s --max-time 10 -w ' (HTTP %{http_code} in %{time_total} s)' "http://127.0.0.1:$(port_of "$1")/health/ready" 2>&1)"
  say "$1 readiness answers: ${body:-nothing within 10 s}"
  say "$1's last warnings and errors (pid $(pid_of "$1"), $(kill -0 "$(pid_of "$1")" 2>/dev/null && echo alive || echo gone)):"
  grep -aE '"level":"(warning|error|critical)"' "$STATE/logs/$1.log" 2>/dev/null | tail -n 15 | cut -c1-400 | sed 's/^/    /' || true
}
note() { INJECTED[$1]=$(( ${INJECTED[$1]:-0} + 1 )); RECOVERED[$1]="${RECOVERED[$1]:-}${RECOVERED[$1]:+ }$2"; say "$1: back in $2 s"; }
load_running() { kill -0 "$LOAD" 2>/dev/null; }

say "run $RUN: $ORDERS web orders at $RATE/s ${SHORT:+(short variant)}"
"${OMSCTL[@]}" demo --setup-only --top-up "$(( ORDERS / 20 + 10 ))" >/dev/null
"$STACK" scale-intake 1 >/dev/null
drained_within 120 || true

"${OMSCTL[@]}" load --orders "$ORDERS" --rate "$RATE" --duration "$(( ORDERS / RATE ))" --concurrency 16 --run "$RUN" --json >"$STATE/logs/fault-load.json" &
LOAD=$!
sleep 3

kill_service() {  # SIGKILL at a random moment of the next two seconds, restart two seconds later
  sleep "0.$(( RANDOM % 10 ))$(( RANDOM % 10 ))"
  "$STACK" kill "$1" >/dev/null
  local at; at="$(now_ms)"
  sleep 2
  if [ "$1" = intake-worker-1 ]; then "$STACK" scale-intake 1 >/dev/null; else "$STACK" start >/dev/null 2>&1; fi
  note "kill:$1" "$(ready_after "$1" "$at")"
}
crash_at() {  # fault, point, service: restart it with the crash point armed, until it dies by it
  "$STACK" stop "$3" >/dev/null
  local log="$STATE/logs/$3.log" before fired
  before="$(grep -c "injected crash at $2" "$log" 2>/dev/null || true)"
  OMS_FAULT_CRASH_AT="$2:0.3" "$STACK" start >/dev/null 2>&1
  local pid; pid="$(pid_of "$3")"
  for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then say "$1: $3 never reached $2 in 30 s (no traffic?)"; "$STACK" stop "$3" >/dev/null; fi
  local at; at="$(now_ms)"
  rm -f "$STATE/pids/$3.pid"
  "$STACK" start >/dev/null 2>&1
  # Counted as injected only when the process says it died at that point (FaultInjector.crash).
  fired="$(grep -c "injected crash at $2" "$log" 2>/dev/null || true)"
  if [ "${fired:-0}" -gt "${before:-0}" ]; then
    note "$1" "$(ready_after "$3" "$at")"
  else
    stall "$1: the crash at $2 never fired in $3"
  fi
}

# The injected crashes first, while orders surely flow through both points; then every process
# killed once per round at a random moment; then the pauses and the database restart.
crash_at relay-crash relayAfterPublishBeforeMark inventory
crash_at consumer-crash pipelineAfterDatabaseCommit fulfillment
SERVICES=(risk inventory fulfillment logistics aftersales insights intake intake-worker-1)
ROUNDS=2; [ -n "$SHORT" ] && ROUNDS=1
for round in $(seq 1 "$ROUNDS"); do
  for service in $(printf '%s\n' "${SERVICES[@]}" | shuf); do
    kill_service "$service"
    sleep 1
  done
done
kill -STOP "$(pid_of intake-worker-1)"; at="$(now_ms)"; sleep "$PAUSE_S"; kill -CONT "$(pid_of intake-worker-1)"
note worker-pause "$(ready_after intake-worker-1 "$at")"
at="$(now_ms)"; "$STACK" restart-postgres >/dev/null
note postgres-restart "$(ready_after inventory "$at")"
if [ -z "$SHORT" ]; then
  kill -STOP "$(pid_of broker)"; at="$(now_ms)"; sleep "$PAUSE_S"; kill -CONT "$(pid_of broker)"
  note broker-pause "$(ready_after logistics "$at")"
fi
load_running || say "(the load ended before the last faults: they hit the backlog, not new orders; raise orders or lower the rate)"
wait "$LOAD" || true
ACCEPTED="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["accepted"])' "$STATE/logs/fault-load.json")"
say "load done: $ACCEPTED accepted; waiting for the suite to drain"
DRAIN_START="$(now_ms)"
DRAINED=""
RESTARTS=0
supervise() {  # what a restart policy does: a service that exited (its stall watchdog) is started again
  local service pid
  for service in intake risk inventory fulfillment logistics aftersales insights; do
    pid="$(pid_of "$service")"
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      say "$service exited ($(grep -c 'pipeline stalled' "$STATE/logs/$service.log" 2>/dev/null || echo 0) stall exits in its log); restarting it as its supervisor would"
      RESTARTS=$((RESTARTS + 1))
      # `start` fails when any service is not ready within 30 s (e.g. another one stalling at
      # that moment); the next pass of the drain loop tries again instead of ending the drill.
      "$STACK" start >/dev/null 2>&1 || say "restart incomplete (a service not ready yet); the next pass tries again"
    fi
  done
}
drained_within 600 supervise && DRAINED=1
DRAIN_S=$(( ($(now_ms) - DRAIN_START) / 1000 ))
# Drained means no work is pending; a process the watchdog stops after its last batch (or after a
# readiness check stuck on a connection the database restart killed) still has to come back:
# every service must be ready at the end. The wait supervises too, so a process that exits while
# it waits is started again, as its supervisor would; 120 s covers a 30 s stall limit twice.
all_ready() {
  local service
  for service in intake risk inventory fulfillment logistics aftersales insights; do
    ready_probe "http://127.0.0.1:$(port_of "$service")/health/ready" || return 1
  done
}
sleep 6
READY_DEADLINE=$(( SECONDS + 120 ))
until all_ready || [ "$SECONDS" -ge "$READY_DEADLINE" ]; do supervise; sleep 2; done
for service in intake risk inventory fulfillment logistics aftersales insights; do
  ready_probe "http://127.0.0.1:$(port_of "$service")/health/ready" || { stall "$service is not ready at the end"; not_ready_report "$service"; }
done
[ -n "$DRAINED" ] || { timeout 30 "${OMSCTL[@]}" status --verbose || true; stall "not drained after 600 s"; }

# --- invariants ------------------------------------------------------------------------------
ORDERS_SQL="SELECT order_id FROM intake.orders WHERE channel_order_id LIKE 'W-$RUN-%'"
read -r STORED DISTINCT <<<"$("${PSQL[@]}" -F ' ' -c "SELECT count(*), count(DISTINCT channel_order_id) FROM intake.orders WHERE channel_order_id LIKE 'W-$RUN-%'")"
# Lost by identity: every order id a 202 answered with must be stored.
ACCEPTED_IDS="$(python3 -c 'import json,sys; print(",".join(json.load(open(sys.argv[1])).get("acceptedOrderIds") or []))' "$STATE/logs/fault-load.json")"
[ -n "$ACCEPTED_IDS" ] || fail "the load generator reported no accepted order ids"
# (psql interpolates :'ids' only in statements read from standard input, not in -c.)
LOST="$(echo "SELECT count(*) FROM unnest(:'ids'::text[]) AS a(id) WHERE NOT EXISTS (SELECT 1 FROM intake.orders o WHERE o.order_id = a.id)" | "${PSQL[@]}" -v ids="{$ACCEPTED_IDS}")"
[ "$LOST" = 0 ] || fail "$LOST accepted orders (by the ids their 202 named) never stored"
DUPLICATED=$(( STORED - DISTINCT ))
DLQ_PY='import json, sys
try:
    entries = json.load(sys.stdin)
except Exception:
    entries = []
keys = sorted({(e.get("orderKey") or "").replace(chr(39), "") for e in entries if e.get("state") == "open"})
print(",".join(chr(39) + k + chr(39) for k in keys) or chr(39) + chr(39))'
DLQ_ORDERS="$("${OMSCTL[@]}" dlq list --json 2>/dev/null | python3 -c "$DLQ_PY")"
# OrderStatus: received, verified, allocated and packed are in flight (stuck once drained); held
# (risk review) and backordered (no stock) wait with a reason and are reported, not failed.
STUCK="$("${PSQL[@]}" -c "SELECT count(*) FROM intake.orders WHERE channel_order_id LIKE 'W-$RUN-%' AND status IN ('received', 'verified', 'allocated', 'packed') AND order_id NOT IN ($DLQ_ORDERS)")"
[ "$STUCK" = 0 ] || stall "$STUCK orders stuck between stages and not in a dead letter"
UNKNOWN_STATUS="$("${PSQL[@]}" -c "SELECT count(*) FROM intake.orders WHERE channel_order_id LIKE 'W-$RUN-%' AND status NOT IN ('received', 'awaitingPayment', 'verified', 'held', 'rejected', 'allocated', 'backordered', 'packed', 'shipped', 'inTransit', 'delayed', 'delivered', 'returnRequested', 'partiallyRefunded', 'refunded', 'cancelled')")"
[ "$UNKNOWN_STATUS" = 0 ] || fail "$UNKNOWN_STATUS orders in a status OrderStatus does not know"
HELD="$("${PSQL[@]}" -c "SELECT count(*) FROM intake.orders WHERE channel_order_id LIKE 'W-$RUN-%' AND status = 'held'")"
BACKORDERED="$("${PSQL[@]}" -c "SELECT count(*) FROM intake.orders WHERE channel_order_id LIKE 'W-$RUN-%' AND status = 'backordered'")"
if [ "$HELD" != 0 ]; then
  say "$HELD held for review, by rule:"
  "${PSQL[@]}" -F ' ' -c "SELECT '    ' || (f->>'rule'), count(*) FROM risk.decisions d, jsonb_array_elements(d.findings) f WHERE d.status = 'held' AND d.order_id IN ($ORDERS_SQL) GROUP BY 1 ORDER BY 2 DESC"
fi
[ "$BACKORDERED" = 0 ] || say "$BACKORDERED backordered (waiting for stock)"
DOUBLE_RESERVED="$("${PSQL[@]}" -c "
  SELECT count(*) FROM inventory.orders o, jsonb_array_elements(o.body->'lines') l
  WHERE o.order_id IN ($ORDERS_SQL)
    AND (SELECT COALESCE(sum(quantity), 0) FROM inventory.reservations r
         WHERE r.order_id = o.order_id AND r.line_number = (l->>'lineNumber')::int) > (l->>'quantity')::int")"
DOUBLE_SHIPPED="$("${PSQL[@]}" -c "SELECT count(*) FROM (SELECT parcel_id FROM logistics.shipments WHERE order_id IN ($ORDERS_SQL) GROUP BY 1 HAVING count(*) > 1) d")"
DUPLICATED=$(( DUPLICATED + DOUBLE_RESERVED + DOUBLE_SHIPPED ))
[ "$DOUBLE_RESERVED" = 0 ] || fail "$DOUBLE_RESERVED order lines reserved more units than ordered"
[ "$DOUBLE_SHIPPED" = 0 ] || fail "$DOUBLE_SHIPPED parcels with more than one shipment"
UNSHIPPED="$("${PSQL[@]}" -c "SELECT count(*) FROM fulfillment.parcels p WHERE p.order_id IN ($ORDERS_SQL) AND NOT EXISTS (SELECT 1 FROM logistics.shipments s WHERE s.parcel_id = p.id)")"
[ "$UNSHIPPED" = 0 ] || fail "$UNSHIPPED packed parcels without a shipment"
LEDGER="$("${PSQL[@]}" -c "
  SELECT count(*) FROM inventory.stock s
  LEFT JOIN (SELECT sku, warehouse_code, sum(on_hand_delta) oh, sum(reserved_delta) r FROM inventory.stock_movements GROUP BY 1, 2) m USING (sku, warehouse_code)
  LEFT JOIN (SELECT sku, warehouse_code, sum(quantity) a FROM inventory.reservations WHERE status = 'active' GROUP BY 1, 2) r USING (sku, warehouse_code)
  WHERE s.on_hand <> COALESCE(m.oh, 0) OR s.reserved <> COALESCE(m.r, 0) OR s.reserved <> COALESCE(r.a, 0) OR s.on_hand < 0 OR s.reserved < 0")"
[ "$LEDGER" = 0 ] || fail "$LEDGER stock rows disagree with their ledger or are negative"
UNPUBLISHED=0
for schema in intake risk inventory fulfillment logistics aftersales insights; do
  n="$("${PSQL[@]}" -c "SELECT count(*) FROM $schema.outbox WHERE sent_at IS NULL")"
  UNPUBLISHED=$(( UNPUBLISHED + n ))
done
[ "$UNPUBLISHED" = 0 ] || fail "$UNPUBLISHED committed outbox rows never published"
DEAD="$("${OMSCTL[@]}" dlq list --json 2>/dev/null | python3 -c 'import json,sys
try: print(sum(1 for e in json.load(sys.stdin) if e.get("state") == "open"))
except Exception: print(0)')"
# No fault of this drill should dead-letter anything: crashes and restarts are redelivered, not poison.
if [ "$DEAD" != 0 ]; then "${OMSCTL[@]}" dlq list || true; fail "$DEAD open dead letters, none expected"; fi

say "order statuses of the run:"
"${PSQL[@]}" -F ' ' -c "SELECT '    ' || status, count(*) FROM intake.orders WHERE channel_order_id LIKE 'W-$RUN-%' GROUP BY 1 ORDER BY 2 DESC"
{
  printf '| fault | injected | back ready after (s) |\n|---|---|---|\n'
  for fault in $(printf '%s\n' "${!INJECTED[@]}" | sort); do printf '| %s | %d | %s |\n' "$fault" "${INJECTED[$fault]}" "${RECOVERED[$fault]}"; done
  printf '\n| orders accepted | stored | lost (by id) | duplicated | stuck | held | backordered | open dead letters | unpublished outbox rows | stock rows off | stalled processes restarted | drained after the load (s) |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n'
  printf '| %d | %d | %d | %d | %d | %d | %d | %d | %d | %d | %d | %d |\n' "$ACCEPTED" "$STORED" "$LOST" "$DUPLICATED" "$STUCK" "$HELD" "$BACKORDERED" "$DEAD" "$UNPUBLISHED" "$LEDGER" "$RESTARTS" "$DRAIN_S"
} | tee "$STATE/logs/fault-drill-$RUN.md"
"$STACK" scale-intake 0 >/dev/null
finish_drill "$ACCEPTED orders through $(( ${#INJECTED[@]} )) kinds of fault, nothing lost, nothing doubled"
