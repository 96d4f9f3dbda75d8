import OMSPlatform

/// The `risk` schema: the policy (data, not code), deny lists, per-order signals for velocity and
/// abuse rules, and one decision per order with every rule that fired.
public enum RiskServiceMigrations {
    public static let all: [Migration] = [
        Migration(version: 100, name: "policy, deny list, signals, decisions", sql: """
            CREATE TABLE risk_policy (
                id integer PRIMARY KEY CHECK (id = 1),
                policy jsonb NOT NULL,
                updated_by text NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now()
            );
            -- Keyed hashes (OMS_PII_HASH_KEY), never raw phones or addresses.
            CREATE TABLE deny_list (
                kind text NOT NULL CHECK (kind IN ('phone', 'address')),
                value_hash text NOT NULL,
                reason text NOT NULL,
                added_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (kind, value_hash)
            );
            CREATE TABLE order_signals (
                order_id text PRIMARY KEY,
                channel text NOT NULL,
                customer_key text NOT NULL,
                phone_hash text,
                address_hash text,
                coupon_code text,
                total_fen bigint NOT NULL,
                placed_at timestamptz NOT NULL
            );
            CREATE INDEX order_signals_phone ON order_signals (phone_hash, placed_at) WHERE phone_hash IS NOT NULL;
            CREATE INDEX order_signals_address ON order_signals (address_hash, placed_at) WHERE address_hash IS NOT NULL;
            CREATE INDEX order_signals_account ON order_signals (customer_key, placed_at);
            CREATE TABLE decisions (
                order_id text PRIMARY KEY,
                channel text NOT NULL,
                status text NOT NULL CHECK (status IN ('verified', 'held', 'rejected', 'cancelled')),
                score integer NOT NULL,
                findings jsonb NOT NULL,
                decided_by text,
                order_body jsonb NOT NULL,
                held_at timestamptz,
                decided_at timestamptz,
                reviewer_note text,
                created_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX decisions_queue ON decisions (held_at) WHERE status = 'held';
            """),
        Migration(version: 101, name: "review contacts", sql: """
            -- Customer contacts recorded by reviewers; the note is free text entered by staff.
            CREATE TABLE review_contacts (
                id bigserial PRIMARY KEY,
                order_id text NOT NULL,
                reviewer text NOT NULL,
                note text NOT NULL,
                amended boolean NOT NULL,
                contacted_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX review_contacts_order ON review_contacts (order_id, id);
            """),
        Migration(version: 102, name: "device signals", sql: """
            ALTER TABLE order_signals ADD COLUMN device_key text;
            CREATE INDEX order_signals_device ON order_signals (device_key, placed_at) WHERE device_key IS NOT NULL;
            """),
    ]
}
