import Foundation
import OMSDomain
import OMSPlatform
import PostgresNIO

/// Keeps intake's copy of which SKUs inventory reports sold out everywhere, from
/// `inventory.availability-changed`, for the workers' preliminary availability check.
/// Invariant: the newest report per SKU wins, whatever order reports are replayed in.
public struct SkuAvailabilityProjection: EventHandler {
    public let eventTypes: Set<String> = [AvailabilityChanged.eventType]

    public init() {}

    public func handle(batch events: [EventEnvelope], context: TransactionContext) async throws {
        for event in events { try await apply(event, context: context) }
    }

    private func apply(_ event: EventEnvelope, context: TransactionContext) async throws {
        let change: AvailabilityChanged
        do { change = try event.decode(AvailabilityChanged.self) } catch { throw HandlerRejection("undecodable inventory.availability-changed: \(error)") }
        try await context.connection.query("""
            INSERT INTO sku_availability (sku, sold_out, available_to_sell, changed_at)
            VALUES (\(change.sku), \(change.soldOut), \(change.availableToSell), \(change.changedAt))
            ON CONFLICT (sku) DO UPDATE SET sold_out = excluded.sold_out, available_to_sell = excluded.available_to_sell, changed_at = excluded.changed_at
            WHERE sku_availability.changed_at <= excluded.changed_at
            """, logger: context.logger)
    }
}
