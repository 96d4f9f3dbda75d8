#!/usr/bin/env bash
# The project's real docker-compose.yml on this machine (issue 28), from nothing: installs Debian's
# Docker engine (docker.io 20.10), docker-compose (1.29, Debian's) and mmdebstrap; starts dockerd
# without systemd; builds a minimal Debian bookworm base image from the package mirror; builds the
# images the compose file names from it (PostgreSQL, the broker, nginx, Prometheus from Debian
# packages or the local broker binary; the OMS image from the executables the host compiles); then
# runs docker-compose.yml with Deploy/compose/docker-compose.local.yml, which only swaps the images.
#
#   Deploy/compose/compose-up.sh up [--release]   everything above; prints endpoints (default)
#   Deploy/compose/compose-up.sh images [--release]  only the engine and the images
#   Deploy/compose/compose-up.sh compose ARGS...  docker-compose with this project's files and
#                                                 environment, e.g. `compose ps`, `compose up -d
#                                                 --no-build --scale intake-worker=4`, `compose logs risk`
#   Deploy/compose/compose-up.sh demo             omsctl demo against the containers
#   Deploy/compose/compose-up.sh env              the variables omsctl and curl need (API tokens)
#   Deploy/compose/compose-up.sh down             remove the project (containers, network, volumes)
#                                                 and stop the dockerd this script started
#
# Configuration: the repository's .env when it exists (cp .env.example .env), never the calling
# shell's OMS_* variables (see compose()); otherwise one is
# generated once into $OMS_STACK_DIR/compose/compose.env with random secrets and the local run's
# two settings (fulfillment automatic so demo orders flow without scanners; console cookies not
# Secure because it is served over plain http on 127.0.0.1). OMS_STACK_DIR (default <repo>/.oms),
# OMS_DEBIAN_MIRROR / OMS_DEBIAN_SECURITY_MIRROR (default: the host's apt sources).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="${OMS_STACK_DIR:-$REPO/.oms}/compose"
HERE="$REPO/Deploy/compose"
PROJECT="${COMPOSE_PROJECT_NAME:-retail-oms}"
BASE_IMAGE="localhost/debian:bookworm"
EXECUTABLES=(oms-intake oms-risk oms-inventory oms-fulfillment oms-logistics oms-aftersales oms-insights oms-integrations oms-console omsctl)

log() { printf '[compose] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "need root to run: $*"; fi
}

# Debian's client talks to Debian's daemon (API 1.41); another docker client on PATH may not.
docker_cli() { if [ -x /usr/bin/docker ]; then /usr/bin/docker "$@"; else docker "$@"; fi; }

ensure_engine_packages() {
  local missing=()
  [ -x /usr/sbin/dockerd ] || missing+=(docker.io)
  [ -x /usr/bin/docker-compose ] || missing+=(docker-compose)
  command -v mmdebstrap >/dev/null 2>&1 || missing+=(mmdebstrap)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

# No systemd here: dockerd runs in the background, its log and pid in the state folder.
start_engine() {
  mkdir -p "$STATE"
  if docker_cli info >/dev/null 2>&1; then return; fi
  log "starting dockerd (log: $STATE/dockerd.log)"
  as_root bash -c "nohup /usr/sbin/dockerd >>'$STATE/dockerd.log' 2>&1 & echo \$! >'$STATE/dockerd.pid'"
  for _ in $(seq 1 120); do docker_cli info >/dev/null 2>&1 && return; sleep 0.5; done
  tail -n 20 "$STATE/dockerd.log" >&2
  die "dockerd did not come up"
}

# The first URIs line of the host's apt sources for a suite (the mirror this machine reaches).
host_mirror() {  # $1: debian | debian-security
  local uri
  uri="$(grep -h '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -E "/$1/?\$" | head -n 1 || true)"
  [ -n "$uri" ] || uri="$(grep -hE '^deb ' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' | grep -E "/$1/?\$" | head -n 1 || true)"
  echo "${uri:-http://deb.debian.org/$1}"
}

# A minimal bookworm from the mirror (minbase, no docs/man/locales, no recommends), with the host's
# local CA certificates (an intercepting proxy's) trusted and tzdata for Asia/Shanghai times.
build_base_image() {
  if docker_cli image inspect "$BASE_IMAGE" >/dev/null 2>&1 && [ -z "${OMS_COMPOSE_REBUILD_BASE:-}" ]; then return; fi
  local mirror security started=$SECONDS
  mirror="${OMS_DEBIAN_MIRROR:-$(host_mirror debian)}"
  security="${OMS_DEBIAN_SECURITY_MIRROR:-$(host_mirror debian-security)}"
  log "building $BASE_IMAGE with mmdebstrap from $mirror"
  rm -f "$STATE/rootfs.tar"
  as_root mmdebstrap --variant=minbase --include=ca-certificates,tzdata --aptopt='APT::Install-Recommends "false"' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/locale/*' \
    --customize-hook='copy-in /usr/local/share/ca-certificates /usr/local/share' \
    --customize-hook='chroot "$1" update-ca-certificates' \
    bookworm "$STATE/rootfs.tar" "deb $mirror bookworm main" "deb $mirror bookworm-updates main" \
    "deb $security bookworm-security main" >"$STATE/mmdebstrap.log" 2>&1 \
    || { tail -n 30 "$STATE/mmdebstrap.log" >&2; die "mmdebstrap failed"; }
  docker_cli import --change 'CMD ["/bin/bash"]' "$STATE/rootfs.tar" "$BASE_IMAGE" >/dev/null
  rm -f "$STATE/rootfs.tar"
  log "base image ready in $((SECONDS - started)) s"
}

# The host compiles the executables (the real Dockerfile's builder stage needs the swift registry
# image); they are staged with the Swift runtime libraries they load and librdkafka 2.16.
stage_oms_image() {
  local config="$1" bin tools rdkafka stage="$STATE/oms-image"
  tools="$(OMS_STACK_DIR="${OMS_STACK_DIR:-$REPO/.oms}" "$REPO/Deploy/local/oms-stack.sh" tools)"
  TANSU="$(printf '%s\n' "$tools" | sed -n 's/^TANSU=//p')"
  rdkafka="$(printf '%s\n' "$tools" | sed -n 's/^RDKAFKA=//p')"
  log "building the executables ($config) on the host"
  (cd "$REPO" && swift build -c "$config" >"$STATE/swift-build.log" 2>&1) \
    || { tail -n 30 "$STATE/swift-build.log" >&2; die "swift build failed"; }
  bin="$(cd "$REPO" && swift build -c "$config" --show-bin-path)"
  rm -rf "$stage"; mkdir -p "$stage/bin" "$stage/lib"
  cp "$HERE/images/oms/Dockerfile" "$stage/Dockerfile"
  local exe lib
  for exe in "${EXECUTABLES[@]}"; do strip --strip-debug -o "$stage/bin/$exe" "$bin/$exe"; done
  cp "$rdkafka" "$stage/lib/librdkafka.so.1"
  # Every library the executables load from the Swift toolchain (glibc and libstdc++ are the
  # base image's own: the host is the same Debian release).
  for lib in $(LD_LIBRARY_PATH="$stage/lib" ldd "${stage}"/bin/* | awk '$3 ~ /^\// {print $3}' | sort -u); do
    case "$lib" in "$stage"/*|/lib/*|/usr/lib/*|/lib64/*) ;; *) cp -L "$lib" "$stage/lib/" ;; esac
  done
}

build_image() {  # $1: tag, $2: context folder
  local started=$SECONDS
  docker_cli build -q -t "$1" "$2" >"$STATE/build-${1//[\/:]/_}.log" 2>&1 \
    || { tail -n 30 "$STATE/build-${1//[\/:]/_}.log" >&2; die "building $1 failed"; }
  log "image $1 built in $((SECONDS - started)) s"
}

build_images() {
  local config="$1"
  ensure_engine_packages; start_engine; build_base_image
  stage_oms_image "$config"
  mkdir -p "$STATE/broker-image"
  cp "$HERE/images/broker/Dockerfile" "$STATE/broker-image/"
  cp "$TANSU" "$STATE/broker-image/tansu"
  build_image retail-oms:latest "$STATE/oms-image"
  build_image localhost/oms-broker:latest "$STATE/broker-image"
  build_image localhost/oms-postgres:latest "$HERE/images/postgres"
  build_image localhost/oms-nginx:latest "$HERE/images/nginx"
  build_image localhost/oms-prometheus:latest "$HERE/images/prometheus"
}

random_secret() { head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c "${1:-32}"; }

# The repository's .env if an operator wrote one; otherwise a generated one, kept for later runs.
env_file() {
  if [ -f "$REPO/.env" ]; then echo "$REPO/.env"; return; fi
  local file="$STATE/compose.env"
  if [ ! -s "$file" ]; then
    mkdir -p "$STATE"
    {
      echo "# Generated by Deploy/compose/compose-up.sh for the local compose run; secrets are random."
      echo "OMS_DB_SUPERUSER_PASSWORD=$(random_secret)"
      for role in INTAKE RISK INVENTORY FULFILLMENT LOGISTICS AFTERSALES INSIGHTS INTEGRATIONS CONSOLE OPS; do
        echo "OMS_DB_PASSWORD_$role=$(random_secret)"
      done
      echo "OMS_PII_HASH_KEY=$(random_secret 40)"
      echo "OMS_PII_KEYS=k1:$(head -c 32 /dev/urandom | base64 | tr -d '\n')"
      printf 'OMS_CARRIER_SECRETS='
      for carrier in SF JD YTO ZTO DADA; do printf '%s=%s,' "$carrier" "$(random_secret 24)"; done | sed 's/,$//'
      echo
      printf 'OMS_API_TOKENS='
      {
        for channel in pos web marketplace miniprogram phone; do printf 'channel-%s:channel/%s=%s,' "$channel" "$channel" "$(random_secret 40)"; done
        for principal in cs-desk:customer-service risk-desk:risk warehouse-floor:warehouse ops-console:ops analyst:analyst oms-console:console; do
          printf '%s=%s,' "$principal" "$(random_secret 40)"
        done
      } | sed 's/,$//'
      echo
      echo "GRAFANA_ADMIN_PASSWORD=$(random_secret)"
      echo "# The local run: demo orders flow without scanners; the console is served over plain http."
      echo "OMS_FULFILLMENT_DEFAULT_MODE=automatic"
      echo "OMS_CONSOLE_SECURE_COOKIES=false"
    } >"$file"
    chmod 600 "$file"
  fi
  echo "$file"
}

# The project's configuration is the env file alone. docker-compose lets the caller's shell override
# the env file, and a shell that ran the local stack (or the test command) exports its own
# OMS_API_TOKENS, OMS_PII_KEYS, OMS_DEVELOPMENT_MODE...: containers would take those while
# `env` hands omsctl the file's tokens (401 on every call; seen in a CI rehearsal). So they are
# removed from docker-compose's environment.
compose() {
  local clean=() var
  for var in $(compgen -e); do
    case "$var" in OMS_*|GRAFANA_*|POSTGRES_*) clean+=(-u "$var") ;; esac
  done
  env "${clean[@]}" COMPOSE_PROJECT_NAME="$PROJECT" /usr/bin/docker-compose --project-directory "$REPO" --env-file "$(env_file)" \
    -f "$REPO/docker-compose.yml" -f "$HERE/docker-compose.local.yml" "$@"
}

# Every container of the project healthy (or, for the one-shot topics job, exited 0).
wait_healthy() {
  local deadline=$((SECONDS + ${1:-300})) pending
  while :; do
    pending="$(compose ps -q | xargs -r /usr/bin/docker inspect -f '{{.Name}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}-{{end}} {{.State.ExitCode}}' \
      | awk '!(($3 == "healthy") || ($2 == "exited" && $4 == 0 && $1 ~ /topics/)) {print $1 "(" $2 "/" $3 ")"}')"
    [ -z "$pending" ] && return 0
    if [ $SECONDS -ge $deadline ]; then log "not healthy: $pending"; return 1; fi
    sleep 2
  done
}

ops_token() { sed -n 's/^OMS_API_TOKENS=//p' "$(env_file)" | tr ',' '\n' | sed -n 's/^[^:]*:ops=//p' | head -n 1; }

# First start: the ops account ops-admin with a one-time password (as the local stack does).
first_console_account() {
  local answer
  if answer="$(curl -fsS -X POST http://127.0.0.1:8080/v1/console/staff -H "Authorization: Bearer $(ops_token)" \
      -H 'Content-Type: application/json' -d '{"name":"ops-admin","displayName":"运维管理员","role":"ops"}' 2>/dev/null)"; then
    printf '%s' "$answer" | python3 -c 'import json,sys; print(json.load(sys.stdin)["oneTimePassword"])'
  fi
}

print_endpoints() {
  local password="$1"
  echo
  echo "The OMS suite runs in containers (project $PROJECT; docker-compose.yml + Deploy/compose/docker-compose.local.yml):"
  printf '  %-13s %s\n' console "http://127.0.0.1:8080  (back-office console)"
  if [ -n "$password" ]; then
    echo "                first sign-in: account ops-admin, one-time password $password (you choose a new one)"
  fi
  printf '  %-13s %s\n' intake "http://127.0.0.1:8081  (nginx in front of the intake edge replicas)"
  local port=8082 service
  for service in risk inventory fulfillment logistics aftersales insights integrations; do
    printf '  %-13s http://127.0.0.1:%s\n' "$service" "$port"; port=$((port + 1))
  done
  printf '  %-13s %s\n' prometheus "http://127.0.0.1:9090"
  echo "  environment for omsctl/curl:  eval \"\$(Deploy/compose/compose-up.sh env)\""
  echo "  see it work:  Deploy/compose/compose-up.sh demo"
  echo "  promotion:    Deploy/compose/compose-up.sh compose up -d --no-build --scale intake-worker=4"
  echo "  stop:         Deploy/compose/compose-up.sh down"
}

cmd="${1:-up}"; shift || true
config=debug
[ "${1:-}" = "--release" ] && config=release
case "$cmd" in
  up)
    started=$SECONDS
    build_images "$config"
    log "docker-compose up (start order gated by health checks)"
    compose up -d --no-build >"$STATE/compose-up.log" 2>&1 || { cat "$STATE/compose-up.log" >&2; die "docker-compose up failed"; }
    wait_healthy 300 || { compose ps >&2; die "the suite did not become healthy"; }
    log "every container healthy, $((SECONDS - started)) s after start"
    print_endpoints "$(first_console_account)" ;;
  images)
    build_images "$config" ;;
  compose)
    compose "$@" ;;
  demo)
    # omsctl demo (the host's build) against the containers' published ports.
    eval "$("$0" env)"
    bin="$(cd "$REPO" && swift build -c "$config" --show-bin-path)"
    [ -x "$bin/omsctl" ] || die "omsctl is not built; run: Deploy/compose/compose-up.sh up"
    cd "$REPO" && LD_LIBRARY_PATH="${OMS_STACK_DIR:-$REPO/.oms}/lib" "$bin/omsctl" demo --host 127.0.0.1 ;;
  env)
    file="$(env_file)"
    for var in OMS_API_TOKENS OMS_CARRIER_SECRETS; do
      printf "export %s='%s'\n" "$var" "$(sed -n "s/^$var=//p" "$file")"
    done ;;
  down)
    if docker_cli info >/dev/null 2>&1; then compose down -v --remove-orphans >/dev/null 2>&1 || true; fi
    if [ -f "$STATE/dockerd.pid" ]; then
      pid="$(cat "$STATE/dockerd.pid")"
      as_root kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      rm -f "$STATE/dockerd.pid"
      log "stopped dockerd"
    fi ;;
  *) die "unknown command $cmd (up, images, compose, demo, env, down)" ;;
esac
