import OMSPlatform

/// Versioned SQL of the `insights` schema, applied at start-up after the platform's inbox and outbox
/// tables. Versions start at 100; a released migration is never edited.
///
/// The reporting tables are facts, one row per business object, filled from events by commutative
/// upserts: "first time X happened" columns take `least(old, new)`, counters add once per event
/// (the inbox keeps each event to one application). So the tables end the same whatever order
/// events of different topics arrive in, and a rebuild from a replay gives identical reports.
enum InsightsServiceMigrations {
    static let all: [Migration] = [
        Migration(version: 100, name: "reporting facts: orders, lines, shipments, returns, refunds, complaints, feedback", sql: """
            -- One row per order id seen on any topic; the columns each event knows are filled by it.
            CREATE TABLE order_facts (
                order_id text PRIMARY KEY,
                channel text,
                customer_key text,
                province text,
                city text,
                placed_at timestamptz,
                received_at timestamptz,
                goods_fen bigint,
                discount_fen bigint,
                shipping_fen bigint,
                total_fen bigint,
                units int,
                verified_at timestamptz,
                held_at timestamptz,
                rejected_at timestamptz,
                rejected_by text,
                cancelled_at timestamptz,
                reserved_at timestamptz,
                backordered_at timestamptz
            );
            CREATE INDEX order_facts_placed ON order_facts (placed_at);
            CREATE INDEX order_facts_customer ON order_facts (customer_key);

            CREATE TABLE order_line_facts (
                order_id text NOT NULL,
                line_number int NOT NULL,
                sku text NOT NULL,
                category text NOT NULL,
                quantity int NOT NULL,
                goods_fen bigint NOT NULL,
                discount_fen bigint NOT NULL,
                gift boolean NOT NULL,
                PRIMARY KEY (order_id, line_number)
            );
            CREATE INDEX order_line_facts_sku ON order_line_facts (sku);

            -- One row per parcel booked with a carrier.
            CREATE TABLE shipment_facts (
                shipment_id text PRIMARY KEY,
                order_id text NOT NULL,
                warehouse_code text,
                carrier text,
                units int,
                dispatched_at timestamptz,
                estimated_delivery timestamptz,
                delivered_at timestamptz,
                delayed_at timestamptz,
                exceptions int NOT NULL DEFAULT 0,
                lost_at timestamptz
            );
            CREATE INDEX shipment_facts_order ON shipment_facts (order_id);

            CREATE TABLE return_facts (
                return_id text PRIMARY KEY,
                order_id text NOT NULL,
                reason text,
                requested_at timestamptz,
                approved boolean,
                received_at timestamptz
            );
            CREATE TABLE return_line_facts (
                return_id text NOT NULL,
                line_number int NOT NULL,
                sku text NOT NULL,
                quantity int NOT NULL,
                PRIMARY KEY (return_id, line_number)
            );
            CREATE TABLE refund_facts (
                refund_id text PRIMARY KEY,
                return_id text NOT NULL,
                order_id text NOT NULL,
                amount_fen bigint NOT NULL,
                issued_at timestamptz NOT NULL
            );
            CREATE TABLE complaint_facts (
                complaint_id text PRIMARY KEY,
                order_id text NOT NULL,
                category text NOT NULL,
                severity text NOT NULL,
                team text NOT NULL,
                carrier text,
                warehouse_code text,
                sku text,
                recorded_at timestamptz,
                escalation_level int NOT NULL DEFAULT 0,
                resolved_at timestamptz,
                resolved_within_sla boolean
            );
            CREATE TABLE feedback_facts (
                order_id text PRIMARY KEY,
                rating int NOT NULL,
                recorded_at timestamptz NOT NULL
            );
            """),
        Migration(version: 101, name: "refunds for cancellations and their settlement; payments and cash collected for the finance view", sql: """
            ALTER TABLE refund_facts ALTER COLUMN return_id DROP NOT NULL,
                ADD COLUMN cause text NOT NULL DEFAULT 'return',
                ADD COLUMN outcome text,
                ADD COLUMN settled_at timestamptz;
            -- The finance view: what each order's payment was, what couriers collected.
            ALTER TABLE order_facts ADD COLUMN payment_method text, ADD COLUMN paid_fen bigint;
            ALTER TABLE shipment_facts ADD COLUMN cod_collected_fen bigint;
            """),
        Migration(version: 102, name: "the product master's SKUs and categories", sql: """
            -- Each SKU's newest catalog.product-changed: the category of order lines that carry none
            -- (events written before lines had one). Such lines are marked, so that the newest
            -- category applies to them whatever order the topics are read in.
            CREATE TABLE products (
                sku text PRIMARY KEY,
                name text NOT NULL,
                category text NOT NULL,
                version bigint NOT NULL
            );
            ALTER TABLE order_line_facts ADD COLUMN category_from_master boolean NOT NULL DEFAULT false;
            """),
    ]
}
