#!/usr/bin/env bash
# Creates one schema and one least-privilege login role per OMS service (oms_<service>, owning only
# schema <service>; no other schema is readable to it) and a read-only role for omsctl (oms_ops).
# Passwords come from the environment, never from the repo:
#   OMS_DB_PASSWORD_<SERVICE> (INTAKE, RISK, INVENTORY, FULFILLMENT, LOGISTICS, AFTERSALES, INSIGHTS, INTEGRATIONS, CONSOLE)
#   OMS_DB_PASSWORD_OPS
# Runs as the official postgres image's init script (mounted into /docker-entrypoint-initdb.d, where
# POSTGRES_USER/POSTGRES_DB are set) or by hand with the usual PG* variables of a superuser session.
# Idempotent. Tested against the local PostgreSQL by DatabaseRolesTests.
set -euo pipefail

DATABASE="${OMS_DB_NAME:-${POSTGRES_DB:-${PGDATABASE:-oms}}}"
SERVICES=(intake risk inventory fulfillment logistics aftersales insights integrations console)
SQL="$(dirname "${BASH_SOURCE[0]}")/roles.sql"
[ -f "$SQL" ] || SQL=/docker-entrypoint-initdb.d/roles.sql.in

psql_args=(-v ON_ERROR_STOP=1 -q --dbname "$DATABASE")
[ -n "${POSTGRES_USER:-}" ] && psql_args+=(--username "$POSTGRES_USER")

password_of() {
  local var="OMS_DB_PASSWORD_$1"
  [ -n "${!var:-}" ] || { echo "init-roles: $var is not set" >&2; exit 1; }
  printf '%s' "${!var}"
}

ops_password="$(password_of OPS)"
psql "${psql_args[@]}" -v role=oms_ops -v password="$ops_password" -v database="$DATABASE" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'role') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
ALTER ROLE :"role" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'password';
GRANT CONNECT ON DATABASE :"database" TO :"role";
-- Nobody but a schema's owner creates anything; the public schema is not a shared scratch space.
REVOKE CREATE ON DATABASE :"database" FROM PUBLIC;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
SQL

for service in "${SERVICES[@]}"; do
  upper="$(printf '%s' "$service" | tr '[:lower:]' '[:upper:]')"
  psql "${psql_args[@]}" -v service="$service" -v role="oms_$service" -v password="$(password_of "$upper")" \
    -v ops_role=oms_ops -v database="$DATABASE" -f "$SQL"
done
echo "init-roles: ${#SERVICES[@]} service roles and oms_ops ready in database $DATABASE"
