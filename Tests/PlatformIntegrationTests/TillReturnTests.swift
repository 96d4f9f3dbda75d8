import Foundation
import OMSDomain
import OMSPlatform
import Testing

/// A till sale taken back at another store's counter, through real after-sales and inventory.
@Suite("Till returns: a store sale brought back at any store by its receipt (real PostgreSQL and broker)", .serialized)
struct TillReturnTests {
    typealias A = AfterSalesFlowTests

    /// A cash sale at store S01, till T1, receipt `receipt`, rung up `daysAgo` days ago.
    static func tillSale(_ id: String, receipt: String, daysAgo: Double = 0, method: PaymentMethod = .cashAtTill,
                         lines: [(sku: String, quantity: Int, priceFen: Int64)]) -> Order {
        let soldAt = Date().addingTimeInterval(-daysAgo * 86_400)
        let orderLines = lines.enumerated().map { OrderLine(lineNumber: $0.offset + 1, sku: $0.element.sku, quantity: $0.element.quantity, unitPrice: .fen($0.element.priceFen)) }
        let total = orderLines.reduce(Int64(0)) { $0 + $1.unitPrice.minorUnits * Int64($1.quantity) }
        return Order(orderID: id, channel: .pos, channelOrderID: "S01:T1:\(receipt)", customer: Customer(customerKey: "anonymous", name: "", phone: ""),
                     deliveryAddress: nil, lines: orderLines, shippingFee: .zero,
                     payment: Payment(method: method, reference: method == .cashAtTill ? nil : "WX-\(id)", paidAmount: .fen(total), paidAt: soldAt), placedAt: soldAt)
    }

    static func takeBack(_ http: EdgeClient, receipt: String, at store: String = "S02", slip: String, reason: String = "noReasonWithin7Days",
                         items: String, user: String = "cs-agent-1") async throws -> EdgeClient.Reply {
        try await A.post(http, "/v1/aftersales/till-returns", #"""
            {"receipt":{"storeId":"S01","tillId":"T1","receiptNo":"\#(receipt)"},"returnedAt":{"storeId":"\#(store)","tillId":"T9","cashierId":"C7"},
             "reason":"\#(reason)","returnReceiptNo":"\#(slip)","items":\#(items)}
            """#, user: user)
    }

    static func onHand(_ inventory: EdgeClient, _ sku: String, at warehouse: String) async throws -> Int {
        let stock = try await inventory.send(.GET, "/v1/inventory/stock/\(sku)").json
        let rows = stock["warehouses"] as? [[String: Any]] ?? []
        return rows.first { $0["warehouseId"] as? String == warehouse }?["onHand"] as? Int ?? 0
    }

    @Test("a cash sale at S01 returned at S02: refunded in cash at once, S02 restocked, damaged units quarantined; a replay, an over-return, a late return and an unknown receipt refused")
    func returnedAtAnotherStore() async throws {
        try await withIntakeWorld { world in
            try await world.withStages(inventory: true, afterSales: [:]) { clients in
                let (http, inventory) = (try #require(clients.afterSales), try #require(clients.inventory))
                for store in ["S01", "S02"] {
                    let body = #"{"name":"\#(store) 门店","province":"上海市","city":"上海市","costPerParcelFen":0,"kind":"store"}"#
                    #expect(try await inventory.send(.PUT, "/v1/inventory/warehouses/\(store)", body: Array(body.utf8)).status == 200)
                }
                #expect(try await InventoryFixtures.receive(inventory, "CLO-TEE-BLK-M", 3, into: "S01").status == 201)
                let sale = Self.tillSale("O-TILL", receipt: "R0001", lines: [("CLO-TEE-BLK-M", 2, 9_900), ("GLS-WINEGLASS-1", 1, 4_500)])
                let old = Self.tillSale("O-TILL-OLD", receipt: "R0002", daysAgo: 20, lines: [("CLO-TEE-BLK-M", 1, 9_900)])
                try await world.publish([try A.received(sale), try A.received(old), try InventoryFixtures.verified(sale), try InventoryFixtures.verified(old)])
                #expect(try await world.eventually {
                    let known = try await http.send(.GET, "/v1/aftersales/orders/O-TILL-OLD", headers: ["X-User-Id": "cs-agent-1"]).status == 200
                    let sold = try await Self.onHand(inventory, "CLO-TEE-BLK-M", at: "S01") == 0
                    return known && sold
                })

                // One tee (resellable) and the glass (broken) back at S02's counter.
                let items = #"[{"lineNumber":1,"quantity":1,"condition":"resellable"},{"lineNumber":2,"quantity":1,"condition":"damaged","note":"chipped"}]"#
                let taken = try await Self.takeBack(http, receipt: "R0001", slip: "RT-100", items: items)
                #expect(taken.status == 201, "\(taken.text)")
                let answer = taken.json
                let view = answer["return"] as? [String: Any] ?? [:]
                #expect(view["status"] as? String == "refunded")
                #expect(view["till"] as? String == "S02/T9/C7")
                #expect(view["warehouseId"] as? String == "S02")
                #expect(view["decidedBy"] as? String == "C7@S02")
                #expect(answer["refundStatus"] as? String == "succeeded")
                #expect(answer["cashBackFen"] as? Int == 14_400)
                let refundID = try #require((view["refund"] as? [String: Any])?["refundId"] as? String)
                let refund = try await http.send(.GET, "/v1/aftersales/refunds/\(refundID)", headers: ["X-User-Id": "cs-agent-1"]).json
                #expect(refund["providerRefundId"] as? String == "S02/T9/C7")

                // The till retries the same slip: the same return, no second refund.
                let again = try await Self.takeBack(http, receipt: "R0001", slip: "RT-100", items: items)
                #expect(again.status == 200)
                #expect((again.json["return"] as? [String: Any])?["returnId"] as? String == view["returnId"] as? String)
                #expect(try await world.count("SELECT count(*) FROM \(world.afterSalesSchema).refunds WHERE order_id = 'O-TILL'") == 1)

                // S02 gets the resellable tee; the glass is quarantined there, never on sale.
                #expect(try await world.eventually { try await Self.onHand(inventory, "CLO-TEE-BLK-M", at: "S02") == 1 })
                #expect(try await world.eventually {
                    try await world.inventoryCount("SELECT quarantined FROM inv.stock WHERE sku = 'GLS-WINEGLASS-1' AND warehouse_code = 'S02'") == 1
                })

                let over = try await Self.takeBack(http, receipt: "R0001", slip: "RT-101", items: #"[{"lineNumber":1,"quantity":2,"condition":"resellable"}]"#)
                #expect(over.status == 422)
                #expect(A.code(over) == "over_return")
                #expect(((over.json["error"] as? [String: Any])?["fields"] as? [[String: Any]])?.first?["field"] as? String == "items[0].quantity")
                let late = try await Self.takeBack(http, receipt: "R0002", slip: "RT-102", items: #"[{"lineNumber":1,"quantity":1,"condition":"resellable"}]"#)
                #expect(late.status == 422)
                #expect(A.code(late) == "outside_return_window")
                #expect(try await Self.takeBack(http, receipt: "R0002", slip: "RT-103", reason: "qualityProblem",
                                                items: #"[{"lineNumber":1,"quantity":1,"condition":"damaged"}]"#).status == 201)
                let unknown = try await Self.takeBack(http, receipt: "R9999", slip: "RT-104", items: #"[{"lineNumber":1,"quantity":1,"condition":"resellable"}]"#)
                #expect(unknown.status == 404)
                #expect(A.code(unknown) == "receipt_not_found")
                let twice = try await Self.takeBack(http, receipt: "R0001", slip: "RT-105",
                                                    items: #"[{"lineNumber":1,"quantity":1,"condition":"resellable"},{"lineNumber":1,"quantity":1,"condition":"used"}]"#)
                #expect(twice.status == 422)
                #expect(((twice.json["error"] as? [String: Any])?["fields"] as? [[String: Any]])?.first?["field"] as? String == "items[1].lineNumber")
            }
        }
    }

    static func invoice(_ http: EdgeClient, receipt: String, _ invoice: String) async throws -> EdgeClient.Reply {
        try await A.post(http, "/v1/aftersales/till-invoices", #"{"receipt":{"storeId":"S01","tillId":"T1","receiptNo":"\#(receipt)"},"invoice":\#(invoice)}"#)
    }

    @Test("a till sale's 发票 on request: issued at once with the sale's total, once however often asked; a till return is credited red-letter; a bad tax id and an unknown receipt refused")
    func invoiceOnRequest() async throws {
        try await withIntakeWorld { world in
            try await world.withStages(inventory: true, afterSales: ["OMS_INVOICE_CHECK_SECONDS": "1"]) { clients in
                let (http, inventory) = (try #require(clients.afterSales), try #require(clients.inventory))
                let body = #"{"name":"S01 门店","province":"上海市","city":"上海市","costPerParcelFen":0,"kind":"store"}"#
                #expect(try await inventory.send(.PUT, "/v1/inventory/warehouses/S01", body: Array(body.utf8)).status == 200)
                let sale = Self.tillSale("O-TILL-FP", receipt: "R0100", lines: [("CLO-TEE-BLK-M", 2, 9_900), ("GLS-WINEGLASS-1", 1, 4_500)])
                try await world.publish([try A.received(sale), try InventoryFixtures.verified(sale)])
                #expect(try await world.eventually { try await http.send(.GET, "/v1/aftersales/orders/O-TILL-FP", headers: ["X-User-Id": "cs-agent-1"]).status == 200 })

                let company = #"{"kind":"company","title":"示例科技有限公司","taxId":"91350100M000100Y43"}"#
                let bad = try await Self.invoice(http, receipt: "R0100", #"{"kind":"company","title":"示例科技有限公司","taxId":"91350100M000100Y44"}"#)
                #expect(bad.status == 422)
                #expect(((bad.json["error"] as? [String: Any])?["fields"] as? [[String: Any]])?.first?["field"] as? String == "invoice.taxId")
                #expect(try await Self.invoice(http, receipt: "R0999", company).status == 404)

                let issued = try await Self.invoice(http, receipt: "R0100", company)
                #expect(issued.status == 201, "\(issued.text)")
                let blue = issued.json
                #expect(blue["kind"] as? String == "blue")
                #expect(blue["totalFen"] as? Int == 24_300)
                #expect((blue["buyer"] as? [String: Any])?["title"] as? String == "示例科技有限公司")
                let number = try #require(blue["invoiceNumber"] as? String)
                let again = try await Self.invoice(http, receipt: "R0100", #"{"kind":"personal","title":"张三"}"#)
                #expect(again.status == 200 && again.json["invoiceNumber"] as? String == number)
                #expect(try await world.count("SELECT count(*) FROM \(world.afterSalesSchema).invoices WHERE order_id = 'O-TILL-FP'") == 1)
                let pdf = try await http.send(.GET, "/v1/aftersales/invoices/\(number)/pdf", headers: ["X-User-Id": "cs-agent-1"])
                #expect(pdf.status == 200 && pdf.body.starts(with: Array("%PDF".utf8)))

                // The glass comes back at the counter: cash back at once, then a red-letter invoice for it.
                let back = try await Self.takeBack(http, receipt: "R0100", at: "S01", slip: "RT-200", items: #"[{"lineNumber":2,"quantity":1,"condition":"resellable"}]"#)
                #expect(back.status == 201, "\(back.text)")
                var red: [String: Any] = [:]
                #expect(try await world.eventually {
                    let list = try await http.send(.GET, "/v1/aftersales/orders/O-TILL-FP/invoices", headers: ["X-User-Id": "cs-agent-1"]).json["invoices"] as? [[String: Any]] ?? []
                    red = list.first { $0["kind"] as? String == "red" } ?? [:]
                    return !red.isEmpty
                })
                #expect(red["totalFen"] as? Int == -4_500)
                #expect(red["originalInvoiceNumber"] as? String == number)
            }
        }
    }
}
