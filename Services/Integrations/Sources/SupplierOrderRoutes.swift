import Foundation
import Hummingbird
import OMSPlatform

/// `GET /v1/integrations/supplier-orders[?status=pending|sent|failed]`: which approved purchase
/// orders went to their suppliers, which wait and which failed (with the last error). Read-only.
struct SupplierOrderRoutes: RouteGroup {
    let runtime: ServiceRuntime

    static let endpoints: [Endpoint<Self>] = [
        .get("/v1/integrations/supplier-orders", [.ops], "Purchase orders e-mailed to suppliers, pending or failed", use: list),
    ]

    func list(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let status = request.queryDictionary["status"]
        if let status, !["pending", "sent", "failed"].contains(status) { throw APIError.validation([.init(field: "status", reason: "pending, sent or failed")]) }
        let found = try await runtime.database.client.withConnection { try await SupplierOrderStore.list(status: status, connection: $0, logger: runtime.logger) }
        return try Response.json(["supplierOrders": found])
    }
}
