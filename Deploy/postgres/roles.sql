-- One least-privilege role per service, owning only its own schema; a read-only ops role.
-- Run by init-roles.sh with psql variables: service, role, password, ops_role, database.
-- Idempotent: rerunning updates the password and re-applies the grants.

SELECT format('CREATE ROLE %I LOGIN', :'role')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
ALTER ROLE :"role" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'password';
GRANT CONNECT ON DATABASE :"database" TO :"role";

SELECT format('CREATE SCHEMA %I AUTHORIZATION %I', :'service', :'role')
 WHERE NOT EXISTS (SELECT FROM pg_namespace WHERE nspname = :'service') \gexec
ALTER SCHEMA :"service" OWNER TO :"role";
REVOKE ALL ON SCHEMA :"service" FROM PUBLIC;

-- ops (omsctl status/trace) reads every service's outbox, inbox and dead-letter bookkeeping.
GRANT USAGE ON SCHEMA :"service" TO :"ops_role";
GRANT SELECT ON ALL TABLES IN SCHEMA :"service" TO :"ops_role";
ALTER DEFAULT PRIVILEGES FOR ROLE :"role" IN SCHEMA :"service" GRANT SELECT ON TABLES TO :"ops_role";
