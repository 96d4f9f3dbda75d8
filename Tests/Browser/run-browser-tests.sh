#!/usr/bin/env bash
# The console's browser tests (issue 27) against the running local stack (`oms-stack.sh up`):
# Debian's chromium and chromium-driver (a real headless browser), Selenium from PyPI (pinned: 4.53
# wants a certifi newer than the mirror holds), zbar to read the printed waybill's barcode and a CJK
# font so the screenshots show Chinese. Installs what is missing, sets up the demo warehouses and
# stock (idempotent), then runs Tests/Browser/console_browser_test.py. Screenshots go to
# $OMS_STACK_DIR/logs/browser; `--docs` also copies them to docs/console/.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="${OMS_STACK_DIR:-$REPO/.oms}"
SELENIUM_VERSION="4.50.0"
cd "$REPO"

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
command -v zbarimg >/dev/null 2>&1 || need+=(zbar-tools)
fc-list 2>/dev/null | grep -qiE 'wqy|cjk' || need+=(fonts-wqy-zenhei)
if [ ${#need[@]} -gt 0 ]; then
  echo "[browser] installing ${need[*]} (Debian)"
  as_root apt-get install -y -q "${need[@]}" >/dev/null 2>&1 || { as_root apt-get update -q >/dev/null; as_root apt-get install -y -q "${need[@]}" >/dev/null; }
fi
"$STATE/venv/bin/python" -c "import selenium" 2>/dev/null || "$STATE/venv/bin/pip" install -q "selenium==$SELENIUM_VERSION"

eval "$(Deploy/local/oms-stack.sh env)"
BIN="$(cat "$STATE/bin-dir" 2>/dev/null || swift build --show-bin-path)"
"$BIN/omsctl" demo --setup-only >/dev/null
exec "$STATE/venv/bin/python" Tests/Browser/console_browser_test.py "$@"
