import Foundation
import Logging
import PostgresNIO

/// SQL of the per-channel allocation policies. Invariant: one row per channel; a channel without a
/// row ships whole orders only (the allocation rule's default).
enum ChannelPolicyStore {
    static func save(_ policy: InventorySetupRoutes.ChannelPolicy, client: PostgresClient, logger: Logger) async throws {
        try await client.query("""
            INSERT INTO channel_policies (channel, ships_partially) VALUES (\(policy.channel), \(policy.shipsPartially))
            ON CONFLICT (channel) DO UPDATE SET ships_partially = excluded.ships_partially, updated_at = now()
            """, logger: logger)
    }

    static func all(client: PostgresClient, logger: Logger) async throws -> [InventorySetupRoutes.ChannelPolicy] {
        let rows = try await client.query("SELECT channel, ships_partially FROM channel_policies ORDER BY channel", logger: logger)
        var policies: [InventorySetupRoutes.ChannelPolicy] = []
        for try await (channel, partial) in rows.decode((String, Bool).self) { policies.append(.init(channel: channel, shipsPartially: partial)) }
        return policies
    }
}
