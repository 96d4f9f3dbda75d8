import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import IntakeService
import OMSDomain
import OMSOps
import OMSPlatform
import PostgresNIO
import ServiceLifecycle
import Testing

/// One product master (issue 29, part 6): a product created once in intake's catalog reaches
/// fulfillment's item master through `catalog.product-changed` and ships; an order whose SKU the item
/// master lacks is visible as blocked (its timeline, its details, `omsctl status`) and packs as soon
/// as the catalog publishes the product again.
@Suite("Product master: one registration in the catalog, item master fed by events, blocked packing visible", .serialized)
struct ProductMasterTests {
    /// A valid EAN-13 for `twelve` digits (the check digit appended).
    static func ean13(_ twelve: String) -> String {
        let digits = twelve.utf8.map { Int($0) - 48 }
        let sum = digits.enumerated().reduce(0) { $0 + $1.element * ($1.offset % 2 == 0 ? 1 : 3) }
        return twelve + String((10 - sum % 10) % 10)
    }

    /// The demo hoodie's catalog entry under another SKU: same price and category, so the web
    /// example's total (and its payment) stay right.
    static func productBody(copying hoodie: [String: Any], barcode: String, weightGrams: Int, category: String? = nil) throws -> [UInt8] {
        var body = hoodie
        if let category { body["category"] = category }
        body["name"] = "主数据测试卫衣 藏青 L"
        body["barcodes"] = [barcode]
        body["outerIds"] = [String: String]()
        body["weightGrams"] = weightGrams
        return Array(try JSONSerialization.data(withJSONObject: body))
    }

    /// The web example with its hoodie line replaced by `sku`, under a new order number.
    static func webOrder(sku: String, number: String) throws -> [UInt8] {
        var order = try JSONSerialization.jsonObject(with: Data(try IntakeEndToEndTests.example("web"))) as! [String: Any]
        order["orderNumber"] = number
        var lines = order["lines"] as! [[String: Any]]
        lines[0]["sku"] = sku
        order["lines"] = lines
        return Array(try JSONSerialization.data(withJSONObject: order))
    }

    @Test("a product registered once in the catalog is packed and shipped; insights takes its category; a SKU missing from the item master blocks visibly and packs once the catalog republishes it")
    func productMaster() async throws {
        try await withIntakeWorld { world in
            let (intake, edge) = try world.liveIntake()
            let (insightsApp, insights) = try world.liveInsights()
            try await world.running([intake, try world.riskApplication(), insightsApp], readyAt: [edge, insights]) {
                try await world.withStages(inventory: true, fulfillment: ["OMS_FULFILLMENT_DEFAULT_MODE": "automatic", "OMS_WAVE_CHECK_SECONDS": "1"],
                                           logistics: LogisticsFlowTests.signingEnvironment) { stages in
                    let inventory = stages.inventory!
                    try await LogisticsFlowTests.setUpOrigins(stages.logistics!)
                    try await InventoryFixtures.setUpWarehouses(inventory)
                    let items = "\(world.fulfillmentSchema).items"
                    let hoodie = try await edge.send(.GET, "/v1/admin/products/CLO-HOOD-NVY-L")
                    #expect(hoodie.status == 200)

                    // 1. Registered once, in the catalog: the item master has it (version 1, its barcode).
                    let barcode = Self.ean13("690000\(world.id.filter(\.isNumber).prefix(6).padding(toLength: 6, withPad: "7", startingAt: 0))")
                    let put = try await edge.send(.PUT, "/v1/admin/products/PM-HOOD-L", body: try Self.productBody(copying: hoodie.json, barcode: barcode, weightGrams: 640))
                    #expect(put.status == 200, "\(put.text)")
                    #expect(try await world.eventually(timeout: .seconds(30)) {
                        try await world.count("SELECT count(*) FROM \(items) WHERE sku = 'PM-HOOD-L' AND catalog_version = 1 AND weight_grams = 640 AND category = 'clothing'") == 1
                    })
                    #expect(try await world.count("SELECT count(*) FROM \(world.fulfillmentSchema).item_barcodes WHERE sku = 'PM-HOOD-L' AND barcode = '\(barcode)'") == 1)
                    // Insights has its category, and gives it to an order line that carries none (an event from before lines had one).
                    let insightsSchema = world.insightsSchema(generation: 1)
                    #expect(try await world.eventually(timeout: .seconds(30)) {
                        try await world.count("SELECT count(*) FROM \(insightsSchema).products WHERE sku = 'PM-HOOD-L' AND category = 'clothing' AND version = 1") == 1
                    })
                    let uncategorised = InventoryFixtures.order("PM-INS-\(world.id)", lines: [("PM-HOOD-L", 1, 29_900)])
                    #expect(uncategorised.lines[0].category == nil)
                    try await world.publish([try AfterSalesFlowTests.received(uncategorised)])
                    #expect(try await world.eventually(timeout: .seconds(30)) {
                        try await world.count("SELECT count(*) FROM \(insightsSchema).order_line_facts WHERE order_id = '\(uncategorised.orderID)' AND category = 'clothing' AND category_from_master") == 1
                    })

                    // ... and an order for it is packed and shipped with no second registration.
                    #expect(try await InventoryFixtures.receive(inventory, "PM-HOOD-L", 5, into: "SH1").status == 201)
                    #expect(try await InventoryFixtures.receive(inventory, "GLS-WINEGLASS-1", 5, into: "SH1").status == 201)
                    let first = try await edge.send(.POST, "/v1/channels/web/orders", body: try Self.webOrder(sku: "PM-HOOD-L", number: "W-PM-1"))
                    #expect(first.status == 202, "\(first.text)")
                    let firstID = first.json["orderId"] as? String ?? ""
                    var view: [String: Any] = [:]
                    #expect(try await world.eventually(timeout: .seconds(60)) {
                        view = try await edge.send(.GET, "/v1/orders/\(firstID)").json
                        return view["status"] as? String == "shipped"
                    }, "the order of a product registered once did not ship: \(view["status"] ?? "-")")
                    // Its parcel weighs what the catalog said (640 g hoodie + the glass + the carton's tare).
                    #expect(try await world.count("SELECT count(*) FROM \(world.fulfillmentSchema).parcels WHERE order_id = '\(firstID)' AND weight_grams > 640") >= 1)

                    // 2. A replayed older version changes nothing: version 2 stays.
                    // (A new category: the order line that took it from the master follows; lines with their own keep theirs.)
                    let second = try await edge.send(.PUT, "/v1/admin/products/PM-HOOD-L", body: try Self.productBody(copying: hoodie.json, barcode: barcode, weightGrams: 700, category: "outerwear"))
                    #expect(second.status == 200)
                    #expect(try await world.eventually(timeout: .seconds(30)) {
                        try await world.count("SELECT count(*) FROM \(items) WHERE sku = 'PM-HOOD-L' AND catalog_version = 2 AND weight_grams = 700 AND category = 'outerwear'") == 1
                    })
                    #expect(try await world.eventually(timeout: .seconds(30)) {
                        try await world.count("SELECT count(*) FROM \(insightsSchema).order_line_facts WHERE order_id = '\(uncategorised.orderID)' AND category = 'outerwear'") == 1
                    })
                    #expect(try await world.count("SELECT count(*) FROM \(insightsSchema).order_line_facts WHERE order_id = '\(firstID)' AND sku = 'PM-HOOD-L' AND category = 'clothing'") == 1)
                    let stale = ProductChanged(sku: "PM-HOOD-L", name: "stale", category: "clothing", barcodes: [], weightGrams: 1, volumeCubicCentimetres: 1,
                                               handling: HandlingAttributes(), active: true, version: 1, changedAt: Date(timeIntervalSinceNow: -3600))
                    let staleEvent = try EventEnvelope.make(stale, orderID: ProductChanged.key(sku: "PM-HOOD-L"), producer: .intake)
                    try await world.publish([(staleEvent, TopicCatalogue.catalogProducts)])
                    #expect(try await world.eventually(timeout: .seconds(30)) {
                        try await world.count("SELECT count(*) FROM \(world.fulfillmentSchema).inbox WHERE event_id = '\(staleEvent.eventID.uuidString)'") == 1
                    })
                    #expect(try await world.count("SELECT count(*) FROM \(items) WHERE sku = 'PM-HOOD-L' AND catalog_version = 2 AND weight_grams = 700 AND name <> 'stale'") == 1)
                    #expect(try await world.eventually(timeout: .seconds(30)) {
                        try await world.count("SELECT count(*) FROM \(insightsSchema).inbox WHERE event_id = '\(staleEvent.eventID.uuidString)'") == 1
                    })
                    #expect(try await world.count("SELECT count(*) FROM \(insightsSchema).products WHERE sku = 'PM-HOOD-L' AND version = 2 AND category = 'outerwear'") == 1)
                    #expect(try await world.count("SELECT count(*) FROM \(world.fulfillmentSchema).item_barcodes WHERE sku = 'PM-HOOD-L'") == 1)

                    // 3. The item master loses the SKU (an item master older than the product master):
                    // the next order blocks at packing, visibly.
                    try await world.client.query(PostgresQuery(unsafeSQL: "DELETE FROM \(world.fulfillmentSchema).item_barcodes WHERE sku = 'PM-HOOD-L'"), logger: world.logger)
                    try await world.client.query(PostgresQuery(unsafeSQL: "DELETE FROM \(items) WHERE sku = 'PM-HOOD-L'"), logger: world.logger)
                    let blocked = try await edge.send(.POST, "/v1/channels/web/orders", body: try Self.webOrder(sku: "PM-HOOD-L", number: "W-PM-2"))
                    let blockedID = blocked.json["orderId"] as? String ?? ""
                    // (inventory.reserved and fulfillment.packing-blocked come on different topics: either may be applied first.)
                    #expect(try await world.eventually(timeout: .seconds(60)) {
                        view = try await edge.send(.GET, "/v1/orders/\(blockedID)").json
                        return ((view["timeline"] as? [[String: Any]]) ?? []).contains { $0["eventType"] as? String == FulfillmentPackingBlocked.eventType }
                            && view["status"] as? String == "allocated"
                    }, "no fulfillment.packing-blocked on the timeline of an allocated order: \(view["status"] ?? "-")")
                    #expect((view["details"] as? [String: String])?["missingSkus"] == "PM-HOOD-L")
                    let status = try #require(await StatusReport.packingBlocked(world.client, schema: world.fulfillmentSchema, logger: world.logger))
                    #expect(status.fulfillmentOrders == 1 && status.missingSkus == ["PM-HOOD-L"])
                    var report = StatusReport(services: [])
                    report.packingBlocked = status
                    #expect(report.table(verbose: false).contains("PACKING BLOCKED") && report.table(verbose: false).contains("PM-HOOD-L"))
                    // Retried every second, said once.
                    try await Task.sleep(for: .seconds(3))
                    #expect(try await world.committedEvents(schema: world.fulfillmentSchema, key: blockedID, type: FulfillmentPackingBlocked.eventType) == 1)

                    // 4. Ops has the catalog publish the product again (no change to it): the order packs and ships, the block clears.
                    #expect(try await edge.send(.POST, "/v1/admin/products/republish", body: Array(#"{"skus":[]}"#.utf8)).status == 422)
                    let republished = try await edge.send(.POST, "/v1/admin/products/republish", body: Array(#"{"skus":["PM-HOOD-L","NO-SUCH-SKU"]}"#.utf8))
                    #expect(republished.status == 200 && republished.json["published"] as? Int == 1, "\(republished.text)")
                    #expect(try await world.eventually(timeout: .seconds(30)) {
                        try await world.count("SELECT count(*) FROM \(items) WHERE sku = 'PM-HOOD-L' AND catalog_version = 3 AND weight_grams = 700") == 1
                    })
                    // (shipment.dispatched may be applied before fulfillment.packed, which clears the wait.)
                    #expect(try await world.eventually(timeout: .seconds(60)) {
                        view = try await edge.send(.GET, "/v1/orders/\(blockedID)").json
                        return view["status"] as? String == "shipped" && (view["details"] as? [String: String])?["missingSkus"] == nil
                    }, "the blocked order did not ship, its wait cleared, after the product was republished: \(view["status"] ?? "-") \(view["details"] ?? "-")")
                    #expect(try await StatusReport.packingBlocked(world.client, schema: world.fulfillmentSchema, logger: world.logger)?.fulfillmentOrders == 0)
                    // Every product at once (the demo catalog's 282 and this one), as after restoring an item master.
                    let all = try await edge.send(.POST, "/v1/admin/products/republish", body: Array("{}".utf8))
                    let catalogSize = try await world.count("SELECT count(*) FROM \(world.schema).products")
                    #expect(all.status == 200 && all.json["published"] as? Int == catalogSize && catalogSize > 200, "\(all.text)")
                    #expect(try await world.eventually(timeout: .seconds(60)) {
                        try await world.count("SELECT count(*) FROM \(items) WHERE catalog_version IS NOT NULL") == catalogSize
                    })
                    #expect(try await world.ledgerDiscrepancies() == 0)
                }
            }
        }
    }
}
