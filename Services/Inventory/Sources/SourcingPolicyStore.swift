import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// Reads and saves the sourcing policy and the per-channel partial-shipment switch.
/// Invariant: without a saved policy the defaults apply; an unknown channel waits whole.
enum SourcingPolicyStore {
    static func current(on connection: PostgresConnection, logger: Logger) async throws -> SourcingPolicy {
        let rows = try await connection.query("SELECT policy::text FROM sourcing_policy WHERE id = 1", logger: logger)
        for try await json in rows.decode(String.self) {
            return try StoredConfiguration.decode(SourcingPolicy.self, json: json, defaults: SourcingPolicy(), name: "sourcing policy")
        }
        return SourcingPolicy()
    }

    static func save(_ policy: SourcingPolicy, by user: String, on connection: PostgresConnection, logger: Logger) async throws {
        let json = String(decoding: try EventCoding.encode(policy), as: UTF8.self)
        try await connection.query("""
            INSERT INTO sourcing_policy (id, policy, updated_by) VALUES (1, \(json)::jsonb, \(user))
            ON CONFLICT (id) DO UPDATE SET policy = excluded.policy, updated_by = excluded.updated_by, updated_at = now()
            """, logger: logger)
    }

    /// Channels whose orders may ship the covered lines before their backorders are filled.
    static func partialShipmentChannels(on connection: PostgresConnection, logger: Logger) async throws -> Set<String> {
        let rows = try await connection.query("SELECT channel FROM channel_policies WHERE ships_partially", logger: logger)
        var channels = Set<String>()
        for try await channel in rows.decode(String.self) { channels.insert(channel) }
        return channels
    }
}
