import Foundation
import Hummingbird
import OMSPlatform

/// Warehouse staff and ops follow e-waybill bookings (parcels waiting for their carrier's number):
/// `GET /v1/logistics/waybill-bookings?status=&orderId=&limit=`, `GET …/{parcelId}`, and
/// `POST …/{parcelId}/retry` books a failed one again (same order id at the carrier: never a
/// second waybill).
struct WaybillBookingRoutes: RouteGroup {
    let runtime: ServiceRuntime

    static let endpoints: [Endpoint<Self>] = [
        .get("/v1/logistics/waybill-bookings", [.warehouse, .ops], "E-waybill bookings (?status, orderId, limit): parcels waiting for their carrier's number", use: list),
        .get("/v1/logistics/waybill-bookings/:parcelId", [.warehouse, .ops], "One parcel's e-waybill booking: status, attempts, the carrier's last code", use: show),
        .post("/v1/logistics/waybill-bookings/:parcelId/retry", [.ops], "Book a failed e-waybill again (the carrier dedups by the shipment id)", body: .none, use: retry),
    ]

    func list(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let query = request.queryDictionary
        var check = RequestCheck()
        if let status = query["status"], !WaybillBookingStore.statuses.contains(status) { check.fail("status", "one of \(WaybillBookingStore.statuses.joined(separator: ", "))") }
        if let order = query["orderId"], order.isEmpty || order.count > 64 { check.fail("orderId", "1-64 characters") }
        var limit = 100
        if let raw = query["limit"] {
            if let value = Int(raw), (1...1_000).contains(value) { limit = value } else { check.fail("limit", "1-1000") }
        }
        try check.check()
        let logger = runtime.logger
        let rows = try await runtime.database.client.withConnection {
            try await WaybillBookingStore.list(status: query["status"], orderID: query["orderId"], limit: limit, connection: $0, logger: logger)
        }
        return try Response.json(["bookings": rows])
    }

    func show(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        try Response.json(try await booking(try Self.parcelID(context)))
    }

    func retry(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let id = try Self.parcelID(context)
        let requeued = try await runtime.retryingTransaction { tx in try await WaybillBookingStore.requeue(id, connection: tx.connection, logger: tx.logger) }
        let view = try await booking(id)
        guard requeued else { throw APIError.conflict("not_retryable", "the booking of \(id) is \(view.status); only a failed one is booked again") }
        runtime.logger.notice("failed e-waybill booking queued again", metadata: ["parcelId": "\(id)", "by": "\(context.actingUser)"])
        return try Response.json(view, status: .accepted)
    }

    private func booking(_ id: String) async throws -> WaybillBookingStore.View {
        let logger = runtime.logger
        guard let view = try await runtime.database.client.withConnection({ try await WaybillBookingStore.find(id, connection: $0, logger: logger) }) else {
            throw APIError(.notFound, code: "booking_not_found", message: "no e-waybill booking for parcel \(id)")
        }
        return view
    }

    static func parcelID(_ context: OMSRequestContext) throws -> String {
        let id = context.parameters.get("parcelId") ?? ""
        guard !id.isEmpty, id.count <= 128 else { throw APIError(.notFound, code: "booking_not_found", message: "no e-waybill booking for that parcel") }
        return id
    }
}
