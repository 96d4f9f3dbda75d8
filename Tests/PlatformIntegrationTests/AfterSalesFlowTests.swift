import Foundation
import OMSDomain
import OMSPlatform
import Testing

/// After-sales against real PostgreSQL and the broker: returns to refunds with inventory taking the
/// goods back, exchanges through inventory, fulfillment and logistics, complaints and feedback.
@Suite("After-sales: returns and refunds, exchanges, complaints (real PostgreSQL and broker)", .serialized)
struct AfterSalesFlowTests {
    typealias F = FulfillmentFixtures

    /// The hoodie-and-jeans order of `RefundCalculatorTests`: 满500减80 split 37.13 + 42.87, 10.00 shipping, 488.00 paid.
    static func promotedOrder(_ id: String) -> (Order, [AppliedPromotion]) {
        var order = InventoryFixtures.order(id, province: "上海市", city: "上海市", lines: [("CLO-HOOD-NVY-L", 1, 25_900), ("CLO-JEAN-BLK-M", 1, 29_900)])
        order.lines[0].allocatedDiscount = .fen(3_713)
        order.lines[1].allocatedDiscount = .fen(4_287)
        order.shippingFee = .fen(1_000)
        order.payment.paidAmount = .fen(48_800)
        let promotion = AppliedPromotion(promotionID: "P-500-80", description: "满500减80", amount: .fen(8_000), lines: [1, 2], threshold: .fen(50_000),
                                         shares: [.init(lineNumber: 1, amount: .fen(3_713)), .init(lineNumber: 2, amount: .fen(4_287))])
        return (order, [promotion])
    }

    static func received(_ order: Order, _ promotions: [AppliedPromotion] = []) throws -> (EventEnvelope, String) {
        (try EventEnvelope.make(OrderReceived(order: order, appliedPromotions: promotions, couponCode: nil, receivedAt: order.placedAt), orderID: order.orderID, producer: .intake),
         TopicCatalogue.orders)
    }

    /// The whole order in one parcel from `warehouse`, dispatched and delivered `daysAgo` days ago.
    static func shippedAndDelivered(_ order: Order, from warehouse: String = "SH1", carrier: String = "SF-EXPRESS", daysAgo: Double = 1) throws -> [(EventEnvelope, String)] {
        let lines = order.lines.map { ParcelLine(lineNumber: $0.lineNumber, sku: $0.sku, quantity: $0.quantity) }
        let at = Date().addingTimeInterval(-daysAgo * 86_400)
        let shipment = "SHP-\(order.orderID)"
        return [
            (try EventEnvelope.make(ShipmentDispatched(shipmentId: shipment, orderID: order.orderID, warehouseId: warehouse, carrier: carrier, trackingNumber: "SF\(order.orderID.count)0000000001",
                                                       lines: lines, dispatchedAt: at.addingTimeInterval(-86_400)), orderID: order.orderID, producer: .logistics), TopicCatalogue.shipments),
            (try EventEnvelope.make(ShipmentDelivered(shipmentId: shipment, orderID: order.orderID, trackingNumber: "SF1", deliveredAt: at, location: "上海市", signedBy: "本人",
                                                      proofReference: nil, lines: lines), orderID: order.orderID, producer: .logistics), TopicCatalogue.shipments),
        ]
    }

    static func post(_ http: EdgeClient, _ path: String, _ json: String, user: String = "cs-agent-1") async throws -> EdgeClient.Reply {
        try await http.send(.POST, path, body: Array(json.utf8), headers: ["X-User-Id": user])
    }

    /// Delivered units per line, as after-sales knows them.
    static func delivered(_ http: EdgeClient, _ orderID: String) async throws -> [Int] {
        let lines = try await http.send(.GET, "/v1/aftersales/orders/\(orderID)").json["lines"] as? [[String: Any]] ?? []
        return lines.map { $0["delivered"] as? Int ?? 0 }
    }

    static func code(_ reply: EdgeClient.Reply) -> String? {
        (reply.json["error"] as? [String: Any])?["code"] as? String
    }

    @Test("return to refund with a 满减 clawback; over-return, out-of-window and a second refund refused; inventory restocks and quarantines")
    func returnToRefund() async throws {
        try await withIntakeWorld { world in
            try await world.withStages(inventory: true, afterSales: [:]) { clients in
                let (http, inventory) = (try #require(clients.afterSales), try #require(clients.inventory))
                try await InventoryFixtures.setUpWarehouses(inventory)
                let (order, promotions) = Self.promotedOrder("O-RET")
                let old = InventoryFixtures.order("O-OLD", lines: [("CLO-TEE-BLK-M", 1, 9_900)])
                // Inventory allocates both orders in SH1 before the parcels leave, so its ledger stays whole.
                for sku in ["CLO-HOOD-NVY-L", "CLO-JEAN-BLK-M", "CLO-TEE-BLK-M"] {
                    #expect(try await InventoryFixtures.receive(inventory, sku, 1, into: "SH1").status == 201)
                }
                try await world.publish([try Self.received(order, promotions), try Self.received(old), try InventoryFixtures.verified(order), try InventoryFixtures.verified(old)])
                #expect(try await world.eventually { try await world.inventoryCount("SELECT count(*) FROM inv.reservations WHERE order_id IN ('O-RET', 'O-OLD')") == 3 })
                try await world.publish(Self.shippedAndDelivered(order) + Self.shippedAndDelivered(old, daysAgo: 10))
                #expect(try await world.eventually {
                    let old = try await Self.delivered(http, "O-OLD")
                    let promoted = try await Self.delivered(http, "O-RET")
                    return old == [1] && promoted == [1, 1]
                })

                // Jeans back for size: approved at once, received resellable, refunded 256.13 - 37.13 clawback = 219.00.
                let opened = try await Self.post(http, "/v1/aftersales/returns", #"{"orderId":"O-RET","reason":"sizeOrFit","lines":[{"lineNumber":2,"quantity":1}],"requestId":"cs-1"}"#)
                #expect(opened.status == 201 && opened.json["status"] as? String == "approved" && opened.json["returnShippingPaidBy"] as? String == "customer")
                let jeans = opened.json["returnId"] as? String ?? ""
                let retried = try await Self.post(http, "/v1/aftersales/returns", #"{"orderId":"O-RET","reason":"sizeOrFit","lines":[{"lineNumber":2,"quantity":1}],"requestId":"cs-1"}"#)
                #expect(retried.status == 200 && retried.json["returnId"] as? String == jeans && retried.headers["idempotent-replayed"] == "true")
                let over = try await Self.post(http, "/v1/aftersales/returns", #"{"orderId":"O-RET","reason":"sizeOrFit","lines":[{"lineNumber":2,"quantity":1}]}"#)
                #expect(over.status == 422 && Self.code(over) == "over_return")
                #expect(((over.json["error"] as? [String: Any])?["fields"] as? [[String: Any]])?.first?["field"] as? String == "lines[0].quantity")
                let late = try await Self.post(http, "/v1/aftersales/returns", #"{"orderId":"O-OLD","reason":"noReasonWithin7Days","lines":[{"lineNumber":1,"quantity":1}]}"#)
                #expect(late.status == 422 && Self.code(late) == "outside_return_window")
                #expect(try await Self.post(http, "/v1/aftersales/returns", #"{"orderId":"O-OLD","reason":"qualityProblem","lines":[{"lineNumber":1,"quantity":1}]}"#).status == 201)
                #expect(try await Self.post(http, "/v1/aftersales/returns/\(jeans)/refund", "{}").status == 409)

                #expect(try await Self.post(http, "/v1/aftersales/returns/\(jeans)/shipment", #"{"carrier":"SF","trackingNumber":"SF9000000000001"}"#).json["status"] as? String == "inTransit")
                let receipt = try await Self.post(http, "/v1/aftersales/returns/\(jeans)/receipt", #"{"warehouseId":"SH1","items":[{"lineNumber":2,"quantity":1,"condition":"resellable"}]}"#)
                #expect(receipt.status == 200 && receipt.json["status"] as? String == "refunded")
                let refund = receipt.json["refund"] as? [String: Any] ?? [:]
                #expect((refund["amount"] as? [String: Any])?["minorUnits"] as? Int == 21_900)
                #expect(((refund["clawbacks"] as? [[String: Any]])?.first?["amount"] as? [String: Any])?["minorUnits"] as? Int == 3_713)
                #expect(try await Self.post(http, "/v1/aftersales/returns/\(jeans)/receipt", #"{"warehouseId":"SH1","items":[{"lineNumber":2,"quantity":1,"condition":"resellable"}]}"#).status == 409)
                let again = try await Self.post(http, "/v1/aftersales/returns/\(jeans)/refund", "{}")
                #expect(again.status == 200 && again.json["refundId"] as? String == "RF-\(jeans)" && again.headers["idempotent-replayed"] == "true")

                // The hoodie turns out faulty: a reviewer approves; it comes back damaged (quarantined),
                // refunded with the clawback returned and the shipping: 488.00 in all.
                let faulty = try await Self.post(http, "/v1/aftersales/returns", #"{"orderId":"O-RET","reason":"qualityProblem","lines":[{"lineNumber":1,"quantity":1}],"note":"seam open"}"#)
                #expect(faulty.json["status"] as? String == "requested")
                let hoodie = faulty.json["returnId"] as? String ?? ""
                #expect(try await Self.post(http, "/v1/aftersales/returns/\(hoodie)/receipt", #"{"warehouseId":"SH1","items":[{"lineNumber":1,"quantity":1,"condition":"damaged"}]}"#).status == 409)
                let approved = try await Self.post(http, "/v1/aftersales/returns/\(hoodie)/decision", #"{"approve":true,"note":"photo shows the seam"}"#, user: "cs-lead")
                #expect(approved.json["status"] as? String == "approved" && approved.json["decidedBy"] as? String == "cs-lead")
                #expect(try await Self.post(http, "/v1/aftersales/returns/\(hoodie)/decision", #"{"approve":false,"note":"changed my mind"}"#).status == 409)
                let second = try await Self.post(http, "/v1/aftersales/returns/\(hoodie)/receipt", #"{"warehouseId":"SH1","items":[{"lineNumber":1,"quantity":1,"condition":"damaged","note":"seam"}]}"#)
                #expect(((second.json["refund"] as? [String: Any])?["amount"] as? [String: Any])?["minorUnits"] as? Int == 26_900)
                let summary = try await http.send(.GET, "/v1/aftersales/orders/O-RET").json
                #expect((summary["refunded"] as? [String: Any])?["minorUnits"] as? Int == 48_800)

                // One refund event per return, and inventory booked each return once: jeans on sale, hoodie quarantined.
                let events = try await world.events(on: TopicCatalogue.afterSalesEvents) { $0.filter { $0.type == RefundIssued.eventType }.count >= 2 }
                #expect(events.filter { $0.type == RefundIssued.eventType && $0.orderID == "O-RET" }.count == 2)
                #expect(try await world.eventually { try await world.inventoryCount("SELECT on_hand FROM inv.stock WHERE sku = 'CLO-JEAN-BLK-M' AND warehouse_code = 'SH1'") == 1 })
                #expect(try await world.eventually { try await world.inventoryCount("SELECT quarantined FROM inv.stock WHERE sku = 'CLO-HOOD-NVY-L' AND warehouse_code = 'SH1'") == 1 })
                #expect(try await world.count("SELECT count(*) FROM \(world.afterSalesSchema).refunds WHERE order_id = 'O-RET'") == 2)
                #expect(try await world.ledgerDiscrepancies() == 0)

                // Bad input: a clear 4xx naming the field, nothing stored.
                #expect(try await Self.post(http, "/v1/aftersales/returns", #"{"orderId":"O-RET","reason":"bored","lines":[]}"#).status == 400)
                let empty = try await Self.post(http, "/v1/aftersales/returns", #"{"orderId":"O-RET","reason":"sizeOrFit","lines":[]}"#)
                #expect(empty.status == 422 && Self.code(empty) == "validation_failed")
                #expect(try await Self.post(http, "/v1/aftersales/returns", #"{"orderId":"O-NOPE","reason":"sizeOrFit","lines":[{"lineNumber":1,"quantity":1}]}"#).status == 404)
            }
        }
    }

    @Test("an exchange reserves, packs and ships the replacement and closes when the original is back; out of stock it becomes a refund")
    func exchanges() async throws {
        try await withIntakeWorld { world in
            try await world.withStages(inventory: true, fulfillment: ["OMS_FULFILLMENT_DEFAULT_MODE": "automatic"], logistics: LogisticsFlowTests.signingEnvironment,
                                       afterSales: [:]) { clients in
                let (http, inventory, logistics) = (try #require(clients.afterSales), try #require(clients.inventory), try #require(clients.logistics))
                try await InventoryFixtures.setUpWarehouses(inventory)
                try await LogisticsFlowTests.setUpOrigins(logistics)
                #expect(try await InventoryFixtures.receive(inventory, "CLO-TEE-BLK-M", 2, into: "SH1").status == 201)
                #expect(try await InventoryFixtures.receive(inventory, "CLO-TEE-BLK-L", 1, into: "SH1").status == 201)
                let order = F.order("O-SWAP", province: "上海市", city: "上海市", [("CLO-TEE-BLK-M", 2)])
                try await world.publish([try Self.received(order), try InventoryFixtures.verified(order)])
                let dispatched = try await world.events(on: TopicCatalogue.shipments) { $0.contains { $0.orderID == "O-SWAP" && $0.type == ShipmentDispatched.eventType } }
                    .first { $0.orderID == "O-SWAP" && $0.type == ShipmentDispatched.eventType }!.decode(ShipmentDispatched.self)
                let delivered = LogisticsFlowTests.scan("SWAP-1", dispatched.trackingNumber, "delivered", at: Date(), extra: #","signedBy":"本人""#)
                #expect(try await LogisticsFlowTests.track(logistics, carrier: dispatched.carrier, delivered).status == 200)
                #expect(try await world.eventually { try await Self.delivered(http, "O-SWAP") == [2] })

                // M -> L for one unit: inventory reserves the L in SH1, fulfillment packs it, logistics ships it.
                let swap = try await Self.post(http, "/v1/aftersales/exchanges", #"{"orderId":"O-SWAP","lineNumber":1,"quantity":1,"replacementSku":"CLO-TEE-BLK-L"}"#)
                #expect(swap.status == 201 && swap.json["replacementLineNumber"] as? Int == 1001)
                let exchange = swap.json["exchangeId"] as? String ?? ""
                #expect(try await world.eventually { try await http.send(.GET, "/v1/aftersales/exchanges/\(exchange)").json["status"] as? String == "replacementShipped" })
                let shipped = try await world.events(on: TopicCatalogue.shipments) { $0.filter { $0.orderID == "O-SWAP" && $0.type == ShipmentDispatched.eventType }.count == 2 }
                    .filter { $0.orderID == "O-SWAP" && $0.type == ShipmentDispatched.eventType }
                #expect(try shipped.last!.decode(ShipmentDispatched.self).lines == [ParcelLine(lineNumber: 1001, sku: "CLO-TEE-BLK-L", quantity: 1)])
                let back = try await Self.post(http, "/v1/aftersales/exchanges/\(exchange)/receipt", #"{"warehouseId":"SH1","condition":"resellable"}"#)
                #expect(back.json["status"] as? String == "closed")
                #expect(try await world.eventually { try await world.inventoryCount("SELECT on_hand FROM inv.stock WHERE sku = 'CLO-TEE-BLK-M' AND warehouse_code = 'SH1'") == 1 })
                #expect(try await world.inventoryCount("SELECT on_hand FROM inv.stock WHERE sku = 'CLO-TEE-BLK-L' AND warehouse_code = 'SH1'") == 0)

                // The other unit for an XL nobody has: nothing reserved, a refund is offered and taken.
                let none = try await Self.post(http, "/v1/aftersales/exchanges", #"{"orderId":"O-SWAP","lineNumber":1,"quantity":1,"replacementSku":"CLO-TEE-BLK-XL"}"#)
                let unavailable = none.json["exchangeId"] as? String ?? ""
                #expect(try await world.eventually { try await http.send(.GET, "/v1/aftersales/exchanges/\(unavailable)").json["status"] as? String == "replacementUnavailable" })
                #expect(try await Self.post(http, "/v1/aftersales/exchanges", #"{"orderId":"O-SWAP","lineNumber":1,"quantity":2,"replacementSku":"CLO-TEE-BLK-S"}"#).status == 422)
                let converted = try await Self.post(http, "/v1/aftersales/exchanges/\(unavailable)/refund", "{}")
                #expect(converted.status == 201 && converted.json["status"] as? String == "approved")
                let rma = converted.json["returnId"] as? String ?? ""
                let refunded = try await Self.post(http, "/v1/aftersales/returns/\(rma)/receipt", #"{"warehouseId":"SH1","items":[{"lineNumber":1,"quantity":1,"condition":"resellable"}]}"#)
                #expect(((refunded.json["refund"] as? [String: Any])?["amount"] as? [String: Any])?["minorUnits"] as? Int == 9_900)
                #expect(try await world.inventoryCount("SELECT count(*) FROM inv.exchanges") == 2)
                #expect(try await world.ledgerDiscrepancies() == 0)
            }
        }
    }

    @Test("complaints are routed to the responsible team, escalated past their SLA and reported by carrier; feedback once per order")
    func complaints() async throws {
        try await withIntakeWorld { world in
            try await world.withStages(afterSales: ["OMS_COMPLAINT_SLA_SECONDS": "medium=2", "OMS_ESCALATION_CHECK_SECONDS": "1"]) { clients in
                let http = try #require(clients.afterSales)
                let slow = InventoryFixtures.order("O-SLOW", lines: [("CLO-TEE-BLK-M", 1, 9_900)])
                let other = InventoryFixtures.order("O-SLOW2", lines: [("CLO-TEE-BLK-M", 1, 9_900)])
                let wrong = InventoryFixtures.order("O-WRONG", lines: [("GLS-WINEGLASS-1", 1, 5_900)])
                var events = [try Self.received(slow), try Self.received(other), try Self.received(wrong)]
                events += try Self.shippedAndDelivered(slow, carrier: "ZTO-ECONOMY") + Self.shippedAndDelivered(other, carrier: "ZTO-ECONOMY") + Self.shippedAndDelivered(wrong, from: "GZ1")
                events.append((try EventEnvelope.make(ShipmentDelayed(shipmentId: "SHP-O-SLOW", orderID: "O-SLOW", trackingNumber: "ZT1", reasonCode: "no_scan", estimatedDelivery: nil,
                                                                      detectedAt: Date()), orderID: "O-SLOW", producer: .logistics), TopicCatalogue.shipments))
                try await world.publish(events)
                #expect(try await world.eventually { try await world.count("SELECT count(*) FROM \(world.afterSalesSchema).parcels WHERE delayed") == 1 })

                let late = try await Self.post(http, "/v1/aftersales/complaints", #"{"orderId":"O-SLOW","category":"deliveryDelay","severity":"medium","description":"5 days late"}"#)
                #expect(late.status == 201 && late.json["team"] as? String == "logistics" && late.json["carrier"] as? String == "ZTO-ECONOMY")
                #expect(try await Self.post(http, "/v1/aftersales/complaints", #"{"orderId":"O-SLOW2","category":"deliveryDelay","severity":"low","description":"late"}"#).status == 201)
                let mixed = try await Self.post(http, "/v1/aftersales/complaints", #"{"orderId":"O-WRONG","category":"wrongItem","severity":"high","description":"got mugs","sku":"GLS-WINEGLASS-1"}"#)
                #expect(mixed.json["team"] as? String == "warehouse" && mixed.json["warehouseId"] as? String == "GZ1" && mixed.json["escalationLevel"] as? Int == 0)
                let bad = try await Self.post(http, "/v1/aftersales/complaints", #"{"orderId":"O-WRONG","category":"wrongItem","severity":"high","description":"x","sku":"NOT-IN-ORDER"}"#)
                #expect(bad.status == 422)

                // The medium complaint has 2 s: unresolved, it moves to the team lead, once per period.
                let id = late.json["complaintId"] as? String ?? ""
                #expect(try await world.eventually(timeout: .seconds(20)) { try await http.send(.GET, "/v1/aftersales/complaints/\(id)").json["escalationLevel"] as? Int ?? 0 >= 1 })
                let escalated = try await world.events(on: TopicCatalogue.afterSalesEvents) { $0.contains { $0.type == ComplaintEscalated.eventType } }
                #expect(try escalated.first { $0.type == ComplaintEscalated.eventType }!.decode(ComplaintEscalated.self).complaint.complaintId == id)
                let resolved = try await Self.post(http, "/v1/aftersales/complaints/\(id)/progress", #"{"status":"resolved","note":"voucher issued, carrier warned"}"#, user: "logistics-lead")
                #expect(resolved.json["status"] as? String == "resolved" && resolved.json["resolvedWithinSLA"] as? Bool == false)
                #expect(try await Self.post(http, "/v1/aftersales/complaints/\(id)/progress", #"{"status":"inProgress","note":"again"}"#).status == 409)
                let level = try await http.send(.GET, "/v1/aftersales/complaints/\(id)").json["escalationLevel"] as? Int
                // A complaint filed after the resolution escalates in turn: sweeps ran since, and
                // they left the resolved one where it was.
                let later = try await Self.post(http, "/v1/aftersales/complaints", #"{"orderId":"O-SLOW","category":"service","severity":"medium","description":"rude on the phone"}"#)
                #expect(later.status == 201 && later.json["team"] as? String == "customerService")
                let laterID = later.json["complaintId"] as? String ?? ""
                #expect(try await world.eventually(timeout: .seconds(20)) { try await http.send(.GET, "/v1/aftersales/complaints/\(laterID)").json["escalationLevel"] as? Int ?? 0 >= 1 })
                #expect(try await http.send(.GET, "/v1/aftersales/complaints/\(id)").json["escalationLevel"] as? Int == level)
                #expect((try await http.send(.GET, "/v1/aftersales/complaints?team=warehouse").json["complaints"] as? [[String: Any]])?.count == 1)

                // Slow-delivery complaints cluster on one carrier.
                let report = try await http.send(.GET, "/v1/aftersales/reports/complaints?by=carrier&category=deliveryDelay").json
                let rows = report["rows"] as? [[String: Any]] ?? []
                #expect(rows.first?["key"] as? String == "ZTO-ECONOMY" && rows.first?["complaints"] as? Int == 2)
                let csv = try await http.send(.GET, "/v1/aftersales/reports/complaints?by=warehouse&format=csv").text
                #expect(csv.hasPrefix("warehouse,complaints,unresolved,escalated,resolved_within_sla\n") && csv.contains("\"GZ1\",1,1,0,0"))
                #expect(try await http.send(.GET, "/v1/aftersales/reports/complaints?by=customer").status == 422)

                // Feedback: once per order; a poor rating opens a service complaint for follow-up.
                let feedback = try await Self.post(http, "/v1/aftersales/orders/O-WRONG/feedback", #"{"rating":1,"comment":"wrong goods"}"#)
                #expect(feedback.status == 201 && (feedback.json["followUpComplaintId"] as? String)?.hasPrefix("CMP-") == true)
                #expect(try await Self.post(http, "/v1/aftersales/orders/O-WRONG/feedback", #"{"rating":1,"comment":"wrong goods"}"#).status == 200)
                #expect(try await Self.post(http, "/v1/aftersales/orders/O-WRONG/feedback", #"{"rating":5}"#).status == 409)
                #expect(try await Self.post(http, "/v1/aftersales/orders/O-SLOW/feedback", #"{"rating":6}"#).status == 422)
                #expect(try await world.count("SELECT count(*) FROM \(world.afterSalesSchema).complaints WHERE order_id = 'O-WRONG' AND category = 'service'") == 1)
            }
        }
    }
}
