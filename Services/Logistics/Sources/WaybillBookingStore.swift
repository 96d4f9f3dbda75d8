import Foundation
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// SQL of e-waybill bookings. Invariant: one booking per parcel, never for a parcel already
/// shipped; a booking is claimed under a lease (its next attempt time), so a process killed during
/// the carrier's call leaves it to be asked again (with the same order id, which the carrier dedups);
/// it is completed at most once (`status = 'pending'` guards every change).
enum WaybillBookingStore {
    static func sealContext(_ parcelID: String, _ part: String) -> String { "waybill-booking:\(parcelID)|\(part)" }

    /// A booking to record.
    struct Recording: Sendable {
        var shipment: PlannedShipment
        var sealedWaybill: String
        var sealedRecipient: String
    }

    /// A booking as ops see it.
    struct View: Codable, Sendable {
        var parcelId: String
        var shipmentId: String
        var orderId: String
        var carrier: String
        var status: String
        var attempts: Int
        var nextAttemptAt: Date?
        var waybillNumber: String?
        var lastErrorCode: String?
        var lastError: String?
        var bookedAt: Date?
        var createdAt: Date
    }

    /// A claimed booking and the attempt this is.
    struct Claim: Sendable {
        var shipment: PlannedShipment
        var sealedWaybill: String
        var sealedRecipient: String
        var attempt: Int
    }

    static let statuses = ["pending", "booked", "failed"]

    static func record(_ recordings: [Recording], connection: PostgresConnection, logger: Logger) async throws {
        guard !recordings.isEmpty else { return }
        let planned = try recordings.map { String(decoding: try EventCoding.encode($0.shipment), as: UTF8.self) }
        try await connection.query("""
            INSERT INTO waybill_bookings (parcel_id, shipment_id, order_id, carrier_code, planned, waybill_sealed, recipient_sealed)
            SELECT p, s, o, c, pl::jsonb, w, r
            FROM unnest(\(recordings.map(\.shipment.parcelId))::text[], \(recordings.map(\.shipment.id))::text[], \(recordings.map(\.shipment.orderId))::text[],
                        \(recordings.map(\.shipment.company))::text[], \(planned)::text[], \(recordings.map(\.sealedWaybill))::text[],
                        \(recordings.map(\.sealedRecipient))::text[]) AS u(p, s, o, c, pl, w, r)
            WHERE NOT EXISTS (SELECT 1 FROM shipments WHERE shipments.parcel_id = u.p)
            ON CONFLICT (parcel_id) DO NOTHING
            """, logger: logger)
    }

    static func claimDue(limit: Int, leaseSeconds: Int, connection: PostgresConnection, logger: Logger) async throws -> [Claim] {
        var ids: [String] = []
        let due = try await connection.query("""
            SELECT parcel_id FROM waybill_bookings WHERE status = 'pending' AND next_attempt_at <= now()
            ORDER BY next_attempt_at LIMIT \(limit) FOR UPDATE SKIP LOCKED
            """, logger: logger)
        for try await id in due.decode(String.self) { ids.append(id) }
        guard !ids.isEmpty else { return [] }
        let rows = try await connection.query("""
            UPDATE waybill_bookings SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => \(leaseSeconds)::int), updated_at = now()
            WHERE parcel_id = ANY(\(ids)::text[])
            RETURNING planned::text, waybill_sealed, recipient_sealed, attempts
            """, logger: logger)
        var claims: [Claim] = []
        for try await (planned, waybill, recipient, attempts) in rows.decode((String, String, String, Int).self) {
            claims.append(Claim(shipment: try EventCoding.decode(PlannedShipment.self, from: Array(planned.utf8)), sealedWaybill: waybill, sealedRecipient: recipient,
                                attempt: attempts))
        }
        return claims
    }

    /// Marks the booking booked; false when it was not pending (another process completed it).
    static func markBooked(_ parcelID: String, number: String, connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.query("""
            UPDATE waybill_bookings SET status = 'booked', waybill_number = \(number), booked_at = now(), last_error_code = NULL, last_error = NULL, updated_at = now()
            WHERE parcel_id = \(parcelID) AND status = 'pending' RETURNING parcel_id
            """, logger: logger)
        for try await _ in rows.decode(String.self) { return true }
        return false
    }

    static func retry(_ parcelID: String, afterMilliseconds wait: Int, code: String, message: String, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            UPDATE waybill_bookings SET next_attempt_at = now() + make_interval(secs => \(Double(wait) / 1_000)), last_error_code = \(code), last_error = \(message),
                   updated_at = now()
            WHERE parcel_id = \(parcelID) AND status = 'pending'
            """, logger: logger)
    }

    static func fail(_ parcelID: String, code: String, message: String, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            UPDATE waybill_bookings SET status = 'failed', last_error_code = \(code), last_error = \(message), updated_at = now()
            WHERE parcel_id = \(parcelID) AND status = 'pending'
            """, logger: logger)
    }

    /// Books a failed one again with fresh attempts; false when it is not failed.
    static func requeue(_ parcelID: String, connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.query("""
            UPDATE waybill_bookings SET status = 'pending', attempts = 0, next_attempt_at = now(), updated_at = now()
            WHERE parcel_id = \(parcelID) AND status = 'failed' RETURNING parcel_id
            """, logger: logger)
        for try await _ in rows.decode(String.self) { return true }
        return false
    }

    static let viewColumns = """
        parcel_id, shipment_id, order_id, carrier_code, status, attempts, CASE WHEN status = 'pending' THEN next_attempt_at END, waybill_number,
        last_error_code, last_error, booked_at, created_at
        """

    static func list(status: String?, orderID: String?, limit: Int, connection: PostgresConnection, logger: Logger) async throws -> [View] {
        try await views(try await connection.query("""
            SELECT \(unescaped: viewColumns) FROM waybill_bookings
            WHERE (\(status ?? "") = '' OR status = \(status ?? "")) AND (\(orderID ?? "") = '' OR order_id = \(orderID ?? ""))
            ORDER BY created_at DESC, parcel_id LIMIT \(limit)
            """, logger: logger))
    }

    static func find(_ parcelID: String, connection: PostgresConnection, logger: Logger) async throws -> View? {
        try await views(try await connection.query("SELECT \(unescaped: viewColumns) FROM waybill_bookings WHERE parcel_id = \(parcelID)", logger: logger)).first
    }

    static func views(_ rows: PostgresRowSequence) async throws -> [View] {
        var views: [View] = []
        for try await c in rows.decode((String, String, String, String, String, Int, Date?, String?, String?, String?, Date?, Date).self) {
            views.append(View(parcelId: c.0, shipmentId: c.1, orderId: c.2, carrier: c.3, status: c.4, attempts: c.5, nextAttemptAt: c.6, waybillNumber: c.7,
                              lastErrorCode: c.8, lastError: c.9, bookedAt: c.10, createdAt: c.11))
        }
        return views
    }

    /// Counts by status, for metrics.
    static func counts(connection: PostgresConnection, logger: Logger) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for try await (status, count) in try await connection.query("SELECT status, count(*)::int8 FROM waybill_bookings GROUP BY status", logger: logger)
            .decode((String, Int64).self) { counts[status] = Int(count) }
        return counts
    }
}
