#!/usr/bin/env bash
# Static checks of the deployment (compose, Prometheus, Grafana, k8s) — see deploy-check.py.
# Uses the local stack's Python venv (created by Deploy/local/oms-stack.sh infra) and a built
# omsctl for the topic catalogue. Downloads the Compose specification schema once (it ships in
# PyPI's docker-compose 1.29.2 wheel; only that JSON file is extracted, nothing is installed).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="${OMS_STACK_DIR:-$REPO/.oms}"
PY="$STATE/venv/bin/python"
[ -x "$PY" ] || { echo "deploy-check: no venv at $STATE/venv; run Deploy/local/oms-stack.sh infra first" >&2; exit 1; }
"$PY" -c "import yaml, jsonschema" 2>/dev/null \
  || "$STATE/venv/bin/pip" install -q --disable-pip-version-check "PyYAML==6.0.4" "jsonschema==4.26.0"

CACHE="$STATE/cache"; SCHEMA="$CACHE/compose_spec.json"
if [ ! -s "$SCHEMA" ]; then
  mkdir -p "$CACHE"
  "$STATE/venv/bin/pip" download -q --disable-pip-version-check --no-deps -d "$CACHE" "docker-compose==1.29.2"
  "$PY" - "$CACHE" <<'PY'
import glob, sys, zipfile
cache = sys.argv[1]
wheel = glob.glob(cache + "/docker_compose-1.29.2-*.whl")[0]
with zipfile.ZipFile(wheel) as z, open(cache + "/compose_spec.json", "wb") as out:
    out.write(z.read("compose/config/compose_spec.json"))
PY
fi

BIN="$(cd "$REPO" && swift build --show-bin-path)"
CATALOGUE="$(mktemp)"; trap 'rm -f "$CATALOGUE"' EXIT
LD_LIBRARY_PATH="$STATE/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$BIN/omsctl" topics list >"$CATALOGUE"
"$PY" "$REPO/Deploy/checks/deploy-check.py" --catalogue "$CATALOGUE" --compose-schema "$SCHEMA"
