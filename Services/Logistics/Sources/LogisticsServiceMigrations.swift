import OMSDomain
import OMSPlatform

/// Versioned SQL of the `logistics` schema, applied at start-up after the platform's inbox and outbox
/// tables. Versions start at 100; a released migration is never edited.
enum LogisticsServiceMigrations {
    static func all(seedDemoCarriers: Bool) -> [Migration] {
        schema + (seedDemoCarriers ? [Migration(version: 110, name: "demo carriers", sql: demoCarriersSQL)] : [])
    }

    static let schema: [Migration] = [
        Migration(version: 100, name: "carriers, counters, dispatch origins", sql: """
            -- One row per carrier service; the definition (coverage, rates, transit days, tracking format) as JSON.
            CREATE TABLE carriers (
                code text PRIMARY KEY,
                carrier_code text NOT NULL,
                active boolean NOT NULL,
                definition jsonb NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now()
            );
            -- The last tracking sequence used per carrier company; the row lock makes numbers unique.
            CREATE TABLE carrier_counters (
                carrier_code text PRIMARY KEY,
                next_value bigint NOT NULL
            );
            -- Where parcels leave from (sender on the waybill, origin of the zone).
            CREATE TABLE warehouses (
                code text PRIMARY KEY,
                name text NOT NULL,
                province text NOT NULL,
                city text NOT NULL,
                address text NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now()
            );
            """),
        Migration(version: 101, name: "shipments and tracking events", sql: """
            CREATE TABLE shipments (
                id text PRIMARY KEY,
                parcel_id text NOT NULL UNIQUE,
                order_id text NOT NULL,
                fulfillment_order_id text NOT NULL,
                warehouse_code text NOT NULL,
                carrier text NOT NULL,
                carrier_code text NOT NULL,
                tracking_number text NOT NULL UNIQUE,
                status text NOT NULL CHECK (status IN ('dispatched', 'pickedUp', 'inTransit', 'outForDelivery', 'delivered', 'lost')),
                zone text NOT NULL,
                fee_fen bigint NOT NULL,
                weight_grams integer NOT NULL,
                selection_reasons text[] NOT NULL,
                lines jsonb NOT NULL,
                waybill jsonb NOT NULL,
                eta timestamptz NOT NULL,
                dispatched_at timestamptz NOT NULL,
                last_scan_at timestamptz NOT NULL,
                delivered_at timestamptz,
                proof jsonb,
                delayed_at timestamptz,
                delay_reason text,
                lost_at timestamptz
            );
            CREATE INDEX shipments_order ON shipments (order_id);
            CREATE INDEX shipments_watch ON shipments (eta, last_scan_at) WHERE status NOT IN ('delivered', 'lost') AND delayed_at IS NULL;
            -- Every carrier event, once (carrier, event id): the tracking history and the idempotency key.
            CREATE TABLE tracking_events (
                carrier_code text NOT NULL,
                event_id text NOT NULL,
                tracking_number text NOT NULL,
                type text NOT NULL,
                occurred_at timestamptz NOT NULL,
                location text,
                detail jsonb NOT NULL,
                applied boolean NOT NULL,
                received_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (carrier_code, event_id)
            );
            CREATE INDEX tracking_events_number ON tracking_events (tracking_number, occurred_at);
            """),
        Migration(version: 102, name: "cash on delivery per parcel", sql: """
            -- What a cash-on-delivery order's parcels have been asked to collect so far
            -- (CashOnDeliveryLedger), and each parcel's share; a lost parcel's share is credited back.
            CREATE TABLE cod_ledgers (
                order_id text PRIMARY KEY,
                ledger jsonb NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now()
            );
            ALTER TABLE shipments ADD COLUMN cod_share jsonb;
            -- What the courier is to collect (NULL: nothing), and what it reported collecting on delivery.
            ALTER TABLE shipments ADD COLUMN cod_expected_fen bigint;
            ALTER TABLE shipments ADD COLUMN cod_collected_fen bigint;
            ALTER TABLE shipments ADD COLUMN cod_mismatch boolean NOT NULL DEFAULT false;
            """),
        Migration(version: 103, name: "e-waybill bookings", sql: """
            -- Parcels whose carrier gives the waybill number through its e-waybill API (电子面单): the
            -- planned shipment waits here until the carrier answers, then becomes a dispatched
            -- shipment in the same transaction as its shipment.dispatched. One per parcel; the
            -- carrier is asked with the shipment id as its order id, so a retried booking never makes
            -- a second waybill. status: pending (to book; next_attempt_at is the lease or the retry
            -- time), booked, failed (refused or attempts used up: last_error_code is the carrier's).
            -- The waybill and the recipient (in clear for the carrier) are sealed with the key ring.
            CREATE TABLE waybill_bookings (
                parcel_id text PRIMARY KEY,
                shipment_id text NOT NULL,
                order_id text NOT NULL,
                carrier_code text NOT NULL,
                planned jsonb NOT NULL,
                waybill_sealed text NOT NULL,
                recipient_sealed text NOT NULL,
                status text NOT NULL DEFAULT 'pending',
                attempts int NOT NULL DEFAULT 0,
                next_attempt_at timestamptz NOT NULL DEFAULT now(),
                waybill_number text,
                last_error_code text,
                last_error text,
                booked_at timestamptz,
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX waybill_bookings_due ON waybill_bookings (next_attempt_at) WHERE status = 'pending';
            CREATE INDEX waybill_bookings_order ON waybill_bookings (order_id);
            """),
        Migration(version: 104, name: "amended delivery details", sql: """
            -- Customer service's corrections (order.amended on oms.orders) that arrived before the
            -- order's first parcel was booked, merged per order and sealed (personal data): every
            -- waybill of the order, a re-shipment's included, is booked with them.
            CREATE TABLE order_amendments (
                order_id text PRIMARY KEY,
                sealed_amendment text NOT NULL,
                event_id uuid NOT NULL,
                amended_at timestamptz NOT NULL
            );
            """),
        Migration(version: 105, name: "boxes shared by merged orders", sql: """
            -- 合单: one box carrying several orders' parcels (fulfillment.packed names it in each
            -- parcel's consolidation) is booked once: the first parcel of the box to arrive chooses
            -- the carrier service and takes the tracking number, the others reuse both. Each order
            -- keeps its own shipment row (its lines, its status events), so a tracking number may
            -- now belong to several shipments: a carrier's scan applies to all of them.
            CREATE TABLE consolidated_parcels (
                consolidation_id text PRIMARY KEY,
                service text NOT NULL,
                carrier_code text NOT NULL,
                tracking_number text NOT NULL,
                order_ids text[] NOT NULL,
                booked_at timestamptz NOT NULL DEFAULT now()
            );
            ALTER TABLE shipments DROP CONSTRAINT shipments_tracking_number_key;
            CREATE INDEX shipments_tracking ON shipments (tracking_number, carrier_code);
            ALTER TABLE shipments ADD COLUMN consolidation_id text;
            """),
        Migration(version: 106, name: "pickup orders waiting in stores (门店自提)", sql: """
            -- A packed pickup order waits at its store: no carrier, a pickup number the staff find it
            -- by, and a code the customer shows (stored hashed). ready -> collected | expired.
            CREATE TABLE pickups (
                id text PRIMARY KEY,
                parcel_id text NOT NULL UNIQUE,
                order_id text NOT NULL,
                store_code text NOT NULL,
                pickup_number text NOT NULL UNIQUE,
                code_hash text NOT NULL,
                lines jsonb NOT NULL,
                status text NOT NULL CHECK (status IN ('ready', 'collected', 'expired')),
                ready_at timestamptz NOT NULL,
                expires_at timestamptz NOT NULL,
                failed_attempts integer NOT NULL DEFAULT 0,
                collected_at timestamptz,
                collected_by text,
                expired_at timestamptz
            );
            CREATE INDEX pickups_due ON pickups (expires_at) WHERE status = 'ready';
            CREATE INDEX pickups_store ON pickups (store_code, status, ready_at);
            CREATE INDEX pickups_order ON pickups (order_id);
            -- Pickup numbers ZT + ten digits, what the store staff look a parcel up by.
            CREATE SEQUENCE pickup_numbers;
            """),
    ]
}
