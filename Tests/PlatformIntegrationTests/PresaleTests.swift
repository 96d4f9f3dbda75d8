import Foundation
import OMSDemo
import OMSDomain
import OMSPlatform
import Testing

/// Presale (预售, issue 29 part 5) through the real intake, risk, inventory, fulfillment and
/// after-sales processes: a product sold before its stock arrives takes a deposit; the order waits
/// in `awaitingBalance` (nothing downstream starts) until its balance is paid, then is backordered
/// until stock is received and allocated; its refunds go back to both payments (balance first);
/// cancelled before the balance, the deposit is refunded when the merchant cancels and forfeited
/// when the customer walks away or lets the deadline pass.
@Suite("Presale: deposit, balance, allocation on receipt, deposit rules at cancellation and deadline", .serialized)
struct PresaleTests {
    /// A web order of these lines whose deposit is paid (`depositFen` of it), and what the whole order costs.
    static func depositOrder(number: String, lines: [(String, Int)], depositFen: Int64, totalOverride: Int64? = nil) throws -> (body: [UInt8], total: Int64) {
        var json = try JSONSerialization.jsonObject(with: Data(try IntakeEndToEndTests.example("web"))) as! [String: Any]
        json["orderNumber"] = number
        json["lines"] = lines.map { ["sku": $0.0, "quantity": $0.1] }
        var payment = json["payment"] as! [String: Any]
        payment["method"] = "wechatPay"
        json["payment"] = payment
        let total = try DemoOrderFactory().total(ofWebOrder: json).minorUnits
        payment["amountFen"] = totalOverride ?? total
        payment["status"] = "depositPaid"
        payment["depositFen"] = depositFen
        payment["reference"] = "WX-DEP-\(number)"
        payment["paidAt"] = Self.iso(Date())
        json["payment"] = payment
        return (Array(try JSONSerialization.data(withJSONObject: json)), total)
    }

    /// An instant as the admin API reads it (ISO 8601, whole seconds).
    static func iso(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }

    /// The catalog's product with presale terms added (or other changes), as a PUT body.
    static func presaleBody(_ product: [String: Any], depositFen: Int64, dueAt: Date) throws -> [UInt8] {
        var json = product
        json["presale"] = ["depositFen": depositFen, "balanceDueAt": Self.iso(dueAt)]
        return Array(try JSONSerialization.data(withJSONObject: json))
    }

    @Test("a deposit holds a presale order out of the pipeline until its balance; paid, it is backordered and allocated on receipt, and its refund is split over both payments; the merchant's cancellation refunds the deposit, the customer's and the deadline's forfeit it; bad deposits and balances are refused")
    func presale() async throws {
        try await withIntakeWorld { world in
            let (intake, edge) = try world.liveIntake(intake: ["OMS_PAYMENT_CHECK_SECONDS": "1"])
            try await world.running([intake, try world.riskApplication()], readyAt: [edge]) {
                try await world.withStages(inventory: true, fulfillment: ["OMS_WAVE_WINDOW_SECONDS": "3600"],
                                           afterSales: ["OMS_CANCELLATION_REFUND_HOLD_SECONDS": "1"]) { stages in
                    let inventory = try #require(stages.inventory)
                    try await InventoryFixtures.setUpWarehouses(inventory)
                    let refundsTable = "\(world.afterSalesSchema).refunds"
                    func status(_ id: String) async throws -> String { try await edge.send(.GET, "/v1/orders/\(id)").json["status"] as? String ?? "-" }
                    func reach(_ id: String, _ wanted: String, timeout: Duration = .seconds(60)) async throws -> Bool {
                        var last = "-"
                        let reached = try await world.eventually(timeout: timeout) {
                            last = try await status(id)
                            return last == wanted
                        }
                        if !reached { Issue.record("\(id) stayed \(last), expected \(wanted)") }
                        return reached
                    }
                    func place(_ number: String, _ lines: [(String, Int)], depositFen: Int64) async throws -> (id: String, total: Int64) {
                        let order = try Self.depositOrder(number: number, lines: lines, depositFen: depositFen)
                        let placed = try await edge.send(.POST, "/v1/channels/web/orders", body: order.body)
                        #expect(placed.status == 202, "\(placed.text)")
                        return (placed.json["orderId"] as? String ?? "", order.total)
                    }
                    func pay(_ number: String, _ json: String) async throws -> EdgeClient.Reply {
                        try await edge.send(.POST, "/v1/channels/web/orders/\(number)/payment", body: Array(json.utf8))
                    }

                    // The hoodie goes on presale (deposit ¥50 a unit, balance within 30 days); the glass's presale closes in 12 s.
                    let hoodie = try await edge.send(.GET, "/v1/admin/products/CLO-HOOD-NVY-L").json
                    let glass = try await edge.send(.GET, "/v1/admin/products/GLS-WINEGLASS-1").json
                    let tooDear = try await edge.send(.PUT, "/v1/admin/products/CLO-HOOD-NVY-L",
                                                      body: try Self.presaleBody(hoodie, depositFen: (hoodie["listPriceFen"] as? NSNumber)?.int64Value ?? 0, dueAt: Date() + 86_400))
                    #expect(tooDear.status == 422 && tooDear.text.contains("presale.depositFen"), "\(tooDear.text)")
                    #expect(try await edge.send(.PUT, "/v1/admin/products/CLO-HOOD-NVY-L", body: try Self.presaleBody(hoodie, depositFen: 5_000, dueAt: Date() + 30 * 86_400)).status == 200)
                    let glassDue = Date() + 12
                    #expect(try await edge.send(.PUT, "/v1/admin/products/GLS-WINEGLASS-1", body: try Self.presaleBody(glass, depositFen: 1_000, dueAt: glassDue)).status == 200)
                    #expect((try await edge.send(.GET, "/v1/admin/products/CLO-HOOD-NVY-L").json["presale"] as? [String: Any])?["depositFen"] as? Int == 5_000)

                    // D: one glass, whose balance deadline passes: cancelled by the deadline, the deposit forfeited.
                    let d = try await place("W-PRE-D-\(world.id)", [("GLS-WINEGLASS-1", 1)], depositFen: 1_000)
                    // A: two hoodies, deposit paid: waits for its balance; nothing downstream starts.
                    let a = try await place("W-PRE-A-\(world.id)", [("CLO-HOOD-NVY-L", 2)], depositFen: 10_000)
                    // B and C: a hoodie each; B is cancelled by customer service (deposit back), C by the customer (forfeited).
                    let b = try await place("W-PRE-B-\(world.id)", [("CLO-HOOD-NVY-L", 1)], depositFen: 5_000)
                    let c = try await place("W-PRE-C-\(world.id)", [("CLO-HOOD-NVY-L", 1)], depositFen: 5_000)
                    // Refused by intake: a deposit that is not the lines' deposits; a deposit-paid order of a product not on presale.
                    let wrongDeposit = try await place("W-PRE-X-\(world.id)", [("CLO-HOOD-NVY-L", 1)], depositFen: 4_000)
                    let notPresale = try await place("W-PRE-Y-\(world.id)", [("CLO-TEE-BLK-M", 1)], depositFen: 1_000)
                    // Refused at the edge: no deposit amount.
                    var noDeposit = try JSONSerialization.jsonObject(with: Data(try Self.depositOrder(number: "W-PRE-Z-\(world.id)", lines: [("CLO-HOOD-NVY-L", 1)], depositFen: 5_000).body)) as! [String: Any]
                    var payment = noDeposit["payment"] as! [String: Any]
                    payment.removeValue(forKey: "depositFen")
                    noDeposit["payment"] = payment
                    let missing = try await edge.send(.POST, "/v1/channels/web/orders", body: Array(try JSONSerialization.data(withJSONObject: noDeposit)))
                    #expect(missing.status == 422 && missing.text.contains("payment.depositFen"), "\(missing.text)")

                    for order in [a, b, c, d] { #expect(try await reach(order.id, "awaitingBalance")) }
                    #expect(try await reach(wrongDeposit.id, "rejected"))
                    #expect(try await reach(notPresale.id, "rejected"))
                    let reasons = try await world.strings("SELECT order_id, reasons::text FROM \(world.schema).orders WHERE order_id IN ('\(wrongDeposit.id)', '\(notPresale.id)')")
                    #expect(reasons.contains { $0[0] == wrongDeposit.id && $0[1].contains("deposit_mismatch") } && reasons.contains { $0[0] == notPresale.id && $0[1].contains("not_presale") }, "\(reasons)")
                    // Nothing downstream: risk has not seen A, and its lines cannot be cancelled before the balance.
                    #expect(try await world.count("SELECT count(*) FROM \(world.riskSchema).decisions WHERE order_id = '\(a.id)'") == 0)
                    let lineCancel = try await edge.send(.POST, "/v1/orders/\(a.id)/line-cancellations", body: Array(#"{"lines":[{"lineNumber":1,"quantity":1}],"reason":"x"}"#.utf8))
                    #expect(lineCancel.status == 409 && lineCancel.text.contains("awaiting_balance"), "\(lineCancel.text)")

                    // A's balance: the wrong amount is refused; the right one starts the order, which waits for stock.
                    let balance = a.total - 10_000
                    let paidAt = Self.iso(Date())
                    let short = try await pay("W-PRE-A-\(world.id)", #"{"status":"paid","reference":"WX-BAL-A","amountFen":\#(a.total),"paidAt":"\#(paidAt)"}"#)
                    #expect(short.status == 422 && short.text.contains("amountFen"), "\(short.text)")
                    let failed = try await pay("W-PRE-A-\(world.id)", #"{"status":"failed","reason":"余额不足"}"#)
                    #expect(failed.status == 200 && failed.json["status"] as? String == "awaitingBalance", "\(failed.text)")
                    let paid = try await pay("W-PRE-A-\(world.id)", #"{"status":"paid","reference":"WX-BAL-A","amountFen":\#(balance),"paidAt":"\#(paidAt)"}"#)
                    #expect(paid.status == 200 && paid.json["status"] as? String == "received", "\(paid.text)")
                    #expect(try await reach(a.id, "backordered"))
                    #expect(try await InventoryFixtures.receive(inventory, "CLO-HOOD-NVY-L", 5, into: "SH1").status == 201)
                    #expect(try await reach(a.id, "allocated"))

                    // E: its stored promotions no longer read (a damaged row): the balance is refused as a server fault
                    // and the order stays where it was, never started downstream without its discounts.
                    let e = try await place("W-PRE-E-\(world.id)", [("CLO-HOOD-NVY-L", 1)], depositFen: 5_000)
                    #expect(try await reach(e.id, "awaitingBalance"))
                    _ = try await world.strings("UPDATE \(world.schema).orders SET applied_promotions = '\"damaged\"'::jsonb WHERE order_id = '\(e.id)' RETURNING order_id")
                    let damaged = try await pay("W-PRE-E-\(world.id)", #"{"status":"paid","reference":"WX-BAL-E","amountFen":\#(e.total - 5_000),"paidAt":"\#(Self.iso(Date()))"}"#)
                    #expect(damaged.status == 500, "\(damaged.status) \(damaged.text)")
                    #expect(try await status(e.id) == "awaitingBalance")

                    // B: customer service cancels before the balance: the deposit goes back to its own transaction.
                    let cancelB = try await edge.send(.POST, "/v1/orders/\(b.id)/cancel", body: Array(#"{"reason":"供应商无法到货","requestedBy":"customer-service"}"#.utf8))
                    #expect(cancelB.status == 200, "\(cancelB.text)")
                    // C: the customer cancels: the deposit is forfeited.
                    let cancelC = try await edge.send(.POST, "/v1/orders/\(c.id)/cancel", body: Array(#"{"reason":"不想要了","requestedBy":"customer"}"#.utf8))
                    #expect(cancelC.status == 200, "\(cancelC.text)")
                    #expect(try await world.eventually {
                        try await world.count("SELECT count(*) FROM \(refundsTable) WHERE refund_id = 'RF-D-\(b.id)' AND amount_fen = 5000 AND transaction_id = 'WX-DEP-W-PRE-B-\(world.id)' AND cause = 'presaleDeposit'") == 1
                    }, "B's deposit was not refunded to its transaction")

                    // A is cancelled after its balance: the refund of its total is paid from the balance's transaction, the deposit's for the rest.
                    let cancelA = try await edge.send(.POST, "/v1/orders/\(a.id)/cancel", body: Array(#"{"reason":"客户改主意","requestedBy":"customer"}"#.utf8))
                    #expect(cancelA.status == 200, "\(cancelA.text)")
                    var split: [[String]] = []
                    #expect(try await world.eventually {
                        split = try await world.strings("SELECT refund_id, amount_fen::text, transaction_id, paid_total_fen::text, coalesce(part_of, '') FROM \(refundsTable) WHERE order_id = '\(a.id)' ORDER BY refund_id")
                        return split.count == 2
                    }, "A's refund: \(split)")
                    #expect(split == [["RF-C-\(a.id)", "\(balance)", "WX-BAL-A", "\(balance)", ""], ["RF-C-\(a.id)-D", "10000", "WX-DEP-W-PRE-A-\(world.id)", "10000", "RF-C-\(a.id)"]], "\(split)")
                    #expect(try await world.eventually {
                        try await world.count("SELECT count(*) FROM \(refundsTable) WHERE order_id = '\(a.id)' AND status NOT IN ('held', 'requested', 'submitted')") == 2
                    }, "both parts of A's refund were released and settled")

                    // D's deadline passes: cancelled by the system, deposit forfeited; a late balance is refused for refund.
                    #expect(try await reach(d.id, "cancelled", timeout: .seconds(45)))
                    let late = try await pay("W-PRE-D-\(world.id)", #"{"status":"paid","reference":"WX-BAL-D","amountFen":\#(d.total - 1_000),"paidAt":"\#(Self.iso(Date()))"}"#)
                    #expect(late.status == 409 && late.text.contains("order_cancelled"), "\(late.text)")

                    let events = try await world.orderEvents { events in events.filter { $0.type == OrderCancelled.eventType }.count >= 4 }
                    let waiting = events.filter { $0.type == OrderAwaitingBalance.eventType }.compactMap { try? $0.decode(OrderAwaitingBalance.self) }
                    #expect(waiting.filter { $0.orderID == a.id }.map(\.reasonCode) == ["deposit_paid", "payment_failed"])
                    #expect(waiting.first { $0.orderID == a.id }.map { $0.deposit == .fen(10_000) && $0.balanceDue == .fen(balance) } == true)
                    #expect(waiting.first { $0.orderID == d.id }.map { abs($0.dueAt.timeIntervalSince(glassDue)) < 1 } == true)
                    let received = events.filter { $0.type == OrderReceived.eventType }.compactMap { try? $0.decode(OrderReceived.self) }
                    #expect(received.filter { [a.id, b.id, c.id, d.id, e.id].contains($0.order.orderID) }.map(\.order.orderID) == [a.id], "only the paid presale order started")
                    let started = received.first { $0.order.orderID == a.id }?.order.payment
                    #expect(started?.paidAmount == .fen(a.total) && started?.reference == "WX-BAL-A" && started?.deposit?.amount == .fen(10_000)
                            && started?.deposit?.reference == "WX-DEP-W-PRE-A-\(world.id)")
                    let cancelled = Dictionary(events.filter { $0.type == OrderCancelled.eventType }.compactMap { try? $0.decode(OrderCancelled.self) }.map { ($0.orderID, $0) },
                                               uniquingKeysWith: { first, _ in first })
                    #expect(cancelled[b.id]?.deposit?.refunded == true && cancelled[c.id]?.deposit?.refunded == false)
                    #expect(cancelled[d.id]?.deposit?.refunded == false && cancelled[d.id]?.reason == "balance_timeout" && cancelled[d.id]?.previousStatus == .awaitingBalance)
                    #expect(cancelled[a.id]?.deposit == nil && cancelled[a.id]?.previousStatus == .allocated)
                    #expect(try await world.count("SELECT count(*) FROM \(refundsTable) WHERE order_id IN ('\(c.id)', '\(d.id)')") == 0, "forfeited deposits are not refunded")
                }
            }
        }
    }
}
