import Foundation
import Hummingbird
import OMSDomain
import OMSPlatform
import PostgresNIO

/// Stock for warehouse, purchasing and customer-service staff:
/// `GET /v1/inventory/stock/{sku}` (per warehouse and total), `GET /v1/inventory/stock/{sku}/movements`
/// (the ledger, newest first; `warehouse`, `limit`, `beforeId`), `GET /v1/inventory/availability?skus=`
/// (what intake and channels ask), `PUT /v1/inventory/stock/{sku}/warehouses/{code}` (safety stock,
/// reorder point, lead time), `POST /v1/inventory/adjustments` (cycle counts and write-offs with a
/// reason code), `GET /v1/inventory/orders/{id}` (its reservations and backorders), `POST /v1/inventory/orders/{id}/announce` (ops: re-announce an order set aside as unreadable) and
/// `GET /v1/inventory/backorders`.
struct StockRoutes: RouteGroup {
    let runtime: ServiceRuntime

    struct WarehouseStock: Codable, Sendable {
        var warehouseId: String
        var onHand: Int
        var reserved: Int
        var safetyStock: Int
        var quarantined: Int
        var inTransit: Int
        var availableToSell: Int
        var reorderPoint: Int
        var leadTimeDays: Int
    }

    struct StockView: Codable, Sendable {
        var sku: String
        var onHand: Int
        var reserved: Int
        var quarantined: Int
        var inTransit: Int
        /// Sum over warehouses of max(0, available-to-sell): what can still be sold.
        var availableToSell: Int
        var openBackorders: Int
        var warehouses: [WarehouseStock]
    }

    struct MovementView: Codable, Sendable {
        var id: Int64
        var warehouseId: String
        var kind: String
        var onHandDelta: Int
        var reservedDelta: Int
        var quarantinedDelta: Int
        var inTransitDelta: Int
        var causeType: String
        var causeId: String
        var reasonCode: String?
        var actor: String?
        var occurredAt: Date
    }

    struct PlanningRequest: Codable, Sendable {
        var safetyStock: Int?
        var reorderPoint: Int?
        var leadTimeDays: Int?
    }

    /// A count or write-off. `cycle_count` sends `countedQuantity`; the others send `quantity`:
    /// `found` adds units, `lost` removes them, `damaged` moves them to quarantine, `scrapped`
    /// removes them from quarantine, `correction` adds or removes (`quantity` may be negative).
    struct AdjustmentRequest: Codable, Sendable {
        var adjustmentId: String
        var warehouseId: String
        var sku: String
        var reasonCode: String
        var countedQuantity: Int?
        var quantity: Int?
        var note: String?
    }

    static let reasonCodes = ["cycle_count", "found", "lost", "damaged", "scrapped", "correction"]

    struct ReservationView: Codable, Sendable {
        var lineNumber: Int
        var sku: String
        var warehouseId: String
        var quantity: Int
        var status: String
        var announced: Bool
    }

    struct BackorderView: Codable, Sendable {
        var orderId: String
        var lineNumber: Int
        var sku: String
        var quantity: Int
        var openQuantity: Int
        var status: String
        var expectedDate: String?
        var createdAt: Date
    }

    struct OrderStockView: Codable, Sendable {
        var orderId: String
        var status: String
        var shipsPartially: Bool
        /// Set when backorder filling could not announce the order (`order_body_unreadable`).
        var blockedReason: String?
        var reservations: [ReservationView]
        var backorders: [BackorderView]
    }

    static let endpoints: [Endpoint<Self>] = [
        .get("/v1/inventory/stock/:sku", [.customerService, .warehouse, .ops], "A SKU's stock per warehouse", use: showStock),
        .get("/v1/inventory/stock/:sku/movements", [.customerService, .warehouse, .ops], "A SKU's stock movements, newest first", use: listMovements),
        .get("/v1/inventory/availability", [.customerService, .warehouse, .ops], "Sellable units of SKUs per channel (?skus)", use: availability),
        .put("/v1/inventory/stock/:sku/warehouses/:code", [.warehouse, .ops], "Set a SKU's safety stock and reorder point in a warehouse", use: putStockSettings),
        .post("/v1/inventory/adjustments", [.warehouse, .ops], "Adjust on-hand stock (count, damage, loss) with a reason", use: adjust),
        .get("/v1/inventory/orders/:id", [.customerService, .warehouse, .ops], "An order's reservations and backorders", use: showOrder),
        .post("/v1/inventory/orders/:id/announce", [.ops], "Re-announce an order set aside because its stored body did not open", body: .none, use: announce),
        .get("/v1/inventory/backorders", [.warehouse, .ops], "Open backorders, oldest first", use: listBackorders),
    ]

    func showStock(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let sku = context.parameters.get("sku") ?? ""
        guard let view = try await stock(sku) else { throw APIError.notFound("stock for this SKU") }
        return try Response.json(view)
    }

    func listMovements(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        try Response.json(["movements": try await movements(context.parameters.get("sku") ?? "", request.queryDictionary)])
    }

    func availability(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let skus = (request.queryDictionary["skus"] ?? "").split(separator: ",").map(String.init).filter { !$0.isEmpty }
        guard !skus.isEmpty, skus.count <= 200 else { throw APIError.validation([.init(field: "skus", reason: "1-200 comma-separated SKUs")]) }
        return try Response.json(["skus": try await availability(skus)])
    }

    func putStockSettings(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: PlanningRequest.self, context: context)
        return try Response.json(try await plan(sku: context.parameters.get("sku") ?? "", warehouse: context.parameters.get("code") ?? "", body))
    }

    func adjust(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: AdjustmentRequest.self, context: context)
        return try await adjust(body, user: context.actingUser)
    }

    func showOrder(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        try Response.json(try await order(context.parameters.get("id") ?? ""))
    }

    func announce(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        try Response.json(try await reannounce(context.parameters.get("id") ?? ""))
    }

    func listBackorders(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let query = request.queryDictionary
        let status = query["status"] ?? "open"
        guard ["open", "filled", "cancelled"].contains(status) else { throw APIError.validation([.init(field: "status", reason: "open, filled or cancelled")]) }
        let found = try await StockViewStore.backorders(status: status, sku: query["sku"], client: runtime.database.client, logger: runtime.logger)
        return try Response.json(["backorders": found])
    }

    func stock(_ sku: String) async throws -> StockView? {
        try await StockViewStore.stock(sku, client: runtime.database.client, logger: runtime.logger)
    }

    func movements(_ sku: String, _ query: [String: String]) async throws -> [MovementView] {
        let limit = query["limit"].map { Int($0) } ?? 100
        guard let limit, (1...1_000).contains(limit) else { throw APIError.validation([.init(field: "limit", reason: "1-1000")]) }
        let before = query["beforeId"].map { Int64($0) } ?? Int64.max
        guard let before else { throw APIError.validation([.init(field: "beforeId", reason: "an integer movement id")]) }
        return try await StockViewStore.movements(sku: sku, warehouse: query["warehouse"], before: before, limit: limit, client: runtime.database.client, logger: runtime.logger)
    }

    struct Availability: Codable, Sendable {
        var sku: String
        /// False when no warehouse stocks the SKU (inventory cannot say it is sold out).
        var tracked: Bool
        var availableToSell: Int
        var soldOut: Bool
    }

    func availability(_ skus: [String]) async throws -> [Availability] {
        let found = try await StockViewStore.available(skus, client: runtime.database.client, logger: runtime.logger)
        return skus.map { sku in
            guard let available = found[sku] else { return Availability(sku: sku, tracked: false, availableToSell: 0, soldOut: false) }
            return Availability(sku: sku, tracked: true, availableToSell: available, soldOut: available <= 0)
        }
    }

    func plan(sku: String, warehouse: String, _ body: PlanningRequest) async throws -> StockView {
        var check = RequestCheck()
        check.sku(sku, "sku")
        check.code(warehouse, "warehouse")
        if let value = body.safetyStock { check.units(value, "safetyStock", allowZero: true) }
        if let value = body.reorderPoint { check.units(value, "reorderPoint", allowZero: true) }
        if let value = body.leadTimeDays, !(0...365).contains(value) { check.fail("leadTimeDays", "0-365") }
        try check.check()
        try await runtime.retryingTransaction { tx in
            try await Self.requireWarehouse(warehouse, field: "warehouse", tx: tx)
            let key = StockKey(sku: sku, warehouse: warehouse)
            let ledger = try await StockLedger.lock(skus: [sku], creating: [key], context: tx)
            ledger.setPlanning(key, safetyStock: body.safetyStock, reorderPoint: body.reorderPoint, leadTimeDays: body.leadTimeDays)
            try await ledger.flush()
        }
        return try await stock(sku)!
    }

    static func requireWarehouse(_ code: String, field: String, tx: TransactionContext) async throws {
        guard try await StockViewStore.warehouseExists(code, connection: tx.connection, logger: tx.logger) else {
            throw APIError.validation([.init(field: field, reason: "unknown warehouse")])
        }
    }

    func adjust(_ body: AdjustmentRequest, user: String) async throws -> Response {
        var check = RequestCheck()
        check.text(body.adjustmentId, "adjustmentId")
        check.code(body.warehouseId, "warehouseId")
        check.sku(body.sku, "sku")
        if let note = body.note, note.count > 500 { check.fail("note", "at most 500 characters") }
        switch body.reasonCode {
        case "cycle_count":
            if let counted = body.countedQuantity { check.units(counted, "countedQuantity", allowZero: true) } else { check.fail("countedQuantity", "required for a cycle count") }
        case "found", "lost", "damaged", "scrapped":
            if let quantity = body.quantity { check.units(quantity, "quantity") } else { check.fail("quantity", "required") }
        case "correction":
            if let quantity = body.quantity, quantity != 0, abs(quantity) <= RequestCheck.maxUnits {} else { check.fail("quantity", "a non-zero number of units, negative to remove") }
        default:
            check.fail("reasonCode", "one of \(Self.reasonCodes.joined(separator: ", "))")
        }
        try check.check()
        let replay = try await runtime.retryingTransaction { tx -> Bool in
            guard try await StockAdjustmentClaim.claim(body.adjustmentId, sku: body.sku, warehouse: body.warehouseId, reasonCode: body.reasonCode, tx: tx) else { return true }
            try await Self.requireWarehouse(body.warehouseId, field: "warehouseId", tx: tx)
            let key = StockKey(sku: body.sku, warehouse: body.warehouseId)
            let allocator = try await OrderAllocator.begin(skus: [body.sku], creating: [key], tx: tx)
            let level = allocator.ledger.level(key) ?? StockLevel()
            let cause = StockLedger.Cause(type: "count", id: body.adjustmentId)
            let reason = body.reasonCode
            switch reason {
            case "cycle_count":
                let delta = body.countedQuantity! - level.onHand
                guard delta != 0 else { break }
                try allocator.ledger.record(.adjustment, key, onHand: delta, cause: cause, reasonCode: reason, actor: user)
            case "found":
                try allocator.ledger.record(.adjustment, key, onHand: body.quantity!, cause: cause, reasonCode: reason, actor: user)
            case "lost", "damaged", "correction":
                let delta = reason == "correction" ? body.quantity! : -body.quantity!
                guard level.onHand + delta >= 0 else { throw APIError.conflict("insufficient_stock", "the warehouse holds fewer units of this SKU than the adjustment removes") }
                if reason == "damaged" {
                    try allocator.ledger.record(.quarantine, key, onHand: delta, quarantined: -delta, cause: cause, reasonCode: reason, actor: user)
                } else {
                    try allocator.ledger.record(.adjustment, key, onHand: delta, cause: cause, reasonCode: reason, actor: user)
                }
            default: // scrapped
                guard level.quarantined >= body.quantity! else { throw APIError.conflict("insufficient_quarantine", "fewer units are in quarantine than the write-off removes") }
                try allocator.ledger.record(.adjustment, key, quarantined: -body.quantity!, cause: cause, reasonCode: reason, actor: user)
            }
            if (allocator.ledger.level(key)?.onHand ?? 0) > level.onHand {
                _ = try await allocator.fillBackorders(skus: [body.sku], causedBy: nil, now: Date())
            }
            try await allocator.ledger.flush()
            return false
        }
        let view = try await stock(body.sku)
        return replay ? try Response.replayed(view) : try Response.json(view, status: .created)
    }

    /// Announces an order's unannounced reservations again, for an order backorder filling set
    /// aside because its stored body did not open (`blockedReason`), once the key is back.
    func reannounce(_ id: String) async throws -> OrderStockView {
        var check = RequestCheck()
        check.text(id, "id")
        try check.check()
        let outcome: StoredOrderUnreadable? = try await runtime.retryingTransaction { tx in
            let allocator = try await OrderAllocator.begin(skus: [], tx: tx)
            do {
                try await allocator.announce(id, cause: "backorder_filled", causedBy: nil, now: Date())
                return nil
            } catch let unreadable as StoredOrderUnreadable {
                return unreadable
            }
        }
        if outcome != nil {
            throw APIError.conflict("order_body_unreadable", "the stored order cannot be read (its personal data does not open under the key ring); see the service log")
        }
        return try await order(id)
    }

    func order(_ id: String) async throws -> OrderStockView {
        guard let view = try await StockViewStore.order(id, client: runtime.database.client, logger: runtime.logger) else { throw APIError.notFound("order") }
        return view
    }
}
