import OMSDomain
import OMSPlatform

/// Versioned SQL of the `fulfillment` schema, applied at start-up after the platform's inbox and outbox
/// tables. Versions start at 100; a released migration is never edited.
enum FulfillmentServiceMigrations {
    static func all(seedDemoItems: Bool) -> [Migration] {
        schema + (seedDemoItems ? [Migration(version: 110, name: "demo item master", sql: demoItemsSQL)] : [])
    }

    static let schema: [Migration] = [
        Migration(version: 100, name: "warehouse set-up: settings, cartons, item master, slots", sql: """
            -- How each warehouse works; a warehouse without a row uses the service defaults.
            CREATE TABLE warehouse_settings (
                code text PRIMARY KEY,
                automatic boolean NOT NULL,
                wave_max_orders integer NOT NULL CHECK (wave_max_orders BETWEEN 1 AND 500),
                wave_window_seconds integer NOT NULL CHECK (wave_window_seconds BETWEEN 1 AND 86400),
                promotion_card_minimum_fen bigint,
                updated_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE TABLE cartons (
                warehouse_code text NOT NULL,
                code text NOT NULL,
                length_mm integer NOT NULL CHECK (length_mm > 0),
                width_mm integer NOT NULL CHECK (width_mm > 0),
                height_mm integer NOT NULL CHECK (height_mm > 0),
                max_weight_grams integer NOT NULL CHECK (max_weight_grams > 0),
                tare_grams integer NOT NULL CHECK (tare_grams >= 0),
                PRIMARY KEY (warehouse_code, code)
            );
            -- The warehouse's item master: what a SKU weighs, how big it is, how it is handled, how it scans.
            CREATE TABLE items (
                sku text PRIMARY KEY,
                name text NOT NULL,
                weight_grams integer NOT NULL CHECK (weight_grams > 0),
                volume_cm3 integer NOT NULL CHECK (volume_cm3 > 0),
                fragile boolean NOT NULL,
                liquid boolean NOT NULL,
                valuable boolean NOT NULL,
                perishable boolean NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE TABLE item_barcodes (
                barcode text PRIMARY KEY,
                sku text NOT NULL REFERENCES items (sku)
            );
            CREATE INDEX item_barcodes_sku ON item_barcodes (sku);
            CREATE TABLE bin_locations (
                warehouse_code text NOT NULL,
                sku text NOT NULL,
                zone text NOT NULL,
                aisle integer NOT NULL CHECK (aisle >= 1),
                bin integer NOT NULL CHECK (bin >= 1),
                PRIMARY KEY (warehouse_code, sku)
            );
            """),
        Migration(version: 101, name: "fulfillment orders, waves, pick tasks, parcels", sql: """
            -- One order's allocation in one warehouse, from one inventory.reserved event.
            CREATE TABLE fulfillment_orders (
                id text PRIMARY KEY,
                order_id text NOT NULL,
                warehouse_code text NOT NULL,
                reservation_event_id uuid NOT NULL,
                status text NOT NULL CHECK (status IN ('open', 'picking', 'picked', 'packed', 'short_closed', 'cancelled')),
                automatic boolean NOT NULL,
                wave_id bigint,
                blocked_reason text,
                order_body jsonb NOT NULL,
                created_at timestamptz NOT NULL,
                picked_at timestamptz,
                packed_at timestamptz,
                packed_by text,
                cancelled_at timestamptz,
                UNIQUE (reservation_event_id, warehouse_code)
            );
            CREATE INDEX fulfillment_orders_order ON fulfillment_orders (order_id);
            CREATE INDEX fulfillment_orders_unwaved ON fulfillment_orders (warehouse_code, created_at) WHERE status = 'open';
            CREATE INDEX fulfillment_orders_blocked ON fulfillment_orders (id) WHERE blocked_reason IS NOT NULL;
            CREATE TABLE fulfillment_lines (
                fulfillment_order_id text NOT NULL REFERENCES fulfillment_orders (id),
                line_number integer NOT NULL,
                sku text NOT NULL,
                quantity integer NOT NULL CHECK (quantity > 0),
                picked integer NOT NULL DEFAULT 0 CHECK (picked >= 0),
                short integer NOT NULL DEFAULT 0 CHECK (short >= 0),
                unit_price_fen bigint NOT NULL,
                PRIMARY KEY (fulfillment_order_id, line_number),
                CHECK (picked + short <= quantity)
            );
            CREATE TABLE pick_waves (
                id bigserial PRIMARY KEY,
                warehouse_code text NOT NULL,
                status text NOT NULL CHECK (status IN ('picking', 'completed')),
                released_by text NOT NULL CHECK (released_by IN ('size', 'window', 'manual')),
                order_count integer NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                completed_at timestamptz
            );
            CREATE INDEX pick_waves_warehouse ON pick_waves (warehouse_code, status, id);
            CREATE TABLE pick_tasks (
                id bigserial PRIMARY KEY,
                wave_id bigint NOT NULL REFERENCES pick_waves (id),
                fulfillment_order_id text NOT NULL,
                line_number integer NOT NULL,
                sku text NOT NULL,
                location text,
                sequence integer NOT NULL,
                quantity integer NOT NULL CHECK (quantity > 0),
                picked integer NOT NULL DEFAULT 0,
                short integer NOT NULL DEFAULT 0,
                status text NOT NULL CHECK (status IN ('open', 'done', 'short', 'cancelled')),
                updated_at timestamptz NOT NULL DEFAULT now(),
                CHECK (picked + short <= quantity)
            );
            CREATE INDEX pick_tasks_wave ON pick_tasks (wave_id, sequence);
            CREATE INDEX pick_tasks_order ON pick_tasks (fulfillment_order_id);
            -- Every scan, accepted or refused, with who made it: the audit trail of picking.
            CREATE TABLE pick_scans (
                id bigserial PRIMARY KEY,
                task_id bigint NOT NULL,
                barcode text NOT NULL,
                quantity integer NOT NULL,
                picker text NOT NULL,
                outcome text NOT NULL,
                scanned_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX pick_scans_task ON pick_scans (task_id);
            CREATE TABLE parcels (
                id text PRIMARY KEY,
                fulfillment_order_id text NOT NULL REFERENCES fulfillment_orders (id),
                order_id text NOT NULL,
                warehouse_code text NOT NULL,
                carton_code text NOT NULL,
                length_mm integer NOT NULL,
                width_mm integer NOT NULL,
                height_mm integer NOT NULL,
                weight_grams integer NOT NULL,
                insured boolean NOT NULL,
                declared_value_fen bigint NOT NULL,
                body jsonb NOT NULL,
                packed_at timestamptz NOT NULL
            );
            CREATE INDEX parcels_order ON parcels (order_id);
            -- Orders cancelled, remembered so that a reservation arriving later starts no work.
            CREATE TABLE order_cancellations (
                order_id text PRIMARY KEY,
                cancelled_at timestamptz NOT NULL
            );
            -- Cancellations that came too late (already packed): logged for customer service.
            CREATE TABLE cancellation_refusals (
                fulfillment_order_id text PRIMARY KEY,
                order_id text NOT NULL,
                reason_code text NOT NULL,
                refused_at timestamptz NOT NULL
            );
            """),
        Migration(version: 102, name: "orders awaiting payment wait before picking", sql: """
            -- A fulfillment order of an order sent before its payment waits in awaiting_payment (no
            -- wave takes it) until order.paid; paid_orders remembers payments read before the reservation.
            ALTER TABLE fulfillment_orders DROP CONSTRAINT fulfillment_orders_status_check,
                ADD CONSTRAINT fulfillment_orders_status_check
                    CHECK (status IN ('awaiting_payment', 'open', 'picking', 'picked', 'packed', 'short_closed', 'cancelled'));
            CREATE TABLE paid_orders (
                order_id text PRIMARY KEY,
                paid_at timestamptz NOT NULL
            );
            """),
        Migration(version: 103, name: "item master fed by the product master", sql: """
            -- The version of the catalog's product last applied (catalog.product-changed); NULL for
            -- items set up here only. An older or replayed version is never applied over a newer one.
            ALTER TABLE items ADD COLUMN catalog_version bigint;
            ALTER TABLE items ADD COLUMN category text;
            ALTER TABLE items ADD COLUMN active boolean NOT NULL DEFAULT true;
            """),
        Migration(version: 104, name: "line cancellations answered once", sql: """
            -- One answer per (line cancellation, warehouse): the units stopped (fulfillment.cancelled)
            -- and those refused (fulfillment.line-cancel-refused), whatever the redelivery.
            CREATE TABLE line_cancellation_answers (
                cancellation_id text NOT NULL,
                warehouse_code text NOT NULL,
                order_id text NOT NULL,
                stopped integer NOT NULL,
                refused integer NOT NULL,
                answered_at timestamptz NOT NULL,
                PRIMARY KEY (cancellation_id, warehouse_code)
            );
            """),
        Migration(version: 105, name: "merge for shipping", sql: """
            -- 合单: a manual warehouse with merge_window_seconds > 0 puts orders of the same customer
            -- to the same recipient and address, waiting for a wave within that window of each
            -- other, in one merge group; they are picked in one wave and packed into shared boxes.
            -- merge_key is a keyed digest (PIIVault.blindIndex), never the address itself.
            ALTER TABLE warehouse_settings ADD COLUMN merge_window_seconds integer NOT NULL DEFAULT 0;
            ALTER TABLE fulfillment_orders ADD COLUMN merge_key text, ADD COLUMN merge_group text;
            CREATE INDEX fulfillment_orders_merge_key ON fulfillment_orders (warehouse_code, merge_key) WHERE merge_key IS NOT NULL AND status = 'open';
            CREATE INDEX fulfillment_orders_merge_group ON fulfillment_orders (merge_group) WHERE merge_group IS NOT NULL;
            """),
    ]
}
