import Logging
import PostgresNIO

/// One versioned schema change of a service. Invariant: once released, a migration's `sql` never
/// changes (its checksum is recorded and verified); new changes get a new, higher version.
public struct Migration: Sendable {
    public var version: Int
    public var name: String
    public var sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    var checksum: String {
        // FNV-1a over the SQL text: cheap, stable across platforms, enough to catch edits.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in sql.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}

/// Applies a service's migrations to its own schema under a transaction-scoped advisory lock, so
/// replicas starting together apply each migration exactly once.
public enum Migrator {
    /// The platform tables every service has (inbox, outbox) come first, then the service's own.
    public static func migrate(client: PostgresClient, schema: String, migrations: [Migration], logger: Logger) async throws -> [Int] {
        guard let first = schema.first, first.isASCII, first.isLetter || first == "_",
              schema.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            throw MigrationError(schema: schema, version: 0, reason: "schema name must be a plain identifier")
        }
        let all = PlatformMigrations.all + migrations
        let versions = all.map(\.version)
        precondition(Set(versions).count == versions.count, "duplicate migration version in \(schema)")
        return try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\("oms.migrate." + schema)))", logger: logger)
            // Create the schema only when it is missing: a least-privilege role owns a schema made for
            // it (Deploy/postgres/init-roles.sh) and may not create schemas in the database, and
            // PostgreSQL checks that right even for CREATE SCHEMA IF NOT EXISTS.
            let existing = try await connection.query("SELECT 1 FROM pg_namespace WHERE nspname = \(schema)", logger: logger)
            var schemaExists = false
            for try await _ in existing { schemaExists = true }
            if !schemaExists {
                try await connection.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA \(schema)"), logger: logger)
            }
            try await connection.query(PostgresQuery(unsafeSQL: """
                CREATE TABLE IF NOT EXISTS \(schema).schema_migrations (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    checksum text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """), logger: logger)
            var applied: [Int: String] = [:]
            let rows = try await connection.query(PostgresQuery(unsafeSQL: "SELECT version, checksum FROM \(schema).schema_migrations"), logger: logger)
            for try await (version, checksum) in rows.decode((Int, String).self) {
                applied[version] = checksum
            }
            var newlyApplied: [Int] = []
            try await connection.query(PostgresQuery(unsafeSQL: "SET LOCAL search_path TO \(schema)"), logger: logger)
            for migration in all.sorted(by: { $0.version < $1.version }) {
                if let checksum = applied[migration.version] {
                    guard checksum == migration.checksum else {
                        throw MigrationError(schema: schema, version: migration.version, reason: "applied migration was edited (checksum differs)")
                    }
                    continue
                }
                // The extended protocol takes one statement per query; a DO block runs a whole
                // multi-statement migration as one (plpgsql executes static DDL directly).
                try await connection.query(PostgresQuery(unsafeSQL: "DO $oms_migration$ BEGIN\n\(migration.sql)\nEND $oms_migration$"), logger: logger)
                try await connection.query(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES (\(migration.version), \(migration.name), \(migration.checksum))",
                    logger: logger
                )
                newlyApplied.append(migration.version)
                logger.info("migration applied", metadata: ["schema": "\(schema)", "version": "\(migration.version)", "name": "\(migration.name)"])
            }
            return newlyApplied
        }
    }
}

public struct MigrationError: Error, CustomStringConvertible {
    public var schema: String
    public var version: Int
    public var reason: String
    public var description: String { "migration \(schema) v\(version): \(reason)" }
}

/// Tables of the platform runtime, present in every service schema. Versions 1-99 are reserved for them.
public enum PlatformMigrations {
    public static let all: [Migration] = [
        Migration(version: 1, name: "inbox", sql: """
            CREATE TABLE inbox (
                event_id uuid PRIMARY KEY,
                event_type text NOT NULL,
                topic text NOT NULL,
                kafka_partition integer NOT NULL,
                kafka_offset bigint NOT NULL,
                processed_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX inbox_processed_at ON inbox (processed_at);
            """),
        Migration(version: 2, name: "outbox", sql: """
            CREATE TABLE outbox (
                id bigserial PRIMARY KEY,
                event_id uuid NOT NULL,
                topic text NOT NULL,
                message_key bytea NOT NULL,
                headers text NOT NULL,
                payload bytea NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                sent_at timestamptz
            );
            CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;
            CREATE INDEX outbox_sent_at ON outbox (sent_at) WHERE sent_at IS NOT NULL;
            """),
        // Rows the writer publishes itself right after commit (see `OutboxRelay.publishDirect`)
        // are held back from the relay until `publish_after`, so normally they go out once.
        Migration(version: 3, name: "outbox direct publish hold", sql: """
            ALTER TABLE outbox ADD COLUMN publish_after timestamptz;
            CREATE INDEX outbox_unsent_event_id ON outbox (event_id) WHERE sent_at IS NULL;
            """),
        // Staff changes made through the HTTP API (see `AccessControlMiddleware`).
        Migration(version: 4, name: "access audit", sql: """
            CREATE TABLE access_audit (
                id bigserial PRIMARY KEY,
                at timestamptz NOT NULL DEFAULT now(),
                principal text NOT NULL,
                role text NOT NULL,
                method text NOT NULL,
                path text NOT NULL,
                status integer NOT NULL
            );
            CREATE INDEX access_audit_principal ON access_audit (principal, id);
            """),
        // A row the broker can never take (unknown topic, too large) is set aside with the reason
        // instead of blocking every row behind it (`OutboxRelay`); ops see it in `omsctl status`.
        Migration(version: 5, name: "outbox quarantine", sql: """
            ALTER TABLE outbox ADD COLUMN quarantined_at timestamptz, ADD COLUMN quarantine_reason text;
            """),
    ]
}
