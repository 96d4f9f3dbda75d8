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
        Migration(version: 101, name: "marketplace ship-back and stock feed", sql: """
            -- Every marketplace order seen (from order.received): its platform, the platform's order
            -- id and its lines with the platform's sub-order ids, for reporting its parcels.
            CREATE TABLE marketplace_orders (
                order_id text PRIMARY KEY,
                platform text NOT NULL,
                platform_order_id text NOT NULL,
                lines jsonb NOT NULL,
                recorded_at timestamptz NOT NULL DEFAULT now()
            );

            -- One row per dispatched parcel of a marketplace order (keyed by shipment id: a repeated
            -- event records nothing). status: waiting_order (the parcel's order is not known yet),
            -- pending (to send; a later parcel of the order waits while an earlier one is pending),
            -- sent, failed (refused, or attempts used up: last_error_code is the platform's code),
            -- skipped (cannot be reported: skip_reason says why).
            CREATE TABLE marketplace_shipbacks (
                shipment_id text PRIMARY KEY,
                order_id text NOT NULL,
                platform text,
                platform_order_id text,
                operation text,
                carrier text NOT NULL,
                tracking_number text NOT NULL,
                parcel_lines jsonb NOT NULL,
                replaces_shipment_id text,
                sub_order_ids text[] NOT NULL DEFAULT '{}',
                is_split boolean NOT NULL DEFAULT false,
                dispatched_at timestamptz NOT NULL,
                status text NOT NULL,
                skip_reason text,
                attempts int NOT NULL DEFAULT 0,
                next_attempt_at timestamptz NOT NULL DEFAULT now(),
                -- Set when a call starts, cleared when its outcome is recorded: still set at the next
                -- claim, the previous call's outcome is unknown (the process died during it).
                call_started_at timestamptz,
                last_error_code text,
                last_error text,
                sent_at timestamptz,
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX marketplace_shipbacks_due ON marketplace_shipbacks (next_attempt_at) WHERE status = 'pending';
            CREATE INDEX marketplace_shipbacks_order ON marketplace_shipbacks (order_id, dispatched_at);

            -- Which SKUs are sold on which platform, under which listing (ops maintain it).
            CREATE TABLE stock_listings (
                platform text NOT NULL,
                sku text NOT NULL,
                item_id text NOT NULL,
                platform_sku_id text,
                created_by text NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (platform, sku)
            );

            -- The latest available-to-sell of every SKU (from inventory.availability-changed; an
            -- older change arriving after a newer one is ignored); version counts the changes kept.
            CREATE TABLE stock_levels (
                sku text PRIMARY KEY,
                available int8 NOT NULL,
                changed_at timestamptz NOT NULL,
                version int8 NOT NULL DEFAULT 1
            );

            -- What each listing was last told. A push is due when the level's version is newer than
            -- the one sent (or a full sync forced it) and due_at has come: due_at is set one feed
            -- interval after each push (coalescing), after a failure by the backoff, and while a push
            -- is in flight by its lease. status: ok, failed (refused: sent again on the next change
            -- or full sync).
            CREATE TABLE stock_pushes (
                platform text NOT NULL,
                sku text NOT NULL,
                sent_quantity int8,
                sent_version int8 NOT NULL DEFAULT 0,
                sent_at timestamptz,
                pushes int8 NOT NULL DEFAULT 0,
                forced boolean NOT NULL DEFAULT true,
                due_at timestamptz NOT NULL DEFAULT now(),
                attempts int NOT NULL DEFAULT 0,
                status text NOT NULL DEFAULT 'ok',
                last_error_code text,
                last_error text,
                updated_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (platform, sku),
                FOREIGN KEY (platform, sku) REFERENCES stock_listings (platform, sku) ON DELETE CASCADE
            );
            CREATE INDEX stock_pushes_due ON stock_pushes (due_at);
            """),
        Migration(version: 102, name: "customer notifications", sql: """
            -- Every order received (from order.received), with what notifications need of it: the
            -- recipient (phone and e-mail sealed with the key ring, '' when not given; keyed hashes
            -- for opt-outs and rate limits), what was paid before shipment (a cancellation then
            -- promises a refund).
            CREATE TABLE notification_orders (
                order_id text PRIMARY KEY,
                sales_channel text NOT NULL,
                channel_order_id text NOT NULL,
                sealed_phone text NOT NULL DEFAULT '',
                phone_hash text,
                sealed_email text NOT NULL DEFAULT '',
                email_hash text,
                paid_fen int8 NOT NULL DEFAULT 0,
                recorded_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now()
            );

            -- Events about an order whose order.received has not been read yet (topics are read
            -- independently: risk's verification can overtake intake's receipt); worked, in the
            -- order they happened, when the receipt arrives. Orders never received (refused at
            -- intake) leave theirs to the retention job.
            CREATE TABLE notification_waiting_events (
                event_id uuid PRIMARY KEY,
                order_id text NOT NULL,
                event_type text NOT NULL,
                schema_version int NOT NULL,
                producer text NOT NULL,
                correlation_id uuid NOT NULL,
                payload text NOT NULL,
                occurred_at timestamptz NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX notification_waiting_events_order ON notification_waiting_events (order_id);

            -- Parcels packed per fulfillment order (an order split over warehouses has several), so a
            -- shipping notice can say "parcel 1 of 2".
            CREATE TABLE notification_packings (
                fulfillment_order_id text PRIMARY KEY,
                order_id text NOT NULL,
                parcels int NOT NULL
            );
            CREATE INDEX notification_packings_order ON notification_packings (order_id);

            -- Every dispatched parcel, numbered in dispatch order within its order (a replacement
            -- of a lost parcel takes the lost one's number).
            CREATE TABLE notification_parcels (
                shipment_id text PRIMARY KEY,
                order_id text NOT NULL,
                parcel_number int NOT NULL,
                carrier text NOT NULL
            );
            CREATE INDEX notification_parcels_order ON notification_parcels (order_id);

            -- Order lines that are an exchange's replacement (their parcel is an "exchange shipped").
            CREATE TABLE notification_exchange_lines (
                exchange_id text PRIMARY KEY,
                order_id text NOT NULL,
                line_number int NOT NULL
            );
            CREATE INDEX notification_exchange_lines_order ON notification_exchange_lines (order_id);

            -- Ops' own templates (a message type and language without a row uses the built-in one).
            CREATE TABLE notification_templates (
                message_type text NOT NULL,
                language text NOT NULL,
                sms_template_code text NOT NULL,
                sms_text text NOT NULL,
                email_subject text NOT NULL,
                email_text text NOT NULL,
                email_html text NOT NULL,
                version int NOT NULL,
                updated_by text NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (message_type, language)
            );

            -- Ops' choice of media and sales channels per message type (no row: the defaults).
            CREATE TABLE notification_settings (
                message_type text PRIMARY KEY,
                sms boolean NOT NULL,
                email boolean NOT NULL,
                sales_channels text[] NOT NULL,
                updated_by text NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now()
            );

            -- A recipient (keyed hash of the phone or the lower-cased e-mail) who wants no messages
            -- of a kind (service, marketing); checked at send time.
            CREATE TABLE notification_opt_outs (
                recipient_hash text NOT NULL,
                kind text NOT NULL,
                medium text NOT NULL,
                masked_recipient text NOT NULL,
                created_by text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (recipient_hash, kind)
            );

            -- One row per (event, message type, medium): a replayed event plans nothing new.
            -- status: pending (to send; a later message of the order waits for an earlier one of the
            -- same medium), sent, failed (the provider refused, the recipient is invalid, attempts
            -- used up, or a second send whose outcome is unknown), suppressed (opted out), skipped
            -- (the order's channel or the customer has no such medium: skip_reason).
            CREATE TABLE notifications (
                notification_id uuid PRIMARY KEY,
                event_id uuid NOT NULL,
                message_type text NOT NULL,
                medium text NOT NULL,
                order_id text NOT NULL,
                language text NOT NULL,
                variables jsonb NOT NULL,
                delivery_day boolean NOT NULL,
                occurred_at timestamptz NOT NULL,
                status text NOT NULL DEFAULT 'pending',
                skip_reason text,
                recipient_masked text,
                recipient_hash text,
                template_version int,
                attempts int NOT NULL DEFAULT 0,
                next_attempt_at timestamptz NOT NULL DEFAULT now(),
                deferred_reason text,
                -- Set when a send starts, cleared when its outcome is recorded: still set at the next
                -- claim, the send's outcome is unknown (the process died during it).
                call_started_at timestamptz,
                -- Sends whose outcome was never known (no answer after the message was handed over);
                -- one such send is repeated once, a second fails the message (at most one duplicate).
                unknown_outcomes int NOT NULL DEFAULT 0,
                provider_message_id text,
                last_error_code text,
                last_error text,
                sent_at timestamptz,
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now(),
                UNIQUE (event_id, message_type, medium)
            );
            CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE status = 'pending';
            CREATE INDEX notifications_order ON notifications (order_id, occurred_at);
            CREATE INDEX notifications_recipient_sent ON notifications (recipient_hash, sent_at) WHERE status = 'sent';
            CREATE INDEX notifications_created ON notifications (created_at);
            """),
        Migration(version: 103, name: "purchase orders sent to suppliers", sql: """
            -- An approved purchase order (inventory.purchase-order-approved) to e-mail to its supplier
            -- with a CSV of its lines: one row per purchase order, sent until the mail server takes it.
            CREATE TABLE supplier_orders (
                po_number text PRIMARY KEY,
                event_id uuid NOT NULL,
                supplier_code text NOT NULL,
                body jsonb NOT NULL,
                status text NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
                attempts integer NOT NULL DEFAULT 0,
                unknown_outcomes integer NOT NULL DEFAULT 0,
                call_started_at timestamptz,
                next_attempt_at timestamptz NOT NULL,
                last_error text,
                provider_message_id text,
                sent_at timestamptz,
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX supplier_orders_due ON supplier_orders (next_attempt_at) WHERE status = 'pending';
            """),
    ]
}
