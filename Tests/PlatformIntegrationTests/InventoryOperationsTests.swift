import Foundation
import InventoryService
import OMSDomain
import OMSPlatform
import Testing

/// Warehouse and purchasing operations over HTTP, and the stock effects of the later stages'
/// events (short pick, dispatch, return), on real PostgreSQL and the real broker.
@Suite("Inventory: counts, transfers, purchasing, dispatch, returns, short picks", .serialized)
struct InventoryOperationsTests {
    @Test("counts and write-offs with reason codes, transfers through in-transit, reorder point -> replenishment -> purchase order -> receipt")
    func operations() async throws {
        try await withIntakeWorld { world in
            try await world.withInventory { http in
                try await InventoryFixtures.setUpWarehouses(http)
                func send(_ method: String, _ path: String, _ json: String) async throws -> EdgeClient.Reply {
                    try await http.send(method == "PUT" ? .PUT : .POST, path, body: Array(json.utf8), headers: ["X-User-Id": "ops-1"])
                }
                #expect(try await InventoryFixtures.receive(http, "SKU-T", 20, into: "SH1").status == 201)

                // Cycle count finds 18; two damaged go to quarantine; one is scrapped from quarantine.
                let count = try await send("POST", "/v1/inventory/adjustments", #"{"adjustmentId":"CC-1","warehouseId":"SH1","sku":"SKU-T","reasonCode":"cycle_count","countedQuantity":18}"#)
                #expect(count.status == 201)
                #expect(try await send("POST", "/v1/inventory/adjustments", #"{"adjustmentId":"CC-1","warehouseId":"SH1","sku":"SKU-T","reasonCode":"cycle_count","countedQuantity":18}"#).status == 200)
                #expect(try await send("POST", "/v1/inventory/adjustments", #"{"adjustmentId":"DMG-1","warehouseId":"SH1","sku":"SKU-T","reasonCode":"damaged","quantity":2}"#).status == 201)
                #expect(try await send("POST", "/v1/inventory/adjustments", #"{"adjustmentId":"SCR-1","warehouseId":"SH1","sku":"SKU-T","reasonCode":"scrapped","quantity":1}"#).status == 201)
                let bad = try await send("POST", "/v1/inventory/adjustments", #"{"adjustmentId":"X","warehouseId":"SH1","sku":"SKU-T","reasonCode":"stolen","quantity":1}"#)
                #expect(bad.status == 422 && bad.text.contains("reasonCode"))
                #expect(try await send("POST", "/v1/inventory/adjustments", #"{"adjustmentId":"X","warehouseId":"SH1","sku":"SKU-T","reasonCode":"lost","quantity":99}"#).status == 409)
                #expect(try await send("POST", "/v1/inventory/adjustments", #"{"adjustmentId":"X","warehouseId":"NOPE","sku":"SKU-T","reasonCode":"found","quantity":1}"#).status == 422)
                #expect(try await send("POST", "/v1/inventory/adjustments", #"{"adjustmentId":"X","warehouseId":"SH1"}"#).status == 400)
                var stock = try await http.send(.GET, "/v1/inventory/stock/SKU-T").json
                let sh1 = (stock["warehouses"] as? [[String: Any]])?.first { $0["warehouseId"] as? String == "SH1" } ?? [:]
                #expect(sh1["onHand"] as? Int == 16 && sh1["quarantined"] as? Int == 1)
                let movements = (try await http.send(.GET, "/v1/inventory/stock/SKU-T/movements?warehouse=SH1").json["movements"] as? [[String: Any]]) ?? []
                #expect(movements.compactMap { $0["reasonCode"] as? String } == ["scrapped", "damaged", "cycle_count"])
                #expect(movements.first?["actor"] as? String == "ops-1")

                // Transfer 6 to Guangzhou: refused while requesting more than is available, in transit, then received.
                #expect(try await send("POST", "/v1/inventory/transfers", #"{"transferId":"T-BIG","fromWarehouse":"SH1","toWarehouse":"GZ1","lines":[{"sku":"SKU-T","quantity":17}]}"#).status == 201)
                let refused = try await send("POST", "/v1/inventory/transfers/T-BIG/ship", "")
                #expect(refused.status == 409 && refused.text.contains("insufficient_stock"))
                #expect(try await send("POST", "/v1/inventory/transfers/T-BIG/cancel", "").status == 200)
                #expect(try await send("POST", "/v1/inventory/transfers", #"{"transferId":"T-1","fromWarehouse":"SH1","toWarehouse":"GZ1","lines":[{"sku":"SKU-T","quantity":6}]}"#).status == 201)
                #expect(try await send("POST", "/v1/inventory/transfers/T-1/receive", "").status == 409)
                #expect(try await send("POST", "/v1/inventory/transfers/T-1/ship", "").status == 200)
                #expect(try await send("POST", "/v1/inventory/transfers/T-1/ship", "").headers["idempotent-replayed"] == "true")
                stock = try await http.send(.GET, "/v1/inventory/stock/SKU-T").json
                #expect(stock["onHand"] as? Int == 10 && stock["inTransit"] as? Int == 6)
                #expect(try await send("POST", "/v1/inventory/transfers/T-1/receive", "").status == 200)
                stock = try await http.send(.GET, "/v1/inventory/stock/SKU-T").json
                #expect(stock["onHand"] as? Int == 16 && stock["inTransit"] as? Int == 0)
                #expect(try await send("POST", "/v1/inventory/transfers", #"{"transferId":"T-2","fromWarehouse":"SH1","toWarehouse":"SH1","lines":[{"sku":"SKU-T","quantity":1}]}"#).status == 422)

                // Reorder point 8 in SH1 (10 available): an order for 3 crosses it -> one request.
                #expect(try await send("PUT", "/v1/inventory/stock/SKU-T/warehouses/SH1", #"{"reorderPoint":8,"leadTimeDays":5}"#).status == 200)
                #expect(try await send("PUT", "/v1/inventory/stock/SKU-T/warehouses/SH1", #"{"reorderPoint":-1}"#).status == 422)
                let orders = [InventoryFixtures.order("O-RP-1", province: "上海市", city: "上海市", lines: [("SKU-T", 3, 2_500)]),
                              InventoryFixtures.order("O-RP-2", province: "上海市", city: "上海市", lines: [("SKU-T", 1, 2_500)])]
                try await world.publish(try orders.map(InventoryFixtures.verified))
                #expect(try await world.eventually { try await world.inventoryCount("SELECT count(*) FROM inv.orders") == 2 })
                let requests = (try await http.send(.GET, "/v1/inventory/replenishment-requests").json["requests"] as? [[String: Any]]) ?? []
                #expect(requests.count == 1)
                #expect(requests.first?["sku"] as? String == "SKU-T" && requests.first?["warehouseId"] as? String == "SH1")
                let suggested = requests.first?["suggestedQuantity"] as? Int ?? 0
                #expect(suggested >= 8 - 6)
                let event = try await world.inventoryEvents(about: AvailabilityChanged.key(sku: "SKU-T")) { $0.contains { $0.type == ReplenishmentRequested.eventType } }
                    .first { $0.type == ReplenishmentRequested.eventType }.map { try $0.decode(ReplenishmentRequested.self) }
                #expect(event?.suggestedQuantity == suggested && event?.reorderPoint == 8)

                // Purchasing answers it; the receipt against the PO may not exceed what was ordered.
                let po = #"{"poNumber":"PO-1","supplier":"Acme","warehouseId":"SH1","expectedAt":"2026-12-01T00:00:00Z","lines":[{"sku":"SKU-T","quantity":\#(suggested)}]}"#
                #expect(try await send("POST", "/v1/inventory/purchase-orders", po).status == 201)
                #expect(try await send("POST", "/v1/inventory/purchase-orders", po).status == 200)
                #expect(try await send("POST", "/v1/inventory/purchase-orders", po.replacingOccurrences(of: "Acme", with: "Other")).status == 409)
                #expect(((try await http.send(.GET, "/v1/inventory/replenishment-requests").json["requests"] as? [Any]) ?? [1]).isEmpty)
                let over = try await send("POST", "/v1/inventory/receipts", #"{"receiptId":"R-PO-1","warehouseId":"SH1","purchaseOrder":"PO-1","lines":[{"sku":"SKU-T","quantity":\#(suggested + 1)}]}"#)
                #expect(over.status == 422 && over.text.contains("lines[0].quantity"))
                #expect(try await send("POST", "/v1/inventory/receipts", #"{"receiptId":"R-PO-1","warehouseId":"SH1","purchaseOrder":"PO-1","lines":[{"sku":"SKU-T","quantity":\#(suggested)}]}"#).status == 201)
                #expect(try await http.send(.GET, "/v1/inventory/purchase-orders/PO-1").json["status"] as? String == "received")
                let empty = try await send("POST", "/v1/inventory/receipts", #"{"receiptId":"R-X","warehouseId":"SH1","lines":[]}"#)
                #expect(empty.status == 422 && empty.text.contains("\"field\":\"lines\""))
                #expect(try await world.ledgerDiscrepancies() == 0)
            }
        }
    }

    @Test("the same adjustment sent eight times at once applies once; its id reused for another SKU is a conflict")
    func concurrentAdjustmentsApplyOnce() async throws {
        try await withIntakeWorld { world in
            try await world.withInventory { http in
                try await InventoryFixtures.setUpWarehouses(http)
                #expect(try await InventoryFixtures.receive(http, "SKU-ADJ", 10, into: "SH1").status == 201)
                let body = Array(#"{"adjustmentId":"FOUND-1","warehouseId":"SH1","sku":"SKU-ADJ","reasonCode":"found","quantity":5}"#.utf8)
                let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<8 {
                        group.addTask { try await http.send(.POST, "/v1/inventory/adjustments", body: body, headers: ["X-User-Id": "ops-1"]).status }
                    }
                    return try await group.reduce(into: [Int]()) { $0.append($1) }
                }
                #expect(statuses.filter { $0 == 201 }.count == 1, "\(statuses)")
                #expect(statuses.filter { $0 == 200 }.count == 7, "\(statuses)")
                #expect(try await world.inventoryCount("SELECT on_hand FROM inv.stock WHERE sku = 'SKU-ADJ' AND warehouse_code = 'SH1'") == 15)
                #expect(try await world.inventoryCount("SELECT count(*)::int FROM inv.stock_movements WHERE cause_type = 'count' AND cause_id = 'FOUND-1'") == 1)
                let reused = try await http.send(.POST, "/v1/inventory/adjustments", body: Array(#"{"adjustmentId":"FOUND-1","warehouseId":"SH1","sku":"SKU-T","reasonCode":"found","quantity":5}"#.utf8),
                                                 headers: ["X-User-Id": "ops-1"])
                #expect(reused.status == 409 && reused.text.contains("adjustment_id_reused"))
            }
        }
    }

    @Test("short pick writes off and re-allocates elsewhere; dispatch turns reservations into on-hand decrements; returns restock or quarantine")
    func laterStages() async throws {
        try await withIntakeWorld { world in
            try await world.withInventory { http in
                try await InventoryFixtures.setUpWarehouses(http)
                #expect(try await InventoryFixtures.receive(http, "SKU-P", 3, into: "HZ1").status == 201)
                #expect(try await InventoryFixtures.receive(http, "SKU-P", 5, into: "SH1").status == 201)
                let order = InventoryFixtures.order("O-PICK", lines: [("SKU-P", 3, 4_000)])
                try await world.publish([try InventoryFixtures.verified(order)])
                #expect(try await world.eventually { try await world.inventoryCount("SELECT count(*) FROM inv.reservations WHERE warehouse_code = 'HZ1' AND status = 'active'") == 1 })

                // The Hangzhou picker finds only 1 of 3: 2 written off there, 2 reserved in Shanghai.
                let shortPick = try EventEnvelope.make(FulfillmentShortPicked(orderID: "O-PICK", warehouseId: "HZ1", lines: [ShortPickLine(lineNumber: 1, sku: "SKU-P", missingQuantity: 2)],
                                                                              reportedBy: "picker-9", shortPickedAt: Date()), orderID: "O-PICK", producer: .fulfillment)
                try await world.publish([(shortPick, TopicCatalogue.fulfillmentEvents)])
                let events = try await world.inventoryEvents(about: "O-PICK") { $0.count >= 2 }
                let reallocated = try events[1].decode(InventoryReserved.self)
                #expect(reallocated.cause == "reallocated" && reallocated.allocations == [StockAllocation(lineNumber: 1, sku: "SKU-P", warehouseId: "SH1", quantity: 2)])
                #expect(try await world.inventoryCount("SELECT on_hand FROM inv.stock WHERE sku = 'SKU-P' AND warehouse_code = 'HZ1'") == 1)

                // Both parcels leave: reservations become on-hand decrements, once.
                let parcels = [("SHP-1", "HZ1", 1), ("SHP-2", "SH1", 2)].map { id, warehouse, units in
                    try! EventEnvelope.make(ShipmentDispatched(shipmentId: id, orderID: "O-PICK", warehouseId: warehouse, carrier: "SF", trackingNumber: "SF\(id)",
                                                              lines: [ParcelLine(lineNumber: 1, sku: "SKU-P", quantity: units)], dispatchedAt: Date()),
                                            orderID: "O-PICK", producer: .logistics)
                }
                let again = try EventEnvelope.make(try parcels[1].decode(ShipmentDispatched.self), orderID: "O-PICK", producer: .logistics)
                try await world.publish(parcels.map { ($0, TopicCatalogue.shipments) } + [(again, TopicCatalogue.shipments)])
                #expect(try await world.eventually { try await world.inventoryCount("SELECT count(*) FROM inv.reservations WHERE status = 'shipped'") == 2 })
                #expect(try await world.inventoryCount("SELECT count(*) FROM inv.reservations WHERE status = 'active'") == 0)
                #expect(try await world.inventoryCount("SELECT sum(on_hand)::int8 FROM inv.stock WHERE sku = 'SKU-P'") == 3)
                #expect(try await world.inventoryCount("SELECT count(*) FROM inv.stock_movements WHERE kind = 'shipment'") == 2)

                // The customer returns 2: one resellable, one damaged.
                let returned = try EventEnvelope.make(ReturnReceived(returnId: "RMA-1", orderID: "O-PICK", warehouseId: "SH1",
                                                                     items: [InspectedItem(lineNumber: 1, sku: "SKU-P", quantity: 1, condition: .resellable),
                                                                             InspectedItem(lineNumber: 1, sku: "SKU-P", quantity: 1, condition: .damaged)],
                                                                     receivedAt: Date()), orderID: "O-PICK", producer: .aftersales)
                try await world.publish([(returned, TopicCatalogue.afterSalesEvents)])
                #expect(try await world.eventually { try await world.inventoryCount("SELECT quarantined FROM inv.stock WHERE sku = 'SKU-P' AND warehouse_code = 'SH1'") == 1 })
                #expect(try await world.inventoryCount("SELECT on_hand FROM inv.stock WHERE sku = 'SKU-P' AND warehouse_code = 'SH1'") == 4)

                // A return to an unknown warehouse is dead-lettered; the service keeps going.
                let lost = try EventEnvelope.make(ReturnReceived(returnId: "RMA-2", orderID: "O-PICK", warehouseId: "NOWHERE",
                                                                 items: [InspectedItem(lineNumber: 1, sku: "SKU-P", quantity: 1, condition: .resellable)], receivedAt: Date()),
                                                  orderID: "O-PICK", producer: .aftersales)
                try await world.publish([(lost, TopicCatalogue.afterSalesEvents)])
                let dead = try await world.events(on: ServiceName.inventory.deadLetterTopic) { !$0.isEmpty }
                #expect(dead.first?.eventID == lost.eventID)
                #expect(try await world.ledgerDiscrepancies() == 0)
            }
        }
    }
}
