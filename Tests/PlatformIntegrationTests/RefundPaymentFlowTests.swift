import Foundation
import OMSDomain
import OMSPlatform
import Testing

/// Refunds paid through the payment providers, against real PostgreSQL and the broker, with
/// WeChat Pay and Alipay played by `PaymentProviderSimulator` (signatures checked both ways):
/// faults retried under one refund id, notifications before and after the answer, late answers,
/// cancellations and rejections refunded automatically, a refused cancellation paying nothing.
@Suite("Refunds are paid: providers, retries, cancellations and rejections (real PostgreSQL, broker, local provider endpoint)", .serialized)
struct RefundPaymentFlowTests {
    typealias Sales = AfterSalesFlowTests

    static func order(_ id: String, _ method: PaymentMethod, transaction: String?) -> Order {
        var order = InventoryFixtures.order(id, lines: [("CLO-TEE-BLK-M", 2, 9_900)])
        order.payment = Payment(method: method, reference: transaction, paidAmount: method == .cashOnDelivery ? .zero : order.total, paidAt: Date())
        return order
    }

    static func cancelled(_ orderID: String, from previous: OrderStatus) throws -> (EventEnvelope, String) {
        (try EventEnvelope.make(OrderCancelled(orderID: orderID, requestedBy: "customer", reason: "不想要了", previousStatus: previous, cancelledAt: Date()),
                                orderID: orderID, producer: .intake), TopicCatalogue.orders)
    }

    static func warehouseAnswer(_ orderID: String, refused: Bool) throws -> (EventEnvelope, String) {
        let envelope = refused
            ? try EventEnvelope.make(FulfillmentCancelRefused(fulfillmentOrderId: "FO-\(orderID)", orderID: orderID, warehouseId: "SH1", reasonCode: "already_packed", refusedAt: Date()),
                                     orderID: orderID, producer: .fulfillment)
            : try EventEnvelope.make(FulfillmentCancelled(fulfillmentOrderId: "FO-\(orderID)", orderID: orderID, warehouseId: "SH1", lines: [], reasonCode: "order_cancelled", cancelledAt: Date()),
                                     orderID: orderID, producer: .fulfillment)
        return (envelope, TopicCatalogue.fulfillmentEvents)
    }

    static func rejected(_ orderID: String) throws -> (EventEnvelope, String) {
        (try EventEnvelope.make(OrderRejected(orderID: orderID, channel: .web, channelOrderID: "CH-\(orderID)", reasons: [RejectionReason(code: "deny_listed", message: "on the deny list")],
                                              rejectedAt: Date()), orderID: orderID, producer: .risk), TopicCatalogue.riskDecisions)
    }

    static func refund(_ http: EdgeClient, _ id: String) async throws -> [String: Any] {
        try await http.send(.GET, "/v1/aftersales/refunds/\(id)").json
    }

    @Test("returns, cancellations and rejections are paid once through WeChat Pay and Alipay, whatever faults, late answers and early notifications; a refused cancellation and a COD order pay nothing")
    func refundsArePaid() async throws {
        let simulator = PaymentProviderSimulator(port: TestPorts.block(1))
        try await withIntakeWorld { world in
            try await world.running([simulator.application], readyAt: [EdgeClient(base: simulator.base, http: EdgeClient.wide)]) {
                var environment = simulator.environment
                environment["OMS_REFUND_CHECK_SECONDS"] = "1"
                environment["OMS_REFUND_RETRY_BASE_SECONDS"] = "1"
                environment["OMS_REFUND_RECHECK_SECONDS"] = "3"
                environment["OMS_PAYMENT_TIMEOUT_SECONDS"] = "1"
                environment["OMS_CANCELLATION_REFUND_HOLD_SECONDS"] = "1"
                try await world.withStages(afterSales: environment) { clients in
                    let http = try #require(clients.afterSales)
                    // A: a WeChat Pay order returned; the provider errs once, then answers PROCESSING and notifies later.
                    let a = Self.order("O-PAY-A", .wechatPay, transaction: "4200000001")
                    // B: WeChat Pay, cancelled before allocation; the notification arrives before the answer.
                    let b = Self.order("O-PAY-B", .wechatPay, transaction: "4200000002")
                    // C: WeChat Pay, cancelled once allocated; the warehouse refuses (packed): nothing is paid.
                    let c = Self.order("O-PAY-C", .wechatPay, transaction: "4200000003")
                    // D: Alipay, cancelled once allocated; the warehouse stops; Alipay errs once.
                    let d = Self.order("O-PAY-D", .alipay, transaction: "2026120322001400001")
                    // E: Alipay, rejected by risk, the rejection read before the order; the answer comes after the client gave up.
                    let e = Self.order("O-PAY-E", .alipay, transaction: "2026120322001400002")
                    // F: cash on delivery, cancelled: nothing was paid.
                    let f = Self.order("O-PAY-F", .cashOnDelivery, transaction: nil)
                    // G: WeChat Pay returned, but the transaction is unknown to the provider: fails for good, then finance retries.
                    let g = Self.order("O-PAY-G", .wechatPay, transaction: "4200000007")
                    // H: cash on delivery, delivered and returned: the courier's cash is owed back by staff.
                    let h = Self.order("O-PAY-H", .cashOnDelivery, transaction: nil)
                    for order in [a, b, c, d, e, g] { simulator.paid(order.payment.reference!, totalFen: order.total.minorUnits) }
                    simulator.script("RF-C-O-PAY-B", [.notifyFirst])
                    simulator.script("RF-C-O-PAY-D", [.fail(status: 200, code: "ACQ.SYSTEM_ERROR")])
                    simulator.script("RF-R-O-PAY-E", [.late(seconds: 3)])
                    simulator.script("RF-C-O-PAY-C", [.fail(status: 500, code: "SYSTEM_ERROR")])

                    try await world.publish([try Self.rejected(e.orderID)])
                    try await world.publish(try [a, b, c, d, e, f, g, h].map { try Sales.received($0) })
                    try await world.publish(Sales.shippedAndDelivered(a) + Sales.shippedAndDelivered(g) + Sales.shippedAndDelivered(h))
                    try await world.publish([try Self.cancelled(b.orderID, from: .verified), try Self.cancelled(c.orderID, from: .allocated),
                                             try Self.cancelled(d.orderID, from: .allocated), try Self.cancelled(f.orderID, from: .verified),
                                             try Self.warehouseAnswer(c.orderID, refused: true), try Self.warehouseAnswer(d.orderID, refused: false)])
                    #expect(try await world.eventually {
                        let units = try await [h, a, g].asyncMap { try await Sales.delivered(http, $0.orderID) }
                        return units == [[2], [2], [2]]
                    })

                    var returns: [String: String] = [:]
                    for order in [a, g, h] {
                        let opened = try await Sales.post(http, "/v1/aftersales/returns", #"{"orderId":"\#(order.orderID)","reason":"sizeOrFit","lines":[{"lineNumber":1,"quantity":2}],"requestId":"r-\#(order.orderID)"}"#)
                        #expect(opened.status == 201, "\(opened.text)")
                        let id = opened.json["returnId"] as? String ?? ""
                        returns[order.orderID] = id
                        if order.orderID == a.orderID { simulator.script("RF-\(id)", [.fail(status: 500, code: "SYSTEM_ERROR"), .processing]) }
                        if order.orderID == g.orderID { simulator.script("RF-\(id)", [.fail(status: 404, code: "RESOURCE_NOT_EXISTS")]) }
                        let receipt = try await Sales.post(http, "/v1/aftersales/returns/\(id)/receipt", #"{"warehouseId":"SH1","items":[{"lineNumber":1,"quantity":2,"condition":"resellable"}]}"#)
                        #expect(receipt.status == 200 && receipt.json["status"] as? String == "refunded", "\(receipt.text)")
                    }
                    let refundA = "RF-\(returns[a.orderID]!)", refundG = "RF-\(returns[g.orderID]!)", refundH = "RF-\(returns[h.orderID]!)"

                    // A waits for its notification after one retried fault; the notification settles it, a repeat changes nothing.
                    #expect(try await world.eventually { try await Self.refund(http, refundA)["status"] as? String == "submitted" && simulator.snapshot.pendingNotifications.count == 1 })
                    #expect(try await simulator.deliverPendingNotifications() == [204])
                    #expect(try await Self.refund(http, refundA)["status"] as? String == "succeeded")
                    #expect(try await simulator.notify(refundA) == 204)
                    #expect(try await world.eventually {
                        let statuses = try await [refundA, "RF-C-O-PAY-B", "RF-C-O-PAY-D", "RF-R-O-PAY-E", refundG, refundH].asyncMap { try await Self.refund(http, $0)["status"] as? String ?? "-" }
                        return statuses == ["succeeded", "succeeded", "succeeded", "succeeded", "failed", "owed"]
                    })
                    #expect(try await Self.refund(http, refundH)["lastError"] as? String == "cashOnDelivery_paid_back_by_staff")
                    #expect(try await Self.refund(http, refundG)["lastError"] as? String == "RESOURCE_NOT_EXISTS")
                    #expect(try await Self.refund(http, "RF-C-O-PAY-D")["attempts"] as? Int == 2)
                    #expect(try await Self.refund(http, "RF-R-O-PAY-E")["attempts"] as? Int ?? 0 >= 2)
                    #expect(simulator.snapshot.notificationStatuses == [204])

                    // C: held, then voided by the refusal, or (the refusal read first, from its own topic)
                    // never opened; never submitted either way. F: nothing paid, no refund.
                    #expect(try await world.eventually {
                        let voided = try await Self.refund(http, "RF-C-O-PAY-C")["status"] as? String == "voided"
                        let refusedFirst = try await world.count("SELECT count(*) FROM \(world.afterSalesSchema).order_closures WHERE order_id = 'O-PAY-C' AND resolution = 'cancellation_refused'") == 1
                        return voided || refusedFirst
                    })
                    #expect((try await http.send(.GET, "/v1/aftersales/refunds?orderId=O-PAY-F").json["refunds"] as? [Any])?.isEmpty == true)
                    #expect(try await world.count("SELECT count(*) FROM \(world.afterSalesSchema).order_closures WHERE order_id = 'O-PAY-F' AND resolution = 'nothing_paid'") == 1)

                    // Finance queues G again once the cause is fixed: same refund id, now paid.
                    #expect(try await http.send(.POST, "/v1/aftersales/refunds/\(refundH)/retry").status == 409)
                    #expect(try await http.send(.POST, "/v1/aftersales/refunds/\(refundG)/retry").status == 202)
                    #expect(try await world.eventually { try await Self.refund(http, refundG)["status"] as? String == "succeeded" })

                    // Never paid twice, never more than paid; every request's signature verified.
                    let ledger = simulator.snapshot
                    #expect(ledger.payouts == [refundA: 1, "RF-C-O-PAY-B": 1, "RF-C-O-PAY-D": 1, "RF-R-O-PAY-E": 1, refundG: 1])
                    #expect(ledger.records[refundA]?.amount == 19_800 && ledger.records["RF-R-O-PAY-E"]?.amount == 19_800)
                    #expect(ledger.submissions["RF-C-O-PAY-C"] == nil && ledger.badSignatures == 0)
                    let settled = try await world.events(on: TopicCatalogue.afterSalesEvents) { $0.filter { $0.type == RefundSettled.eventType }.count >= 7 }
                        .filter { $0.type == RefundSettled.eventType }.map { try $0.decode(RefundSettled.self) }
                    for id in [refundA, "RF-C-O-PAY-B", "RF-C-O-PAY-D", "RF-R-O-PAY-E"] {
                        #expect(settled.filter { $0.refundId == id }.map(\.refundOutcome) == [.succeeded], "\(id)")
                    }
                    #expect(settled.filter { $0.refundId == refundG }.map(\.refundOutcome) == [.failed, .succeeded])
                    #expect(settled.filter { $0.refundId == refundH }.map(\.refundOutcome) == [.owed])
                    #expect(Set(settled.map(\.refundId)) == [refundA, "RF-C-O-PAY-B", "RF-C-O-PAY-D", "RF-R-O-PAY-E", refundG, refundH])
                    let issued = try await world.events(on: TopicCatalogue.afterSalesEvents) { $0.filter { $0.type == RefundIssued.eventType }.count >= 6 }
                        .filter { $0.type == RefundIssued.eventType }.map { try $0.decode(RefundIssued.self) }
                    #expect(issued.filter { $0.cause == .cancellation }.map(\.refundId).sorted() == ["RF-C-O-PAY-B", "RF-C-O-PAY-D"])
                    #expect(issued.filter { $0.cause == .rejection }.map(\.amount) == [e.total])

                    // A forged or garbled notification is refused in WeChat Pay's shape and changes nothing.
                    let forged = try await http.send(.POST, "/v1/aftersales/payment-notifications/wechatpay", body: Array(#"{"id":"EV-x","event_type":"REFUND.SUCCESS"}"#.utf8),
                                                     headers: ["Wechatpay-Timestamp": "\(Int(Date().timeIntervalSince1970))", "Wechatpay-Nonce": "n", "Wechatpay-Signature": "AAAA"], anonymous: true)
                    #expect(forged.status == 401 && forged.json["code"] as? String == "FAIL")
                    let badStatus = try await http.send(.GET, "/v1/aftersales/refunds?status=paid")
                    #expect(badStatus.status == 422 && badStatus.text.contains("\"status\""))
                }
            }
        }
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
