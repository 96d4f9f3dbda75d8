import Foundation
import Hummingbird
import OMSDomain
import OMSPlatform
import PostgresNIO

/// The supplier master and reorder points from sales: `PUT /v1/inventory/suppliers/{code}`
/// (create or replace a supplier with what it sells), `GET /v1/inventory/suppliers[/{code}]`, and
/// `POST /v1/inventory/reorder-points/recompute` (`ReorderPointRule` over the last 28 days of
/// reservations and the preferred supplier's lead time). Invariant: a supplier's SKUs are
/// replaced whole; a recomputation only raises or lowers points of SKUs that sold in the window.
struct SupplierRoutes: RouteGroup {
    let runtime: ServiceRuntime

    /// A supplier as sent: everything but the code, which is the path's.
    struct SupplierRequest: Codable, Sendable {
        var name: String
        var email: String
        var phone: String?
        var leadTimeDays: Int
        var minimumOrderFen: Int64?
        var shipsToWarehouseId: String
        var items: [Supplier.Item]
    }

    /// One reorder point the recomputation changed.
    struct ReorderPointChange: Codable, Sendable {
        var sku: String
        var warehouseId: String
        var before: Int
        var after: Int
        var leadTimeDays: Int
        /// Units reserved over the window, for the reader to check the figure.
        var unitsInWindow: Int
    }

    struct RecomputeAnswer: Codable, Sendable {
        var changes: [ReorderPointChange]
        var windowDays: Int
        var serviceFactor: Double
    }

    static let endpoints: [Endpoint<Self>] = [
        .get("/v1/inventory/suppliers", [.ops, .warehouse], "The supplier master", use: list),
        .get("/v1/inventory/suppliers/:code", [.ops, .warehouse], "One supplier and the SKUs it sells", use: show),
        .put("/v1/inventory/suppliers/:code", [.ops], "Create or replace a supplier (contact, lead time, minimum order, SKUs at cost)", use: save),
        .post("/v1/inventory/reorder-points/recompute", [.ops], "Set reorder points from the last 28 days of sales and the suppliers' lead times",
              body: .none, use: recompute),
    ]

    func list(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let suppliers = try await runtime.database.client.withConnection { try await SupplierStore.suppliers(connection: $0, logger: runtime.logger) }
        return try Response.json(["suppliers": suppliers])
    }

    func show(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let code = context.parameters.get("code") ?? ""
        guard let supplier = try await runtime.database.client.withConnection({ try await SupplierStore.supplier(code, connection: $0, logger: runtime.logger) }) else {
            throw APIError.notFound("supplier")
        }
        return try Response.json(supplier)
    }

    func save(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let code = context.parameters.get("code") ?? ""
        let body = try await request.decodeJSON(as: SupplierRequest.self, context: context)
        let supplier = Supplier(code: code, name: body.name, email: body.email, phone: body.phone, leadTimeDays: body.leadTimeDays,
                                minimumOrderFen: body.minimumOrderFen ?? 0, shipsToWarehouseId: body.shipsToWarehouseId, items: body.items)
        var check = RequestCheck()
        check.code(code, "code")
        let problems = check.problems + supplier.problems()
        if !problems.isEmpty { throw APIError.validation(problems) }
        let user = context.actingUser
        try await runtime.retryingTransaction { tx in
            try await StockRoutes.requireWarehouse(supplier.shipsToWarehouseId, field: "shipsToWarehouseId", tx: tx)
            try await SupplierStore.save(supplier, by: user, connection: tx.connection, logger: tx.logger)
        }
        let saved = try await runtime.database.client.withConnection { try await SupplierStore.supplier(code, connection: $0, logger: runtime.logger) }
        return try Response.json(saved)
    }

    func recompute(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let changes = try await runtime.retryingTransaction { tx in
            try await ReorderPointStore.recompute(now: Date(), connection: tx.connection, logger: tx.logger)
        }
        runtime.logger.notice("reorder points recomputed", metadata: ["by": "\(context.actingUser)", "changed": "\(changes.count)"])
        return try Response.json(RecomputeAnswer(changes: changes, windowDays: ReorderPointRule.windowDays, serviceFactor: ReorderPointRule.serviceFactor))
    }
}
