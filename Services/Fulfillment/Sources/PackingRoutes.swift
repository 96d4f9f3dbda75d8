import Foundation
import Hummingbird
import OMSDomain
import OMSPlatform
import PostgresNIO

/// The packing station and the fulfillment order record:
/// `GET /v1/fulfillment/orders?orderId=` (the fulfillment orders of one customer order),
/// `GET /v1/fulfillment/orders/{id}` (status, lines, parcels) and
/// `POST /v1/fulfillment/orders/{id}/pack` (apply the packing rules to the picked units, emit
/// `fulfillment.packed`). Packing twice returns the first result, marked as a replay. An order
/// merged for shipping (合单) packs with its group: 409 `merge_waiting` names the members not
/// ready yet; once they are, packing any member packs them all into shared boxes.
struct PackingRoutes: RouteGroup {
    let runtime: ServiceRuntime
    let configuration: FulfillmentConfiguration

    struct PackRequest: Codable, Sendable {
        var packer: String
    }

    struct PackResult: Codable, Sendable {
        var fulfillmentOrderId: String
        var parcels: [PackedParcel]
    }

    struct Line: Codable, Sendable {
        var lineNumber: Int
        var sku: String
        var quantity: Int
        var picked: Int
        var short: Int
    }

    struct FulfillmentOrderView: Codable, Sendable {
        var fulfillmentOrderId: String
        var orderId: String
        var warehouseId: String
        var status: String
        var automatic: Bool
        var waveId: Int64?
        var blockedReason: String?
        var createdAt: Date
        var pickedAt: Date?
        var packedAt: Date?
        var packedBy: String?
        var cancelledAt: Date?
        var lines: [Line]
        var parcels: [PackedParcel]
        /// 合单: the other fulfillment orders packed into the same boxes as this one.
        var mergedWith: [String]? = nil
    }

    static let endpoints: [Endpoint<Self>] = [
        .get("/v1/fulfillment/orders", [.customerService, .warehouse, .ops], "Fulfillment orders of an order (?orderId)", use: listOrders),
        .get("/v1/fulfillment/orders/:id", [.customerService, .warehouse, .ops], "One fulfillment order with lines and parcels", use: showOrder),
        .post("/v1/fulfillment/orders/:id/pack", [.warehouse], "Pack a picked fulfillment order into parcels", use: pack),
    ]

    func listOrders(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        guard let orderID = request.queryDictionary["orderId"], !orderID.isEmpty, orderID.count <= 64 else {
            throw APIError.validation([.init(field: "orderId", reason: "required, at most 64 characters")])
        }
        let views = try await runtime.database.client.withConnection { try await load(orderID: orderID, connection: $0) }
        return try Response.json(["fulfillmentOrders": views])
    }

    func showOrder(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        let views = try await runtime.database.client.withConnection { try await load(id: id, connection: $0) }
        guard let view = views.first else { throw APIError.notFound("fulfillment order") }
        return try Response.json(view)
    }

    func pack(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        let body = try await request.decodeJSON(as: PackRequest.self, context: context)
        var check = RequestCheck()
        check.text(body.packer, "packer")
        try check.check()
        let outcome = try await runtime.retryingTransaction { tx in
            try await ParcelPacking(configuration: configuration).pack([id], packedBy: body.packer, now: Date(), context: tx)[id]
        }
        switch outcome {
        case .packed(let parcels):
            return try Response.json(PackResult(fulfillmentOrderId: id, parcels: parcels))
        case .blocked(let missing):
            throw APIError(.conflict, code: "item_data_missing", message: "the item master lacks SKUs of this order; add them at PUT /v1/fulfillment/items/{sku}",
                           fields: missing.map { .init(field: "sku", reason: "\($0) has no item data") })
        case .mergeWaiting(let others):
            throw APIError(.conflict, code: "merge_waiting",
                           message: "merged for shipping (合单) with other orders of the same customer: they are packed together once these are picked and packable",
                           fields: others.map { .init(field: "fulfillmentOrderId", reason: "\($0) is not ready to pack") })
        case .unreadable:
            throw APIError.conflict("order_body_unreadable", "the stored order cannot be read (its personal data does not open under the key ring); see the service log")
        case .notPicked(let status):
            if status == "packed" {
                let views = try await runtime.database.client.withConnection { try await load(id: id, connection: $0) }
                return try Response.replayed(PackResult(fulfillmentOrderId: id, parcels: views.first?.parcels ?? []))
            }
            throw APIError.conflict("not_picked", "the fulfillment order is \(status); only picked orders can be packed")
        case nil:
            throw APIError.notFound("fulfillment order")
        }
    }

    private func load(id: String? = nil, orderID: String? = nil, connection: PostgresConnection) async throws -> [FulfillmentOrderView] {
        try await FulfillmentOrderStore.views(id: id, orderID: orderID, connection: connection, logger: runtime.logger)
    }
}
