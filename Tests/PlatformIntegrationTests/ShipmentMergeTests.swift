import Foundation
import OMSDemo
import OMSDomain
import OMSPlatform
import Testing

/// Merge for shipping (合单, issue 29 part 4) through the real intake, risk, inventory,
/// fulfillment, logistics and after-sales processes: two paid orders of one customer to one
/// address waiting for a wave in a merging warehouse are picked in one wave and packed into one
/// box, which ships under one tracking number; a third customer's order is not merged. Each order
/// keeps its own parcels, status and refunds.
@Suite("Merge for shipping: one customer's orders share a box and a tracking number, each keeps its status and refunds", .serialized)
struct ShipmentMergeTests {
    /// The example web order with these lines, paid in full (priced as intake prices it), for
    /// the example's customer or another one.
    static func paidOrder(number: String, lines: [(String, Int)], otherCustomer: Bool = false) throws -> [UInt8] {
        var json = try JSONSerialization.jsonObject(with: Data(try IntakeEndToEndTests.example("web"))) as! [String: Any]
        json["orderNumber"] = number
        json["lines"] = lines.map { ["sku": $0.0, "quantity": $0.1] }
        if otherCustomer {
            var customer = json["customer"] as! [String: Any]
            customer["accountId"] = "u-7788"
            customer["phone"] = "13800001111"
            json["customer"] = customer
        }
        var payment = json["payment"] as! [String: Any]
        payment["amountFen"] = try DemoOrderFactory().total(ofWebOrder: json).minorUnits
        payment["reference"] = "pi-\(number)"
        json["payment"] = payment
        return Array(try JSONSerialization.data(withJSONObject: json))
    }

    @Test("A and B (one customer, one address) share a box and its tracking number, C ships alone; packing waits for the whole group; delivery reaches both; a return of B refunds B only")
    func mergeForShipping() async throws {
        try await withIntakeWorld { world in
            let (intake, edge) = try world.liveIntake()
            try await world.running([intake, try world.riskApplication()], readyAt: [edge]) {
                try await world.withStages(inventory: true, fulfillment: ["OMS_WAVE_WINDOW_SECONDS": "3600", "OMS_WAVE_CHECK_SECONDS": "1"],
                                           logistics: LogisticsFlowTests.signingEnvironment, afterSales: [:]) { stages in
                    let inventory = try #require(stages.inventory), fulfillment = try #require(stages.fulfillment)
                    let logistics = try #require(stages.logistics), afterSales = try #require(stages.afterSales)
                    try await LogisticsFlowTests.setUpOrigins(logistics)
                    try await InventoryFixtures.setUpWarehouses(inventory)
                    #expect(try await InventoryFixtures.receive(inventory, "CLO-HOOD-NVY-L", 10, into: "SH1").status == 201)
                    #expect(try await InventoryFixtures.receive(inventory, "GLS-WINEGLASS-1", 5, into: "SH1").status == 201)
                    let warehouseToken = ["Authorization": "Bearer \(TestCredentials.token(.warehouse))"]

                    // SH1 works in waves and merges one customer's orders waiting within 10 minutes of each other.
                    let automaticMerge = try await fulfillment.send(.PUT, "/v1/fulfillment/warehouses/SH1", body: Array(#"{"automatic":true,"mergeWindowSeconds":600}"#.utf8))
                    #expect(automaticMerge.status == 422 && automaticMerge.text.contains("mergeWindowSeconds"), "\(automaticMerge.text)")
                    let tooLong = try await fulfillment.send(.PUT, "/v1/fulfillment/warehouses/SH1", body: Array(#"{"automatic":false,"mergeWindowSeconds":90000}"#.utf8))
                    #expect(tooLong.status == 422 && tooLong.text.contains("mergeWindowSeconds"), "\(tooLong.text)")
                    let configured = try await fulfillment.send(.PUT, "/v1/fulfillment/warehouses/SH1",
                                                                body: Array(#"{"automatic":false,"waveMaxOrders":50,"waveWindowSeconds":3600,"mergeWindowSeconds":600}"#.utf8))
                    #expect(configured.status == 200 && configured.json["mergeWindowSeconds"] as? Int == 600, "\(configured.text)")

                    var ids: [String] = []
                    for (number, lines, other) in [("W-MRG-A-\(world.id)", [("CLO-HOOD-NVY-L", 1)], false),
                                                   ("W-MRG-B-\(world.id)", [("CLO-HOOD-NVY-L", 1), ("GLS-WINEGLASS-1", 1)], false),
                                                   ("W-MRG-C-\(world.id)", [("CLO-HOOD-NVY-L", 1)], true)] {
                        let placed = try await edge.send(.POST, "/v1/channels/web/orders", body: try Self.paidOrder(number: number, lines: lines, otherCustomer: other))
                        #expect(placed.status == 202, "\(placed.text)")
                        ids.append(placed.json["orderId"] as? String ?? "")
                    }
                    let (a, b, c) = (ids[0], ids[1], ids[2])
                    let fos = "\(world.fulfillmentSchema).fulfillment_orders"
                    #expect(try await world.eventually(timeout: .seconds(60)) {
                        try await world.count("SELECT count(*) FROM \(fos) WHERE order_id IN ('\(a)', '\(b)', '\(c)') AND status = 'open'") == 3
                    }, "the three orders never waited for a wave in SH1")
                    let groups = Dictionary(uniqueKeysWithValues: try await world.strings("SELECT order_id, id, coalesce(merge_group, '') FROM \(fos) WHERE order_id IN ('\(a)', '\(b)', '\(c)')")
                        .map { ($0[0], (fo: $0[1], group: $0[2])) })
                    let (foA, foB, foC) = (groups[a]?.fo ?? "", groups[b]?.fo ?? "", groups[c]?.fo ?? "")
                    #expect(!(groups[a]?.group ?? "").isEmpty && groups[a]?.group == groups[b]?.group, "A and B not merged: \(groups)")
                    #expect(groups[c]?.group == "", "C (another customer) merged: \(groups)")
                    #expect(try await world.count("SELECT count(*) FROM \(fos) WHERE merge_key LIKE '%上海%' OR merge_key LIKE '%1391234%'") == 0, "the merge key holds no address or phone")

                    // One wave; A picked first cannot be packed before B.
                    let wave = try await fulfillment.send(.POST, "/v1/fulfillment/warehouses/SH1/waves", headers: warehouseToken)
                    #expect(wave.status == 201, "\(wave.text)")
                    #expect(try await world.count("SELECT count(*) FROM \(fos) WHERE id IN ('\(foA)', '\(foB)', '\(foC)') AND status = 'picking'") == 3)
                    func pickAll(_ fo: String) async throws {
                        for task in try await world.strings("SELECT id::text, sku, quantity::text FROM \(world.fulfillmentSchema).pick_tasks WHERE fulfillment_order_id = '\(fo)' AND status = 'open'") {
                            let barcode = ((try await fulfillment.send(.GET, "/v1/fulfillment/items/\(task[1])", headers: warehouseToken).json["barcodes"] as? [String])?.first) ?? ""
                            let scan = try await fulfillment.send(.POST, "/v1/fulfillment/pick-tasks/\(task[0])/scans",
                                                                  body: Array(#"{"barcode":"\#(barcode)","quantity":\#(task[2]),"picker":"picker-1"}"#.utf8), headers: warehouseToken)
                            #expect(scan.status == 200, "\(scan.text)")
                        }
                    }
                    func pack(_ fo: String) async throws -> EdgeClient.Reply {
                        try await fulfillment.send(.POST, "/v1/fulfillment/orders/\(fo)/pack", body: Array(#"{"packer":"packer-7"}"#.utf8), headers: warehouseToken)
                    }
                    let viewA = try await fulfillment.send(.GET, "/v1/fulfillment/orders/\(foA)", headers: warehouseToken)
                    #expect(viewA.json["mergedWith"] as? [String] == [foB], "the pack station is told to box B with A: \(viewA.text)")
                    #expect(try await fulfillment.send(.GET, "/v1/fulfillment/orders/\(foC)", headers: warehouseToken).json["mergedWith"] == nil)
                    try await pickAll(foA)
                    let early = try await pack(foA)
                    #expect(early.status == 409 && early.text.contains("merge_waiting") && early.text.contains(foB), "\(early.text)")
                    try await pickAll(foB)
                    try await pickAll(foC)
                    let packed = try await pack(foA)
                    #expect(packed.status == 200, "\(packed.text)")
                    let parcelsA = packed.json["parcels"] as? [[String: Any]] ?? []
                    let box = parcelsA.first?["consolidation"] as? [String: Any]
                    #expect(parcelsA.count == 1 && box?["orderIDs"] as? [String] == [a, b].sorted(), "\(packed.text)")
                    #expect(try await world.count("SELECT count(*) FROM \(fos) WHERE id IN ('\(foA)', '\(foB)') AND status = 'packed'") == 2, "B was not packed with A")
                    #expect(try await pack(foC).status == 200)
                    // Each order's parcel holds its own lines: A one hoodie, B a hoodie and a glass, in one box.
                    let parcelLines = try await world.strings("""
                        SELECT order_id, body->'consolidation'->>'consolidationId', (SELECT sum((l->>'quantity')::int) FROM jsonb_array_elements(body->'lines') l)::text
                        FROM \(world.fulfillmentSchema).parcels WHERE order_id IN ('\(a)', '\(b)', '\(c)') ORDER BY order_id
                        """)
                    let byOrder = Dictionary(uniqueKeysWithValues: parcelLines.map { ($0[0], (box: $0[1], units: $0[2])) })
                    #expect(byOrder[a]?.units == "1" && byOrder[b]?.units == "2" && byOrder[a]?.box == byOrder[b]?.box && byOrder[c]?.box == "", "\(parcelLines)")

                    // One tracking number for the box, charged once; C has its own.
                    var shipments: [[String]] = []
                    #expect(try await world.eventually(timeout: .seconds(60)) {
                        shipments = try await world.strings("""
                            SELECT order_id, tracking_number, carrier_code, fee_fen::text FROM \(world.logisticsSchema).shipments WHERE order_id IN ('\(a)', '\(b)', '\(c)') ORDER BY order_id
                            """)
                        return shipments.count == 3
                    }, "shipments: \(shipments)")
                    let tracked = Dictionary(uniqueKeysWithValues: shipments.map { ($0[0], $0) })
                    #expect(tracked[a]?[1] == tracked[b]?[1] && tracked[a]?[1] != tracked[c]?[1], "\(shipments)")
                    #expect([tracked[a]?[3], tracked[b]?[3]].filter { $0 == "0" }.count == 1, "the box's carriage is charged once: \(shipments)")
                    for id in [a, b, c] {
                        #expect(try await world.eventually { try await edge.send(.GET, "/v1/orders/\(id)").json["status"] as? String == "shipped" }, "\(id) not shipped")
                    }

                    // The carrier delivers the box: both orders are delivered; C is not.
                    let delivered = LogisticsFlowTests.scan("MRG-1", tracked[a]?[1] ?? "", "delivered", at: Date(), extra: #","signedBy":"本人""#)
                    let scanned = try await LogisticsFlowTests.track(logistics, carrier: tracked[a]?[2] ?? "", delivered)
                    #expect(scanned.status == 200 && scanned.json["applied"] as? Bool == true, "\(scanned.text)")
                    for id in [a, b] {
                        #expect(try await world.eventually { try await edge.send(.GET, "/v1/orders/\(id)").json["status"] as? String == "delivered" }, "\(id) not delivered")
                    }
                    let again = try await LogisticsFlowTests.track(logistics, carrier: tracked[a]?[2] ?? "", delivered)
                    #expect(again.json["duplicate"] as? Bool == true, "a repeated scan changes nothing: \(again.text)")
                    #expect(try await edge.send(.GET, "/v1/orders/\(c)").json["status"] as? String == "shipped")
                    let boxView = try await logistics.send(.GET, "/v1/logistics/shipments/\(tracked[a]?[1] ?? "")")
                    #expect(boxView.json["boxOrderIds"] as? [String] == [a, b].sorted() && boxView.json["status"] as? String == "delivered", "\(boxView.text)")
                    let label = try await logistics.send(.GET, "/v1/logistics/shipments/\(tracked[a]?[1] ?? "")/waybill")
                    #expect(label.json["boxOrderIds"] as? [String] == [a, b].sorted(), "the box's label names both orders: \(label.text)")

                    // B's hoodie comes back: B is refunded, A is not touched.
                    let headers = ["X-User-Id": "cs-agent-1"]
                    var returned = EdgeClient.Reply(status: 0, headers: [:], body: [])
                    #expect(try await world.eventually {
                        returned = try await afterSales.send(.POST, "/v1/aftersales/returns", body: Array(#"{"orderId":"\#(b)","reason":"sizeOrFit","lines":[{"lineNumber":1,"quantity":1}]}"#.utf8),
                                                             headers: headers)
                        return returned.status == 201
                    }, "return of B: \(returned.text)")
                    let returnID = returned.json["returnId"] as? String ?? ""
                    #expect(try await afterSales.send(.POST, "/v1/aftersales/returns/\(returnID)/shipment", body: Array(#"{"carrier":"SF","trackingNumber":"SF9000000000777"}"#.utf8),
                                                      headers: headers).status == 200)
                    let receipt = try await afterSales.send(.POST, "/v1/aftersales/returns/\(returnID)/receipt",
                                                            body: Array(#"{"warehouseId":"SH1","items":[{"lineNumber":1,"quantity":1,"condition":"resellable"}]}"#.utf8), headers: headers)
                    #expect(receipt.status == 200 && receipt.json["status"] as? String == "refunded", "\(receipt.text)")
                    let refunds = try await world.strings("SELECT order_id FROM \(world.afterSalesSchema).refunds WHERE order_id IN ('\(a)', '\(b)')")
                    #expect(refunds == [[b]], "\(refunds)")
                }
            }
        }
    }
}
