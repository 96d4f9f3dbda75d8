import Foundation
import Logging
import NIOCore
import PostgresNIO

/// Writes outbox rows inside the caller's transaction: one multi-row insert per batch.
public enum Outbox {
    /// How long the relay leaves a directly published row alone before publishing it itself.
    public static let directPublishHoldSeconds = 10

    public static func append(_ messages: [OutboxMessage], on connection: PostgresConnection, logger: Logger) async throws {
        guard !messages.isEmpty else { return }
        let ids = messages.map(\.eventID)
        let topics = messages.map(\.topic)
        let keys = messages.map { ByteBuffer(bytes: $0.key) }
        let headers = messages.map(\.encodedHeaders)
        let payloads = messages.map { ByteBuffer(bytes: $0.payload) }
        guard messages.contains(where: \.publishedDirectly) else {
            try await connection.query("""
                INSERT INTO outbox (event_id, topic, message_key, headers, payload)
                SELECT * FROM unnest(\(ids)::uuid[], \(topics)::text[], \(keys)::bytea[], \(headers)::text[], \(payloads)::bytea[])
                """, logger: logger)
            return
        }
        let held = messages.map(\.publishedDirectly)
        try await connection.query("""
            INSERT INTO outbox (event_id, topic, message_key, headers, payload, publish_after)
            SELECT i, t, k, h, p, CASE WHEN d THEN now() + make_interval(secs => \(directPublishHoldSeconds)) END
            FROM unnest(\(ids)::uuid[], \(topics)::text[], \(keys)::bytea[], \(headers)::text[], \(payloads)::bytea[], \(held)::bool[]) AS u(i, t, k, h, p, d)
            """, logger: logger)
    }

    /// Rows waiting to be published (quarantined rows not included).
    public static func pendingCount(on client: PostgresClient, logger: Logger) async throws -> Int {
        let rows = try await client.query("SELECT count(*) FROM outbox WHERE sent_at IS NULL AND quarantined_at IS NULL", logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    /// Rows the relay set aside because the broker can never take them.
    public static func quarantinedCount(on client: PostgresClient, logger: Logger) async throws -> Int {
        let rows = try await client.query("SELECT count(*) FROM outbox WHERE sent_at IS NULL AND quarantined_at IS NOT NULL", logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }
}

/// The processed-events table: the consumer side of exactly-once effects.
public enum Inbox {
    public struct Entry: Sendable {
        public var eventID: UUID
        public var eventType: String
        public var topic: String
        public var partition: Int32
        public var offset: Int64
    }

    /// Records the entries as processed and returns the ids that were new. Ids already present
    /// (redelivery, replay, a duplicate within the batch) are not returned.
    public static func claim(_ entries: [Entry], on connection: PostgresConnection, logger: Logger) async throws -> Set<UUID> {
        guard !entries.isEmpty else { return [] }
        let rows = try await connection.query("""
            INSERT INTO inbox (event_id, event_type, topic, kafka_partition, kafka_offset)
            SELECT * FROM unnest(\(entries.map(\.eventID))::uuid[], \(entries.map(\.eventType))::text[],
                                 \(entries.map(\.topic))::text[], \(entries.map { Int32($0.partition) })::int4[],
                                 \(entries.map(\.offset))::int8[])
            ON CONFLICT (event_id) DO NOTHING
            RETURNING event_id
            """, logger: logger)
        var claimed = Set<UUID>()
        for try await id in rows.decode(UUID.self) { claimed.insert(id) }
        return claimed
    }
}
