# Sourced by the drills (recovery, fault, scale): where the local stack is, its environment
# (database, broker, API tokens, PII keys), the binaries it runs and the clients the drills use.
# Expects REPO set by the caller.
STATE="${OMS_STACK_DIR:-$REPO/.oms}"
STACK="$REPO/Deploy/local/oms-stack.sh"
eval "$("$STACK" env)"
BIN="$(cat "$STATE/bin-dir" 2>/dev/null || (cd "$REPO" && swift build --show-bin-path))"
OMSCTL=("$BIN/omsctl")
PSQL=(psql "$OMS_DATABASE_URL" -v ON_ERROR_STOP=1 -tA)

# Liveness versus invariants. An invariant violation (an order lost or doubled, stock off its
# ledger, state changed by a replay) is always a defect: `fail`. A liveness failure (not drained,
# an order stuck between stages, a service not ready) is one too, unless a service logged during
# this drill that the broker never assigned its consumer group anything — the local broker's known
# fault (README, "Known broker issues"): `stall`. `finish_drill` exits 0 when all held, 3 when only
# liveness failed and that signature was logged (Deploy/local/test.sh retries only that on a fresh
# broker), 1 otherwise.
STALLED=0
stall() { say "STALL: $*"; STALLED=1; }
mark_logs() {  # remembers how far each log went, so only this drill's lines are searched
  for f in "$STATE"/logs/*.log; do [ -f "$f" ] && printf '%s %s\n' "$f" "$(stat -c %s "$f")"; done > "$STATE/logs/drill-log-marks"
}
broker_fault_logged() {
  local f size
  for f in "$STATE"/logs/*.log; do
    size="$(awk -v f="$f" '$1 == f {print $2}' "$STATE/logs/drill-log-marks" 2>/dev/null)"
    tail -c +"$(( ${size:-0} + 1 ))" "$f" 2>/dev/null | grep -q "consumer group never assigned this member" && { say "broker fault signature in $f"; return 0; }
  done
  return 1
}
finish_drill() {  # $1: what a pass says
  if [ "$FAILED" = 0 ] && [ "$STALLED" = 0 ]; then say "PASSED: $1"; exit 0; fi
  if [ "$FAILED" = 0 ] && broker_fault_logged; then say "STALLED with a consumer group the broker never assigned: the local broker's known fault"; exit 3; fi
  say "FAILED"; exit 1
}

# Waiting is bounded by the clock, never by a count of tries: one `status --check` can take
# seconds when a broker call or a health probe is slow, and 600 tries of 5 s each once outlasted
# CI's whole budget without a line of output. Each check runs under `timeout`; every 60 s the
# table is printed so a log shows what did not drain.
status_check() { timeout 30 "${OMSCTL[@]}" status --check >/dev/null 2>&1; }
drained_within() {  # seconds [command run between tries]: 0 once drained, 1 at the deadline
  local deadline=$(( SECONDS + $1 )) next_table=$(( SECONDS + 60 ))
  while [ "$SECONDS" -lt "$deadline" ]; do
    status_check && return 0
    [ -n "${2:-}" ] && "$2"
    if [ "$SECONDS" -ge "$next_table" ]; then
      say "still not drained after $(( SECONDS - deadline + $1 )) s:"; timeout 30 "${OMSCTL[@]}" status 2>/dev/null | sed 's/^/    /' || true
      next_table=$(( SECONDS + 60 ))
    fi
    sleep 1
  done
  return 1
}
ready_probe() { curl -fs --max-time 3 "$1" >/dev/null 2>&1; }  # url: 0 when the service answers ready
