import Foundation
import InventoryService
import NIOHTTP1
import OMSDomain
import OMSPlatform
import Testing

/// The supplier loop (issue 30 part 3) through a real inventory and a real integrations process
/// on real PostgreSQL and the real broker: a backorder raises a request at once, the preferred
/// supplier's draft purchase order collects it (rounded up to the supplier's minimum quantity),
/// purchasing approves it (checked against the supplier's minimum order), the integrations
/// service e-mails it with a CSV to a real SMTP server (aiosmtpd), and the receipt against it
/// fills the backorders. Reorder points are then computed from the sales.
@Suite("Suppliers: backorder -> draft purchase order -> approval -> e-mail with CSV -> receipt fills the backorder", .serialized)
struct SupplierLoopTests {
    @Test("a backorder drafts a purchase order with the cheapest supplier, approval mails it once with its CSV, the receipt fills both backorders; reorder points from sales")
    func backorderToReceipt() async throws {
        try await withIntakeWorld { world in
            let mail = try MailSink(port: TestPorts.block())
            defer { mail.stop() }
            #expect(await mail.ready(), "the test SMTP server did not start")
            let inventoryPort = TestPorts.block(), integrationsPort = TestPorts.block()
            let http = EdgeClient(base: "http://127.0.0.1:\(inventoryPort)", http: EdgeClient.wide)
            let integrations = EdgeClient(base: "http://127.0.0.1:\(integrationsPort)", http: EdgeClient.wide)
            let settings = NotificationTests.fast.merging(mail.environment) { $1 }
            try await world.running([try world.inventoryApplication(port: inventoryPort), try world.integrationsApplication(port: integrationsPort, environment: settings)],
                                    readyAt: [http, integrations]) {
                try await InventoryFixtures.setUpWarehouses(http)
                func send(_ method: NIOHTTP1.HTTPMethod, _ path: String, _ json: String = "") async throws -> EdgeClient.Reply {
                    try await http.send(method, path, body: Array(json.utf8), headers: ["X-User-Id": "ops-1"])
                }
                // Two suppliers sell the SKU: the cheaper one gets the order.
                let acme = #"{"name":"艾克米供应链","email":"orders@acme.example.cn","phone":"+86 21 5555 0101","leadTimeDays":5,"minimumOrderFen":50000,"shipsToWarehouseId":"SH1","items":[{"sku":"SKU-SUP","unitCostFen":1200,"minimumOrderQuantity":24},{"sku":"SKU-OTHER","unitCostFen":800}]}"#
                let saved = try await send(.PUT, "/v1/inventory/suppliers/ACME", acme)
                try #require(saved.status == 200, "\(saved.status) \(saved.text)")
                let pricey = #"{"name":"Pricey","email":"po@pricey.example.com","leadTimeDays":2,"shipsToWarehouseId":"HZ1","items":[{"sku":"SKU-SUP","unitCostFen":1500}]}"#
                #expect(try await send(.PUT, "/v1/inventory/suppliers/PRICEY", pricey).status == 200)
                // Refused with the field named.
                let badMail = try await send(.PUT, "/v1/inventory/suppliers/BAD", pricey.replacingOccurrences(of: "po@pricey.example.com", with: "not an address"))
                #expect(badMail.status == 422 && badMail.text.contains("\"email\""))
                // The rule the mail sender applies is the one the master applies: a domain label
                // starting with '-' was accepted here and refused only at sending (after approval).
                let undeliverable = try await send(.PUT, "/v1/inventory/suppliers/BAD", pricey.replacingOccurrences(of: "po@pricey.example.com", with: "po@-pricey.example.com"))
                #expect(undeliverable.status == 422 && undeliverable.text.contains("\"email\""), "\(undeliverable.status) \(undeliverable.text)")
                let badWarehouse = try await send(.PUT, "/v1/inventory/suppliers/BAD", pricey.replacingOccurrences(of: "HZ1", with: "NOPE"))
                #expect(badWarehouse.status == 422 && badWarehouse.text.contains("shipsToWarehouseId"))
                let twice = try await send(.PUT, "/v1/inventory/suppliers/BAD", pricey.replacingOccurrences(of: #"[{"sku":"SKU-SUP","unitCostFen":1500}]"#, with: #"[{"sku":"A","unitCostFen":1},{"sku":"A","unitCostFen":0}]"#))
                #expect(twice.status == 422 && twice.text.contains("items[1].unitCostFen") && twice.text.contains("one item per SKU"))
                #expect(try await send(.GET, "/v1/inventory/suppliers/BAD").status == 404)
                let listed = try await send(.GET, "/v1/inventory/suppliers")
                #expect((listed.json["suppliers"] as? [[String: Any]])?.map { $0["code"] as? String } == ["ACME", "PRICEY"], "\(listed.status) \(listed.text.prefix(300))")

                // Two orders backorder the SKU (no stock anywhere): one request each, one draft.
                try await world.publish([try InventoryFixtures.verified(InventoryFixtures.order("O-SUP-1", province: "上海市", city: "上海市", lines: [("SKU-SUP", 3, 2_500)]))])
                #expect(try await world.eventually { try await world.inventoryCount("SELECT count(*) FROM inv.backorders WHERE order_id = 'O-SUP-1'") == 1 })
                try await world.publish([try InventoryFixtures.verified(InventoryFixtures.order("O-SUP-2", province: "上海市", city: "上海市", lines: [("SKU-SUP", 2, 2_500)]))])
                #expect(try await world.eventually { try await world.inventoryCount("SELECT count(*) FROM inv.backorders WHERE order_id = 'O-SUP-2'") == 1 })
                let requests = (try await send(.GET, "/v1/inventory/replenishment-requests?status=ordered").json["requests"] as? [[String: Any]]) ?? []
                #expect(requests.count == 2 && requests.allSatisfy { $0["reason"] as? String == "backorder" && $0["warehouseId"] as? String == "SH1" })
                #expect(Set(requests.compactMap { $0["orderId"] as? String }) == ["O-SUP-1", "O-SUP-2"])
                let drafts = (try await send(.GET, "/v1/inventory/purchase-orders?status=draft").json["purchaseOrders"] as? [[String: Any]]) ?? []
                #expect(drafts.count == 1)
                let draft = drafts.first ?? [:]
                let po = draft["poNumber"] as? String ?? ""
                #expect(po.hasPrefix("PO-") && draft["supplierCode"] as? String == "ACME" && draft["warehouseId"] as? String == "SH1" && draft["supplier"] as? String == "艾克米供应链")
                #expect(Set(requests.compactMap { $0["purchaseOrder"] as? String }) == [po])
                let line = (draft["lines"] as? [[String: Any]])?.first ?? [:]
                #expect(line["sku"] as? String == "SKU-SUP" && line["quantityRequested"] as? Int == 5 && line["quantityOrdered"] as? Int == 24 && line["unitCostFen"] as? Int == 1_200)
                #expect(draft["totalFen"] as? Int == 28_800)
                // Nothing is received against a draft.
                let early = try await send(.POST, "/v1/inventory/receipts", #"{"receiptId":"R-SUP-0","warehouseId":"SH1","purchaseOrder":"\#(po)","lines":[{"sku":"SKU-SUP","quantity":24}]}"#)
                #expect(early.status == 409)

                // Purchasing orders 30, not 24: never below the supplier's minimum quantity, never the last line dropped.
                let tooFew = try await send(.PUT, "/v1/inventory/purchase-orders/\(po)/lines/SKU-SUP", #"{"quantity":10}"#)
                #expect(tooFew.status == 422 && tooFew.text.contains("\"quantity\"") && tooFew.text.contains("24"))
                #expect(try await send(.PUT, "/v1/inventory/purchase-orders/\(po)/lines/SKU-SUP", #"{"quantity":0}"#).status == 409)
                #expect(try await send(.PUT, "/v1/inventory/purchase-orders/\(po)/lines/SKU-NONE", #"{"quantity":30}"#).status == 404)
                let changed = try await send(.PUT, "/v1/inventory/purchase-orders/\(po)/lines/SKU-SUP", #"{"quantity":30}"#)
                #expect(changed.status == 200 && changed.json["totalFen"] as? Int == 36_000)
                // ¥360.00 is below ACME's ¥500.00 minimum order: refused, named.
                let below = try await send(.POST, "/v1/inventory/purchase-orders/\(po)/approve")
                #expect(below.status == 409 && below.text.contains("below_supplier_minimum") && below.text.contains("¥360.00") && below.text.contains("¥500.00"))
                #expect(try await send(.PUT, "/v1/inventory/suppliers/ACME", acme.replacingOccurrences(of: "50000", with: "20000")).status == 200)
                let approved = try await send(.POST, "/v1/inventory/purchase-orders/\(po)/approve")
                #expect(approved.status == 200 && approved.json["status"] as? String == "open" && approved.json["approvedBy"] as? String == "ops-1")
                let again = try await send(.POST, "/v1/inventory/purchase-orders/\(po)/approve")
                #expect(again.status == 200 && again.headers["idempotent-replayed"] == "true")
                #expect(try await send(.POST, "/v1/inventory/purchase-orders/PO-NONE/approve").status == 404)

                // The supplier gets one mail with the CSV.
                #expect(try await world.eventually { mail.mails.count == 1 })
                let sent = mail.mails.first
                #expect(sent?.to == "<orders@acme.example.cn>" && sent?.tls == true && sent?.subject == "采购单 \(po)（¥360.00）")
                #expect(sent?.text.contains("送货仓库：SH1") == true && sent?.text.contains("SKU-SUP × 30 @ ¥12.00 = ¥360.00") == true)
                let csv = sent?.attachments["\(po).csv"] ?? ""
                let rows = csv.replacingOccurrences(of: "\u{FEFF}", with: "").components(separatedBy: "\r\n").filter { !$0.isEmpty }
                #expect(rows.first == "po_number,line,sku,quantity,unit_cost_yuan,line_total_yuan,deliver_to_warehouse,expected_date")
                #expect(rows.count == 2 && rows.last?.hasPrefix("\(po),1,SKU-SUP,30,12.00,360.00,SH1,") == true, "\(rows)")
                #expect(try await world.eventually {
                    let listed = try await integrations.send(.GET, "/v1/integrations/supplier-orders?status=sent").json["supplierOrders"] as? [[String: Any]] ?? []
                    return listed.map { $0["poNumber"] as? String } == [po]
                })
                // A replayed approval event sends nothing new.
                let events = try await world.inventoryEvents(about: PurchaseOrderApproved.key(po: po)) { !$0.isEmpty }
                #expect(try events.first.map { try $0.decode(PurchaseOrderApproved.self) }?.totalFen == 36_000)
                try await world.publish(events.map { ($0, TopicCatalogue.inventoryEvents) })
                try await world.publish([try InventoryFixtures.verified(InventoryFixtures.order("O-SUP-MARK", lines: [("SKU-OTHER", 1, 900)]))])
                #expect(try await world.eventually { try await world.inventoryCount("SELECT count(*) FROM inv.backorders WHERE order_id = 'O-SUP-MARK'") == 1 })
                try await Task.sleep(for: .seconds(1))
                #expect(mail.mails.count == 1)

                #expect(try await send(.PUT, "/v1/inventory/purchase-orders/\(po)/lines/SKU-SUP", #"{"quantity":40}"#).status == 409, "an approved order is not changed")
                // A stored approval that no longer decodes fails with the reason, never half-sent.
                _ = try await world.strings("""
                    INSERT INTO \(world.integrationsSchema).supplier_orders (po_number, event_id, supplier_code, body, status, next_attempt_at)
                    VALUES ('PO-BROKEN', gen_random_uuid(), 'ACME', '{"poNumber":"PO-BROKEN"}', 'pending', now()) RETURNING po_number
                    """)
                #expect(try await world.eventually {
                    let failed = try await integrations.send(.GET, "/v1/integrations/supplier-orders?status=failed").json["supplierOrders"] as? [[String: Any]] ?? []
                    return failed.contains { $0["poNumber"] as? String == "PO-BROKEN" && ($0["lastError"] as? String ?? "").contains("does not decode:") }
                })
                #expect(mail.mails.count == 1)
                // The goods arrive: both backorders are filled, the purchase order is received.
                let receipt = try await send(.POST, "/v1/inventory/receipts", #"{"receiptId":"R-SUP-1","warehouseId":"SH1","purchaseOrder":"\#(po)","lines":[{"sku":"SKU-SUP","quantity":30}]}"#)
                #expect(receipt.status == 201)
                #expect(Set((receipt.json["backordersFilledFor"] as? [String]) ?? []) == ["O-SUP-1", "O-SUP-2"])
                #expect(try await send(.GET, "/v1/inventory/purchase-orders/\(po)").json["status"] as? String == "received")
                #expect(try await send(.POST, "/v1/inventory/purchase-orders/\(po)/cancel").status == 409)
                // The other SKU's draft (from the mark order) is cancelled: its request is dismissed.
                let other = ((try await send(.GET, "/v1/inventory/purchase-orders?status=draft").json["purchaseOrders"] as? [[String: Any]]) ?? []).first?["poNumber"] as? String ?? ""
                #expect(try await send(.POST, "/v1/inventory/purchase-orders/\(other)/cancel").json["status"] as? String == "cancelled")
                #expect(try await world.inventoryCount("SELECT count(*) FROM inv.replenishment_requests WHERE purchase_order = '\(other)' AND status = 'dismissed'") == 1)

                // Reorder points from what sold: 5 units reserved today in SH1, ACME's 5-day lead time.
                let recomputed = try await send(.POST, "/v1/inventory/reorder-points/recompute")
                let change = ((recomputed.json["changes"] as? [[String: Any]]) ?? []).first { $0["sku"] as? String == "SKU-SUP" && $0["warehouseId"] as? String == "SH1" } ?? [:]
                let expected = ReorderPointRule.reorderPoint(dailyDemand: [5] + Array(repeating: 0, count: 27), leadTimeDays: 5)
                #expect(expected > 0 && change["after"] as? Int == expected && change["leadTimeDays"] as? Int == 5 && change["unitsInWindow"] as? Int == 5, "\(recomputed.text)")
                #expect(try await world.inventoryCount("SELECT reorder_point FROM inv.stock WHERE sku = 'SKU-SUP' AND warehouse_code = 'SH1'") == expected)
                #expect(try await world.ledgerDiscrepancies() == 0)
            }
        }
    }

    @Test("two inventory workers backordering 60 orders at once put every unit on one draft per supplier and warehouse: 60 requested, one purchase order number")
    func concurrentBackordersShareOneDraft() async throws {
        try await withIntakeWorld { world in
            try await world.withInventory(processes: 2) { http in
                try await InventoryFixtures.setUpWarehouses(http)
                let supplier = #"{"name":"Busy","email":"po@busy.example.com","leadTimeDays":3,"shipsToWarehouseId":"GZ1","items":[{"sku":"SKU-RUSH","unitCostFen":500,"minimumOrderQuantity":10}]}"#
                #expect(try await http.send(.PUT, "/v1/inventory/suppliers/BUSY", body: Array(supplier.utf8)).status == 200)
                let orders = (0..<60).map { InventoryFixtures.order("O-RUSH-\($0)", channel: .marketplace, lines: [("SKU-RUSH", 1, 900)]) }
                try await world.publish(try orders.map(InventoryFixtures.verified))
                #expect(try await world.eventually { try await world.inventoryCount("SELECT count(*) FROM inv.backorders WHERE sku = 'SKU-RUSH'") == 60 })
                #expect(try await world.inventoryCount("SELECT count(*) FROM inv.purchase_orders WHERE supplier_code = 'BUSY'") == 1)
                #expect(try await world.inventoryCount("""
                    SELECT quantity_requested FROM inv.purchase_order_lines l JOIN inv.purchase_orders p USING (po_number)
                    WHERE p.supplier_code = 'BUSY' AND p.status = 'draft' AND p.warehouse_code = 'GZ1' AND l.sku = 'SKU-RUSH'
                    """) == 60)
                #expect(try await world.inventoryCount("SELECT count(*) FROM inv.replenishment_requests WHERE sku = 'SKU-RUSH' AND status = 'ordered' AND reason = 'backorder'") >= 1)
                #expect(try await world.inventoryCount("SELECT COALESCE(sum(suggested_quantity), 0)::int8 FROM inv.replenishment_requests WHERE sku = 'SKU-RUSH'") == 60)
            }
        }
    }
}
