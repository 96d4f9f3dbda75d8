import Foundation
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// Shipments: the views customer service reads, the stored waybill, and the state changes a
/// carrier's scans make. Invariant: every state change runs in the caller's transaction on a row
/// it locked with `locked(tracking:carrier:)`, so a carrier's concurrent retries serialize.
enum ShipmentStore {
    /// A shipment as the tracking webhook needs it, row locked.
    struct Tracked: Sendable {
        var id: String
        var order: String
        var warehouse: String
        var status: ShipmentStatus
        var lines: [ParcelLine]
        var eta: Date
        var delayed: Date?
    }

    /// One carrier scan as stored in the history.
    struct Scan: Sendable {
        var carrier: String
        var eventID: String
        var trackingNumber: String
        var type: String
        var occurredAt: Date
        var location: String?
        var detail: String
        var applied: Bool
    }

    /// Inserts numbered shipments as dispatched (`waybill` sealed); returns the ones new, in order:
    /// a parcel already shipped stays as it is and is not returned.
    static func insertDispatched(_ shipments: [(PlannedShipment, waybill: String)], now: Date, connection: PostgresConnection, logger: Logger) async throws -> [PlannedShipment] {
        guard !shipments.isEmpty else { return [] }
        let p = shipments.map(\.0)
        let lines = try p.map { String(decoding: try EventCoding.encode($0.lines), as: UTF8.self) }
        let inserted = try await connection.query("""
            INSERT INTO shipments (id, parcel_id, order_id, fulfillment_order_id, warehouse_code, carrier, carrier_code, tracking_number, status, zone, fee_fen,
                                   weight_grams, selection_reasons, lines, waybill, eta, dispatched_at, last_scan_at, cod_share, cod_expected_fen, consolidation_id)
            SELECT i, p, o, f, w, c, cc, t, 'dispatched', z, fee, g, string_to_array(r, ','), l::jsonb, wb::jsonb, e, \(now), \(now), NULLIF(cs, '')::jsonb, NULLIF(ce, -1),
                   NULLIF(bx, '')
            FROM unnest(\(p.map(\.id))::text[], \(p.map(\.parcelId))::text[], \(p.map(\.orderId))::text[], \(p.map(\.fulfillmentOrderId))::text[],
                        \(p.map(\.warehouseId))::text[], \(p.map(\.service))::text[], \(p.map(\.company))::text[], \(p.map(\.dispatched.trackingNumber))::text[],
                        \(p.map(\.zone))::text[], \(p.map(\.feeFen))::int8[], \(p.map { Int32($0.weightGrams) })::int4[], \(p.map { $0.reasons.joined(separator: ",") })::text[],
                        \(lines)::text[], \(shipments.map(\.waybill))::text[], \(p.map(\.eta))::timestamptz[], \(p.map(\.codShare))::text[], \(p.map(\.codExpectedFen))::int8[],
                        \(p.map { $0.consolidationId ?? "" })::text[])
                        AS u(i, p, o, f, w, c, cc, t, z, fee, g, r, l, wb, e, cs, ce, bx)
            ON CONFLICT (parcel_id) DO NOTHING
            RETURNING id
            """, logger: logger)
        var created: Set<String> = []
        for try await id in inserted.decode(String.self) { created.insert(id) }
        return p.filter { created.contains($0.id) }
    }

    /// The shipments with this tracking number of this carrier company, locked in id order: one,
    /// or one per order whose parcels share a box (合单).
    static func locked(tracking: String, carrier: String, connection: PostgresConnection, logger: Logger) async throws -> [Tracked] {
        let rows = try await connection.query("""
            SELECT id, order_id, warehouse_code, status, lines::text, eta, delayed_at FROM shipments
            WHERE tracking_number = \(tracking) AND carrier_code = \(carrier) ORDER BY id FOR UPDATE
            """, logger: logger)
        var found: [Tracked] = []
        for try await (id, order, warehouse, status, lines, eta, delayed) in rows.decode((String, String, String, String, String, Date, Date?).self) {
            found.append(Tracked(id: id, order: order, warehouse: warehouse, status: ShipmentStatus(rawValue: status) ?? .dispatched,
                                 lines: try EventCoding.decode([ParcelLine].self, from: Array(lines.utf8)), eta: eta, delayed: delayed))
        }
        return found
    }

    /// Keeps a scan in the history once per (carrier, event id) and moves the last-scan time;
    /// false when the carrier sent this event before.
    static func recordScan(_ scan: Scan, of shipmentIDs: [String], connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let isNew = try await connection.query("""
            INSERT INTO tracking_events (carrier_code, event_id, tracking_number, type, occurred_at, location, detail, applied)
            VALUES (\(scan.carrier), \(scan.eventID), \(scan.trackingNumber), \(scan.type), \(scan.occurredAt), \(scan.location), \(scan.detail)::jsonb, \(scan.applied))
            ON CONFLICT DO NOTHING RETURNING 1
            """, logger: logger)
        var inserted = false
        for try await _ in isNew.decode(Int.self) { inserted = true }
        guard inserted else { return false }
        try await connection.query("UPDATE shipments SET last_scan_at = GREATEST(last_scan_at, \(scan.occurredAt)) WHERE id = ANY(\(shipmentIDs)::text[])", logger: logger)
        return true
    }

    static func markDelivered(_ id: String, at: Date, proof: String, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("UPDATE shipments SET status = 'delivered', delivered_at = \(at), proof = \(proof)::jsonb WHERE id = \(id)", logger: logger)
    }

    static func markLost(_ id: String, at: Date, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("UPDATE shipments SET status = 'lost', lost_at = \(at) WHERE id = \(id)", logger: logger)
    }

    static func setStatus(_ id: String, _ status: ShipmentStatus, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("UPDATE shipments SET status = \(status.rawValue) WHERE id = \(id)", logger: logger)
    }

    static func markDelayed(_ id: String, reason: String, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("UPDATE shipments SET delayed_at = now(), delay_reason = \(reason) WHERE id = \(id)", logger: logger)
    }

    /// The stored (sealed) waybill of a shipment, or nil.
    static func waybill(tracking: String, connection: PostgresConnection, logger: Logger) async throws -> Waybill? {
        let rows = try await connection.query("SELECT waybill::text FROM shipments WHERE tracking_number = \(tracking)", logger: logger)
        for try await text in rows.decode(String.self) { return try EventCoding.decode(Waybill.self, from: Array(text.utf8)) }
        return nil
    }

    /// The shipment with this tracking number (with its scan history), or an order's shipments.
    static func views(tracking: String, connection: PostgresConnection, logger: Logger) async throws -> [ShipmentRoutes.ShipmentView] {
        try await views(tracking: tracking, orderID: nil, connection: connection, logger: logger)
    }

    static func views(orderID: String, connection: PostgresConnection, logger: Logger) async throws -> [ShipmentRoutes.ShipmentView] {
        try await views(tracking: nil, orderID: orderID, connection: connection, logger: logger)
    }

    private static func views(tracking: String?, orderID: String?, connection: PostgresConnection, logger: Logger) async throws -> [ShipmentRoutes.ShipmentView] {
        let rows = if let tracking {
            try await connection.query("""
                SELECT id, order_id, parcel_id, warehouse_code, carrier_code, carrier, tracking_number, status, zone, fee_fen, weight_grams, selection_reasons,
                       eta, dispatched_at, last_scan_at, delay_reason, delivered_at, proof->>'signedBy', proof->>'proofReference', lost_at, lines::text
                FROM shipments WHERE tracking_number = \(tracking)
                """, logger: logger)
        } else {
            try await connection.query("""
                SELECT id, order_id, parcel_id, warehouse_code, carrier_code, carrier, tracking_number, status, zone, fee_fen, weight_grams, selection_reasons,
                       eta, dispatched_at, last_scan_at, delay_reason, delivered_at, proof->>'signedBy', proof->>'proofReference', lost_at, lines::text
                FROM shipments WHERE order_id = \(orderID ?? "") ORDER BY dispatched_at, id
                """, logger: logger)
        }
        var views: [ShipmentRoutes.ShipmentView] = []
        for try await c in rows.decode((String, String, String, String, String, String, String, String, String, Int64, Int, [String],
                                         Date, Date, Date, String?, Date?, String?, String?, Date?, String).self) {
            views.append(ShipmentRoutes.ShipmentView(shipmentId: c.0, orderId: c.1, parcelId: c.2, warehouseId: c.3, carrier: c.4, service: c.5, trackingNumber: c.6,
                                      status: c.7, zone: c.8, feeFen: c.9, weightGrams: c.10, selectionReasons: c.11, estimatedDelivery: c.12,
                                      dispatchedAt: c.13, lastScanAt: c.14, delayed: c.15 != nil, delayReason: c.15, deliveredAt: c.16,
                                      signedBy: c.17, proofReference: c.18, lostAt: c.19,
                                      lines: try EventCoding.decode([ParcelLine].self, from: Array(c.20.utf8)), scans: nil))
        }
        if tracking != nil, let first = views.first {
            let scans = try await connection.query("""
                SELECT event_id, type, occurred_at, location, applied FROM tracking_events WHERE tracking_number = \(first.trackingNumber) ORDER BY occurred_at, received_at
                """, logger: logger)
            var history: [ShipmentRoutes.Scan] = []
            for try await (event, type, at, location, applied) in scans.decode((String, String, Date, String?, Bool).self) {
                history.append(ShipmentRoutes.Scan(eventId: event, type: type, occurredAt: at, location: location, applied: applied))
            }
            // A box shared by merged orders (合单): every order's shipment shows the box's scans.
            for index in views.indices { views[index].scans = history }
        }
        return views
    }
}
