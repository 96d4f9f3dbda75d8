-- Schema for the PostgreSQL ceiling (e2e-bench.sh): the platform's inbox and outbox exactly as
-- Shared/Platform/Migration.swift creates them, plus one state table standing in for a stage's
-- own rows (an order snapshot as jsonb, primary key, one secondary index).
DROP SCHEMA IF EXISTS bench_ceiling CASCADE;
CREATE SCHEMA bench_ceiling;
SET search_path TO bench_ceiling;
CREATE TABLE inbox (
    event_id uuid PRIMARY KEY,
    event_type text NOT NULL,
    topic text NOT NULL,
    kafka_partition integer NOT NULL,
    kafka_offset bigint NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX inbox_processed_at ON inbox (processed_at);
CREATE TABLE outbox (
    id bigserial PRIMARY KEY,
    event_id uuid NOT NULL,
    topic text NOT NULL,
    message_key bytea NOT NULL,
    headers text NOT NULL,
    payload bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz,
    publish_after timestamptz
);
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;
CREATE INDEX outbox_sent_at ON outbox (sent_at) WHERE sent_at IS NOT NULL;
CREATE INDEX outbox_unsent_event_id ON outbox (event_id) WHERE sent_at IS NULL;
CREATE TABLE stage_state (
    order_id text PRIMARY KEY,
    status text NOT NULL,
    body jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stage_state_status ON stage_state (status, updated_at);
