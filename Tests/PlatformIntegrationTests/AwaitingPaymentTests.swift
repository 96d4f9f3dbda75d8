import AsyncHTTPClient
import Foundation
import OMSDemo
import OMSDomain
import OMSPlatform
import Testing

/// Orders sent before their payment, against real PostgreSQL and the broker: intake shows
/// `awaitingPayment` while verification goes on, takes the channel's payment callback (or its
/// failure, asking again), cancels at the deadline; fulfillment picks nothing until `order.paid`.
@Suite("Awaiting payment: intake's callback and deadline, fulfillment waiting (real PostgreSQL and broker)", .serialized)
struct AwaitingPaymentTests {
    /// A demo web order sent at checkout, before its payment.
    static func pendingWebOrder(_ world: IntakeWorld, number: Int) throws -> (body: [UInt8], channelOrderID: String, amount: Int64) {
        let generated = try DemoOrderFactory().webOrder(run: world.id, number: number)
        var json = try JSONSerialization.jsonObject(with: Data(generated.body)) as! [String: Any]
        var payment = json["payment"] as! [String: Any]
        payment["status"] = "pending"
        payment.removeValue(forKey: "reference")
        payment.removeValue(forKey: "paidAt")
        json["payment"] = payment
        return (Array(try JSONSerialization.data(withJSONObject: json)), json["orderNumber"] as! String, (payment["amountFen"] as! NSNumber).int64Value)
    }

    @Test("an order sent before its payment awaits it (verification goes on underneath), is asked again after a failure, takes only its total, and shows the status it reached; another is cancelled at its deadline")
    func intakeAwaitsPayment() async throws {
        try await withIntakeWorld { world in
            let app = try world.application(role: .all, intake: ["OMS_PAYMENT_WINDOW_SECONDS": "6", "OMS_PAYMENT_CHECK_SECONDS": "1"])
            try await app.test(.live) { client in
                let edge = EdgeClient(base: "http://127.0.0.1:\(client.port!)", http: HTTPClient.shared)
                let payer = try Self.pendingWebOrder(world, number: 1), lapsed = try Self.pendingWebOrder(world, number: 2)
                var ids: [String] = []
                for order in [payer, lapsed] {
                    let reply = try await edge.send(.POST, "/v1/channels/web/orders", body: order.body)
                    #expect(reply.status == 202, "\(reply.text)")
                    ids.append(reply.json["orderId"] as? String ?? "")
                }
                #expect(try await world.eventually { try await world.count("SELECT count(*) FROM \(world.schema).orders WHERE status = 'awaitingPayment'") == 2 })
                // Risk verifies the first meanwhile: it still shows awaitingPayment.
                try await world.publish([(try EventEnvelope.make(OrderVerified(orderID: ids[0], score: 0, findings: [], decidedBy: "rules", verifiedAt: Date(),
                                                                                order: InventoryFixtures.order(ids[0], lines: [("CLO-TEE-BLK-M", 1, 9_900)])),
                                                                  orderID: ids[0], producer: .risk), TopicCatalogue.riskDecisions)])
                #expect(try await world.eventually { try await world.count("SELECT count(*) FROM \(world.schema).order_timeline WHERE order_id = '\(ids[0])' AND status = 'verified'") == 1 })
                #expect(try await edge.send(.GET, "/v1/orders/\(ids[0])").json["status"] as? String == "awaitingPayment")

                let path = "/v1/channels/web/orders/\(payer.channelOrderID)/payment"
                let failed = try await edge.send(.POST, path, body: Array(#"{"status":"failed","reason":"余额不足"}"#.utf8))
                #expect(failed.status == 200 && failed.json["paymentStatus"] as? String == "failed", "\(failed.text)")
                let short = try await edge.send(.POST, path, body: Array(#"{"status":"paid","reference":"WX-1","amountFen":\#(payer.amount - 1),"paidAt":"2026-12-03T20:00:00+08:00"}"#.utf8))
                #expect(short.status == 422 && short.text.contains("amountFen"), "\(short.text)")
                // The payloads' rule for instants: an offset and a plausible year (a five-digit one could not be carried on).
                let farFuture = try await edge.send(.POST, path, body: Array(#"{"status":"paid","reference":"WX-1","amountFen":\#(payer.amount),"paidAt":"20266-12-03T20:00:00+08:00"}"#.utf8))
                #expect(farFuture.status == 422 && farFuture.text.contains("paidAt"), "\(farFuture.text)")
                let garbage = try await edge.send(.POST, path, body: Array(#"{"status":"maybe"}"#.utf8))
                #expect(garbage.status == 422 && garbage.text.contains("\"status\""))
                let paidBody = Array(#"{"status":"paid","reference":"WX-4200001","amountFen":\#(payer.amount),"paidAt":"2026-12-03T20:00:00+08:00"}"#.utf8)
                let paid = try await edge.send(.POST, path, body: paidBody)
                #expect(paid.status == 200 && paid.json["status"] as? String == "verified" && paid.json["paymentStatus"] as? String == "paid", "\(paid.text)")
                #expect(try await edge.send(.POST, path, body: paidBody).status == 200, "a repeated callback answers the same")
                #expect(try await edge.send(.POST, path, body: Array(#"{"status":"paid","reference":"WX-OTHER","amountFen":\#(payer.amount),"paidAt":"2026-12-03T20:00:00+08:00"}"#.utf8)).status == 409)
                let view = try await edge.send(.GET, "/v1/orders/\(ids[0])")
                #expect(view.json["status"] as? String == "verified")

                // The second never pays: cancelled at its deadline; a late payment is refused for refund.
                #expect(try await world.eventually(timeout: .seconds(30)) { try await world.count("SELECT count(*) FROM \(world.schema).orders WHERE order_id = '\(ids[1])' AND status = 'cancelled'") == 1 })
                let late = try await edge.send(.POST, "/v1/channels/web/orders/\(lapsed.channelOrderID)/payment",
                                               body: Array(#"{"status":"paid","reference":"WX-LATE","amountFen":\#(lapsed.amount),"paidAt":"2026-12-03T20:00:00+08:00"}"#.utf8))
                #expect(late.status == 409 && late.text.contains("order_cancelled"))

                let events = try await world.orderEvents { events in events.contains { $0.type == OrderCancelled.eventType } && events.contains { $0.type == OrderPaid.eventType } }
                let asked = events.filter { $0.type == OrderAwaitingPayment.eventType }.compactMap { try? $0.decode(OrderAwaitingPayment.self) }
                #expect(asked.filter { $0.orderID == ids[0] }.map(\.reasonCode) == ["sent_before_payment", "payment_failed"])
                #expect(asked.first { $0.orderID == ids[0] }?.amountDue == .fen(payer.amount))
                let paidEvents = events.filter { $0.type == OrderPaid.eventType }.compactMap { try? $0.decode(OrderPaid.self) }
                #expect(paidEvents.map(\.orderID) == [ids[0]] && paidEvents.first?.payment.reference == "WX-4200001" && paidEvents.first?.payment.status == .paid)
                let cancelled = events.filter { $0.type == OrderCancelled.eventType }.compactMap { try? $0.decode(OrderCancelled.self) }
                #expect(cancelled.map(\.orderID) == [ids[1]] && cancelled.first?.reason == "payment_timeout" && cancelled.first?.previousStatus == .awaitingPayment)
                let received = events.filter { $0.type == OrderReceived.eventType }.compactMap { try? $0.decode(OrderReceived.self) }
                #expect(received.allSatisfy { $0.order.payment.status == .pending && $0.order.payment.paidAmount == .zero })
            }
        }
    }

    @Test("fulfillment holds an unpaid order's work out of every wave until order.paid, whichever arrives first; a cancelled unpaid order hands its stock back")
    func fulfillmentWaitsForPayment() async throws {
        typealias F = FulfillmentFixtures
        try await withIntakeWorld { world in
            try await world.withFulfillment { http, _ in
                try await F.configure(http, "W1", automatic: false, waveMaxOrders: 1, waveWindowSeconds: 3_600)
                func unpaid(_ id: String) -> Order {
                    var order = F.order(id, [("CLO-TEE-BLK-M", 1)])
                    order.payment = Payment(method: .wechatPay, reference: nil, paidAmount: .zero, paidAt: nil, status: .pending)
                    return order
                }
                func paid(_ order: Order) throws -> (EventEnvelope, String) {
                    var payment = order.payment
                    payment.status = .paid
                    payment.reference = "WX-\(order.orderID)"
                    payment.paidAmount = order.total
                    return (try EventEnvelope.make(OrderPaid(orderID: order.orderID, payment: payment, paidAt: Date()), orderID: order.orderID, producer: .intake), TopicCatalogue.orders)
                }
                let waiting = unpaid("O-WAIT"), early = unpaid("O-EARLY"), dropped = unpaid("O-DROP")
                try await world.publish([try paid(early)])
                try await world.publish([try F.reserved(waiting, in: "W1"), try F.reserved(early, in: "W1"), try F.reserved(dropped, in: "W1")])
                #expect(try await world.eventually { try await world.fulfillmentCount("SELECT count(*) FROM ful.fulfillment_orders") == 3 })
                #expect(try await world.fulfillmentCount("SELECT count(*) FROM ful.fulfillment_orders WHERE status = 'awaiting_payment' AND order_id IN ('O-WAIT', 'O-DROP')") == 2)
                #expect(try await world.eventually { try await world.fulfillmentCount("SELECT count(*) FROM ful.fulfillment_orders WHERE order_id = 'O-EARLY' AND status = 'picking'") == 1 },
                        "paid before its reservation: picked at once (a wave of one)")
                try await world.publish([try paid(waiting), try F.cancelled("O-DROP")])
                #expect(try await world.eventually { try await world.fulfillmentCount("SELECT count(*) FROM ful.fulfillment_orders WHERE order_id = 'O-WAIT' AND status = 'picking'") == 1 })
                #expect(try await world.eventually { try await world.fulfillmentCount("SELECT count(*) FROM ful.fulfillment_orders WHERE order_id = 'O-DROP' AND status = 'cancelled'") == 1 })
                let handedBack = try await world.fulfillmentEvents(about: "O-DROP") { $0.contains { $0.type == FulfillmentCancelled.eventType } }
                #expect(handedBack.filter { $0.type == FulfillmentCancelled.eventType }.count == 1)
            }
        }
    }
}
