import OMSPlatform

/// The `intake` schema: submissions (edge idempotency), the catalog with promotions and coupons,
/// and orders with their status timeline.
public enum IntakeServiceMigrations {
    public static let schema: [Migration] = [
        Migration(version: 100, name: "submissions", sql: """
            -- One row per accepted channel order: the edge's idempotency record.
            CREATE TABLE submissions (
                channel text NOT NULL,
                channel_order_id text NOT NULL,
                order_id text NOT NULL UNIQUE,
                idempotency_key text UNIQUE,
                fingerprint text NOT NULL,
                event_id uuid NOT NULL,
                accepted_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (channel, channel_order_id)
            );
            """),
        Migration(version: 101, name: "catalog, promotions, coupons", sql: """
            CREATE TABLE products (
                sku text PRIMARY KEY,
                name text NOT NULL,
                category text NOT NULL,
                list_price_fen bigint NOT NULL CHECK (list_price_fen >= 0),
                member_price_fen bigint CHECK (member_price_fen >= 0),
                weight_grams integer NOT NULL CHECK (weight_grams > 0),
                volume_cm3 integer NOT NULL CHECK (volume_cm3 > 0),
                fragile boolean NOT NULL DEFAULT false,
                liquid boolean NOT NULL DEFAULT false,
                valuable boolean NOT NULL DEFAULT false,
                perishable boolean NOT NULL DEFAULT false,
                active boolean NOT NULL DEFAULT true,
                updated_at timestamptz NOT NULL DEFAULT now()
            );
            -- Barcodes ('barcode') and channels' own SKU ids ('outer:<channel>') -> SKU.
            CREATE TABLE product_codes (
                kind text NOT NULL,
                code text NOT NULL,
                sku text NOT NULL REFERENCES products (sku) ON DELETE CASCADE,
                PRIMARY KEY (kind, code)
            );
            CREATE INDEX product_codes_sku ON product_codes (sku);
            CREATE TABLE promotions (
                id text PRIMARY KEY,
                definition jsonb NOT NULL,
                active boolean NOT NULL DEFAULT true,
                starts_at timestamptz,
                ends_at timestamptz,
                updated_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE TABLE coupons (
                code text PRIMARY KEY,
                definition jsonb NOT NULL,
                expires_at timestamptz,
                created_at timestamptz NOT NULL DEFAULT now()
            );
            -- The single-use guarantee: one row per coupon, whoever inserts first wins.
            CREATE TABLE coupon_redemptions (
                code text PRIMARY KEY REFERENCES coupons (code),
                order_id text NOT NULL,
                redeemed_at timestamptz NOT NULL DEFAULT now()
            );
            """),
        Migration(version: 102, name: "orders and timeline", sql: """
            CREATE TABLE orders (
                order_id text PRIMARY KEY,
                channel text NOT NULL,
                channel_order_id text NOT NULL,
                status text NOT NULL,
                status_rank integer NOT NULL,
                customer_key text NOT NULL,
                phone_hash text,
                total_fen bigint,
                body jsonb NOT NULL,
                applied_promotions jsonb NOT NULL DEFAULT '[]',
                reasons jsonb NOT NULL DEFAULT '[]',
                details jsonb NOT NULL DEFAULT '{}',
                received_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now(),
                UNIQUE (channel, channel_order_id)
            );
            CREATE INDEX orders_phone_hash ON orders (phone_hash) WHERE phone_hash IS NOT NULL;
            CREATE TABLE order_timeline (
                id bigserial PRIMARY KEY,
                order_id text NOT NULL,
                event_id uuid NOT NULL UNIQUE,
                event_type text NOT NULL,
                status text,
                status_changed boolean NOT NULL,
                occurred_at timestamptz NOT NULL,
                detail jsonb NOT NULL DEFAULT '{}'
            );
            CREATE INDEX order_timeline_order ON order_timeline (order_id, id);
            """),
        Migration(version: 103, name: "sku availability from inventory", sql: """
            -- Inventory's sold-out crossings (inventory.availability-changed); a SKU absent here
            -- is not known to be sold out.
            CREATE TABLE sku_availability (
                sku text PRIMARY KEY,
                sold_out boolean NOT NULL,
                available_to_sell integer NOT NULL,
                changed_at timestamptz NOT NULL
            );
            """),
        Migration(version: 104, name: "idempotency keys per channel", sql: """
            -- Each channel system picks its own Idempotency-Keys; two channels may use the same one.
            ALTER TABLE submissions DROP CONSTRAINT IF EXISTS submissions_idempotency_key_key;
            CREATE UNIQUE INDEX submissions_channel_idempotency_key ON submissions (channel, idempotency_key);
            """),
        Migration(version: 105, name: "coupon releases", sql: """
            -- The coupons cancelled orders gave back. A cancellation the warehouse refuses (the
            -- parcel was packed and ships) takes its coupon back: 'restored', or 'taken' when another
            -- order redeemed the code in between (the code was then used twice; finance sees it).
            CREATE TABLE coupon_releases (
                order_id text NOT NULL,
                code text NOT NULL,
                released_at timestamptz NOT NULL DEFAULT now(),
                outcome text CHECK (outcome IN ('restored', 'taken')),
                settled_at timestamptz,
                PRIMARY KEY (order_id, code)
            );
            """),
        Migration(version: 106, name: "refunded amount per order", sql: """
            -- What has been refunded so far: below the order's total the order is
            -- partiallyRefunded, at it refunded (rank 11 since partiallyRefunded took 10).
            ALTER TABLE orders ADD COLUMN refunded_fen bigint NOT NULL DEFAULT 0;
            UPDATE orders SET status_rank = 11 WHERE status = 'refunded';
            """),
        Migration(version: 107, name: "orders awaiting payment", sql: """
            -- Set while the order awaits its payment (sent before it, or a failed attempt): the
            -- deadline after which it is cancelled. Cleared when paid.
            ALTER TABLE orders ADD COLUMN payment_due_at timestamptz;
            CREATE INDEX orders_payment_due ON orders (payment_due_at) WHERE payment_due_at IS NOT NULL;
            """),
        Migration(version: 108, name: "orders by date and channel", sql: """
            -- Listings newest first (the console's order search by channel and date). Neither
            -- index holds status, so a status change stays a HOT update.
            CREATE INDEX orders_received ON orders (received_at DESC);
            CREATE INDEX orders_channel_received ON orders (channel, received_at DESC);
            """),
        Migration(version: 109, name: "product master versions", sql: """
            -- The catalog is the product master: every change of a product is published as
            -- catalog.product-changed with this version, which rises by one per change, so the
            -- services holding a copy apply only what is newer than what they hold.
            ALTER TABLE products ADD COLUMN version bigint NOT NULL DEFAULT 0;
            """),
        // 110 is the demo catalog (seeded only when asked); schema changes continue at 111.
        Migration(version: 111, name: "line cancellations and substitutions", sql: """
            -- Units of order lines cancelled before packing (order.lines-cancelled), one row per
            -- line of a cancellation: what is left of a line is its quantity minus these (less refused).
            CREATE TABLE line_cancellations (
                cancellation_id text NOT NULL,
                order_id text NOT NULL REFERENCES orders (order_id),
                line_number integer NOT NULL,
                quantity integer NOT NULL CHECK (quantity > 0),
                -- Units a warehouse refused to stop (fulfillment.line-cancel-refused): they ship.
                refused integer NOT NULL DEFAULT 0 CHECK (refused >= 0 AND refused <= quantity),
                reason text NOT NULL,
                requested_by text NOT NULL,
                cancelled_at timestamptz NOT NULL,
                PRIMARY KEY (cancellation_id, line_number)
            );
            CREATE INDEX line_cancellations_order ON line_cancellations (order_id);
            -- Backordered units replaced by another SKU (order.line-substituted): requested, then
            -- substituted (the replacement line joins the order's body) or refused by inventory.
            CREATE TABLE line_substitutions (
                substitution_id text PRIMARY KEY,
                order_id text NOT NULL REFERENCES orders (order_id),
                line_number integer NOT NULL,
                quantity integer NOT NULL CHECK (quantity > 0),
                replacement jsonb NOT NULL,
                replacement_line integer NOT NULL,
                difference_refund_fen bigint NOT NULL,
                status text NOT NULL CHECK (status IN ('requested', 'substituted', 'refused')),
                reason text NOT NULL,
                requested_by text NOT NULL,
                requested_at timestamptz NOT NULL
            );
            CREATE INDEX line_substitutions_order ON line_substitutions (order_id);
            """),
        Migration(version: 112, name: "presale terms", sql: """
            -- A presale (预售) product is sold before its stock arrives: a deposit per unit now, the
            -- balance by balance_due_at. Both set, or neither (a product on normal sale). An order
            -- awaiting its balance keeps its deadline in orders.payment_due_at.
            ALTER TABLE products ADD COLUMN presale_deposit_fen bigint, ADD COLUMN presale_balance_due_at timestamptz,
                ADD CONSTRAINT products_presale_terms CHECK ((presale_deposit_fen IS NULL) = (presale_balance_due_at IS NULL) AND coalesce(presale_deposit_fen, 1) > 0);
            """),
        Migration(version: 113, name: "order change request ids", sql: """
            -- The caller's id of a line cancellation or substitution request: a repeat with the same
            -- id (a retry, a double-clicked form) answers the first request again. Requests of one
            -- order run on its locked row, so the look-up before the insert cannot race.
            ALTER TABLE line_cancellations ADD COLUMN request_id text;
            ALTER TABLE line_substitutions ADD COLUMN request_id text;
            CREATE UNIQUE INDEX line_substitutions_request ON line_substitutions (order_id, request_id) WHERE request_id IS NOT NULL;
            """),
        Migration(version: 114, name: "product VAT rate", sql: """
            -- The product's VAT rate in basis points, stamped on each order line when it is priced
            -- (the invoice uses the rate of the sale): 13 % on goods unless the catalog says
            -- otherwise (9 % books and food staples, 6 % services, 3 % and 1 % small-scale, 0 exempt).
            ALTER TABLE products ADD COLUMN tax_rate_bp integer NOT NULL DEFAULT 1300
                CHECK (tax_rate_bp IN (0, 100, 300, 500, 600, 900, 1300));
            """),
    ]

    /// The schema plus, when asked, the demo catalog (a few hundred SKUs and two promotions).
    public static func all(seedDemoCatalog: Bool) -> [Migration] {
        schema + (seedDemoCatalog ? [Migration(version: 110, name: "demo catalog", sql: demoCatalogSQL)] : [])
    }
}
