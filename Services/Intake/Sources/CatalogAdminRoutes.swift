import Foundation
import Hummingbird
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// Catalog administration: `PUT /v1/admin/products/{sku}` (the product master: each change is
/// published as `catalog.product-changed`, which fulfillment's item master applies), `GET /v1/admin/products/{sku}`,
/// `PUT /v1/admin/promotions/{id}` and `POST /v1/admin/coupons` (bulk issue). Upserts are
/// idempotent; amounts are integer fen.
struct CatalogAdminRoutes: RouteGroup {
    /// The largest price, threshold or coupon value accepted: the largest amount a channel may send.
    static let maxFen = IntakeLimits().maxAmount.minorUnits
    let runtime: ServiceRuntime

    struct ProductUpsert: Codable, Sendable {
        var name: String
        var category: String
        var barcodes: [String]?
        /// Channel -> the channel's own id for this SKU, e.g. {"marketplace": "TB100001"}.
        var outerIds: [String: String]?
        var listPriceFen: Int64
        var memberPriceFen: Int64?
        var weightGrams: Int
        var volumeCm3: Int
        var handling: HandlingAttributes?
        var active: Bool?
        /// Sold on presale: `{"depositFen": 5000, "balanceDueAt": "2026-11-11T16:00:00Z"}`; absent
        /// (or null) puts the product back on normal sale.
        var presale: PresaleTerms?
        /// VAT rate in basis points: 1300 (13 %, the default), 900, 600, 500, 300, 100 or 0.
        var taxRateBasisPoints: Int?
    }

    struct PromotionUpsert: Codable, Sendable {
        /// percentageOff | spendThreshold | buyXGetY
        var type: String
        var name: String
        var percent: Int?
        var thresholdFen: Int64?
        var reductionFen: Int64?
        var repeating: Bool?
        /// Scope of percentageOff / spendThreshold: SKUs or categories; neither means all items.
        var skus: [String]?
        var categories: [String]?
        var buySku: String?
        var buyQuantity: Int?
        var giftSku: String?
        var giftQuantity: Int?
        var exclusive: Bool?
        var priority: Int?
        var channels: [OMSDomain.Channel]?
        var active: Bool?
        var startsAt: Date?
        var endsAt: Date?
    }

    struct CouponIssue: Codable, Sendable {
        var codes: [String]
        var amountOffFen: Int64?
        var percentOff: Int?
        var minimumSpendFen: Int64?
        var stackable: Bool?
        var expiresAt: Date?
    }

    static let endpoints: [Endpoint<Self>] = [
        .put("/v1/admin/products/:sku", [.ops], "Create or replace a catalogue product", use: putProduct),
        .get("/v1/admin/products/:sku", [.ops], "One catalogue product", use: showProduct),
        .post("/v1/admin/products/republish", [.ops], "Publish products again to every service keeping a copy (body {\"skus\": [...]} or {} for all): restores an item master or a rebuilt report", use: republishProducts),
        .put("/v1/admin/promotions/:id", [.ops], "Create or replace a promotion", use: putPromotion),
        .post("/v1/admin/coupons", [.ops], "Issue coupon codes", use: issueCoupons),
    ]

    func putProduct(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let sku = context.parameters.get("sku") ?? ""
        let body = try await request.decodeJSON(as: ProductUpsert.self, context: context)
        try await upsert(sku: sku, body)
        return try Response.json(["sku": sku, "status": "saved"])
    }

    struct RepublishRequest: Codable, Sendable {
        var skus: [String]?
    }

    func republishProducts(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: RepublishRequest.self, context: context)
        if let skus = body.skus, skus.isEmpty || skus.count > 1_000 {
            throw APIError.validation([.init(field: "skus", reason: "1-1000 SKUs, or leave it out for every product")])
        }
        return try Response.json(["published": try await republish(body.skus)])
    }

    /// Publishes the products again, 500 per transaction (each with its outbox rows); the count.
    func republish(_ skus: [String]?) async throws -> Int {
        var cursor = "", published = 0
        while true {
            let after = cursor
            let batch = try await runtime.database.transaction(logger: runtime.logger) { tx -> [ProductChanged] in
                let products = try await CatalogStore.republish(after: after, skus: skus, limit: 500, now: Date(), connection: tx.connection, logger: tx.logger)
                for product in products {
                    try tx.emit(product, orderID: ProductChanged.key(sku: product.sku), topic: TopicCatalogue.catalogProducts)
                }
                return products
            }
            guard let last = batch.last else { return published }
            published += batch.count
            cursor = last.sku
        }
    }

    func showProduct(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        try Response.json(try await product(context.parameters.get("sku") ?? ""))
    }

    func putPromotion(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        let body = try await request.decodeJSON(as: PromotionUpsert.self, context: context)
        try await upsert(promotionID: id, body)
        return try Response.json(["id": id, "status": "saved"])
    }

    func issueCoupons(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: CouponIssue.self, context: context)
        let issued = try await issue(body)
        return try Response.json(["requested": body.codes.count, "issued": issued], status: .created)
    }

    func upsert(sku: String, _ p: ProductUpsert) async throws {
        var issues: [APIError.FieldError] = []
        if sku.isEmpty || sku.count > 64 || !sku.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) {
            issues.append(.init(field: "sku", reason: "1-64 letters, digits, '-' or '_'"))
        }
        if p.name.trimmingCharacters(in: .whitespaces).isEmpty { issues.append(.init(field: "name", reason: "required")) }
        if p.category.trimmingCharacters(in: .whitespaces).isEmpty { issues.append(.init(field: "category", reason: "required")) }
        for (index, code) in (p.barcodes ?? []).enumerated() where !Product.isValidEAN13(code) {
            issues.append(.init(field: "barcodes[\(index)]", reason: "must be an EAN-13 barcode with a valid check digit"))
        }
        for channel in (p.outerIds ?? [:]).keys where OMSDomain.Channel(rawValue: channel) == nil {
            issues.append(.init(field: "outerIds.\(channel)", reason: "unknown channel"))
        }
        // Prices are bounded like every amount a channel may send, so pricing's line totals
        // (price x at most 999 units x at most 200 lines) can never overflow.
        if p.listPriceFen < 0 || p.listPriceFen > Self.maxFen { issues.append(.init(field: "listPriceFen", reason: "must be between 0 and \(Self.maxFen)")) }
        if let member = p.memberPriceFen, member < 0 || member > p.listPriceFen { issues.append(.init(field: "memberPriceFen", reason: "must be between 0 and listPriceFen")) }
        if p.weightGrams <= 0 { issues.append(.init(field: "weightGrams", reason: "must be > 0")) }
        if p.volumeCm3 <= 0 { issues.append(.init(field: "volumeCm3", reason: "must be > 0")) }
        if let rate = p.taxRateBasisPoints, ![0, 100, 300, 500, 600, 900, 1300].contains(rate) {
            issues.append(.init(field: "taxRateBasisPoints", reason: "one of 1300, 900, 600, 500, 300, 100, 0 (VAT rate in basis points)"))
        }
        if let presale = p.presale, presale.depositFen <= 0 || presale.depositFen >= p.listPriceFen {
            issues.append(.init(field: "presale.depositFen", reason: "must be > 0 and below listPriceFen"))
        }
        guard issues.isEmpty else { throw APIError.validation(issues) }
        let codes = (p.barcodes ?? []).map { ("barcode", $0) } + (p.outerIds ?? [:]).sorted { $0.key < $1.key }.map { ("outer:\($0.key)", $0.value) }
        // The catalog is the product master: the change and its announcement commit together.
        try await runtime.database.transaction(logger: runtime.logger) { tx in
            let version = try await CatalogStore.saveProduct(sku: sku, p, codes: codes, connection: tx.connection, logger: tx.logger)
            let changed = ProductChanged(sku: sku, name: p.name, category: p.category, barcodes: p.barcodes ?? [], weightGrams: p.weightGrams,
                                         volumeCubicCentimetres: p.volumeCm3, handling: p.handling ?? HandlingAttributes(), active: p.active ?? true,
                                         version: version, changedAt: Date())
            try tx.emit(changed, orderID: ProductChanged.key(sku: sku), topic: TopicCatalogue.catalogProducts)
        }
    }

    func product(_ sku: String) async throws -> ProductUpsert {
        let found = try await runtime.database.client.withConnection { try await CatalogStore.product(sku: sku, connection: $0, logger: runtime.logger) }
        guard let product = found else { throw APIError.notFound("product") }
        return product
    }

    func upsert(promotionID id: String, _ p: PromotionUpsert) async throws {
        var issues: [APIError.FieldError] = []
        if id.isEmpty || id.count > 64 { issues.append(.init(field: "id", reason: "1-64 characters")) }
        let scope: Promotion.Scope = p.skus.map { .skus($0) } ?? p.categories.map { .categories($0) } ?? .allItems
        var kind: Promotion.Kind?
        switch p.type {
        case "percentageOff":
            if let percent = p.percent, (1...99).contains(percent) { kind = .percentageOff(percent: percent, scope: scope) }
            else { issues.append(.init(field: "percent", reason: "required, 1-99")) }
        case "spendThreshold":
            if let threshold = p.thresholdFen, let reduction = p.reductionFen, threshold > 0, reduction > 0, reduction <= threshold, threshold <= Self.maxFen {
                kind = .spendThreshold(threshold: .fen(threshold), reduction: .fen(reduction), repeating: p.repeating ?? false, scope: scope)
            } else { issues.append(.init(field: "thresholdFen", reason: "thresholdFen and reductionFen required, 0 < reduction <= threshold <= \(Self.maxFen)")) }
        case "buyXGetY":
            if let buy = p.buySku, let gift = p.giftSku, let x = p.buyQuantity, let y = p.giftQuantity, x > 0, y > 0 {
                kind = .buyXGetY(sku: buy, buyQuantity: x, giftSKU: gift, giftQuantity: y)
            } else { issues.append(.init(field: "buySku", reason: "buySku, buyQuantity > 0, giftSku, giftQuantity > 0 required")) }
        default:
            issues.append(.init(field: "type", reason: "one of percentageOff, spendThreshold, buyXGetY"))
        }
        if let starts = p.startsAt, let ends = p.endsAt, ends <= starts { issues.append(.init(field: "endsAt", reason: "must be after startsAt")) }
        guard issues.isEmpty, let kind else { throw APIError.validation(issues) }
        let promotion = Promotion(id: id, name: p.name, kind: kind, exclusive: p.exclusive ?? false, priority: p.priority ?? 100, channels: p.channels ?? [])
        try await runtime.database.client.withConnection {
            try await CatalogStore.savePromotion(promotion, active: p.active ?? true, startsAt: p.startsAt, endsAt: p.endsAt, connection: $0, logger: runtime.logger)
        }
    }

    /// Issues coupons; codes that already exist are left as they are. Returns how many were new.
    func issue(_ c: CouponIssue) async throws -> Int {
        var issues: [APIError.FieldError] = []
        if c.codes.isEmpty || c.codes.count > 10_000 { issues.append(.init(field: "codes", reason: "1-10000 codes")) }
        for (index, code) in c.codes.enumerated() where code.isEmpty || code.count > 64 {
            issues.append(.init(field: "codes[\(index)]", reason: "1-64 characters"))
        }
        var value: Coupon.Value?
        switch (c.amountOffFen, c.percentOff) {
        case (let amount?, nil) where amount > 0 && amount <= Self.maxFen: value = .amountOff(.fen(amount))
        case (nil, let percent?) where (1...100).contains(percent): value = .percentOff(percent)
        default: issues.append(.init(field: "amountOffFen", reason: "exactly one of amountOffFen 1-\(Self.maxFen) or percentOff 1-100"))
        }
        if let minimum = c.minimumSpendFen, minimum < 0 || minimum > Self.maxFen { issues.append(.init(field: "minimumSpendFen", reason: "must be between 0 and \(Self.maxFen)")) }
        guard issues.isEmpty, let value else { throw APIError.validation(issues) }
        let definitions = try c.codes.map { code in
            String(decoding: try EventCoding.encode(Coupon(code: code, value: value, minimumSpend: .fen(c.minimumSpendFen ?? 0), stackable: c.stackable ?? true)), as: UTF8.self)
        }
        return try await runtime.database.client.withConnection {
            try await CatalogStore.issueCoupons(c.codes, definitions: definitions, expiresAt: c.expiresAt, connection: $0, logger: runtime.logger)
        }
    }
}
