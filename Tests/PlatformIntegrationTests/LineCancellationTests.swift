import Foundation
import OMSDemo
import OMSDomain
import OMSPlatform
import Testing

/// Cancelling some units of some lines of a live order (issue 29, part 2), through the real intake,
/// risk, inventory, fulfillment and after-sales processes: inventory cancels what no warehouse works
/// on yet (a backorder: the rest of the order is released to the warehouse at once), a warehouse stops
/// the units of an order waiting for its wave or still on the shelf of a released one, and refuses
/// those already in the picker's tote;
/// after-sales refunds each stopped part once, taking back a 满减 threshold the rest no longer reaches.
@Suite("Line cancellations: backordered, waiting and picking lines, refunds with the 满减 clawback", .serialized)
struct LineCancellationTests {
    /// A web order sent before its payment, with these lines (SKU, quantity).
    static func unpaidOrder(number: String, lines: [(String, Int)]) throws -> [UInt8] {
        var json = try JSONSerialization.jsonObject(with: Data(try IntakeEndToEndTests.example("web"))) as! [String: Any]
        json["orderNumber"] = number
        json["lines"] = lines.map { ["sku": $0.0, "quantity": $0.1] }
        var payment = json["payment"] as! [String: Any]
        payment["amountFen"] = try DemoOrderFactory().total(ofWebOrder: json).minorUnits
        payment["status"] = "pending"
        payment.removeValue(forKey: "reference")
        payment.removeValue(forKey: "paidAt")
        json["payment"] = payment
        return Array(try JSONSerialization.data(withJSONObject: json))
    }

    /// Places a web order with these lines, pays what intake priced it at (unless `pay` is false),
    /// and waits until intake shows `status`.
    static func place(_ number: String, _ lines: [(String, Int)], pay: Bool = true, until status: String,
                      edge: EdgeClient, world: IntakeWorld) async throws -> (id: String, view: [String: Any]) {
        let placed = try await edge.send(.POST, "/v1/channels/web/orders", body: try unpaidOrder(number: number, lines: lines))
        #expect(placed.status == 202, "\(placed.text)")
        let id = placed.json["orderId"] as? String ?? ""
        var view: [String: Any] = [:]
        #expect(try await world.eventually {
            view = try await edge.send(.GET, "/v1/orders/\(id)").json
            return view["status"] as? String == "awaitingPayment"
        }, "\(number) not awaiting payment: \(view["status"] ?? "-")")
        if pay {
            let total = ((view["totals"] as? [String: Any])?["totalFen"] as? NSNumber)?.int64Value ?? 0
            let paid = try await edge.send(.POST, "/v1/channels/web/orders/\(number)/payment",
                                           body: Array(#"{"status":"paid","reference":"WX-\#(number)","amountFen":\#(total),"paidAt":"2026-12-07T10:00:00+08:00"}"#.utf8))
            #expect(paid.status == 200, "\(paid.text)")
        }
        #expect(try await world.eventually {
            view = try await edge.send(.GET, "/v1/orders/\(id)").json
            return view["status"] as? String == status
        }, "\(number) not \(status): \(view["status"] ?? "-")")
        return (id, view)
    }

    static func fen(_ value: Any?) -> Int64 { ((value as? [String: Any])?["minorUnits"] as? NSNumber)?.int64Value ?? -1 }

    /// The order's lines by number, and each line's share of the spend-threshold promotion.
    static func lines(_ view: [String: Any]) -> [Int: [String: Any]] {
        Dictionary(uniqueKeysWithValues: ((view["lines"] as? [[String: Any]]) ?? []).map { ($0["lineNumber"] as? Int ?? 0, $0) })
    }

    static func thresholdShares(_ view: [String: Any]) -> (threshold: Int64, shares: [Int: Int64]) {
        for promotion in (view["appliedPromotions"] as? [[String: Any]]) ?? [] where promotion["threshold"] != nil {
            let shares = ((promotion["shares"] as? [[String: Any]]) ?? []).map { ($0["lineNumber"] as? Int ?? 0, fen($0["amount"])) }
            return (fen(promotion["threshold"]), Dictionary(shares, uniquingKeysWith: +))
        }
        return (0, [:])
    }

    static func timeline(_ view: [String: Any], _ type: String) -> [[String: String]] {
        ((view["timeline"] as? [[String: Any]]) ?? []).filter { $0["eventType"] as? String == type }.map { ($0["detail"] as? [String: String]) ?? [:] }
    }

    @Test("a backordered line cancelled releases the rest; a waiting line stops in the warehouse; on a released wave what is on the shelf stops and what is in the tote ships; refunds take back the 满减; bad input and late requests are refused")
    func cancelLines() async throws {
        try await withIntakeWorld { world in
            let (intake, edge) = try world.liveIntake()
            try await world.running([intake, try world.riskApplication()], readyAt: [edge]) {
                try await world.withStages(inventory: true, fulfillment: ["OMS_WAVE_WINDOW_SECONDS": "3600", "OMS_WAVE_CHECK_SECONDS": "1"], afterSales: [:]) { stages in
                    let inventory = try #require(stages.inventory), fulfillment = try #require(stages.fulfillment)
                    try await InventoryFixtures.setUpWarehouses(inventory)
                    #expect(try await InventoryFixtures.receive(inventory, "CLO-HOOD-NVY-L", 4, into: "SH1").status == 201)
                    #expect(try await InventoryFixtures.receive(inventory, "GLS-WINEGLASS-1", 2, into: "SH1").status == 201)

                    func place(_ number: String, _ lines: [(String, Int)], pay: Bool = true, until status: String) async throws -> (id: String, view: [String: Any]) {
                        try await Self.place(number, lines, pay: pay, until: status, edge: edge, world: world)
                    }
                    func cancel(_ id: String, _ json: String, token: String? = nil) async throws -> EdgeClient.Reply {
                        try await edge.send(.POST, "/v1/orders/\(id)/line-cancellations", body: Array(json.utf8),
                                            headers: ["Authorization": "Bearer \(token ?? TestCredentials.token(.customerService))"])
                    }
                    func refunds(_ id: String) async throws -> [String: Int64] {
                        let rows = try await world.strings("SELECT refund_id, amount_fen::text FROM \(world.afterSalesSchema).refunds WHERE order_id = '\(id)' AND cause = 'lineCancellation'")
                        return Dictionary(uniqueKeysWithValues: rows.map { ($0[0], Int64($0[1]) ?? -1) })
                    }

                    // A: three hoodies and a wine glass, allocated in SH1 and waiting for a wave.
                    let a = try await place("W-LC-A-\(world.id)", [("CLO-HOOD-NVY-L", 3), ("GLS-WINEGLASS-1", 1)], until: "allocated")
                    #expect(try await world.eventually {
                        try await world.count("SELECT count(*) FROM \(world.fulfillmentSchema).fulfillment_orders WHERE order_id = '\(a.id)' AND status = 'open'") == 1
                    })
                    // B: a hoodie and two wine glasses, one of which there is not: backordered, waiting whole.
                    let b = try await place("W-LC-B-\(world.id)", [("CLO-HOOD-NVY-L", 1), ("GLS-WINEGLASS-1", 2)], until: "backordered")

                    // Bad input names the field; another channel may not; unknown orders are 404.
                    let unknownLine = try await cancel(a.id, #"{"lines":[{"lineNumber":9,"quantity":1}],"reason":"客户不要了"}"#)
                    #expect(unknownLine.status == 422 && unknownLine.text.contains("lines[0].lineNumber"), "\(unknownLine.text)")
                    let tooMany = try await cancel(a.id, #"{"lines":[{"lineNumber":1,"quantity":4}],"reason":"客户不要了"}"#)
                    #expect(tooMany.status == 422 && tooMany.text.contains("lines[0].quantity") && tooMany.text.contains("at most 3"), "\(tooMany.text)")
                    let everything = try await cancel(a.id, #"{"lines":[{"lineNumber":1,"quantity":3},{"lineNumber":2,"quantity":1}],"reason":"客户不要了"}"#)
                    #expect(everything.status == 422 && everything.text.contains("cancel the order instead"), "\(everything.text)")
                    let twice = try await cancel(a.id, #"{"lines":[{"lineNumber":1,"quantity":1},{"lineNumber":1,"quantity":1}],"reason":"客户不要了"}"#)
                    #expect(twice.status == 422 && twice.text.contains("lines[1].lineNumber"), "\(twice.text)")
                    let noReason = try await cancel(a.id, #"{"lines":[{"lineNumber":1,"quantity":1}],"reason":" "}"#)
                    #expect(noReason.status == 422 && noReason.text.contains("reason"), "\(noReason.text)")
                    let malformed = try await cancel(a.id, #"{"lines":"all"}"#)
                    #expect(malformed.status == 400, "\(malformed.text)")
                    let otherChannel = try await cancel(a.id, #"{"lines":[{"lineNumber":1,"quantity":1}],"reason":"x"}"#, token: TestCredentials.token(.channel, channel: "pos"))
                    #expect(otherChannel.status == 403, "\(otherChannel.text)")
                    #expect(try await cancel("OMS-NO-SUCH", #"{"lines":[{"lineNumber":1,"quantity":1}],"reason":"x"}"#).status == 404)

                    // B's backordered glass cancelled (the channel, for its own order): inventory closes the backorder
                    // and the rest of B goes to the warehouse at once; the glass is refunded (B still reaches 满减).
                    let bCancel = try await cancel(b.id, #"{"lines":[{"lineNumber":2,"quantity":1}],"reason":"缺货，客户只要一个杯子"}"#,
                                                   token: TestCredentials.token(.channel, channel: "web"))
                    #expect(bCancel.status == 202 && bCancel.json["cancellationId"] as? String == "LC-\(b.id)-1", "\(bCancel.text)")
                    #expect(try await world.eventually {
                        try await world.fulfillmentCount("""
                            SELECT count(*) FROM ful.fulfillment_lines l JOIN ful.fulfillment_orders f ON f.id = l.fulfillment_order_id
                            WHERE f.order_id = '\(b.id)' AND f.status = 'open' AND l.quantity = 1
                            """) == 2
                    }, "B's hoodie and one glass never reached the warehouse")
                    #expect(try await world.inventoryCount("SELECT count(*) FROM inv.backorders WHERE order_id = '\(b.id)' AND status = 'open'") == 0)
                    let bGlassPaid = (Self.lines(b.view)[2]?["paidFen"] as? NSNumber)?.int64Value ?? -1
                    #expect(try await world.eventually { try await refunds(b.id)["RF-L-LC-\(b.id)-1-I"] == bGlassPaid / 2 }, "B refund: expected \(bGlassPaid / 2)")

                    // A: one hoodie of three while the order waits for its wave: the warehouse stops it, inventory
                    // releases it, the refund is its share of what was paid (the rest still reaches the threshold).
                    let first = try await cancel(a.id, #"{"lines":[{"lineNumber":1,"quantity":1}],"reason":"客户少要一件","requestId":"cs-A-1"}"#)
                    #expect(first.status == 202, "\(first.text)")
                    // The same request again (a retry, a double-clicked form): answered as the first, nothing more cancelled.
                    let retried = try await cancel(a.id, #"{"lines":[{"lineNumber":1,"quantity":1}],"reason":"客户少要一件","requestId":"cs-A-1"}"#)
                    #expect(retried.status == 202 && retried.headers["idempotent-replayed"] == "true"
                            && retried.json["cancellationId"] as? String == first.json["cancellationId"] as? String, "\(retried.text)")
                    let longID = try await cancel(a.id, #"{"lines":[{"lineNumber":1,"quantity":1}],"reason":"x","requestId":"\#(String(repeating: "r", count: 65))"}"#)
                    #expect(longID.status == 422 && longID.text.contains("requestId"), "\(longID.text)")
                    let aLine1 = "SELECT coalesce(sum(quantity), 0) FROM ful.fulfillment_lines l JOIN ful.fulfillment_orders f ON f.id = l.fulfillment_order_id WHERE f.order_id = '\(a.id)' AND l.line_number = 1"
                    #expect(try await world.eventually { try await world.fulfillmentCount(aLine1) == 2 })
                    let aReserved = "SELECT coalesce(sum(quantity), 0) FROM inv.reservations WHERE order_id = '\(a.id)' AND line_number = 1 AND status = 'active'"
                    #expect(try await world.eventually { try await world.inventoryCount(aReserved) == 2 })
                    let aLines = Self.lines(a.view), aPromotion = Self.thresholdShares(a.view)
                    let hoodiesPaid = (aLines[1]?["paidFen"] as? NSNumber)?.int64Value ?? -1
                    let foA = try await world.strings("SELECT id FROM \(world.fulfillmentSchema).fulfillment_orders WHERE order_id = '\(a.id)'").first?.first ?? ""
                    #expect(try await world.eventually { try await refunds(a.id)["RF-L-LC-\(a.id)-1-\(foA)"] == hoodiesPaid / 3 }, "A refund 1: expected \(hoodiesPaid / 3)")

                    // The wave goes to the floor and the picker takes one of A's two hoodies.
                    let warehouseToken = ["Authorization": "Bearer \(TestCredentials.token(.warehouse))"]
                    let wave = try await fulfillment.send(.POST, "/v1/fulfillment/warehouses/SH1/waves", headers: warehouseToken)
                    #expect(wave.status == 201, "\(wave.text)")
                    #expect(try await world.fulfillmentCount("SELECT count(*) FROM ful.fulfillment_orders WHERE order_id IN ('\(a.id)', '\(b.id)') AND status = 'picking'") == 2)
                    let hoodieTask = try await world.strings("""
                        SELECT id::text FROM \(world.fulfillmentSchema).pick_tasks WHERE fulfillment_order_id = '\(foA)' AND line_number = 1 AND status = 'open'
                        """).first?.first ?? "0"
                    let barcode = ((try await fulfillment.send(.GET, "/v1/fulfillment/items/CLO-HOOD-NVY-L", headers: warehouseToken).json["barcodes"] as? [String])?.first) ?? ""
                    let scanned = try await fulfillment.send(.POST, "/v1/fulfillment/pick-tasks/\(hoodieTask)/scans", body: Array(#"{"barcode":"\#(barcode)","quantity":1,"picker":"picker-1"}"#.utf8),
                                                             headers: warehouseToken)
                    #expect(scanned.status == 200, "\(scanned.text)")

                    // Two hoodies cancelled now: the one still on the shelf stops (its task shrinks), the one in the tote ships.
                    let picking = try await cancel(a.id, #"{"lines":[{"lineNumber":1,"quantity":2}],"reason":"又少要两件"}"#)
                    #expect(picking.status == 202, "\(picking.text)")
                    var view: [String: Any] = [:]
                    #expect(try await world.eventually {
                        view = try await edge.send(.GET, "/v1/orders/\(a.id)").json
                        return Self.timeline(view, FulfillmentLineCancelRefused.eventType).contains { $0["reasonCode"] == "picking_started" }
                    }, "no refusal of the picked hoodie on A's timeline")
                    #expect(try await world.eventually {
                        let (working, reserved) = (try await world.fulfillmentCount(aLine1), try await world.inventoryCount(aReserved))
                        return working == 1 && reserved == 1
                    })
                    #expect(try await world.fulfillmentCount("SELECT count(*) FROM ful.pick_tasks WHERE id = \(hoodieTask) AND quantity = 1 AND picked = 1 AND status = 'done'") == 1)
                    #expect(try await world.eventually {
                        try await refunds(a.id)["RF-L-LC-\(a.id)-2-\(foA)"] == hoodiesPaid * 2 / 3 - hoodiesPaid / 3
                    }, "A refund 2: one hoodie's cumulative share")

                    // A's glass, still on the shelf: stopped; its task is cancelled and A is picked. The one hoodie left
                    // is under the 满减 threshold, so the refund gives back the glass less that hoodie's share of the discount.
                    let hoodiePrice = (aLines[1]?["unitPriceFen"] as? NSNumber)?.int64Value ?? .max
                    #expect(aPromotion.threshold > 0 && hoodiePrice < aPromotion.threshold, "\(a.view)")
                    let glass = try await cancel(a.id, #"{"lines":[{"lineNumber":2,"quantity":1}],"reason":"客户不要杯子"}"#)
                    #expect(glass.status == 202 && glass.json["cancellationId"] as? String == "LC-\(a.id)-3", "\(glass.text)")
                    let glassPaid = (aLines[2]?["paidFen"] as? NSNumber)?.int64Value ?? -1
                    let clawback = (aPromotion.shares[1] ?? 0) / 3
                    #expect(clawback > 0)
                    #expect(try await world.eventually { try await refunds(a.id)["RF-L-LC-\(a.id)-3-\(foA)"] == glassPaid - clawback },
                            "A refund 3: expected \(glassPaid) - \(clawback)")
                    #expect(try await world.count("SELECT count(*) FROM \(world.afterSalesSchema).refunds WHERE refund_id = 'RF-L-LC-\(a.id)-3-\(foA)' AND jsonb_array_length(detail->'clawbacks') = 1") == 1)
                    #expect(try await world.fulfillmentCount("SELECT count(*) FROM ful.fulfillment_orders WHERE id = '\(foA)' AND status = 'picked'") == 1)
                    #expect(try await world.fulfillmentCount("SELECT count(*) FROM ful.pick_tasks WHERE fulfillment_order_id = '\(foA)' AND line_number = 2 AND status = 'cancelled'") == 1)

                    // B's other glass, on a released wave and not yet picked: stopped; B keeps only its hoodie, under
                    // the threshold, so its refund takes back the hoodie's share.
                    let bLate = try await cancel(b.id, #"{"lines":[{"lineNumber":2,"quantity":1}],"reason":"杯子也不要了"}"#)
                    #expect(bLate.status == 202, "\(bLate.text)")
                    let bPromotion = Self.thresholdShares(b.view)
                    let foB = try await world.strings("SELECT id FROM \(world.fulfillmentSchema).fulfillment_orders WHERE order_id = '\(b.id)'").first?.first ?? ""
                    #expect(try await world.eventually {
                        try await refunds(b.id)["RF-L-LC-\(b.id)-2-\(foB)"] == bGlassPaid - bGlassPaid / 2 - (bPromotion.shares[1] ?? 0)
                    }, "B refund 2: expected \(bGlassPaid - bGlassPaid / 2) - \(bPromotion.shares[1] ?? 0)")
                    // Both glasses are back on sale; intake shows A allocated (a line's refund is not the order's), with what was asked.
                    #expect(try await world.eventually {
                        try await world.inventoryCount("SELECT reserved FROM inv.stock WHERE sku = 'GLS-WINEGLASS-1' AND warehouse_code = 'SH1'") == 0
                    })
                    #expect(try await world.eventually {
                        view = try await edge.send(.GET, "/v1/orders/\(a.id)").json
                        return Self.timeline(view, RefundIssued.eventType).count == 3
                    })
                    #expect(view["status"] as? String == "allocated", "\(view["status"] ?? "-")")
                    // Three hoodies asked, one refused (it ships): two cancelled.
                    #expect(Self.lines(view)[1]?["cancelledQuantity"] as? Int == 2 && Self.lines(view)[2]?["cancelledQuantity"] as? Int == 1, "\(view["lines"] ?? "-")")
                    #expect(Self.timeline(view, OrderLinesCancelled.eventType).count == 3 && Self.timeline(view, InventoryLinesCancelled.eventType).count == 3)

                    // C, not yet paid: 409 (its payment is for the whole total); cancelled: 409 closed.
                    let c = try await place("W-LC-C-\(world.id)", [("CLO-HOOD-NVY-L", 1), ("GLS-WINEGLASS-1", 1)], pay: false, until: "awaitingPayment")
                    let unpaid = try await cancel(c.id, #"{"lines":[{"lineNumber":2,"quantity":1}],"reason":"x"}"#)
                    #expect(unpaid.status == 409 && unpaid.text.contains("awaiting_payment"), "\(unpaid.text)")
                    #expect(try await edge.send(.POST, "/v1/orders/\(c.id)/cancel", body: Array(#"{"reason":"客户取消"}"#.utf8)).status == 200)
                    let closed = try await cancel(c.id, #"{"lines":[{"lineNumber":2,"quantity":1}],"reason":"x"}"#)
                    #expect(closed.status == 409 && closed.text.contains("order_closed"), "\(closed.text)")
                }
            }
        }
    }

    @Test("backordered glasses substituted (更换款式): another style at the same price, a cheaper one refunded; a dearer one 409; a reserved line and a late one refused; the order ships with the replacements")
    func substituteBackorderedUnits() async throws {
        try await withIntakeWorld { world in
            let (intake, edge) = try world.liveIntake()
            try await world.running([intake, try world.riskApplication()], readyAt: [edge]) {
                try await world.withStages(inventory: true, fulfillment: ["OMS_WAVE_WINDOW_SECONDS": "3600"], afterSales: [:]) { stages in
                    let inventory = try #require(stages.inventory)
                    try await InventoryFixtures.setUpWarehouses(inventory)
                    for sku in ["CLO-HOOD-NVY-L", "GLS-WINEGLASS-1", "GLS-WINEGLASS-2", "GLS-TUMBLER-1"] {
                        #expect(try await InventoryFixtures.receive(inventory, sku, 1, into: "SH1").status == 201)
                    }
                    // A hoodie and three wine glasses of which one is in stock: two backordered, the order waits whole.
                    let order = try await Self.place("W-SUB-\(world.id)", [("CLO-HOOD-NVY-L", 1), ("GLS-WINEGLASS-1", 3)], until: "backordered", edge: edge, world: world)
                    func substitute(_ json: String) async throws -> EdgeClient.Reply {
                        try await edge.send(.POST, "/v1/orders/\(order.id)/substitutions", body: Array(json.utf8),
                                            headers: ["Authorization": "Bearer \(TestCredentials.token(.customerService))"])
                    }

                    // Bad input names the field; a dearer SKU is owed a difference the OMS cannot collect.
                    let unknown = try await substitute(#"{"lineNumber":2,"quantity":1,"sku":"NO-SUCH-SKU","reason":"换款"}"#)
                    #expect(unknown.status == 422 && unknown.text.contains("\"sku\""), "\(unknown.text)")
                    let tooMany = try await substitute(#"{"lineNumber":2,"quantity":4,"sku":"GLS-WINEGLASS-2","reason":"换款"}"#)
                    #expect(tooMany.status == 422 && tooMany.text.contains("quantity"), "\(tooMany.text)")
                    let dearer = try await substitute(#"{"lineNumber":2,"quantity":1,"sku":"GLS-DECANTER-1","reason":"换款"}"#)
                    #expect(dearer.status == 409 && dearer.text.contains("difference_due"), "\(dearer.text)")
                    // The hoodie is reserved, not backordered: inventory refuses, visibly, and nothing changes.
                    let reserved = try await substitute(#"{"lineNumber":1,"quantity":1,"sku":"CLO-HOOD-BLK-L","reason":"换色"}"#)
                    #expect(reserved.status == 202, "\(reserved.text)")
                    var view: [String: Any] = [:]
                    #expect(try await world.eventually {
                        view = try await edge.send(.GET, "/v1/orders/\(order.id)").json
                        return Self.timeline(view, InventoryLineSubstituted.eventType).contains { $0["reasonCode"] == "not_backordered" }
                    }, "no refusal on the timeline")
                    #expect(Self.lines(view)[1]?["substitutedQuantity"] as? Int == 0 && Self.lines(view).count == 2, "\(view["lines"] ?? "-")")

                    // Another style at the same price: nothing refunded. A cheaper tumbler: the list-price difference back.
                    let style = try await substitute(#"{"lineNumber":2,"quantity":1,"sku":"GLS-WINEGLASS-2","reason":"缺货，顾客同意换款式2"}"#)
                    #expect(style.status == 202 && style.json["differenceRefundFen"] as? Int == 0, "\(style.text)")
                    let cheaper = try await substitute(#"{"lineNumber":2,"quantity":1,"sku":"GLS-TUMBLER-1","reason":"缺货，顾客同意换水杯"}"#)
                    #expect(cheaper.status == 202 && cheaper.json["differenceRefundFen"] as? Int == 12_900 - 5_900, "\(cheaper.text)")
                    let tumblerLine = ((cheaper.json["replacement"] as? [String: Any])?["lineNumber"] as? Int) ?? -1

                    // Nothing waits any more: the order goes to the warehouse with both replacements, the refund is issued.
                    #expect(try await world.eventually {
                        try await world.fulfillmentCount("""
                            SELECT count(*) FROM ful.fulfillment_lines l JOIN ful.fulfillment_orders f ON f.id = l.fulfillment_order_id
                            WHERE f.order_id = '\(order.id)' AND l.sku IN ('CLO-HOOD-NVY-L', 'GLS-WINEGLASS-1', 'GLS-WINEGLASS-2', 'GLS-TUMBLER-1') AND l.quantity = 1
                            """) == 4
                    }, "the order did not reach the warehouse with its replacements")
                    #expect(try await world.inventoryCount("SELECT count(*) FROM inv.backorders WHERE order_id = '\(order.id)' AND status = 'open'") == 0)
                    #expect(try await world.eventually {
                        try await world.count("SELECT count(*) FROM \(world.afterSalesSchema).refunds WHERE order_id = '\(order.id)' AND cause = 'substitution' AND amount_fen = 7000") == 1
                    }, "no substitution refund of 70.00")
                    #expect(try await world.count("SELECT count(*) FROM \(world.afterSalesSchema).refunds WHERE order_id = '\(order.id)'") == 1)
                    // After-sales knows the replacement lines (a return of the tumbler is judged against them).
                    #expect(try await world.eventually {
                        try await world.count("SELECT jsonb_array_length(body->'lines') FROM \(world.afterSalesSchema).orders WHERE order_id = '\(order.id)'") == 4
                    })
                    #expect(try await world.eventually {
                        view = try await edge.send(.GET, "/v1/orders/\(order.id)").json
                        return view["status"] as? String == "allocated" && Self.lines(view).count == 4
                    }, "intake: \(view["status"] ?? "-"), \(view["lines"] ?? "-")")
                    #expect(Self.lines(view)[2]?["substitutedQuantity"] as? Int == 2 && Self.lines(view)[tumblerLine]?["sku"] as? String == "GLS-TUMBLER-1")
                    // The totals still show what the customer pays: the replaced glasses are the replacements now.
                    let totals = view["totals"] as? [String: Any] ?? [:], before = order.view["totals"] as? [String: Any] ?? [:]
                    #expect((totals["totalFen"] as? Int).map { $0 + 7_000 } == before["totalFen"] as? Int, "\(totals) vs \(before)")
                    // Nothing waits any more: inventory refuses a third; packed, intake answers 409.
                    let late = try await substitute(#"{"lineNumber":2,"quantity":1,"sku":"GLS-WINEGLASS-3","reason":"换款"}"#)
                    #expect(late.status == 202, "\(late.text)")
                    #expect(try await world.eventually {
                        view = try await edge.send(.GET, "/v1/orders/\(order.id)").json
                        return Self.timeline(view, InventoryLineSubstituted.eventType).filter { $0["reasonCode"] == "not_backordered" }.count == 2
                    }, "the late substitution was not refused")
                    #expect(Self.lines(view).count == 4 && Self.lines(view)[2]?["substitutedQuantity"] as? Int == 2)
                }
            }
        }
    }
}
