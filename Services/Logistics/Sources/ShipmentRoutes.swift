import Foundation
import Hummingbird
import OMSDomain
import OMSPlatform
import PostgresNIO

/// For customers and customer service: `GET /v1/logistics/shipments/{trackingNumber}` (status, carrier,
/// ETA, delay, delivery proof, scan history), `GET /v1/logistics/shipments?orderId=` and, for the
/// dispatch desk, `GET /v1/logistics/shipments/{trackingNumber}/waybill` (recipient phone masked).
struct ShipmentRoutes: RouteGroup {
    let runtime: ServiceRuntime

    struct Scan: Codable, Sendable {
        var eventId: String
        var type: String
        var occurredAt: Date
        var location: String?
        var applied: Bool
    }

    struct ShipmentView: Codable, Sendable {
        var shipmentId: String
        var orderId: String
        var parcelId: String
        var warehouseId: String
        var carrier: String
        var service: String
        var trackingNumber: String
        var status: String
        var zone: String
        var feeFen: Int64
        var weightGrams: Int
        var selectionReasons: [String]
        var estimatedDelivery: Date
        var dispatchedAt: Date
        var lastScanAt: Date
        var delayed: Bool
        var delayReason: String?
        var deliveredAt: Date?
        var signedBy: String?
        var proofReference: String?
        var lostAt: Date?
        var lines: [ParcelLine]
        var scans: [Scan]?
    }

    static let endpoints: [Endpoint<Self>] = [
        .get("/v1/logistics/shipments", [.customerService, .warehouse, .ops], "Shipments of an order (?orderId)", use: listShipments),
        .get("/v1/logistics/shipments/:tracking", [.customerService, .warehouse, .ops], "One shipment with its scan history", use: showShipment),
        .get("/v1/logistics/shipments/:tracking/waybill", [.warehouse], "A shipment's waybill for printing (recipient phone masked)", use: waybill),
    ]

    func listShipments(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        guard let orderID = request.queryDictionary["orderId"], !orderID.isEmpty, orderID.count <= 64 else {
            throw APIError.validation([.init(field: "orderId", reason: "required, at most 64 characters")])
        }
        let views = try await runtime.database.client.withConnection { try await load(orderID: orderID, connection: $0) }
        return try Response.json(["shipments": views])
    }

    func showShipment(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let tracking = context.parameters.get("tracking") ?? ""
        let views = try await runtime.database.client.withConnection { try await load(tracking: tracking, connection: $0) }
        guard let view = views.first else { throw APIError.notFound("shipment") }
        return try Response.json(view)
    }

    func waybill(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let tracking = context.parameters.get("tracking") ?? ""
        let rows = try await runtime.database.client.query("SELECT waybill::text FROM shipments WHERE tracking_number = \(tracking)", logger: runtime.logger)
        for try await text in rows.decode(String.self) {
            return try Response.json(try EventCoding.decode(Waybill.self, from: Array(text.utf8)).opened(by: runtime.database.vault))
        }
        throw APIError.notFound("shipment")
    }

    private func load(tracking: String? = nil, orderID: String? = nil, connection: PostgresConnection) async throws -> [ShipmentView] {
        let logger = runtime.logger
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
        var views: [ShipmentView] = []
        for try await c in rows.decode((String, String, String, String, String, String, String, String, String, Int64, Int, [String],
                                         Date, Date, Date, String?, Date?, String?, String?, Date?, String).self) {
            views.append(ShipmentView(shipmentId: c.0, orderId: c.1, parcelId: c.2, warehouseId: c.3, carrier: c.4, service: c.5, trackingNumber: c.6,
                                      status: c.7, zone: c.8, feeFen: c.9, weightGrams: c.10, selectionReasons: c.11, estimatedDelivery: c.12,
                                      dispatchedAt: c.13, lastScanAt: c.14, delayed: c.15 != nil, delayReason: c.15, deliveredAt: c.16,
                                      signedBy: c.17, proofReference: c.18, lostAt: c.19,
                                      lines: try EventCoding.decode([ParcelLine].self, from: Array(c.20.utf8)), scans: nil))
        }
        if tracking != nil, let first = views.first {
            let scans = try await connection.query("""
                SELECT event_id, type, occurred_at, location, applied FROM tracking_events WHERE tracking_number = \(first.trackingNumber) ORDER BY occurred_at, received_at
                """, logger: logger)
            var history: [Scan] = []
            for try await (event, type, at, location, applied) in scans.decode((String, String, Date, String?, Bool).self) {
                history.append(Scan(eventId: event, type: type, occurredAt: at, location: location, applied: applied))
            }
            views[0].scans = history
        }
        return views
    }
}
