import Foundation
import Logging
import PostgresNIO

/// Boxes shared by merged orders (合单) as booked: the carrier service and tracking number every
/// order's parcel in the box ships under. Invariant: one booking per box, whichever of its
/// parcels arrives first, even when two consumers book the same box at once (the second insert
/// waits for the first and then reads it).
enum ConsolidatedParcelStore {
    struct Booked: Sendable, Equatable {
        var service: String
        var carrierCode: String
        var trackingNumber: String
    }

    static func booked(_ ids: [String], connection: PostgresConnection, logger: Logger) async throws -> [String: Booked] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await connection.query("""
            SELECT consolidation_id, service, carrier_code, tracking_number FROM consolidated_parcels WHERE consolidation_id = ANY(\(ids)::text[])
            """, logger: logger)
        var found: [String: Booked] = [:]
        for try await (id, service, carrier, tracking) in rows.decode((String, String, String, String).self) {
            found[id] = Booked(service: service, carrierCode: carrier, trackingNumber: tracking)
        }
        return found
    }

    /// Books new boxes; returns what each box is booked under: ours, or the booking another
    /// consumer committed first.
    static func book(_ boxes: [(id: String, booked: Booked, orderIDs: [String])], connection: PostgresConnection, logger: Logger) async throws -> [String: Booked] {
        guard !boxes.isEmpty else { return [:] }
        try await connection.query("""
            INSERT INTO consolidated_parcels (consolidation_id, service, carrier_code, tracking_number, order_ids)
            SELECT i, s, c, t, string_to_array(o, ',')
            FROM unnest(\(boxes.map(\.id))::text[], \(boxes.map(\.booked.service))::text[], \(boxes.map(\.booked.carrierCode))::text[],
                        \(boxes.map(\.booked.trackingNumber))::text[], \(boxes.map { $0.orderIDs.joined(separator: ",") })::text[]) AS u(i, s, c, t, o)
            ON CONFLICT (consolidation_id) DO NOTHING
            """, logger: logger)
        return try await booked(boxes.map(\.id), connection: connection, logger: logger)
    }
}
