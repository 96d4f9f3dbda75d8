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
        /// The orders whose parcels share this box (合单) and its tracking number; nil for a box of one order.
        var boxOrderIds: [String]? = nil
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
        let views = try await runtime.database.client.withConnection { try await ShipmentStore.views(orderID: orderID, connection: $0, logger: runtime.logger) }
        return try Response.json(["shipments": views])
    }

    func showShipment(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let tracking = context.parameters.get("tracking") ?? ""
        let views = try await runtime.database.client.withConnection { try await ShipmentStore.views(tracking: tracking, connection: $0, logger: runtime.logger) }
        guard var view = views.first else { throw APIError.notFound("shipment") }
        if views.count > 1 { view.boxOrderIds = views.map(\.orderId).sorted() }
        return try Response.json(view)
    }

    func waybill(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let tracking = context.parameters.get("tracking") ?? ""
        let stored = try await runtime.database.client.withConnection { try await ShipmentStore.waybill(tracking: tracking, connection: $0, logger: runtime.logger) }
        if let stored { return try Response.json(try stored.opened(by: runtime.database.vault)) }
        throw APIError.notFound("shipment")
    }
}
