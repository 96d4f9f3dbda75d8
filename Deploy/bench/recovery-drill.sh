#!/usr/bin/env bash
# Recovery drill (issue 9) against the running local stack, every service its own OS process:
#   1. crash: fulfillment is killed (SIGKILL) in the middle of a burst of web orders; its consumer
#      lag piles up in `omsctl status`; it is started again and drains; nothing lost, nothing doubled.
#   2. replay: ops replay logistics' whole input since the drill began (`omsctl replay --to-datetime
#      ... --execute` while logistics is stopped); the inbox skips every re-delivered event, so
#      shipments, reservations and parcels stay exactly as they were, and status drains.
# Then it checks, for the drill's orders: every accepted order stored once and shipped (or held
# by risk / backordered, listed), one shipment per packed parcel, the inventory ledger consistent,
# no dead letters, zero lag. Prints timings and exits non-zero on any violation.
# Arguments: [orders=300] [concurrency=16]. Needs `Deploy/local/oms-stack.sh up` (debug or release).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$REPO/Deploy/bench/drill-env.sh"
ORDERS="${1:-300}" CONCURRENCY="${2:-16}"
RUN="R$(date +%s | tail -c 7)"
FAILED=0
say() { printf '[drill %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
mark_logs
fail() { say "VIOLATION: $*"; FAILED=1; }
now_ms() { date +%s%3N; }
wait_drained() {  # seconds; prints how long draining took
  local limit="$1" start; start="$(now_ms)"
  if drained_within "$limit"; then say "drained in $(( ($(now_ms) - start) / 1000 )) s"; return 0; fi
  timeout 30 "${OMSCTL[@]}" status --verbose || true
  stall "not drained after $limit s"
}
ORDERS_SQL="SELECT order_id FROM intake.orders WHERE channel_order_id LIKE 'W-$RUN-%'"
snapshot() {
  "${PSQL[@]}" -c "SELECT (SELECT count(*) FROM inventory.reservations WHERE order_id IN ($ORDERS_SQL)) || ' reservations, ' ||
    (SELECT count(*) FROM inventory.stock_movements) || ' stock movements, ' ||
    (SELECT count(*) FROM fulfillment.parcels WHERE order_id IN ($ORDERS_SQL)) || ' parcels, ' ||
    (SELECT count(*) FROM logistics.shipments WHERE order_id IN ($ORDERS_SQL)) || ' shipments'"
}
duplicates() {  # events the logistics inbox skipped so far
  curl -fs "http://127.0.0.1:8085/metrics" | awk '/^oms_events_duplicate_total/ {s += $NF} END {printf "%d\n", s}'
}

say "run $RUN: $ORDERS web orders, $CONCURRENCY connections"
# Enough stock that the drill's orders ship rather than backorder, whatever ran before.
"${OMSCTL[@]}" demo --setup-only --top-up "$(( ORDERS / 20 + 10 ))" >/dev/null
wait_drained 120
MARK="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
sleep 1

# --- 1. crash in the middle of a burst -------------------------------------------------------
"${OMSCTL[@]}" load --orders "$ORDERS" --concurrency "$CONCURRENCY" --run "$RUN" --json >"$STATE/logs/recovery-load.json" &
LOAD=$!
for _ in $(seq 1 120); do
  PACKED="$("${PSQL[@]}" -c "SELECT count(*) FROM fulfillment.fulfillment_orders WHERE order_id IN ($ORDERS_SQL)")"
  [ "$PACKED" -ge $((ORDERS / 10)) ] && break
  sleep 0.5
done
"$STACK" kill fulfillment
CRASHED="$(now_ms)"
say "fulfillment killed after $PACKED of the run's fulfillment orders"
wait "$LOAD"
ACCEPTED="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["accepted"])' "$STATE/logs/recovery-load.json")"
say "accepted $ACCEPTED of $ORDERS"
sleep 10
say "while fulfillment is down:"
"${OMSCTL[@]}" status | sed 's/^/    /'
DOWN_LAG="$("${OMSCTL[@]}" status --json | python3 -c '
import json, sys
report = json.load(sys.stdin)
print(sum(g["lag"] for s in report["services"] for g in s.get("groups", []) if g["group"] == "oms.fulfillment.events"))')"
[ "$DOWN_LAG" -gt 0 ] || fail "no fulfillment lag while it was down: the fault did not bite (out of stock? everything held?)"
"$STACK" start >/dev/null 2>&1
say "fulfillment started again $(( ($(now_ms) - CRASHED) / 1000 )) s after the crash"
wait_drained 600

STORED="$("${PSQL[@]}" -c "SELECT count(*) || '/' || count(DISTINCT channel_order_id) FROM intake.orders WHERE channel_order_id LIKE 'W-$RUN-%'")"
[ "$STORED" = "$ACCEPTED/$ACCEPTED" ] || fail "accepted $ACCEPTED, stored/distinct $STORED"
BEFORE="$(snapshot)"
say "after the crash: $BEFORE"

# --- 2. replay logistics over everything since the drill began ------------------------------
DUPS_BEFORE="$(duplicates)"
"$STACK" stop logistics
sleep 2
say "replay plan and execution (logistics, --to-datetime $MARK):"
"${OMSCTL[@]}" replay --service logistics --to-datetime "$MARK" --execute | sed 's/^/    /'
REPLAYED="$(now_ms)"
"$STACK" start >/dev/null 2>&1
wait_drained 600
say "replayed input drained in $(( ($(now_ms) - REPLAYED) / 1000 )) s; logistics' inbox skipped $(duplicates) re-delivered events since its restart (the plan's other messages are event types logistics ignores); before the replay it had skipped $DUPS_BEFORE (events fulfillment's relay re-published after the crash)"
AFTER="$(snapshot)"
say "after the replay: $AFTER"
[ "$BEFORE" = "$AFTER" ] || fail "state changed by the replay: before [$BEFORE] after [$AFTER]"
[ "$(duplicates)" -gt 0 ] || fail "the replay re-delivered nothing to logistics"

# --- invariants ------------------------------------------------------------------------------
say "order statuses of the run:"
"${PSQL[@]}" -F ' ' -c "SELECT '    ' || status, count(*) FROM intake.orders WHERE channel_order_id LIKE 'W-$RUN-%' GROUP BY 1 ORDER BY 2 DESC"
STUCK="$("${PSQL[@]}" -c "SELECT count(*) FROM intake.orders WHERE channel_order_id LIKE 'W-$RUN-%' AND status IN ('received', 'accepted', 'verified', 'allocated', 'picking', 'packed')")"
[ "$STUCK" = 0 ] || stall "$STUCK orders stuck between stages after draining"
UNSHIPPED="$("${PSQL[@]}" -c "SELECT count(*) FROM fulfillment.parcels p WHERE p.order_id IN ($ORDERS_SQL) AND NOT EXISTS (SELECT 1 FROM logistics.shipments s WHERE s.parcel_id = p.id)")"
[ "$UNSHIPPED" = 0 ] || fail "$UNSHIPPED packed parcels without a shipment"
DOUBLED="$("${PSQL[@]}" -c "
  SELECT count(*) FROM inventory.orders o, jsonb_array_elements(o.body->'lines') l
  WHERE o.order_id IN ($ORDERS_SQL)
    AND (SELECT COALESCE(sum(quantity), 0) FROM inventory.reservations r
         WHERE r.order_id = o.order_id AND r.line_number = (l->>'lineNumber')::int) > (l->>'quantity')::int")"
[ "$DOUBLED" = 0 ] || fail "$DOUBLED order lines reserved more units than ordered"
LEDGER="$("${PSQL[@]}" -c "
  SELECT count(*) FROM inventory.stock s
  LEFT JOIN (SELECT sku, warehouse_code, sum(on_hand_delta) oh, sum(reserved_delta) r FROM inventory.stock_movements GROUP BY 1, 2) m USING (sku, warehouse_code)
  LEFT JOIN (SELECT sku, warehouse_code, sum(quantity) a FROM inventory.reservations WHERE status = 'active' GROUP BY 1, 2) r USING (sku, warehouse_code)
  WHERE s.on_hand <> COALESCE(m.oh, 0) OR s.reserved <> COALESCE(m.r, 0) OR s.reserved <> COALESCE(r.a, 0) OR s.on_hand < 0")"
[ "$LEDGER" = 0 ] || fail "$LEDGER stock rows disagree with their ledger or are negative"
"${OMSCTL[@]}" status --check >/dev/null || stall "status is not drained at the end"
finish_drill "$ACCEPTED orders, crash and replay recovered, nothing lost, nothing doubled"
