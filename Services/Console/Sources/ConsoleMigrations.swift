import OMSPlatform

/// The console's own schema: staff accounts, their sessions, failed sign-ins (for throttling) and
/// the staff audit trail (sign-ins, sign-outs, accounts created). It holds nothing of an order.
/// Versions from 100 (1-99 are the platform's).
public enum ConsoleMigrations {
    public static let all: [Migration] = [
        Migration(version: 100, name: "staff accounts and sessions", sql: """
            CREATE TABLE staff_accounts (
                name text PRIMARY KEY,
                display_name text NOT NULL,
                role text NOT NULL,
                password_hash text NOT NULL,
                must_change_password boolean NOT NULL DEFAULT true,
                active boolean NOT NULL DEFAULT true,
                created_by text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                password_changed_at timestamptz
            );
            CREATE TABLE staff_sessions (
                id_hash text PRIMARY KEY,
                staff_name text NOT NULL REFERENCES staff_accounts (name),
                csrf_token text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                last_seen_at timestamptz NOT NULL DEFAULT now(),
                ended_at timestamptz
            );
            CREATE INDEX staff_sessions_staff ON staff_sessions (staff_name) WHERE ended_at IS NULL;
            CREATE TABLE signin_failures (
                id bigserial PRIMARY KEY,
                account text NOT NULL,
                address text NOT NULL,
                at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX signin_failures_account ON signin_failures (account, at);
            CREATE INDEX signin_failures_address ON signin_failures (address, at);
            CREATE TABLE staff_audit (
                id bigserial PRIMARY KEY,
                at timestamptz NOT NULL DEFAULT now(),
                staff_name text NOT NULL,
                action text NOT NULL,
                detail text NOT NULL DEFAULT '',
                address text NOT NULL DEFAULT ''
            );
            CREATE INDEX staff_audit_staff ON staff_audit (staff_name, id);
            """),
    ]
}
