# Sourced by the drills (recovery, fault, scale): where the local stack is, its environment
# (database, broker, API tokens, PII keys), the binaries it runs and the clients the drills use.
# Expects REPO set by the caller.
STATE="${OMS_STACK_DIR:-$REPO/.oms}"
STACK="$REPO/Deploy/local/oms-stack.sh"
eval "$("$STACK" env)"
BIN="$(cat "$STATE/bin-dir" 2>/dev/null || (cd "$REPO" && swift build --show-bin-path))"
OMSCTL=("$BIN/omsctl")
PSQL=(psql "$OMS_DATABASE_URL" -v ON_ERROR_STOP=1 -tA)
