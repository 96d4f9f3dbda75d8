#!/usr/bin/env bash
# The console's browser tests (issue 27) against the running local stack (`oms-stack.sh up`, which
# installs what they need: Debian's chromium, chromium-driver, zbar-tools and a CJK font, and
# Selenium in the stack's venv). Sets up the demo warehouses and stock (idempotent), then runs
# Tests/Browser/console_browser_test.py. Screenshots go to $OMS_STACK_DIR/logs/browser; `--docs`
# also copies them to docs/console/.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="${OMS_STACK_DIR:-$REPO/.oms}"
cd "$REPO"
[ -x /usr/bin/chromedriver ] && command -v zbarimg >/dev/null && "$STATE/venv/bin/python" -c "import selenium" 2>/dev/null \
  || { echo "run-browser-tests: start the stack first (Deploy/local/oms-stack.sh up installs chromium-driver, zbar-tools, selenium)" >&2; exit 1; }
eval "$(Deploy/local/oms-stack.sh env)"
BIN="$(cat "$STATE/bin-dir" 2>/dev/null || swift build --show-bin-path)"
"$BIN/omsctl" demo --setup-only >/dev/null
exec "$STATE/venv/bin/python" Tests/Browser/console_browser_test.py "$@"
