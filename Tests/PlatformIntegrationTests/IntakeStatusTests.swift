import AsyncHTTPClient
import Foundation
import OMSDemo
import Hummingbird
import HummingbirdTesting
import IntakeService
import OMSDomain
import OMSPlatform
import Testing

@Suite("Intake order status: projection of downstream events, cancellation", .serialized)
struct IntakeStatusTests {
    /// A downstream event of `type` about `orderID` as the owning service emits it (the projection
    /// refuses payloads their type cannot decode).
    func stage(_ type: String, _ orderID: String, carrier: String? = nil, tracking: String? = nil, warehouse: String? = nil) throws -> EventEnvelope {
        let order = InventoryFixtures.order(orderID, lines: [("CLO-TEE-BLK-M", 1, 9_900)])
        let now = Date()
        switch type {
        case ShipmentDispatched.eventType:
            return try EventEnvelope.make(ShipmentDispatched(shipmentId: "SHP-\(orderID)", orderID: orderID, warehouseId: warehouse ?? "WH-SH", carrier: carrier ?? "SF",
                                                             trackingNumber: tracking ?? "SF0000000000", lines: [ParcelLine(lineNumber: 1, sku: "CLO-TEE-BLK-M", quantity: 1)],
                                                             dispatchedAt: now), orderID: orderID, producer: .logistics)
        case OrderVerified.eventType:
            return try EventEnvelope.make(OrderVerified(orderID: orderID, score: 0, findings: [], decidedBy: "rules", verifiedAt: now, order: order), orderID: orderID, producer: .risk)
        case InventoryReserved.eventType:
            let allocations = [StockAllocation(lineNumber: 1, sku: "CLO-TEE-BLK-M", warehouseId: warehouse ?? "WH-SH", quantity: 1)]
            return try EventEnvelope.make(InventoryReserved(orderID: orderID, allocations: allocations, cause: "verified", orderComplete: true, reservedAt: now, order: order),
                                          orderID: orderID, producer: .inventory)
        case FulfillmentCancelRefused.eventType:
            return try EventEnvelope.make(FulfillmentCancelRefused(fulfillmentOrderId: "FO-\(orderID)", orderID: orderID, warehouseId: warehouse ?? "WH-SH",
                                                                   reasonCode: "already_packed", refusedAt: now), orderID: orderID, producer: .fulfillment)
        case OrderRejected.eventType:
            return try EventEnvelope.make(OrderRejected(orderID: orderID, channel: .web, channelOrderID: "CH-\(orderID)",
                                                        reasons: [RejectionReason(code: "deny_listed", message: "on the deny list")], rejectedAt: now),
                                          orderID: orderID, producer: .risk)
        case RefundIssued.eventType:
            throw InventoryFixtures.Failure("use refund(_:amountFen:) for refunds")
        default:
            throw InventoryFixtures.Failure("no fixture for \(type)")
        }
    }

    @Test("late, reordered and duplicated events never move the status backwards; cancel before and after shipment, refused once packed")
    func projectionAndCancel() async throws {
        try await withIntakeWorld { world in
            let app = try world.application(role: .all)
            try await app.test(.live) { client in
                let edge = EdgeClient(base: "http://127.0.0.1:\(client.port!)", http: HTTPClient.shared)
                let factory = DemoOrderFactory()
                var ids: [String] = []
                for n in 0..<2 {
                    let reply = try await edge.send(.POST, "/v1/channels/web/orders", body: try factory.webOrder(run: world.id, number: n).body)
                    #expect(reply.status == 202)
                    ids.append(reply.json["orderId"] as? String ?? "")
                }
                let (shipped, cancellable) = (ids[0], ids[1])
                #expect(try await world.eventually { try await world.count("SELECT count(*) FROM \(world.schema).orders WHERE status = 'received'") == 2 })

                // Shipped arrives first; verified and reserved come late; dispatched is delivered twice.
                let dispatched = try stage("shipment.dispatched", shipped, carrier: "SF", tracking: "SF1234567890")
                try await world.publish([(dispatched, TopicCatalogue.shipments)])
                #expect(try await world.eventually { try await world.count("SELECT count(*) FROM \(world.schema).orders WHERE status = 'shipped'") == 1 })
                try await world.publish([
                    (try stage("order.verified", shipped), TopicCatalogue.riskDecisions),
                    (try stage("inventory.reserved", shipped, warehouse: "WH-SH"), TopicCatalogue.inventoryEvents),
                    (dispatched, TopicCatalogue.shipments),
                    (try stage("order.verified", cancellable), TopicCatalogue.riskDecisions),
                ])
                #expect(try await world.eventually { try await world.count("SELECT count(*) FROM \(world.schema).order_timeline") == 6 })
                let view = try await edge.send(.GET, "/v1/orders/\(shipped)")
                #expect(view.json["status"] as? String == "shipped")
                let details = view.json["details"] as? [String: String]
                #expect(details?["trackingNumber"] == "SF1234567890" && details?["carrier"] == "SF" && details?["warehouseId"] == "WH-SH")
                let timeline = (view.json["timeline"] as? [[String: Any]]) ?? []
                #expect(timeline.count == 4)
                #expect(timeline.filter { $0["statusChanged"] as? Bool == true }.count == 2)

                let refused = try await edge.send(.POST, "/v1/orders/\(shipped)/cancel", body: Array(#"{"reason":"changed my mind"}"#.utf8))
                #expect(refused.status == 409)
                #expect(refused.text.contains("already_shipped") && refused.text.contains("/v1/returns"))

                let cancelled = try await edge.send(.POST, "/v1/orders/\(cancellable)/cancel", body: Array(#"{"reason":"changed my mind","requestedBy":"customer"}"#.utf8))
                #expect(cancelled.status == 200)
                let twice = try await edge.send(.POST, "/v1/orders/\(cancellable)/cancel", body: Array(#"{"reason":"again"}"#.utf8))
                #expect(twice.status == 200)
                let noReason = try await edge.send(.POST, "/v1/orders/\(cancellable)/cancel", body: Array(#"{"reason":""}"#.utf8))
                #expect(noReason.status == 422)

                // Work that was already under way reports in after the cancellation: status stays cancelled.
                try await world.publish([(try stage("inventory.reserved", cancellable, warehouse: "WH-BJ"), TopicCatalogue.inventoryEvents)])
                #expect(try await world.eventually { try await world.count("SELECT count(*) FROM \(world.schema).order_timeline WHERE order_id = '\(cancellable)'") == 4 })
                #expect(try await edge.send(.GET, "/v1/orders/\(cancellable)").json["status"] as? String == "cancelled")

                // The warehouse had packed it already and refused: the order is packed again, and a
                // packed order cannot be cancelled at the edge any more.
                try await world.publish([(try stage("fulfillment.cancel-refused", cancellable, warehouse: "WH-BJ"), TopicCatalogue.fulfillmentEvents)])
                #expect(try await world.eventually { try await edge.send(.GET, "/v1/orders/\(cancellable)").json["status"] as? String == "packed" })
                let tooLate = try await edge.send(.POST, "/v1/orders/\(cancellable)/cancel", body: Array(#"{"reason":"again"}"#.utf8))
                #expect(tooLate.status == 409 && tooLate.text.contains("already_packed"))

                let events = try await world.orderEvents { $0.contains { $0.type == OrderCancelled.eventType } }
                let cancellation = try events.filter { $0.type == OrderCancelled.eventType }.map { try $0.decode(OrderCancelled.self) }
                #expect(cancellation.count == 1)
                #expect(cancellation.first?.orderID == cancellable && cancellation.first?.previousStatus == .verified)
            }
        }
    }

    @Test("a cancelled or risk-rejected order gives its single-use coupon back; when the warehouse refuses the cancellation (packed, ships) the order takes it back, or, if another order redeemed it meanwhile, is marked couponUsedTwice")
    func refusedCancellationTakesTheCouponBack() async throws {
        try await withIntakeWorld { world in
            let app = try world.application(role: .all)
            try await app.test(.live) { client in
                let edge = EdgeClient(base: "http://127.0.0.1:\(client.port!)", http: HTTPClient.shared)
                let codes = ["KEEP-\(world.id.prefix(6))", "LOSE-\(world.id.prefix(6))", "RJCT-\(world.id.prefix(6))"]
                #expect(try await edge.send(.POST, "/v1/admin/coupons", body: Array(#"{"codes":["\#(codes[0])","\#(codes[1])","\#(codes[2])"],"amountOffFen":500}"#.utf8)).status == 201)
                let factory = DemoOrderFactory()
                /// Submits a web order (the first number from `n` that prices above the coupon) and waits for it.
                func submit(_ code: String, from n: Int) async throws -> String {
                    let coupon = IssuedCoupon(coupon: Coupon(code: code, value: .amountOff(.fen(500))), expiresAt: nil)
                    var n = n
                    while true {
                        if let order = try? factory.webOrder(run: world.id, number: n, coupon: coupon) {
                            let reply = try await edge.send(.POST, "/v1/channels/web/orders", body: order.body)
                            #expect(reply.status == 202, "\(reply.text)")
                            let id = reply.json["orderId"] as? String ?? ""
                            #expect(try await world.eventually { try await world.count("SELECT count(*) FROM \(world.schema).orders WHERE order_id = '\(id)' AND status = 'received'") == 1 })
                            return id
                        }
                        n += 1
                    }
                }
                func owner(_ code: String) async throws -> String? { try await world.strings("SELECT order_id FROM \(world.schema).coupon_redemptions WHERE code = '\(code)'").first?.first }
                let keeper = try await submit(codes[0], from: 0), loser = try await submit(codes[1], from: 100)
                #expect(try await owner(codes[0]) == keeper)
                #expect(try await owner(codes[1]) == loser)
                for id in [keeper, loser] {
                    #expect(try await edge.send(.POST, "/v1/orders/\(id)/cancel", body: Array(#"{"reason":"changed my mind"}"#.utf8)).status == 200)
                }
                #expect(try await owner(codes[0]) == nil, "a cancelled order gives its coupon back")
                #expect(try await owner(codes[1]) == nil)
                // Another customer redeems the second code before the warehouse answers.
                let other = try await submit(codes[1], from: 200)
                #expect(try await owner(codes[1]) == other)

                try await world.publish([(try stage("fulfillment.cancel-refused", keeper), TopicCatalogue.fulfillmentEvents),
                                         (try stage("fulfillment.cancel-refused", loser), TopicCatalogue.fulfillmentEvents)])
                #expect(try await world.eventually {
                    try await world.count("SELECT count(*) FROM \(world.schema).orders WHERE order_id IN ('\(keeper)', '\(loser)') AND status = 'packed'") == 2
                })
                #expect(try await owner(codes[0]) == keeper, "the order that ships after all holds its coupon again")
                #expect(try await owner(codes[1]) == other, "the code another order redeemed stays with it")
                let view = try await edge.send(.GET, "/v1/orders/\(loser)")
                #expect((view.json["details"] as? [String: String])?["couponUsedTwice"] == codes[1], "\(view.text.prefix(400))")
                #expect(try await world.count("SELECT count(*) FROM \(world.schema).coupon_releases WHERE outcome IS NULL") == 0)

                // Risk rejects an order: its coupon is free again (after-sales refunds its payment).
                let rejected = try await submit(codes[2], from: 300)
                #expect(try await owner(codes[2]) == rejected)
                try await world.publish([(try stage(OrderRejected.eventType, rejected), TopicCatalogue.riskDecisions)])
                #expect(try await world.eventually { try await owner(codes[2]) == nil }, "a rejected order gives its coupon back")
            }
        }
    }

    /// A refund of `amountFen` for one line of `orderID`, as after-sales emits it.
    func refund(_ orderID: String, amountFen: Int64, number: Int) throws -> EventEnvelope {
        try EventEnvelope.make(RefundIssued(refundId: "RF-\(orderID)-\(number)", returnId: "RA-\(orderID)-\(number)", orderID: orderID, amount: .fen(amountFen),
                                            lines: [RefundLine(lineNumber: 1, sku: "CLO-TEE-BLK-M", quantity: 1, amount: .fen(amountFen))], clawbacks: [],
                                            shippingFeeRefunded: .zero, withheldUnits: 0, paymentMethod: .card, issuedAt: Date()), orderID: orderID, producer: .aftersales)
    }

    @Test("a split order whose one warehouse waits for item data keeps showing the missing SKU until the parcel that holds it is packed, however the events interleave")
    func packingBlockedDetails() async throws {
        try await withIntakeWorld { world in
            let app = try world.application(role: .all)
            try await app.test(.live) { client in
                let edge = EdgeClient(base: "http://127.0.0.1:\(client.port!)", http: HTTPClient.shared)
                let reply = try await edge.send(.POST, "/v1/channels/web/orders", body: try DemoOrderFactory().webOrder(run: world.id, number: 9).body)
                let id = reply.json["orderId"] as? String ?? ""
                #expect(try await world.eventually { try await world.count("SELECT count(*) FROM \(world.schema).orders WHERE order_id = '\(id)' AND status = 'received'") == 1 })
                let order = InventoryFixtures.order(id, lines: [("CLO-TEE-BLK-M", 1, 9_900), ("NEW-SKU-1", 1, 1_000)])
                func packed(_ warehouse: String, _ sku: String, line: Int) throws -> EventEnvelope {
                    let parcel = PackedParcel(parcelId: "FO-\(id)-\(warehouse)-P1", cartonCode: "S", lengthMm: 300, widthMm: 200, heightMm: 100, weightGrams: 500,
                                              lines: [ParcelLine(lineNumber: line, sku: sku, quantity: 1)], fragile: false, liquid: false, perishable: false, valuable: false,
                                              insured: false, declaredValue: .fen(1_000), packaging: [], inserts: [])
                    return try EventEnvelope.make(FulfillmentPacked(fulfillmentOrderId: "FO-\(id)-\(warehouse)", orderID: id, warehouseId: warehouse, parcels: [parcel],
                                                                    packedBy: "automation", packedAt: Date(), order: order), orderID: id, producer: .fulfillment)
                }
                let blocked = try EventEnvelope.make(FulfillmentPackingBlocked(fulfillmentOrderId: "FO-\(id)-GZ1", orderID: id, warehouseId: "GZ1", reasonCode: "item_data_missing",
                                                                               missingSkus: ["NEW-SKU-1"], blockedAt: Date()), orderID: id, producer: .fulfillment)
                func missing() async throws -> String? { (try await edge.send(.GET, "/v1/orders/\(id)").json["details"] as? [String: String])?["missingSkus"] }
                // GZ1 blocks on the new SKU, then SH1 packs the T-shirt (in one batch or two): still waiting.
                try await world.publish([(blocked, TopicCatalogue.fulfillmentEvents), (try packed("SH1", "CLO-TEE-BLK-M", line: 1), TopicCatalogue.fulfillmentEvents)])
                #expect(try await world.eventually { try await world.count("SELECT count(*) FROM \(world.schema).order_timeline WHERE order_id = '\(id)' AND event_type LIKE 'fulfillment.%'") == 2 })
                #expect(try await missing() == "NEW-SKU-1")
                #expect(try await edge.send(.GET, "/v1/orders/\(id)").json["status"] as? String == "packed")
                // GZ1 packs it once the product master supplied the item: the wait is over.
                try await world.publish([(try packed("GZ1", "NEW-SKU-1", line: 2), TopicCatalogue.fulfillmentEvents)])
                #expect(try await world.eventually { try await world.count("SELECT count(*) FROM \(world.schema).order_timeline WHERE order_id = '\(id)' AND event_type LIKE 'fulfillment.%'") == 3 })
                #expect(try await missing() == nil)
            }
        }
    }

    @Test("a refund of part of what the order cost makes it partiallyRefunded; it is refunded only when everything paid has gone back; a redelivered refund counts once")
    func partialRefunds() async throws {
        try await withIntakeWorld { world in
            let app = try world.application(role: .all)
            try await app.test(.live) { client in
                let edge = EdgeClient(base: "http://127.0.0.1:\(client.port!)", http: HTTPClient.shared)
                let reply = try await edge.send(.POST, "/v1/channels/web/orders", body: try DemoOrderFactory().webOrder(run: world.id, number: 7).body)
                #expect(reply.status == 202)
                let id = reply.json["orderId"] as? String ?? ""
                #expect(try await world.eventually { try await world.count("SELECT count(*) FROM \(world.schema).orders WHERE order_id = '\(id)' AND status = 'received'") == 1 })
                let total = Int64(try await world.count("SELECT total_fen FROM \(world.schema).orders WHERE order_id = '\(id)'"))
                try #require(total > 2)
                func status() async throws -> String? { try await edge.send(.GET, "/v1/orders/\(id)").json["status"] as? String }

                let first = try refund(id, amountFen: total / 2, number: 1)
                try await world.publish([(first, TopicCatalogue.afterSalesEvents), (first, TopicCatalogue.afterSalesEvents)])
                #expect(try await world.eventually { try await status() == "partiallyRefunded" })
                #expect(try await world.count("SELECT refunded_fen FROM \(world.schema).orders WHERE order_id = '\(id)'") == Int(total / 2), "the redelivered refund counted twice")
                try await world.publish([(try refund(id, amountFen: total - total / 2, number: 2), TopicCatalogue.afterSalesEvents)])
                #expect(try await world.eventually { try await status() == "refunded" })
                #expect(try await world.count("SELECT refunded_fen FROM \(world.schema).orders WHERE order_id = '\(id)'") == Int(total))
            }
        }
    }
}
