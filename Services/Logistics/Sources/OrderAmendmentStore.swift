import Foundation
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// SQL of customer service's amendments as logistics keeps them: one merged, sealed amendment per
/// order, read when the order's parcels are booked.
enum OrderAmendmentStore {
    static func sealContext(_ orderID: String) -> String { "\(orderID)|amendment" }

    /// The orders among `orderIDs` that already have a shipment or a waybill booking.
    static func booked(_ orderIDs: [String], connection: PostgresConnection, logger: Logger) async throws -> Set<String> {
        let rows = try await connection.query("""
            SELECT order_id FROM shipments WHERE order_id = ANY(\(orderIDs)::text[])
            UNION SELECT order_id FROM waybill_bookings WHERE order_id = ANY(\(orderIDs)::text[])
            """, logger: logger)
        var found = Set<String>()
        for try await id in rows.decode(String.self) { found.insert(id) }
        return found
    }

    /// The stored amendments of `orderIDs`, opened.
    static func amendments(_ orderIDs: [String], vault: PIIVault, connection: PostgresConnection, logger: Logger) async throws -> [String: OrderAmended] {
        guard !orderIDs.isEmpty else { return [:] }
        let rows = try await connection.query("SELECT order_id, sealed_amendment FROM order_amendments WHERE order_id = ANY(\(orderIDs)::text[])", logger: logger)
        var found: [String: OrderAmended] = [:]
        for try await (id, sealed) in rows.decode((String, String).self) {
            let text = try vault.open(sealed, context: sealContext(id))
            found[id] = try EventCoding.decode(OrderAmended.self, from: Array(text.utf8))
        }
        return found
    }

    /// Stores each order's merged amendment, replacing the one before.
    static func save(_ amendments: [(amendment: OrderAmended, eventID: UUID)], vault: PIIVault, connection: PostgresConnection, logger: Logger) async throws {
        guard !amendments.isEmpty else { return }
        let sealed = try amendments.map { vault.seal(String(decoding: try EventCoding.encode($0.amendment), as: UTF8.self), context: sealContext($0.amendment.orderID)) }
        try await connection.query("""
            INSERT INTO order_amendments (order_id, sealed_amendment, event_id, amended_at)
            SELECT * FROM unnest(\(amendments.map(\.amendment.orderID))::text[], \(sealed)::text[], \(amendments.map(\.eventID))::uuid[],
                                 \(amendments.map(\.amendment.amendedAt))::timestamptz[])
            ON CONFLICT (order_id) DO UPDATE SET sealed_amendment = excluded.sealed_amendment, event_id = excluded.event_id, amended_at = excluded.amended_at
            """, logger: logger)
    }
}
