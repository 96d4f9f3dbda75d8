import OMSPlatform

/// Versioned SQL of the `integrations` schema, applied at start-up after the platform's inbox and
/// outbox tables. Versions start at 100; a released migration is never edited.
enum IntegrationsServiceMigrations {
    static let all: [Migration] = [
        Migration(version: 100, name: "webhook subscriptions, their events and deliveries", sql: """
            -- Who hears what. status: active (delivering), suspended (too many failed deliveries in a
            -- row: deliveries are queued but not sent until ops enable it again), disabled (by ops,
            -- or the receiver answered 410 Gone: nothing is queued).
            CREATE TABLE webhook_subscriptions (
                subscription_id text PRIMARY KEY,
                name text NOT NULL,
                url text NOT NULL,
                event_types text[] NOT NULL,
                channel text,
                include_personal_data boolean NOT NULL DEFAULT false,
                -- The signing secret, sealed with the service's key ring (the service must sign with it);
                -- after a rotation the previous one also signs until previous_secret_until.
                secret_sealed text NOT NULL,
                previous_secret_sealed text,
                previous_secret_until timestamptz,
                status text NOT NULL DEFAULT 'active',
                status_reason text,
                consecutive_failures int NOT NULL DEFAULT 0,
                created_by text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now()
            );

            -- One row per event some subscription wanted: the versioned payload with personal data
            -- masked, and (only when a subscription granted personal data wanted it) the full one, sealed.
            CREATE TABLE webhook_events (
                event_id uuid PRIMARY KEY,
                event_type text NOT NULL,
                order_key text NOT NULL,
                occurred_at timestamptz NOT NULL,
                masked_body text NOT NULL,
                sealed_body text,
                recorded_at timestamptz NOT NULL DEFAULT now()
            );

            -- One row per (subscription, event). status: pending, delivered, failed (attempts used up),
            -- gone (the receiver answered 410), skipped (the order turned out to be another channel's).
            -- A pending delivery waits while a pending one of the same order and subscription that
            -- happened earlier (occurred_at, then delivery_id) exists: per-order ordering; `channel` is
            -- null until the order's channel is known.
            CREATE TABLE webhook_deliveries (
                delivery_id bigserial PRIMARY KEY,
                subscription_id text NOT NULL REFERENCES webhook_subscriptions (subscription_id),
                event_id uuid NOT NULL REFERENCES webhook_events (event_id),
                event_type text NOT NULL,
                order_key text NOT NULL,
                occurred_at timestamptz NOT NULL,
                channel text,
                status text NOT NULL DEFAULT 'pending',
                attempts int NOT NULL DEFAULT 0,
                next_attempt_at timestamptz NOT NULL DEFAULT now(),
                last_attempt_at timestamptz,
                last_status_code int,
                last_error text,
                delivered_at timestamptz,
                created_at timestamptz NOT NULL DEFAULT now(),
                UNIQUE (subscription_id, event_id)
            );
            CREATE INDEX webhook_deliveries_due ON webhook_deliveries (subscription_id, next_attempt_at) WHERE status = 'pending';
            CREATE INDEX webhook_deliveries_order ON webhook_deliveries (subscription_id, order_key, occurred_at, delivery_id) WHERE status = 'pending';
            CREATE INDEX webhook_deliveries_unresolved ON webhook_deliveries (order_key) WHERE channel IS NULL AND status = 'pending';
            CREATE INDEX webhook_deliveries_log ON webhook_deliveries (subscription_id, delivery_id DESC);

            -- The channel of every order seen, for channel filters on events that do not carry it.
            CREATE TABLE order_channels (
                order_id text PRIMARY KEY,
                channel text NOT NULL,
                recorded_at timestamptz NOT NULL DEFAULT now()
            );
            """),
    ]
}
