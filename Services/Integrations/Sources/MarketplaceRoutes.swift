import Foundation
import Hummingbird
import OMSPlatform

/// Ops follow what the marketplaces were told and keep the stock feed's listings:
/// - `GET /v1/integrations/ship-backs?status=&orderId=&limit=`, `GET …/ship-backs/{shipmentId}`,
///   `POST …/ship-backs/{shipmentId}/retry` (a failed one, with fresh attempts);
/// - `GET /v1/integrations/stock-listings?platform=&sku=&limit=`, `PUT …/stock-listings/{platform}/{sku}`
///   (`itemId`, `platformSkuId`: the SKU is sold there under that listing; its quantity is pushed at
///   once), `POST …/stock-listings/{platform}/{sku}/unlist`, `POST /v1/integrations/stock-listings/sync`
///   (a full sync now: every listing's latest quantity again).
struct MarketplaceRoutes: RouteGroup {
    let runtime: ServiceRuntime

    static let endpoints: [Endpoint<Self>] = [
        .get("/v1/integrations/ship-backs", [.ops, .customerService], "Marketplace ship-backs (?status, orderId, limit): what each platform was told of each parcel", use: list),
        .get("/v1/integrations/ship-backs/:shipmentId", [.ops, .customerService], "One parcel's ship-back: status, attempts, the platform's last code", use: show),
        .post("/v1/integrations/ship-backs/:shipmentId/retry", [.ops], "Send a failed ship-back again, with fresh attempts", body: .none, use: retry),
        .get("/v1/integrations/stock-listings", [.ops], "SKUs fed to marketplaces (?platform, sku, limit) with the quantity last pushed", use: listings),
        .put("/v1/integrations/stock-listings/:platform/:sku", [.ops], "List a SKU on a platform under its listing id; its quantity is pushed at once", use: putListing),
        .post("/v1/integrations/stock-listings/:platform/:sku/unlist", [.ops], "Stop feeding a SKU's quantity to a platform", body: .none, use: unlist),
        .post("/v1/integrations/stock-listings/sync", [.ops], "Full sync now: every listing's latest quantity is pushed again", body: .none, use: sync),
    ]

    /// What ops send to list a SKU.
    struct ListingRequest: Codable, Sendable {
        var itemId: String
        var platformSkuId: String?
    }

    func list(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let query = request.queryDictionary
        var check = RequestCheck()
        if let status = query["status"], !ShipBackStore.statuses.contains(status) { check.fail("status", "one of \(ShipBackStore.statuses.joined(separator: ", "))") }
        if let order = query["orderId"], order.isEmpty || order.count > 64 { check.fail("orderId", "1-64 characters") }
        let limit = Self.limit(query, &check)
        try check.check()
        let logger = runtime.logger
        let rows = try await runtime.database.client.withConnection {
            try await ShipBackStore.list(status: query["status"], orderID: query["orderId"], limit: limit, connection: $0, logger: logger)
        }
        return try Response.json(["shipBacks": rows])
    }

    func show(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        try Response.json(try await shipBack(try Self.shipmentID(context)))
    }

    func retry(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let id = try Self.shipmentID(context)
        let requeued = try await runtime.retryingTransaction { tx in try await ShipBackStore.retry(id, connection: tx.connection, logger: tx.logger) }
        let view = try await shipBack(id)
        guard requeued else { throw APIError.conflict("not_retryable", "the ship-back of \(id) is \(view.status); only a failed one is sent again") }
        runtime.logger.notice("failed ship-back queued again", metadata: ["shipmentId": "\(id)", "by": "\(context.actingUser)"])
        return try Response.json(view, status: .accepted)
    }

    func listings(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let query = request.queryDictionary
        var check = RequestCheck()
        if let platform = query["platform"], !MarketplaceGateways.platforms.contains(platform) { check.fail("platform", "one of \(MarketplaceGateways.platforms.joined(separator: ", "))") }
        if let sku = query["sku"], sku.isEmpty || sku.count > 64 { check.fail("sku", "1-64 characters") }
        let limit = Self.limit(query, &check)
        try check.check()
        let logger = runtime.logger
        let rows = try await runtime.database.client.withConnection {
            try await StockFeedStore.listings(platform: query["platform"], sku: query["sku"], limit: limit, connection: $0, logger: logger)
        }
        return try Response.json(["listings": rows])
    }

    func putListing(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let (platform, sku) = try Self.listingKey(context)
        let body = try await request.decodeJSON(as: ListingRequest.self, context: context)
        var check = RequestCheck()
        if body.itemId.isEmpty || body.itemId.count > 64 || !body.itemId.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) {
            check.fail("itemId", "the platform's listing id: 1-64 letters, digits, - or _")
        }
        if let id = body.platformSkuId, id.isEmpty || id.count > 64 || !id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) {
            check.fail("platformSkuId", "the platform's SKU id: 1-64 letters, digits, - or _")
        }
        if platform == "jd" && body.platformSkuId == nil && !body.itemId.allSatisfy(\.isNumber) { check.fail("platformSkuId", "JD's numeric skuId is required") }
        try check.check()
        let user = context.actingUser
        try await runtime.retryingTransaction { tx in
            try await StockFeedStore.upsertListing(platform: platform, sku: sku, itemId: body.itemId, platformSkuId: body.platformSkuId, by: user,
                                                   connection: tx.connection, logger: tx.logger)
        }
        let logger = runtime.logger
        let rows = try await runtime.database.client.withConnection {
            try await StockFeedStore.listings(platform: platform, sku: sku, limit: 1, connection: $0, logger: logger)
        }
        return try Response.json(rows.first)
    }

    func unlist(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let (platform, sku) = try Self.listingKey(context)
        let deleted = try await runtime.retryingTransaction { tx in
            try await StockFeedStore.deleteListing(platform: platform, sku: sku, connection: tx.connection, logger: tx.logger)
        }
        guard deleted else { throw APIError(.notFound, code: "listing_not_found", message: "\(sku) is not listed on \(platform)") }
        return try Response.json(["platform": platform, "sku": sku, "status": "unlisted"])
    }

    func sync(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let count = try await runtime.retryingTransaction { tx in try await StockFeedStore.forceAll(connection: tx.connection, logger: tx.logger) }
        runtime.logger.notice("stock feed full sync requested", metadata: ["listings": "\(count)", "by": "\(context.actingUser)"])
        return try Response.json(["queued": "\(count)"], status: .accepted)
    }

    // MARK: helpers

    private func shipBack(_ id: String) async throws -> ShipBackStore.View {
        let logger = runtime.logger
        guard let view = try await runtime.database.client.withConnection({ try await ShipBackStore.find(id, connection: $0, logger: logger) }) else {
            throw APIError(.notFound, code: "ship_back_not_found", message: "no ship-back for shipment \(id)")
        }
        return view
    }

    static func shipmentID(_ context: OMSRequestContext) throws -> String {
        let id = context.parameters.get("shipmentId") ?? ""
        guard !id.isEmpty, id.count <= 64 else { throw APIError(.notFound, code: "ship_back_not_found", message: "no ship-back for that shipment") }
        return id
    }

    static func listingKey(_ context: OMSRequestContext) throws -> (String, String) {
        let platform = context.parameters.get("platform") ?? "", sku = context.parameters.get("sku") ?? ""
        var check = RequestCheck()
        if !MarketplaceGateways.platforms.contains(platform) { check.fail("platform", "one of \(MarketplaceGateways.platforms.joined(separator: ", "))") }
        if sku.isEmpty || sku.count > 64 { check.fail("sku", "1-64 characters") }
        try check.check()
        return (platform, sku)
    }

    static func limit(_ query: [String: String], _ check: inout RequestCheck) -> Int {
        guard let raw = query["limit"] else { return 100 }
        guard let limit = Int(raw), (1...1_000).contains(limit) else {
            check.fail("limit", "1-1000")
            return 100
        }
        return limit
    }
}
