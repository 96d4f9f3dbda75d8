#!/usr/bin/env bash
# Scaling drill (issue 9): a burst of demo web orders into the running local stack while intake
# workers are added and removed; prints the burst's accepts/s, the rebalance pauses of the
# `oms.intake.workers` group (from each worker's "partitions revoked" -> "partitions assigned" log
# lines) and checks every accepted order was persisted exactly once.
# Arguments: [orders=20000] [concurrency=32] [extra workers=3]. Needs `Deploy/local/oms-stack.sh up`.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$REPO/Deploy/bench/drill-env.sh"
ORDERS="${1:-20000}" CONCURRENCY="${2:-32}" EXTRA="${3:-3}"
RUN="S$(date +%s | tail -c 7)"
MARK="$(date -u +%Y-%m-%dT%H:%M:%S)"
"$STACK" scale-intake 0 >/dev/null
echo "[drill] burst of $ORDERS orders (run $RUN), $CONCURRENCY connections; +$EXTRA workers after 5 s, removed after 20 s"
"$BIN/omsctl" load --intake http://127.0.0.1:8081 --orders "$ORDERS" --concurrency "$CONCURRENCY" --run "$RUN" --json >"$STATE/logs/drill-load.json" &
LOAD=$!
sleep 5; "$STACK" scale-intake "$EXTRA"
sleep 15; "$STACK" scale-intake 0
wait "$LOAD"
cat "$STATE/logs/drill-load.json"; echo
ACCEPTED="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["accepted"])' "$STATE/logs/drill-load.json")"
echo "[drill] waiting for the workers to persist $ACCEPTED orders"
PSQL=(psql "$OMS_DATABASE_URL" -tA)
for _ in $(seq 1 300); do
  STORED="$("${PSQL[@]}" -c "SELECT count(*) FROM intake.orders WHERE channel_order_id LIKE 'W-$RUN-%'")"
  [ "$STORED" -ge "$ACCEPTED" ] && break
  sleep 1
done
DISTINCT="$("${PSQL[@]}" -c "SELECT count(DISTINCT channel_order_id) FROM intake.orders WHERE channel_order_id LIKE 'W-$RUN-%'")"
echo "[drill] accepted $ACCEPTED, stored $STORED rows, $DISTINCT distinct orders"
python3 - "$STATE/logs" "$MARK" <<'PY'
import json, glob, sys, datetime
logs, mark = sys.argv[1], sys.argv[2]
pauses = []
for path in glob.glob(f"{logs}/intake*.log"):
    revoked = None
    for line in open(path, errors="replace"):
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("ts", "") < mark or "oms.intake.raw" not in entry.get("partitions", ""):
            continue
        ts = datetime.datetime.fromisoformat(entry["ts"].replace("Z", "+00:00"))
        if entry.get("msg") == "partitions revoked":
            revoked = ts
        elif entry.get("msg") == "partitions assigned" and revoked is not None:
            pauses.append((ts - revoked).total_seconds() * 1000)
            revoked = None
pauses.sort()
if pauses:
    pick = lambda p: pauses[min(len(pauses) - 1, int(len(pauses) * p))]
    print(f"[drill] rebalance pauses (revoked -> assigned, per worker): n={len(pauses)} p50={pick(0.5):.0f} ms p99={pick(0.99):.0f} ms max={pauses[-1]:.0f} ms")
else:
    print("[drill] no rebalance seen in the logs")
PY
