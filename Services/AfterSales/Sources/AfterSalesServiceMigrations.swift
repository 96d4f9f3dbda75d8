import OMSPlatform

/// Versioned SQL of the `aftersales` schema, applied at start-up after the platform's inbox and outbox
/// tables. Versions start at 100; a released migration is never edited.
enum AfterSalesServiceMigrations {
    static let all: [Migration] = [
        Migration(version: 100, name: "orders and parcels as after-sales sees them", sql: """
            -- order.received: what was bought and paid, and how intake split each discount over the lines.
            CREATE TABLE orders (
                order_id text PRIMARY KEY,
                channel text NOT NULL,
                customer_key text NOT NULL,
                body jsonb NOT NULL,
                promotions jsonb NOT NULL,
                paid_fen bigint NOT NULL CHECK (paid_fen >= 0),
                placed_at timestamptz NOT NULL,
                received_at timestamptz NOT NULL
            );
            -- shipment.*: which units left in which parcel, from which warehouse, with which carrier.
            CREATE TABLE parcels (
                shipment_id text PRIMARY KEY,
                order_id text NOT NULL,
                warehouse_code text NOT NULL,
                carrier text NOT NULL,
                tracking_number text NOT NULL,
                lines jsonb NOT NULL,
                dispatched_at timestamptz NOT NULL,
                delivered_at timestamptz,
                delayed boolean NOT NULL DEFAULT false,
                exception boolean NOT NULL DEFAULT false,
                lost boolean NOT NULL DEFAULT false
            );
            CREATE INDEX parcels_order ON parcels (order_id);
            """),
        Migration(version: 101, name: "returns, refunds and exchanges", sql: """
            CREATE TABLE returns (
                return_id text PRIMARY KEY,
                order_id text NOT NULL REFERENCES orders (order_id),
                -- The caller's idempotency key: a retried request finds its return.
                request_id text,
                reason text NOT NULL,
                status text NOT NULL CHECK (status IN ('requested', 'approved', 'rejected', 'inTransit', 'received', 'refunded')),
                lines jsonb NOT NULL,
                requested_by text NOT NULL,
                note text,
                requested_at timestamptz NOT NULL,
                decided_by text,
                decision_note text,
                decided_at timestamptz,
                return_carrier text,
                return_tracking text,
                warehouse_code text,
                inspected jsonb,
                received_at timestamptz,
                exchange_id text,
                UNIQUE (order_id, request_id)
            );
            CREATE INDEX returns_order ON returns (order_id);
            -- One refund per return (the refund id is derived from it); amounts never negative.
            CREATE TABLE refunds (
                refund_id text PRIMARY KEY,
                return_id text NOT NULL UNIQUE REFERENCES returns (return_id),
                order_id text NOT NULL,
                amount_fen bigint NOT NULL CHECK (amount_fen >= 0),
                detail jsonb NOT NULL,
                issued_at timestamptz NOT NULL
            );
            CREATE INDEX refunds_order ON refunds (order_id);
            CREATE TABLE exchanges (
                exchange_id text PRIMARY KEY,
                order_id text NOT NULL REFERENCES orders (order_id),
                request_id text,
                original_line integer NOT NULL,
                original_sku text NOT NULL,
                quantity integer NOT NULL CHECK (quantity > 0),
                replacement_line integer NOT NULL CHECK (replacement_line > 1000),
                replacement_sku text NOT NULL,
                status text NOT NULL CHECK (status IN ('requested', 'replacementReserved', 'replacementShipped', 'replacementUnavailable', 'closed', 'convertedToRefund')),
                requested_by text NOT NULL,
                requested_at timestamptz NOT NULL,
                replacement_warehouse text,
                replacement_tracking text,
                original_received_at timestamptz,
                original_condition text,
                return_id text,
                closed_at timestamptz,
                UNIQUE (order_id, replacement_line),
                UNIQUE (order_id, request_id)
            );
            """),
        Migration(version: 102, name: "complaints and feedback", sql: """
            CREATE TABLE complaints (
                complaint_id text PRIMARY KEY,
                order_id text NOT NULL,
                request_id text,
                category text NOT NULL,
                severity text NOT NULL,
                team text NOT NULL,
                status text NOT NULL CHECK (status IN ('open', 'inProgress', 'resolved')),
                description text NOT NULL,
                sku text,
                carrier text,
                warehouse_code text,
                escalation_level integer NOT NULL DEFAULT 0,
                rule text NOT NULL,
                due_at timestamptz NOT NULL,
                created_by text NOT NULL,
                created_at timestamptz NOT NULL,
                resolution text,
                resolved_by text,
                resolved_at timestamptz,
                resolved_within_sla boolean,
                UNIQUE (order_id, request_id)
            );
            CREATE INDEX complaints_overdue ON complaints (due_at) WHERE status <> 'resolved';
            CREATE INDEX complaints_order ON complaints (order_id);
            CREATE TABLE complaint_history (
                id bigserial PRIMARY KEY,
                complaint_id text NOT NULL REFERENCES complaints (complaint_id),
                action text NOT NULL,
                escalation_level integer NOT NULL,
                actor text NOT NULL,
                note text,
                at timestamptz NOT NULL
            );
            CREATE TABLE feedback (
                order_id text PRIMARY KEY REFERENCES orders (order_id),
                rating integer NOT NULL CHECK (rating BETWEEN 1 AND 5),
                comment text,
                created_by text NOT NULL,
                created_at timestamptz NOT NULL
            );
            """),
    ]
}
