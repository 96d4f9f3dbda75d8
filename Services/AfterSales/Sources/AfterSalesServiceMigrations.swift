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
        Migration(version: 103, name: "refunds are paid: provider state, cancellation and rejection refunds", sql: """
            -- Each refund's payment: held (a cancellation waiting for the warehouses' answer) -> requested
            -- -> submitted -> succeeded | failed | owed (cash: paid back at the till or by the courier);
            -- a held refund is voided when the cancellation is refused. Refunds issued before this
            -- release were records only: they are owed, to be settled by hand.
            ALTER TABLE refunds ALTER COLUMN return_id DROP NOT NULL,
                ADD COLUMN cause text NOT NULL DEFAULT 'return' CHECK (cause IN ('return', 'cancellation', 'rejection')),
                ADD COLUMN status text NOT NULL DEFAULT 'owed'
                    CHECK (status IN ('held', 'requested', 'submitted', 'succeeded', 'failed', 'owed', 'voided')),
                ADD COLUMN payment_method text,
                ADD COLUMN provider text NOT NULL DEFAULT 'offline',
                ADD COLUMN transaction_id text,
                ADD COLUMN paid_total_fen bigint NOT NULL DEFAULT 0,
                ADD COLUMN attempts integer NOT NULL DEFAULT 0,
                ADD COLUMN failures integer NOT NULL DEFAULT 0,
                ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now(),
                ADD COLUMN submitted_at timestamptz,
                ADD COLUMN settled_at timestamptz,
                ADD COLUMN provider_refund_id text,
                ADD COLUMN last_error text,
                ADD COLUMN recovery_due boolean NOT NULL DEFAULT false;
            UPDATE refunds SET payment_method = detail->>'paymentMethod', settled_at = issued_at,
                               last_error = 'issued before the OMS paid refunds: settle by hand';
            ALTER TABLE refunds ALTER COLUMN status DROP DEFAULT, ALTER COLUMN payment_method SET NOT NULL;
            CREATE INDEX refunds_due ON refunds (next_attempt_at) WHERE status IN ('held', 'requested', 'submitted');
            -- What after-sales learnt about an order ending early, from whichever topic came first.
            -- cause is null while only a warehouse's answer has arrived; resolution says what came of it
            -- (refunded, nothing_paid, paid_on_marketplace, cancellation_refused, before_auto_refunds).
            CREATE TABLE order_closures (
                order_id text PRIMARY KEY,
                cause text CHECK (cause IN ('cancellation', 'rejection')),
                previous_status text,
                awaits_fulfillment boolean NOT NULL DEFAULT false,
                closed_at timestamptz,
                release_at timestamptz,
                fulfillment_cancelled boolean NOT NULL DEFAULT false,
                fulfillment_refused boolean NOT NULL DEFAULT false,
                resolution text,
                refund_id text
            );
            CREATE INDEX order_closures_open ON order_closures (order_id) WHERE resolution IS NULL AND cause IS NOT NULL;
            -- Cancellations and rejections before this instant were refunded by hand: replaying or
            -- first reading those topics never pays them again.
            CREATE TABLE refund_settings (
                singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
                auto_refunds_since timestamptz NOT NULL
            );
            INSERT INTO refund_settings (auto_refunds_since) VALUES (now());
            """),
        Migration(version: 104, name: "line cancellation and substitution refunds", sql: """
            -- Units of a line cancellation that were stopped: by inventory (never in a warehouse,
            -- part 'I') or by a warehouse (part '<fulfillment order>'); and accepted substitutions. Each part is refunded once, when
            -- the order's record is known; resolution says what came of it (refunded, nothing_paid,
            -- paid_on_marketplace, nothing_due).
            CREATE TABLE line_cancellation_parts (
                part_id text PRIMARY KEY,
                cancellation_id text NOT NULL,
                order_id text NOT NULL,
                lines jsonb NOT NULL,
                cancelled_at timestamptz NOT NULL,
                -- A substitution's part (RF-S-<substitution>): the replacement line, which joins the
                -- order's record, and the difference refunded (0: nothing moves).
                replacement jsonb,
                difference_refund_fen bigint,
                resolution text,
                refund_id text
            );
            CREATE INDEX line_cancellation_parts_open ON line_cancellation_parts (order_id) WHERE resolution IS NULL;
            ALTER TABLE refunds DROP CONSTRAINT refunds_cause_check,
                ADD CONSTRAINT refunds_cause_check CHECK (cause IN ('return', 'cancellation', 'rejection', 'lineCancellation', 'substitution'));
            """),
        Migration(version: 105, name: "presale deposits and refunds paid from two transactions", sql: """
            -- A presale order was paid twice (deposit, balance): a refund larger than what the
            -- balance's transaction has left is paid as two rows, the second (<refund>-D, from the
            -- deposit's transaction) naming the refund it is part of. Only the refund's own row
            -- (part_of NULL) counts in the order's refund history and is announced.
            ALTER TABLE refunds ADD COLUMN part_of text;
            -- The deposit of a presale order the merchant cancelled before its balance (RF-D-<order>).
            ALTER TABLE refunds DROP CONSTRAINT refunds_cause_check,
                ADD CONSTRAINT refunds_cause_check CHECK (cause IN ('return', 'cancellation', 'rejection', 'lineCancellation', 'substitution', 'presaleDeposit'));
            """),
        Migration(version: 106, name: "invoices (发票): blue on shipment, red-letter on refund, gapless per series", sql: """
            -- The next number of each series (FP<year> blue, HZ<year> red). Taken with UPDATE ...
            -- RETURNING in the transaction that writes the invoice: the row lock orders concurrent
            -- issuers and a rolled-back issue gives its number back, so numbers have no gaps.
            CREATE TABLE invoice_series (
                series text PRIMARY KEY,
                next_number bigint NOT NULL CHECK (next_number > 0)
            );
            CREATE TABLE invoices (
                invoice_number text PRIMARY KEY,
                series text NOT NULL REFERENCES invoice_series (series),
                number bigint NOT NULL,
                kind text NOT NULL CHECK (kind IN ('blue', 'red')),
                order_id text NOT NULL,
                original_invoice text REFERENCES invoices (invoice_number),
                refund_id text UNIQUE,
                -- The whole invoice as issued; a personal buyer's title and e-mail stay sealed.
                body jsonb NOT NULL,
                total_fen bigint NOT NULL,
                tax_fen bigint NOT NULL,
                issued_at timestamptz NOT NULL,
                UNIQUE (series, number),
                CHECK ((kind = 'blue') = (original_invoice IS NULL AND refund_id IS NULL)),
                CHECK ((kind = 'blue') = (total_fen >= 0))
            );
            -- Never two blue invoices for one order.
            CREATE UNIQUE INDEX invoices_blue_per_order ON invoices (order_id) WHERE kind = 'blue';
            CREATE INDEX invoices_order ON invoices (order_id);
            -- Each settled refund of an invoiced order is accounted for once: left out of the blue
            -- invoice (settled before it was issued) or credited by its own red-letter invoice.
            CREATE TABLE invoice_refunds (
                refund_id text PRIMARY KEY,
                invoice_number text NOT NULL REFERENCES invoices (invoice_number)
            );
            -- Orders whose buyer asked for an invoice and that have none yet: the issuer's work list.
            CREATE INDEX orders_invoice_requested ON orders (order_id) WHERE body ? 'invoice';
            """),
        Migration(version: 107, name: "invoices submitted to the e-invoice platform", sql: """
            -- pending -> submitted (the platform's id) | failed (refused, or out of attempts);
            -- offline: issued while no platform was configured (printed from the PDF, never sent).
            -- A red-letter invoice waits until the blue one it credits is submitted.
            ALTER TABLE invoices ADD COLUMN platform_status text NOT NULL DEFAULT 'offline'
                    CHECK (platform_status IN ('pending', 'submitted', 'failed', 'offline')),
                ADD COLUMN platform_id text,
                ADD COLUMN platform_attempts integer NOT NULL DEFAULT 0,
                ADD COLUMN platform_next_at timestamptz NOT NULL DEFAULT now(),
                ADD COLUMN platform_error text;
            CREATE INDEX invoices_platform_due ON invoices (platform_next_at) WHERE platform_status = 'pending';
            """),
        Migration(version: 108, name: "till sales found by their receipt (store:till:receipt)", sql: """
            -- A till return names the sale by its receipt; the channel order id of a POS order is
            -- "<store>:<till>:<receipt number>".
            CREATE INDEX orders_till_receipt ON orders ((body->>'channelOrderID')) WHERE channel = 'pos';
            ALTER TABLE returns ADD COLUMN till text;
            """),
    ]
}
