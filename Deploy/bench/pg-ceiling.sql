-- Schema for the PostgreSQL ceiling (e2e-bench.sh, run after the suite has migrated): the
-- platform's inbox and outbox copied from a running service's schema (structure, defaults,
-- indexes: the same tables the services write), plus one state table standing in for a stage's
-- own rows (an order snapshot as jsonb, primary key, one secondary index).
DROP SCHEMA IF EXISTS bench_ceiling CASCADE;
CREATE SCHEMA bench_ceiling;
CREATE TABLE bench_ceiling.inbox (LIKE inventory.inbox INCLUDING ALL);
CREATE TABLE bench_ceiling.outbox (LIKE inventory.outbox INCLUDING ALL);
-- Its own id sequence, not inventory's.
CREATE SEQUENCE bench_ceiling.outbox_id_seq OWNED BY bench_ceiling.outbox.id;
ALTER TABLE bench_ceiling.outbox ALTER COLUMN id SET DEFAULT nextval('bench_ceiling.outbox_id_seq');
CREATE TABLE bench_ceiling.stage_state (
    order_id text PRIMARY KEY,
    status text NOT NULL,
    body jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stage_state_status ON bench_ceiling.stage_state (status, updated_at);
