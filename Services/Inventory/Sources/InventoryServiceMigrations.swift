import OMSPlatform

/// Versioned SQL of the `inventory` schema, applied at start-up after the platform's inbox and outbox
/// tables. Versions start at 100; a released migration is never edited.
enum InventoryServiceMigrations {
    static let all: [Migration] = [
        Migration(version: 100, name: "warehouses, stock, ledger", sql: """
            CREATE TABLE warehouses (
                code text PRIMARY KEY,
                name text NOT NULL,
                province text NOT NULL,
                city text NOT NULL,
                cost_per_parcel_fen bigint NOT NULL CHECK (cost_per_parcel_fen >= 0),
                automatic boolean NOT NULL DEFAULT false,
                -- 'warehouse' ships parcels; 'store' sells at the till (POS sales decrement it).
                kind text NOT NULL DEFAULT 'warehouse' CHECK (kind IN ('warehouse', 'store')),
                active boolean NOT NULL DEFAULT true,
                updated_at timestamptz NOT NULL DEFAULT now()
            );
            -- The current levels; each column is the running sum of its deltas in stock_movements.
            -- available-to-sell = on_hand - reserved - safety_stock.
            CREATE TABLE stock (
                sku text NOT NULL,
                warehouse_code text NOT NULL REFERENCES warehouses (code),
                on_hand integer NOT NULL DEFAULT 0 CHECK (on_hand >= 0),
                reserved integer NOT NULL DEFAULT 0 CHECK (reserved >= 0),
                quarantined integer NOT NULL DEFAULT 0 CHECK (quarantined >= 0),
                in_transit integer NOT NULL DEFAULT 0 CHECK (in_transit >= 0),
                safety_stock integer NOT NULL DEFAULT 0 CHECK (safety_stock >= 0),
                reorder_point integer NOT NULL DEFAULT 0 CHECK (reorder_point >= 0),
                lead_time_days integer NOT NULL DEFAULT 7 CHECK (lead_time_days >= 0),
                updated_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (sku, warehouse_code)
            );
            -- Append-only: never updated or deleted.
            CREATE TABLE stock_movements (
                id bigserial PRIMARY KEY,
                sku text NOT NULL,
                warehouse_code text NOT NULL,
                kind text NOT NULL CHECK (kind IN ('receipt', 'reservation', 'release', 'shipment', 'till_sale', 'return',
                    'quarantine', 'adjustment', 'short_pick', 'transfer_out', 'transfer_in')),
                on_hand_delta integer NOT NULL DEFAULT 0,
                reserved_delta integer NOT NULL DEFAULT 0,
                quarantined_delta integer NOT NULL DEFAULT 0,
                in_transit_delta integer NOT NULL DEFAULT 0,
                cause_type text NOT NULL CHECK (cause_type IN ('order', 'receipt', 'count', 'transfer', 'return', 'shipment', 'short_pick')),
                cause_id text NOT NULL,
                reason_code text,
                actor text,
                occurred_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX stock_movements_sku ON stock_movements (sku, warehouse_code, id);
            CREATE INDEX stock_movements_cause ON stock_movements (cause_type, cause_id);
            """),
        Migration(version: 101, name: "orders, reservations, backorders", sql: """
            -- The verified order as inventory received it, and how its lines are covered.
            CREATE TABLE orders (
                order_id text PRIMARY KEY,
                channel text NOT NULL,
                ships_partially boolean NOT NULL,
                status text NOT NULL CHECK (status IN ('allocated', 'waiting', 'released', 'sold_at_till')),
                body jsonb NOT NULL,
                verified_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE TABLE reservations (
                id bigserial PRIMARY KEY,
                order_id text NOT NULL REFERENCES orders (order_id),
                line_number integer NOT NULL,
                sku text NOT NULL,
                warehouse_code text NOT NULL,
                quantity integer NOT NULL CHECK (quantity > 0),
                status text NOT NULL CHECK (status IN ('active', 'released', 'shipped', 'short')),
                -- False while a must-ship-whole order waits for its backorders: warehouses not told yet.
                announced boolean NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                closed_at timestamptz
            );
            CREATE INDEX reservations_order ON reservations (order_id, warehouse_code) WHERE status = 'active';
            CREATE INDEX reservations_recent ON reservations (sku, warehouse_code, created_at);
            -- Filled first in, first out (by id) when stock arrives.
            CREATE TABLE backorders (
                id bigserial PRIMARY KEY,
                order_id text NOT NULL REFERENCES orders (order_id),
                line_number integer NOT NULL,
                sku text NOT NULL,
                quantity integer NOT NULL CHECK (quantity > 0),
                open_quantity integer NOT NULL CHECK (open_quantity >= 0 AND open_quantity <= quantity),
                status text NOT NULL CHECK (status IN ('open', 'filled', 'cancelled')),
                expected_date date,
                created_at timestamptz NOT NULL DEFAULT now(),
                closed_at timestamptz
            );
            CREATE INDEX backorders_open ON backorders (sku, id) WHERE status = 'open';
            CREATE INDEX backorders_order ON backorders (order_id);
            -- Cancellations or rejections that arrived before the order was verified (they travel on
            -- another topic): the late order.verified then reserves nothing.
            CREATE TABLE order_cancellations (
                order_id text PRIMARY KEY,
                reason_code text NOT NULL,
                cancelled_at timestamptz NOT NULL
            );
            -- Whether orders of a channel may ship the covered lines before backorders are filled.
            CREATE TABLE channel_policies (
                channel text PRIMARY KEY,
                ships_partially boolean NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now()
            );
            INSERT INTO channel_policies (channel, ships_partially) VALUES
                ('marketplace', true), ('web', false), ('miniprogram', false), ('phone', false), ('pos', false);
            -- Sourcing policy (data, not code); without a row the defaults apply.
            CREATE TABLE sourcing_policy (
                id integer PRIMARY KEY CHECK (id = 1),
                policy jsonb NOT NULL,
                updated_by text NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now()
            );
            """),
        Migration(version: 102, name: "purchasing, receipts, transfers", sql: """
            CREATE TABLE replenishment_requests (
                id bigserial PRIMARY KEY,
                sku text NOT NULL,
                warehouse_code text NOT NULL,
                available_to_sell integer NOT NULL,
                reorder_point integer NOT NULL,
                suggested_quantity integer NOT NULL,
                status text NOT NULL CHECK (status IN ('open', 'ordered', 'dismissed')),
                purchase_order text,
                requested_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE UNIQUE INDEX replenishment_one_open ON replenishment_requests (sku, warehouse_code) WHERE status = 'open';
            CREATE TABLE purchase_orders (
                po_number text PRIMARY KEY,
                supplier text NOT NULL,
                warehouse_code text NOT NULL REFERENCES warehouses (code),
                status text NOT NULL CHECK (status IN ('open', 'received', 'cancelled')),
                expected_at timestamptz NOT NULL,
                created_by text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE TABLE purchase_order_lines (
                po_number text NOT NULL REFERENCES purchase_orders (po_number),
                sku text NOT NULL,
                quantity_ordered integer NOT NULL CHECK (quantity_ordered > 0),
                quantity_received integer NOT NULL DEFAULT 0 CHECK (quantity_received >= 0),
                PRIMARY KEY (po_number, sku)
            );
            CREATE INDEX purchase_order_lines_sku ON purchase_order_lines (sku);
            -- One row per goods receipt; the receipt id makes a retried POST harmless.
            CREATE TABLE receipts (
                receipt_id text PRIMARY KEY,
                warehouse_code text NOT NULL,
                po_number text,
                fingerprint text NOT NULL,
                lines jsonb NOT NULL,
                received_by text NOT NULL,
                received_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE TABLE transfers (
                transfer_id text PRIMARY KEY,
                from_warehouse text NOT NULL REFERENCES warehouses (code),
                to_warehouse text NOT NULL REFERENCES warehouses (code),
                status text NOT NULL CHECK (status IN ('requested', 'in_transit', 'received', 'cancelled')),
                lines jsonb NOT NULL,
                expected_at timestamptz,
                requested_by text NOT NULL,
                requested_at timestamptz NOT NULL DEFAULT now(),
                shipped_at timestamptz,
                received_at timestamptz,
                CHECK (from_warehouse <> to_warehouse)
            );
            """),
        Migration(version: 103, name: "orders wait as cancelling while warehouses stop work", sql: """
            ALTER TABLE orders DROP CONSTRAINT orders_status_check;
            ALTER TABLE orders ADD CONSTRAINT orders_status_check CHECK (status IN ('allocated', 'waiting', 'cancelling', 'released', 'sold_at_till'));
            """),
        Migration(version: 104, name: "reshipments of lost parcels", sql: """
            -- One re-shipment per lost shipment, whatever the redelivery of shipment.lost.
            CREATE TABLE reshipments (
                shipment_id text PRIMARY KEY,
                order_id text NOT NULL,
                created_at timestamptz NOT NULL
            );
            """),
        Migration(version: 105, name: "exchange replacements", sql: """
            -- One reservation attempt per exchange, whatever the redelivery of exchange.requested.
            CREATE TABLE exchanges (
                exchange_id text PRIMARY KEY,
                order_id text NOT NULL,
                sku text NOT NULL,
                quantity integer NOT NULL CHECK (quantity > 0),
                outcome text NOT NULL CHECK (outcome IN ('reserved', 'unavailable')),
                created_at timestamptz NOT NULL
            );
            """),
        Migration(version: 106, name: "stock adjustments claimed once", sql: """
            -- A client retrying an adjustment (or two clicks at once) applies it once: the first
            -- transaction claims the id, a concurrent one waits on that key and then sees it taken.
            CREATE TABLE stock_adjustments (
                adjustment_id text PRIMARY KEY,
                sku text NOT NULL,
                warehouse_code text NOT NULL,
                reason_code text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now()
            );
            """),
        Migration(version: 107, name: "orders whose stored body cannot be opened are set aside", sql: """
            -- Backorder filling announces many orders in one job: one whose stored body no longer
            -- opens (a key gone from OMS_PII_KEYS, tampering) keeps its reservations unannounced with
            -- this reason, and the job goes on for the others.
            ALTER TABLE orders ADD COLUMN blocked_reason text;
            """),
        Migration(version: 108, name: "line cancellations and substitutions", sql: """
            -- order.lines-cancelled, one row per line, recorded once. A cancellation read before
            -- the order was verified (before_allocation) lowers the line's demand when it is.
            CREATE TABLE line_cancellations (
                cancellation_id text NOT NULL,
                order_id text NOT NULL,
                line_number integer NOT NULL,
                quantity integer NOT NULL CHECK (quantity > 0),
                before_allocation boolean NOT NULL,
                cancelled_at timestamptz NOT NULL,
                PRIMARY KEY (cancellation_id, line_number)
            );
            CREATE INDEX line_cancellations_order ON line_cancellations (order_id) WHERE before_allocation;
            -- order.line-substituted, answered once.
            CREATE TABLE line_substitutions (
                substitution_id text PRIMARY KEY,
                order_id text NOT NULL,
                accepted boolean NOT NULL,
                decided_at timestamptz NOT NULL
            );
            """),
        Migration(version: 109, name: "amendments read before the order", sql: """
            -- Customer service's corrections (order.amended) of an order inventory has not allocated
            -- yet, merged and sealed under the key ring: the allocation sources for the new address.
            CREATE TABLE order_amendments (
                order_id text PRIMARY KEY,
                sealed_amendment text NOT NULL,
                amended_at timestamptz NOT NULL
            );
            """),
        Migration(version: 110, name: "suppliers, draft purchase orders, backorder requests", sql: """
            -- The supplier master: who supplies what, at what cost, how fast, from what order size.
            CREATE TABLE suppliers (
                code text PRIMARY KEY,
                name text NOT NULL,
                email text NOT NULL,
                phone text,
                lead_time_days integer NOT NULL CHECK (lead_time_days BETWEEN 0 AND 365),
                minimum_order_fen bigint NOT NULL DEFAULT 0 CHECK (minimum_order_fen >= 0),
                ships_to_warehouse text NOT NULL REFERENCES warehouses (code),
                updated_by text NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE TABLE supplier_items (
                supplier_code text NOT NULL REFERENCES suppliers (code) ON DELETE CASCADE,
                sku text NOT NULL,
                unit_cost_fen bigint NOT NULL CHECK (unit_cost_fen > 0),
                minimum_order_quantity integer NOT NULL DEFAULT 1 CHECK (minimum_order_quantity >= 1),
                PRIMARY KEY (supplier_code, sku)
            );
            CREATE INDEX supplier_items_sku ON supplier_items (sku);
            -- A draft is what the OMS proposes; purchasing approves it (open) or cancels it. One draft
            -- per supplier and warehouse collects every request until it is approved.
            ALTER TABLE purchase_orders DROP CONSTRAINT purchase_orders_status_check;
            ALTER TABLE purchase_orders ADD CONSTRAINT purchase_orders_status_check CHECK (status IN ('draft', 'open', 'received', 'cancelled'));
            ALTER TABLE purchase_orders ADD COLUMN supplier_code text REFERENCES suppliers (code);
            ALTER TABLE purchase_orders ADD COLUMN approved_by text;
            ALTER TABLE purchase_orders ADD COLUMN approved_at timestamptz;
            CREATE UNIQUE INDEX purchase_orders_one_draft ON purchase_orders (supplier_code, warehouse_code) WHERE status = 'draft';
            ALTER TABLE purchase_order_lines ADD COLUMN unit_cost_fen bigint;
            ALTER TABLE purchase_order_lines ADD COLUMN quantity_requested integer NOT NULL DEFAULT 0;
            CREATE SEQUENCE purchase_order_numbers;
            -- Why a request was raised: its reorder point crossed, or an order line backordered.
            ALTER TABLE replenishment_requests ADD COLUMN reason text NOT NULL DEFAULT 'reorder_point' CHECK (reason IN ('reorder_point', 'backorder'));
            ALTER TABLE replenishment_requests ADD COLUMN order_id text;
            """),
        Migration(version: 111, name: "stores that ship online orders: hours and daily capacity", sql: """
            -- Ship-from-store: a store with ships_online is a sourcing candidate for online orders,
            -- within its opening hours (HH:MM, Asia/Shanghai) and its daily_capacity.
            ALTER TABLE warehouses ADD COLUMN ships_online boolean NOT NULL DEFAULT false,
                ADD COLUMN daily_capacity integer CHECK (daily_capacity >= 0),
                ADD COLUMN opens_at text,
                ADD COLUMN closes_at text,
                ADD CONSTRAINT warehouses_ships_online_store CHECK (NOT ships_online OR kind = 'store');
            -- Online orders sourced to each shipping store per Asia/Shanghai day; a slot is taken
            -- with a conditional upsert, so two workers never fill a store past its capacity.
            CREATE TABLE store_capacity_days (
                store_code text NOT NULL REFERENCES warehouses (code),
                day date NOT NULL,
                orders integer NOT NULL CHECK (orders >= 0),
                PRIMARY KEY (store_code, day)
            );
            """),
    ]
}
