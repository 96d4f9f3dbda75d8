import Foundation
import Hummingbird
import OMSDomain
import OMSPlatform

/// Pickup orders (门店自提) at the store counter:
/// - `GET /v1/logistics/pickups?storeId=&orderId=&status=ready|collected|expired&limit=`: what
///   waits in a store (never the codes);
/// - `POST /v1/logistics/pickups/{pickupNumber}/collect` with `{"pickupCode": "123456"}`: the
///   customer shows the code, the staff hand the goods over, and `shipment.delivered` (signed
///   `门店自提`) follows in the same transaction. A collected pickup answers 200 again (retry-safe);
///   an expired one 409; a wrong code 422, and after `PickupCode.maxFailedAttempts` wrong codes
///   409 `too_many_attempts` (the staff check the customer's order with customer service).
struct PickupRoutes: RouteGroup {
    let runtime: ServiceRuntime

    struct CollectRequest: Codable, Sendable {
        var pickupCode: String
    }

    static let endpoints: [Endpoint<Self>] = [
        .get("/v1/logistics/pickups", [.warehouse, .customerService], "Pickup orders waiting in a store, collected or expired (?storeId, orderId, status, limit)", use: list),
        .post("/v1/logistics/pickups/:number/collect", [.warehouse], "Hand a pickup order over to the customer who shows its code", use: collect),
    ]

    func list(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let query = request.queryDictionary
        var check = RequestCheck()
        if let store = query["storeId"] { check.code(store, "storeId") }
        if let order = query["orderId"], order.isEmpty || order.count > 64 { check.fail("orderId", "1-64 characters") }
        if let status = query["status"], !["ready", "collected", "expired"].contains(status) { check.fail("status", "ready, collected or expired") }
        let limit = Int(query["limit"] ?? "100") ?? 0
        if !(1...1_000).contains(limit) { check.fail("limit", "1-1000") }
        if query["storeId"] == nil && query["orderId"] == nil { check.fail("storeId", "name a store (or an order)") }
        try check.check()
        let logger = runtime.logger
        let found = try await runtime.database.client.withConnection {
            try await PickupStore.list(store: query["storeId"], order: query["orderId"], status: query["status"], limit: limit, connection: $0, logger: logger)
        }
        return try Response.json(["pickups": found])
    }

    /// What a collection attempt came to, decided in the transaction and answered after it commits
    /// (a wrong code's count must stick even though the request fails).
    enum Outcome: Sendable {
        case collected(PickupStore.View, replayed: Bool)
        case wrongCode(left: Int)
        case refused(APIError)
    }

    func collect(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let number = context.parameters.get("number") ?? ""
        let body = try await request.decodeJSON(as: CollectRequest.self, context: context)
        var check = RequestCheck()
        check.code(number, "number")
        if body.pickupCode.count != 6 || !body.pickupCode.allSatisfy({ $0.isASCII && $0.isNumber }) { check.fail("pickupCode", "the six digits the customer shows") }
        try check.check()
        let user = context.actingUser
        let outcome = try await runtime.retryingTransaction { tx -> Outcome in
            guard let (pickup, hash) = try await PickupStore.locked(number: number, connection: tx.connection, logger: tx.logger) else {
                return .refused(APIError(.notFound, code: "pickup_not_found", message: "no pickup \(number)"))
            }
            switch pickup.status {
            case "collected": return .collected(pickup, replayed: true)
            case "expired": return .refused(.conflict("pickup_expired", "pickup \(number) expired uncollected; its order is refunded"))
            default: break
            }
            guard pickup.failedAttempts < PickupCode.maxFailedAttempts else {
                return .refused(.conflict("too_many_attempts", "pickup \(number) had \(pickup.failedAttempts) wrong codes; check the customer's order with customer service"))
            }
            guard PickupCode.matches(body.pickupCode, pickupID: pickup.shipmentId, hash: hash) else {
                try await PickupStore.recordFailedAttempt(pickup.shipmentId, connection: tx.connection, logger: tx.logger)
                return .wrongCode(left: PickupCode.maxFailedAttempts - pickup.failedAttempts - 1)
            }
            let now = Date()
            try await PickupStore.markCollected(pickup.shipmentId, by: user, at: now, connection: tx.connection, logger: tx.logger)
            try tx.emit(ShipmentDelivered(shipmentId: pickup.shipmentId, orderID: pickup.orderId, trackingNumber: pickup.pickupNumber, deliveredAt: now,
                                          location: pickup.storeId, signedBy: "门店自提", proofReference: nil, lines: pickup.lines),
                        orderID: pickup.orderId, topic: TopicCatalogue.shipments)
            var view = pickup
            view.status = "collected"
            view.collectedAt = now
            view.collectedBy = user
            return .collected(view, replayed: false)
        }
        switch outcome {
        case .collected(let view, let replayed): return replayed ? try Response.replayed(view) : try Response.json(view)
        case .wrongCode(let left):
            throw APIError(.unprocessableContent, code: "wrong_pickup_code", message: "the code does not open pickup \(number); \(left) attempts left",
                           fields: [.init(field: "pickupCode", reason: "does not match")])
        case .refused(let error): throw error
        }
    }
}
