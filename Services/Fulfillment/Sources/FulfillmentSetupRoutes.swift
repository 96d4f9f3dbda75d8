import Foundation
import Hummingbird
import OMSDomain
import OMSPlatform
import PostgresNIO

/// Warehouse set-up for operations staff: how a warehouse works and packs
/// (`PUT|GET /v1/fulfillment/warehouses/{code}`), the item master (`PUT|GET /v1/fulfillment/items/{sku}`)
/// and where SKUs are slotted (`PUT /v1/fulfillment/warehouses/{code}/locations`).
struct FulfillmentSetupRoutes: RouteGroup {
    let runtime: ServiceRuntime
    let configuration: FulfillmentConfiguration

    struct WarehouseRequest: Codable, Sendable {
        var automatic: Bool
        var waveMaxOrders: Int?
        var waveWindowSeconds: Int?
        var promotionCardMinimumFen: Int64?
        /// 合单 window (0-86400 s; 0 or absent: orders are never merged). Manual warehouses only.
        var mergeWindowSeconds: Int?
        /// Replaces the warehouse's carton set when given; empty means the standard set.
        var cartons: [Carton]?
    }

    struct ItemRequest: Codable, Sendable {
        var name: String
        var barcodes: [String]
        var weightGrams: Int
        var volumeCm3: Int
        var handling: HandlingAttributes?
    }

    struct SlotRequest: Codable, Sendable {
        struct Slot: Codable, Sendable {
            var sku: String
            var zone: String
            var aisle: Int
            var bin: Int
        }
        var locations: [Slot]
    }

    static let endpoints: [Endpoint<Self>] = [
        .put("/v1/fulfillment/warehouses/:code", [.ops], "Set a warehouse's wave settings and capacity", use: putWarehouse),
        .get("/v1/fulfillment/warehouses/:code", [.warehouse, .ops], "One warehouse's wave settings and capacity", use: showWarehouse),
        .put("/v1/fulfillment/items/:sku", [.ops], "Set an item's handling attributes", use: putItem),
        .get("/v1/fulfillment/items/:sku", [.warehouse, .ops], "One item's handling attributes and locations", use: showItem),
        .put("/v1/fulfillment/warehouses/:code/locations", [.ops], "Set the bin locations of a warehouse's items", use: putLocations),
    ]

    func putWarehouse(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let code = context.parameters.get("code") ?? ""
        let body = try await request.decodeJSON(as: WarehouseRequest.self, context: context)
        var check = RequestCheck()
        check.code(code, "code")
        let maxOrders = body.waveMaxOrders ?? configuration.waveMaxOrders
        let window = body.waveWindowSeconds ?? configuration.waveWindowSeconds
        if !(1...500).contains(maxOrders) { check.fail("waveMaxOrders", "1-500") }
        if !(1...86_400).contains(window) { check.fail("waveWindowSeconds", "1-86400") }
        if let card = body.promotionCardMinimumFen, card < 0 || card > 100_000_000 { check.fail("promotionCardMinimumFen", "0-100000000 fen") }
        if let merge = body.mergeWindowSeconds, !(0...86_400).contains(merge) { check.fail("mergeWindowSeconds", "0-86400") }
        if body.automatic, (body.mergeWindowSeconds ?? 0) > 0 { check.fail("mergeWindowSeconds", "an automatic warehouse packs each order at once: merging needs waves") }
        let cartons = body.cartons ?? []
        if cartons.count > 50 { check.fail("cartons", "at most 50") }
        for (index, carton) in cartons.enumerated() {
            check.code(carton.code, "cartons[\(index)].code")
            for (field, value) in [("lengthMm", carton.lengthMm), ("widthMm", carton.widthMm), ("heightMm", carton.heightMm)] where !(1...3_000).contains(value) {
                check.fail("cartons[\(index)].\(field)", "1-3000 mm")
            }
            if !(1...100_000).contains(carton.maxWeightGrams) { check.fail("cartons[\(index)].maxWeightGrams", "1-100000 g") }
            if carton.tareGrams < 0 || carton.tareGrams >= carton.maxWeightGrams { check.fail("cartons[\(index)].tareGrams", "0 up to below maxWeightGrams") }
        }
        if Set(cartons.map(\.code)).count != cartons.count { check.fail("cartons", "one carton per code") }
        try check.check()
        try await runtime.database.transaction(logger: runtime.logger) { tx in
            try await FulfillmentSetupStore.saveWarehouse(code, automatic: body.automatic, waveMaxOrders: maxOrders, waveWindowSeconds: window, mergeWindowSeconds: body.mergeWindowSeconds ?? 0,
                                                          promotionCardMinimumFen: body.promotionCardMinimumFen ?? configuration.promotionCardMinimumFen,
                                                          cartons: body.cartons, connection: tx.connection, logger: tx.logger)
        }
        return try Response.json(try await settings(code))
    }

    func showWarehouse(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        try Response.json(try await settings(context.parameters.get("code") ?? ""))
    }

    func putItem(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let sku = context.parameters.get("sku") ?? ""
        let body = try await request.decodeJSON(as: ItemRequest.self, context: context)
        var check = RequestCheck()
        check.sku(sku, "sku")
        check.text(body.name, "name", max: 200)
        if body.barcodes.isEmpty || body.barcodes.count > 10 { check.fail("barcodes", "1-10 barcodes") }
        for (index, code) in body.barcodes.enumerated() where !Product.isValidEAN13(code) { check.fail("barcodes[\(index)]", "not a valid EAN-13 (13 digits, check digit)") }
        if !(1...1_000_000).contains(body.weightGrams) { check.fail("weightGrams", "1-1000000 g") }
        if !(1...10_000_000).contains(body.volumeCm3) { check.fail("volumeCm3", "1-10000000 cm3") }
        try check.check()
        let handling = body.handling ?? HandlingAttributes()
        let taken = try await runtime.database.transaction(logger: runtime.logger) { tx -> [String] in
            let taken = try await FulfillmentSetupStore.barcodesOfOtherItems(body.barcodes, than: sku, connection: tx.connection, logger: tx.logger)
            guard taken.isEmpty else { return taken }
            try await FulfillmentSetupStore.saveItem(ItemRecord(sku: sku, name: body.name, barcodes: body.barcodes, weightGrams: body.weightGrams, volumeCm3: body.volumeCm3,
                                                                handling: handling), connection: tx.connection, logger: tx.logger)
            return []
        }
        guard taken.isEmpty else {
            throw APIError(.conflict, code: "barcode_taken", message: "a barcode already belongs to another SKU",
                           fields: taken.map { .init(field: "barcodes", reason: "\($0) belongs to another SKU") })
        }
        return try Response.json(ItemRecord(sku: sku, name: body.name, barcodes: body.barcodes, weightGrams: body.weightGrams, volumeCm3: body.volumeCm3, handling: handling))
    }

    func showItem(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let sku = context.parameters.get("sku") ?? ""
        let items = try await runtime.database.client.withConnection { try await ItemRecord.load([sku], connection: $0, logger: runtime.logger) }
        guard let item = items[sku] else { throw APIError.notFound("item") }
        return try Response.json(item)
    }

    func putLocations(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let code = context.parameters.get("code") ?? ""
        let body = try await request.decodeJSON(as: SlotRequest.self, context: context)
        var check = RequestCheck()
        check.code(code, "code")
        if body.locations.isEmpty || body.locations.count > 5_000 { check.fail("locations", "1-5000 locations") }
        for (index, slot) in body.locations.enumerated() {
            check.sku(slot.sku, "locations[\(index)].sku")
            check.code(slot.zone, "locations[\(index)].zone")
            if !(1...999).contains(slot.aisle) { check.fail("locations[\(index)].aisle", "1-999") }
            if !(1...9_999).contains(slot.bin) { check.fail("locations[\(index)].bin", "1-9999") }
        }
        if Set(body.locations.map(\.sku)).count != body.locations.count { check.fail("locations", "one location per SKU") }
        try check.check()
        let slots = body.locations
        try await FulfillmentSetupStore.saveLocations(code, slots, client: runtime.database.client, logger: runtime.logger)
        return try Response.json(["warehouseId": code, "saved": "\(slots.count)"])
    }

    private func settings(_ code: String) async throws -> WarehouseSettings {
        try await runtime.database.client.withConnection { connection in
            try await WarehouseSettings.load([code], defaults: configuration, connection: connection, logger: runtime.logger)[code]!
        }
    }
}
