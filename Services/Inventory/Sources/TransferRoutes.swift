import Foundation
import Hummingbird
import OMSDomain
import OMSPlatform
import PostgresNIO

/// Transfers between warehouses (调拨): `POST /v1/inventory/transfers` (request),
/// `POST /v1/inventory/transfers/{id}/ship` (source on-hand down, destination in-transit up; only
/// from available-to-sell, so a transfer never takes reserved stock), `.../receive` (destination
/// in-transit down, on-hand up, backorders filled), `.../cancel` (only before shipping) and
/// `GET /v1/inventory/transfers/{id}`. Invariant: each step happens once; repeating it is a replay.
struct TransferRoutes: RouteGroup {
    let runtime: ServiceRuntime

    struct TransferRequest: Codable, Sendable {
        var transferId: String
        var fromWarehouse: String
        var toWarehouse: String
        var lines: [QuantityLine]
        var expectedAt: Date?
    }

    struct TransferView: Codable, Sendable {
        var transferId: String
        var fromWarehouse: String
        var toWarehouse: String
        var status: String
        var lines: [QuantityLine]
        var expectedAt: Date?
    }

    static let endpoints: [Endpoint<Self>] = [
        .post("/v1/inventory/transfers", [.warehouse, .ops], "Create a stock transfer between warehouses", use: createTransfer),
        .get("/v1/inventory/transfers/:id", [.warehouse, .ops], "One stock transfer between warehouses", use: showTransfer),
        .post("/v1/inventory/transfers/:id/ship", [.warehouse, .ops], "Ship a transfer from its origin", body: .none, use: shipTransfer),
        .post("/v1/inventory/transfers/:id/receive", [.warehouse, .ops], "Receive a shipped transfer at its destination", body: .none, use: receiveTransfer),
        .post("/v1/inventory/transfers/:id/cancel", [.warehouse, .ops], "Cancel a transfer before it ships", body: .none, use: cancelTransfer),
    ]

    func createTransfer(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: TransferRequest.self, context: context)
        return try await create(body, user: context.actingUser)
    }

    func showTransfer(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        guard let view = try await runtime.database.client.withConnection({ try await transfer(context.parameters.get("id") ?? "", on: $0, lock: false) }) else {
            throw APIError.notFound("transfer")
        }
        return try Response.json(view)
    }

    func shipTransfer(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        try await advance(context.parameters.get("id") ?? "", step: "ship", user: context.actingUser)
    }

    func receiveTransfer(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        try await advance(context.parameters.get("id") ?? "", step: "receive", user: context.actingUser)
    }

    func cancelTransfer(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        try await advance(context.parameters.get("id") ?? "", step: "cancel", user: context.actingUser)
    }

    func transfer(_ id: String, on connection: PostgresConnection, lock: Bool) async throws -> TransferView? {
        try await TransferStore.find(id, lock: lock, connection: connection, logger: runtime.logger)
    }

    func create(_ body: TransferRequest, user: String) async throws -> Response {
        var check = RequestCheck()
        check.text(body.transferId, "transferId")
        check.code(body.fromWarehouse, "fromWarehouse")
        check.code(body.toWarehouse, "toWarehouse")
        if body.fromWarehouse == body.toWarehouse { check.fail("toWarehouse", "must differ from fromWarehouse") }
        check.lines(body.lines)
        try check.check()
        let lines = body.lines.sorted { $0.sku < $1.sku }
        let (view, created) = try await runtime.retryingTransaction { tx -> (TransferView, Bool) in
            if let existing = try await transfer(body.transferId, on: tx.connection, lock: false) {
                guard existing.fromWarehouse == body.fromWarehouse, existing.toWarehouse == body.toWarehouse, existing.lines == lines else {
                    throw APIError.conflict("transfer_id_reused", "a different transfer already has this id")
                }
                return (existing, false)
            }
            try await StockRoutes.requireWarehouse(body.fromWarehouse, field: "fromWarehouse", tx: tx)
            try await StockRoutes.requireWarehouse(body.toWarehouse, field: "toWarehouse", tx: tx)
            let requested = TransferView(transferId: body.transferId, fromWarehouse: body.fromWarehouse, toWarehouse: body.toWarehouse, status: "requested", lines: lines,
                                         expectedAt: body.expectedAt)
            try await TransferStore.create(requested, requestedBy: user, connection: tx.connection, logger: tx.logger)
            return (requested, true)
        }
        return created ? try Response.json(view, status: .created) : try Response.replayed(view)
    }

    func advance(_ id: String, step: String, user: String) async throws -> Response {
        let (target, from) = switch step {
        case "ship": ("in_transit", "requested")
        case "receive": ("received", "in_transit")
        default: ("cancelled", "requested")
        }
        let (view, replay) = try await runtime.retryingTransaction { tx -> (TransferView, Bool) in
            // Stock rows first, then the transfer row: the lock order every stock change uses.
            guard let peek = try await transfer(id, on: tx.connection, lock: false) else { throw APIError.notFound("transfer") }
            let keys = Set(peek.lines.flatMap { [StockKey(sku: $0.sku, warehouse: peek.fromWarehouse), StockKey(sku: $0.sku, warehouse: peek.toWarehouse)] })
            let allocator = try await OrderAllocator.begin(skus: Set(peek.lines.map(\.sku)), creating: keys, tx: tx)
            guard var transfer = try await transfer(id, on: tx.connection, lock: true) else { throw APIError.notFound("transfer") }
            if transfer.status == target { return (transfer, true) }
            guard transfer.status == from else { throw APIError.conflict("transfer_\(transfer.status)", "the transfer is \(transfer.status); it cannot \(step)") }
            let cause = StockLedger.Cause(type: "transfer", id: id)
            let now = Date()
            switch step {
            case "ship":
                var short: [APIError.FieldError] = []
                for (index, line) in transfer.lines.enumerated() {
                    let available = allocator.ledger.level(StockKey(sku: line.sku, warehouse: transfer.fromWarehouse))?.reservable ?? 0
                    if available < line.quantity { short.append(.init(field: "lines[\(index)].quantity", reason: "only \(available) available to move")) }
                }
                if !short.isEmpty { throw APIError(.conflict, code: "insufficient_stock", message: "the source warehouse cannot spare these units", fields: short) }
                for line in transfer.lines {
                    try allocator.ledger.record(.transferOut, StockKey(sku: line.sku, warehouse: transfer.fromWarehouse), onHand: -line.quantity, cause: cause, actor: user)
                    try allocator.ledger.record(.transferOut, StockKey(sku: line.sku, warehouse: transfer.toWarehouse), inTransit: line.quantity, cause: cause, actor: user)
                }
                try await TransferStore.markShipped(id, at: now, connection: tx.connection, logger: tx.logger)
            case "receive":
                for line in transfer.lines {
                    try allocator.ledger.record(.transferIn, StockKey(sku: line.sku, warehouse: transfer.toWarehouse), onHand: line.quantity, inTransit: -line.quantity, cause: cause, actor: user)
                }
                try await TransferStore.markReceived(id, at: now, connection: tx.connection, logger: tx.logger)
                _ = try await allocator.fillBackorders(skus: Set(transfer.lines.map(\.sku)), causedBy: nil, now: now)
            default:
                try await TransferStore.markCancelled(id, connection: tx.connection, logger: tx.logger)
            }
            try await allocator.ledger.flush(now: now)
            transfer.status = target
            return (transfer, false)
        }
        return replay ? try Response.replayed(view) : try Response.json(view)
    }
}
