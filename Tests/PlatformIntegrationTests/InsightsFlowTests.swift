import AsyncHTTPClient
import Foundation
import OMSDemo
import IntakeService
import OMSDomain
import OMSOps
import OMSPlatform
import ServiceLifecycle
import Testing

/// Insights on the real suite: orders of every channel flow through intake, risk, inventory,
/// fulfillment and logistics, some are delivered, returned, refunded and complained about; the
/// reports reconcile with the source services' own tables, a rebuild from the topics gives
/// identical reports, and the dashboard draws every chart in a real headless browser.
@Suite("Insights: reports reconcile with the sources, rebuild identically from a replay, dashboard in a browser", .serialized)
struct InsightsFlowTests {
    @Test("40 orders through every stage, then deliveries, a return and refund, a complaint and feedback: insights agrees with intake, logistics and after-sales")
    func reconcileRebuildAndDashboard() async throws {
        try await withIntakeWorld { world in
            let (intake, edge) = try world.liveIntake()
            let (insightsApp, insights) = try world.liveInsights()
            try await world.running([intake, try world.riskApplication(), insightsApp], readyAt: [edge, insights]) {
                try await world.withStages(inventory: true, fulfillment: ["OMS_FULFILLMENT_DEFAULT_MODE": "automatic"], logistics: LogisticsFlowTests.signingEnvironment,
                                           afterSales: [:]) { stages in
                    let (inventory, logistics, afterSales) = (try #require(stages.inventory), try #require(stages.logistics), try #require(stages.afterSales))
                    try await LogisticsFlowTests.setUpOrigins(logistics)
                    try await InventoryFixtures.setUpWarehouses(inventory)
                    let lines = DemoCatalog.products.map { #"{"sku":"\#($0.sku)","quantity":100}"# }.joined(separator: ",")
                    #expect(try await inventory.send(.POST, "/v1/inventory/receipts", body: Array(#"{"receiptId":"INS-SH1","warehouseId":"SH1","lines":[\#(lines)]}"#.utf8)).status == 201)

                    let run = LoadRun.Configuration(intakeURL: edge.base, run: "IN\(world.id.prefix(4))", orders: 40, concurrency: 8, mix: .promotionDay, zipfExponent: 1,
                                                    holdRate: 0.1, brokers: world.environment.brokers, namespace: TopicNamespace(prefix: world.prefix), settle: .seconds(180),
                                                    credentials: TestCredentials.credentials)
                    let summary = try await LoadRun(configuration: run, logger: world.logger) { _ in }.execute()
                    // (Whether every order ships is the load generator's test; here the sources are the reference.)
                    #expect(summary.accepted == 40 && summary.errors == 0 && (summary.dispatched ?? 0) >= 20,
                            "accepted \(summary.accepted), errors \(summary.errorsByStatus), dispatched \(summary.dispatched ?? -1) of \(summary.expectedDispatches ?? -1)")

                    // Personal data is sealed at rest wherever a service keeps an order body or a waybill:
                    // every stored phone, name and street is ciphertext (PIIVault), none is plain.
                    for (table, pii) in [("\(world.schema).orders", "body->'customer'->>'phone'"), ("\(world.schema).orders", "body->'customer'->>'name'"),
                                         ("\(world.riskSchema).decisions", "order_body->'customer'->>'phone'"),
                                         ("\(world.inventorySchema).orders", "body->'deliveryAddress'->>'street'"),
                                         ("\(world.fulfillmentSchema).fulfillment_orders", "order_body->'customer'->>'phone'"),
                                         ("\(world.afterSalesSchema).orders", "body->'customer'->>'name'"),
                                         ("\(world.logisticsSchema).shipments", "waybill->'recipient'->>'address'")] {
                        let total = try await world.count("SELECT count(*) FROM \(table) WHERE coalesce(\(pii), '') <> ''")
                        let sealed = try await world.count("SELECT count(*) FROM \(table) WHERE \(pii) LIKE 'pii:v1:%'")
                        #expect(total > 0 && sealed == total, "\(table) \(pii): \(sealed) of \(total) sealed")
                    }
                    // ...and opens again where staff need it: the risk queue view and the order view.
                    // (An order with a phone: a walk-in till sale has none.)
                    let anyOrder = try await world.strings("SELECT order_id FROM \(world.schema).orders WHERE status <> 'rejected' AND coalesce(body->'customer'->>'phone', '') <> '' LIMIT 1")
                    let view = try await edge.send(.GET, "/v1/orders/\(anyOrder.first?.first ?? "")")
                    #expect((view.json["customerPhone"] as? String)?.contains("****") == true && !(view.json["customerPhone"] as? String ?? "pii:").hasPrefix("pii:"), "\(view.text.prefix(300))")

                    // Three single-parcel orders are delivered; one comes back for a refund, one is complained about, one rated.
                    let parcels = try await world.strings("""
                        SELECT order_id, carrier_code, tracking_number, warehouse_code, coalesce(cod_expected_fen, 0)::text FROM \(world.logisticsSchema).shipments
                        WHERE carrier_code IN ('SF', 'ZTO', 'DADA') AND order_id IN (SELECT order_id FROM \(world.logisticsSchema).shipments GROUP BY 1 HAVING count(*) = 1) ORDER BY order_id LIMIT 3
                        """)
                    try #require(parcels.count == 3)
                    for (index, parcel) in parcels.enumerated() {
                        // A cash-on-delivery parcel's courier reports what it collected.
                        let cash = parcel[4] == "0" ? "" : #","collectedFen":\#(parcel[4])"#
                        let delivered = LogisticsFlowTests.scan("INS-\(world.id)-\(index)", parcel[2], "delivered", at: Date(), extra: #","signedBy":"本人""# + cash)
                        #expect(try await LogisticsFlowTests.track(logistics, carrier: parcel[1], delivered).status == 200)
                    }
                    let returned = parcels[0][0]
                    #expect(try await world.eventually { try await AfterSalesFlowTests.delivered(afterSales, returned).reduce(0, +) > 0 })
                    let opened = try await AfterSalesFlowTests.post(afterSales, "/v1/aftersales/returns", #"{"orderId":"\#(returned)","reason":"sizeOrFit","lines":[{"lineNumber":1,"quantity":1}]}"#)
                    #expect(opened.status == 201)
                    let returnID = opened.json["returnId"] as? String ?? ""
                    let receipt = try await AfterSalesFlowTests.post(afterSales, "/v1/aftersales/returns/\(returnID)/receipt",
                                                                     #"{"warehouseId":"\#(parcels[0][3])","items":[{"lineNumber":1,"quantity":1,"condition":"resellable"}]}"#)
                    #expect(receipt.status == 200 && receipt.json["status"] as? String == "refunded")
                    #expect(try await AfterSalesFlowTests.post(afterSales, "/v1/aftersales/complaints",
                                                               #"{"orderId":"\#(parcels[1][0])","category":"deliveryDelay","severity":"medium","description":"late"}"#).status == 201)
                    #expect(try await AfterSalesFlowTests.post(afterSales, "/v1/aftersales/orders/\(parcels[2][0])/feedback", #"{"rating":4,"comment":"fine"}"#).status == 201)

                    // Reconciliation: insights' totals equal the source services' own.
                    let source = try await world.strings("""
                        SELECT (SELECT count(*) FROM \(world.schema).orders WHERE status NOT IN ('rejected', 'cancelled'))::text,
                               (SELECT sum(total_fen) FROM \(world.schema).orders WHERE status NOT IN ('rejected', 'cancelled'))::text,
                               (SELECT count(*) FROM \(world.logisticsSchema).shipments)::text,
                               (SELECT count(*) FROM \(world.logisticsSchema).shipments WHERE status = 'delivered')::text,
                               (SELECT coalesce(sum(amount_fen), 0) FROM \(world.afterSalesSchema).refunds)::text,
                               (SELECT count(*) FROM \(world.afterSalesSchema).complaints)::text,
                               (SELECT count(*) FROM \(world.schema).orders WHERE status = 'held')::text
                        """)[0].map { Int64($0) ?? -1 }
                    var figures: [String: Any] = [:]
                    let reconciled = try await world.eventually(timeout: .seconds(60)) {
                        figures = try await insights.send(.GET, "/v1/insights/summary").json
                        func value(_ key: String) -> Int64 { (figures[key] as? NSNumber)?.int64Value ?? -1 }
                        return [value("ordersAccepted"), value("revenueFen"), value("shipments"), value("delivered"), value("refundedFen"), value("complaints")] == Array(source.prefix(6))
                            && value("feedback") == 1 && value("ordersHeld") >= source[6]
                    }
                    #expect(reconciled, "insights \(figures) vs sources \(source)")
                    #expect(source[0] == 40 && source[2] >= Int64(summary.dispatched ?? 0) && source[4] > 0)

                    // Finance: per day and channel, every figure adds up to the sources' own: what the
                    // received orders paid (after-sales' record), cash on delivery expected (intake's
                    // live orders) and collected (logistics), refunds issued and how they ended (after-sales).
                    let money = try await world.strings("""
                        SELECT (SELECT coalesce(sum((a.body->'payment'->'paidAmount'->>'minorUnits')::int8), 0) FROM \(world.afterSalesSchema).orders a
                                WHERE a.body->'payment'->>'method' <> 'cashOnDelivery')::text,
                               (SELECT coalesce(sum(i.total_fen), 0) FROM \(world.afterSalesSchema).orders a JOIN \(world.schema).orders i USING (order_id)
                                WHERE a.body->'payment'->>'method' = 'cashOnDelivery' AND i.status NOT IN ('rejected', 'cancelled'))::text,
                               (SELECT coalesce(sum(cod_collected_fen), 0) FROM \(world.logisticsSchema).shipments)::text,
                               (SELECT coalesce(sum(amount_fen), 0) FROM \(world.afterSalesSchema).refunds WHERE status NOT IN ('held', 'voided'))::text,
                               (SELECT coalesce(sum(amount_fen), 0) FROM \(world.afterSalesSchema).refunds WHERE status = 'succeeded')::text,
                               (SELECT coalesce(sum(amount_fen), 0) FROM \(world.afterSalesSchema).refunds WHERE status = 'owed')::text,
                               (SELECT count(*) FROM \(world.afterSalesSchema).orders)::text
                        """)[0].map { Int64($0) ?? -1 }
                    var finance: [String: Int64] = [:]
                    let financeReconciled = try await world.eventually(timeout: .seconds(60)) {
                        let rows = try await insights.send(.GET, "/v1/insights/finance").json["rows"] as? [[String: Any]] ?? []
                        finance = [:]
                        for row in rows {
                            for (key, value) in row { if let number = value as? NSNumber { finance[key, default: 0] += number.int64Value } }
                        }
                        return [finance["paidFen"], finance["codExpectedFen"], finance["codCollectedFen"], finance["refundsRequestedFen"], finance["refundsPaidFen"],
                                finance["refundsOwedFen"], finance["orders"]].map { $0 ?? -1 } == money
                    }
                    #expect(financeReconciled, "finance \(finance) vs sources \(money)")
                    #expect(money[0] > 0 && money[3] > 0 && money[6] >= 40)
                    #expect(finance["refundsRequestedFen"] == ["refundsPaidFen", "refundsOwedFen", "refundsFailedFen", "refundsPendingFen"].compactMap { finance[$0] }.reduce(0, +))
                    #expect(finance["netFen"] == money[0] + money[2] - money[4] - money[5])
                    let financeCSV = try await insights.send(.GET, "/v1/insights/finance?by=day&format=csv")
                    #expect(financeCSV.text.hasPrefix("day,orders,paidFen,codExpectedFen"), "\(financeCSV.text.prefix(200))")

                    // Every grouping adds up to the same revenue; CSV carries the same rows.
                    for by in ["day", "week", "month", "channel", "province", "city"] {
                        let rows = try await insights.send(.GET, "/v1/insights/sales?by=\(by)").json["rows"] as? [[String: Any]] ?? []
                        #expect(rows.reduce(Int64(0)) { $0 + (($1["revenueFen"] as? NSNumber)?.int64Value ?? 0) } == source[1], "by \(by)")
                    }
                    let channels = try await insights.send(.GET, "/v1/insights/sales?by=channel").json["rows"] as? [[String: Any]] ?? []
                    #expect(Set(channels.compactMap { $0["channel"] as? String }) == Set(Channel.allCases.map(\.rawValue)))
                    let csv = try await insights.send(.GET, "/v1/insights/sales?by=channel&format=csv")
                    #expect(csv.headers["content-type"]?.hasPrefix("text/csv") == true && csv.text.split(separator: "\n").count == channels.count + 1)
                    let bad = try await insights.send(.GET, "/v1/insights/sales?by=weekday&from=2026-02-30")
                    let problems = ((bad.json["error"] as? [String: Any])?["fields"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
                    #expect(bad.status == 422 && Set(problems) == ["by", "from"])
                    let carriers = try await insights.send(.GET, "/v1/insights/fulfillment?by=carrier").json["rows"] as? [[String: Any]] ?? []
                    #expect(carriers.reduce(Int64(0)) { $0 + (($1["shipments"] as? NSNumber)?.int64Value ?? 0) } == source[2])
                    let complaint = try await insights.send(.GET, "/v1/insights/complaints?by=carrier").json["rows"] as? [[String: Any]] ?? []
                    #expect(complaint.first?["carrier"] as? String == parcels[1][1] && (complaint.first?["deliveryDelay"] as? NSNumber)?.intValue == 1)
                    let returns = try await insights.send(.GET, "/v1/insights/returns?by=sku").json["rows"] as? [[String: Any]] ?? []
                    #expect(returns.reduce(0) { $0 + (($1["sizeOrFit"] as? NSNumber)?.intValue ?? 0) } == 1)
                    let asOf = Timestamps.format(Date().addingTimeInterval(3_600))
                    let segments = try await insights.send(.GET, "/v1/insights/customers/segments?asOf=\(asOf)").json["rows"] as? [[String: Any]] ?? []
                    #expect(segments.reduce(0) { $0 + (($1["customers"] as? NSNumber)?.intValue ?? 0) } > 0)
                    let newcomers = try await insights.send(.GET, "/v1/insights/customers/segments/new?asOf=\(asOf)&format=csv").text
                    #expect(newcomers.hasPrefix("customerKey,recencyDays") && newcomers.split(separator: "\n").count > 1)
                    // A marketing list carries pseudonymous keys and numbers only: no phone, name or address.
                    // (A phone pattern search is no test here: 24 hex digits can hold 11 decimal ones.)
                    for line in newcomers.split(separator: "\n").dropFirst() {
                        let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
                        #expect(fields.first.map { $0.range(of: #"^[cp]_[0-9a-f]{24}$"#, options: .regularExpression) != nil } == true
                                && fields.dropFirst().allSatisfy { Double($0) != nil }, "\(line)")
                    }

                    // Walk-in till sales without a member card are in sales but are no customer.
                    #expect(try await world.count("SELECT count(*) FROM \(world.schema).orders WHERE channel = 'pos' AND customer_key = 'anonymous'") > 0)
                    for segment in ["new", "atRisk", "highValue", "lapsed", "regular"] {
                        let list = try await insights.send(.GET, "/v1/insights/customers/segments/\(segment)?asOf=\(asOf)&format=csv")
                        #expect(list.status == 200 && !list.text.contains("anonymous"), "\(segment) lists the walk-in sales as one customer")
                    }

                    // Rebuild: a second generation reads every topic from the start into its own schema and serves identical reports.
                    let reports = ["/v1/insights/summary"] + ["day", "week", "month", "channel", "province", "city", "category"].map { "/v1/insights/sales?by=\($0)" }
                        + ["warehouse", "carrier"].map { "/v1/insights/fulfillment?by=\($0)" } + ["sku", "category"].map { "/v1/insights/returns?by=\($0)" }
                        + ["carrier", "warehouse", "sku", "category"].map { "/v1/insights/complaints?by=\($0)" }
                        + ["/v1/insights/customers/segments?asOf=\(asOf)", "/v1/insights/customers/segments/regular?asOf=\(asOf)&format=csv"]
                    var served: [String] = []
                    for path in reports { served.append(try await insights.send(.GET, path).text) }
                    let original = served
                    let rebuildPort = TestPorts.block()
                    let rebuilt = EdgeClient(base: "http://127.0.0.1:\(rebuildPort)", http: HTTPClient.shared)
                    try await world.running([try world.insightsApplication(port: rebuildPort, generation: 2)], readyAt: [rebuilt]) {
                        var differing: [String] = reports
                        let identical = try await world.eventually(timeout: .seconds(90)) {
                            differing = []
                            for (index, path) in reports.enumerated() where try await rebuilt.send(.GET, path).text != original[index] { differing.append(path) }
                            return differing.isEmpty
                        }
                        #expect(identical, "rebuilt reports differ: \(differing)")
                    }

                    // The dashboard in a real headless browser: every chart drawn, the revenue figure shown.
                    let dom = try await Self.renderedDOM("\(insights.base)/v1/insights/dashboard#token=\(TestCredentials.token(.analyst))")
                    #expect(dom.contains(#"data-ready="true""#) && !dom.contains("data-error"), "\(dom.prefix(2_000))")
                    for chart in ["revenue-by-day", "orders-by-channel", "revenue-by-province", "revenue-by-category", "delay-by-carrier", "returns-by-category",
                                  "complaints-by-carrier", "customer-segments"] {
                        let drawn = dom.range(of: #"id="\#(chart)"[^>]*data-bars="[1-9]"#, options: .regularExpression) != nil
                        #expect(drawn, "chart \(chart) has no bars")
                    }
                    #expect(dom.contains(#"data-revenue-fen="\#(source[1])""#))
                    #expect(dom.components(separatedBy: #"class="bar""#).count > 8)
                }
            }
        }
    }

    /// The page's DOM after its scripts ran, from headless Chromium (installed by the local stack).
    static func renderedDOM(_ url: String) async throws -> String {
        let scratch = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("oms-chromium-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let dump = scratch.appendingPathComponent("dom.html")
        FileManager.default.createFile(atPath: dump.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/chromium")
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--virtual-time-budget=10000",
                             "--user-data-dir=\(scratch.path)/profile", "--dump-dom", url]
        process.standardOutput = try FileHandle(forWritingTo: dump)
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(90)
        while process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
        if process.isRunning { process.terminate() }
        return String(decoding: try Data(contentsOf: dump), as: UTF8.self)
    }
}
