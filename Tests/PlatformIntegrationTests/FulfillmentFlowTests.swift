import Foundation
import OMSDemo
import OMSDomain
import OMSPlatform
import Testing

@Suite("Fulfillment: waves, picking, packing, cancellation (real PostgreSQL and broker)", .serialized)
struct FulfillmentFlowTests {
    typealias F = FulfillmentFixtures

    @Test("waves by size, window and request; S-shaped pick lists; wrong barcodes refused; short pick, pack, cancel before and after packing")
    func manualWarehouse() async throws {
        try await withIntakeWorld { world in
            try await world.withFulfillment { http, _ in
                try await F.configure(http, "W1", automatic: false, waveMaxOrders: 2, waveWindowSeconds: 2)
                let slots = #"{"locations":[{"sku":"CLO-TEE-BLK-M","zone":"A","aisle":1,"bin":5},{"sku":"CLO-TEE-WHT-M","zone":"A","aisle":1,"bin":2},"#
                    + #"{"sku":"ELE-CABLE-1","zone":"A","aisle":2,"bin":7},{"sku":"ELE-CHARGER-1","zone":"A","aisle":2,"bin":1},{"sku":"HOM-TOWEL-1","zone":"B","aisle":1,"bin":3}]}"#
                #expect(try await http.send(.PUT, "/v1/fulfillment/warehouses/W1/locations", body: Array(slots.utf8)).status == 200)
                let badSlot = try await http.send(.PUT, "/v1/fulfillment/warehouses/W1/locations", body: Array(#"{"locations":[{"sku":"X","zone":"A","aisle":0,"bin":1}]}"#.utf8))
                #expect(badSlot.status == 422 && badSlot.text.contains("locations[0].aisle"))

                let o1 = F.order("O-ONE", [("CLO-TEE-BLK-M", 2), ("ELE-CABLE-1", 1), ("HOM-TOWEL-1", 1)])
                let o2 = F.order("O-TWO", [("CLO-TEE-WHT-M", 1), ("ELE-CHARGER-1", 1), ("COS-LIPSTICK-1", 1)])
                try await world.publish([try F.reserved(o1, in: "W1"), try F.reserved(o2, in: "W1")])

                // Two orders waiting = a full wave, its pick list along the walk, the unslotted SKU last.
                #expect(try await world.eventually { try await world.fulfillmentCount("SELECT count(*) FROM ful.pick_waves WHERE released_by = 'size'") == 1 })
                let list = try await http.send(.GET, "/v1/fulfillment/warehouses/W1/waves?status=picking").json["waves"] as? [[String: Any]] ?? []
                let waveID = try #require(list.first?["waveId"] as? Int)
                let wave = try await http.send(.GET, "/v1/fulfillment/waves/\(waveID)").json
                let tasks = wave["tasks"] as? [[String: Any]] ?? []
                #expect(tasks.map { $0["location"] as? String ?? "-" } == ["A-01-02", "A-01-05", "A-02-07", "A-02-01", "B-01-03", "-"])
                #expect(tasks.map { $0["sku"] as? String ?? "" } == ["CLO-TEE-WHT-M", "CLO-TEE-BLK-M", "ELE-CABLE-1", "ELE-CHARGER-1", "HOM-TOWEL-1", "COS-LIPSTICK-1"])
                #expect(wave["orderCount"] as? Int == 2 && wave["unitsTotal"] as? Int == 7 && wave["percentComplete"] as? Int == 0)
                func task(_ sku: String) -> Int { tasks.first { $0["sku"] as? String == sku }?["taskId"] as? Int ?? -1 }

                // A third order waits until the window passes; a fourth is released on request.
                try await world.publish([try F.reserved(F.order("O-THREE", [("ELE-CABLE-1", 1)]), in: "W1")])
                #expect(try await world.eventually(timeout: .seconds(20)) { try await world.fulfillmentCount("SELECT count(*) FROM ful.pick_waves WHERE released_by = 'window' AND order_count = 1") == 1 })
                try await F.configure(http, "W1", automatic: false, waveMaxOrders: 2, waveWindowSeconds: 3_600)
                try await world.publish([try F.reserved(F.order("O-FOUR", [("ELE-CABLE-1", 1)]), in: "W1")])
                #expect(try await world.eventually { try await world.fulfillmentCount("SELECT count(*) FROM ful.fulfillment_orders WHERE order_id = 'O-FOUR' AND status = 'open'") == 1 })
                let released = try await http.send(.POST, "/v1/fulfillment/warehouses/W1/waves")
                #expect(released.status == 201 && released.json["releasedBy"] as? String == "manual" && released.json["orderCount"] as? Int == 1)
                let nothing = try await http.send(.POST, "/v1/fulfillment/warehouses/W1/waves")
                #expect(nothing.status == 409 && nothing.text.contains("nothing_to_wave"))

                // Scans: the wrong item, an unknown code and too many units are refused and recorded; nothing is picked.
                let tee = task("CLO-TEE-BLK-M")
                let wrong = try await F.scan(http, task: tee, barcode: F.barcode("CLO-TEE-WHT-M"), quantity: 1)
                #expect(wrong.status == 422 && wrong.text.contains("wrong_barcode") && wrong.text.contains("belongs to CLO-TEE-WHT-M"))
                let unknown = try await F.scan(http, task: tee, barcode: "6901234567892", quantity: 1)
                #expect(unknown.status == 422 && unknown.text.contains("unknown barcode"))
                let over = try await F.scan(http, task: tee, barcode: F.barcode("CLO-TEE-BLK-M"), quantity: 3)
                #expect(over.status == 422 && over.text.contains("over_pick"))
                #expect(try await F.scan(http, task: tee, barcode: "", quantity: 0).status == 422)
                #expect(try await world.fulfillmentCount("SELECT picked FROM ful.pick_tasks WHERE id = \(tee)") == 0)
                #expect(try await world.fulfillmentCount("SELECT count(*) FROM ful.pick_scans WHERE task_id = \(tee) AND outcome IN ('wrong_barcode', 'over_pick')") == 3)
                #expect(try await F.scan(http, task: 999_999, barcode: F.barcode("CLO-TEE-BLK-M"), quantity: 1).status == 404)

                // Picking O-ONE completely makes it packable.
                let first = try await F.scan(http, task: tee, barcode: F.barcode("CLO-TEE-BLK-M"), quantity: 1)
                #expect(first.status == 200 && first.json["status"] as? String == "open" && first.json["picked"] as? Int == 1)
                #expect(try await F.scan(http, task: tee, barcode: F.barcode("CLO-TEE-BLK-M"), quantity: 1).json["status"] as? String == "done")
                #expect(try await F.scan(http, task: tee, barcode: F.barcode("CLO-TEE-BLK-M"), quantity: 1).status == 409)
                #expect(try await F.scan(http, task: task("ELE-CABLE-1"), barcode: F.barcode("ELE-CABLE-1"), quantity: 1).status == 200)
                let o2Order = try #require(try await http.send(.GET, "/v1/fulfillment/orders?orderId=O-TWO").json["fulfillmentOrders"] as? [[String: Any]]).first
                let o2ID = try #require(o2Order?["fulfillmentOrderId"] as? String)
                #expect(try await http.send(.POST, "/v1/fulfillment/orders/\(o2ID)/pack", body: Array(#"{"packer":"p-1"}"#.utf8)).json["error"] != nil)
                #expect(try await F.scan(http, task: task("HOM-TOWEL-1"), barcode: F.barcode("HOM-TOWEL-1"), quantity: 1).status == 200)
                let progress = try await http.send(.GET, "/v1/fulfillment/waves/\(waveID)").json
                #expect(progress["unitsPicked"] as? Int == 4 && progress["tasksOpen"] as? Int == 3 && progress["percentComplete"] as? Int == 57)

                let o1Order = try #require(try await http.send(.GET, "/v1/fulfillment/orders?orderId=O-ONE").json["fulfillmentOrders"] as? [[String: Any]]).first
                let o1ID = try #require(o1Order?["fulfillmentOrderId"] as? String)
                #expect(o1Order?["status"] as? String == "picked")
                let packed = try await http.send(.POST, "/v1/fulfillment/orders/\(o1ID)/pack", body: Array(#"{"packer":"packer-3"}"#.utf8))
                #expect(packed.status == 200)
                let parcels = packed.json["parcels"] as? [[String: Any]] ?? []
                #expect(parcels.count == 1 && parcels.first?["cartonCode"] as? String == "S")
                // Goods worth 276 yuan, over the 200-yuan default: the promotion card goes in too.
                #expect((parcels.first?["inserts"] as? [String]) == ["invoice", "return_slip", "promotion_card"])
                let again = try await http.send(.POST, "/v1/fulfillment/orders/\(o1ID)/pack", body: Array(#"{"packer":"packer-3"}"#.utf8))
                #expect(again.status == 200 && again.headers["idempotent-replayed"] == "true")
                let packedEvent = try await world.fulfillmentEvents(about: "O-ONE") { $0.contains { $0.type == FulfillmentPacked.eventType } }
                    .first { $0.type == FulfillmentPacked.eventType }!.decode(FulfillmentPacked.self)
                #expect(packedEvent.parcelCount == 1 && packedEvent.warehouseId == "W1" && packedEvent.packedBy == "packer-3")
                #expect(packedEvent.parcels[0].lines.reduce(0) { $0 + $1.quantity } == 4 && packedEvent.order.orderID == "O-ONE")

                // O-TWO: the lipstick is not on the shelf; then the customer cancels before packing.
                let short = try await http.send(.POST, "/v1/fulfillment/pick-tasks/\(task("COS-LIPSTICK-1"))/short", body: Array(#"{"picker":"picker-7"}"#.utf8))
                #expect(short.status == 200 && short.json["short"] as? Int == 1)
                try await world.publish([try F.cancelled("O-TWO"), try F.cancelled("O-ONE")])
                let o2Events = try await world.fulfillmentEvents(about: "O-TWO") { $0.contains { $0.type == FulfillmentCancelled.eventType } }
                let shortPicked = try o2Events.first { $0.type == FulfillmentShortPicked.eventType }!.decode(FulfillmentShortPicked.self)
                #expect(shortPicked.lines == [ShortPickLine(lineNumber: 3, sku: "COS-LIPSTICK-1", missingQuantity: 1)] && shortPicked.reportedBy == "picker-7")
                let stopped = try o2Events.first { $0.type == FulfillmentCancelled.eventType }!.decode(FulfillmentCancelled.self)
                // Only what is still reserved goes back: the short-picked lipstick was written off already.
                #expect(stopped.lines == [ParcelLine(lineNumber: 1, sku: "CLO-TEE-WHT-M", quantity: 1), ParcelLine(lineNumber: 2, sku: "ELE-CHARGER-1", quantity: 1)])
                let refused = try await world.fulfillmentEvents(about: "O-ONE") { $0.contains { $0.type == FulfillmentCancelRefused.eventType } }
                #expect(refused.filter { $0.type == FulfillmentCancelRefused.eventType }.count == 1)
                #expect(try await world.fulfillmentCount("SELECT count(*) FROM ful.cancellation_refusals WHERE order_id = 'O-ONE'") == 1)
                #expect(try await F.scan(http, task: task("ELE-CHARGER-1"), barcode: F.barcode("ELE-CHARGER-1"), quantity: 1).status == 409)
                #expect(try await http.send(.GET, "/v1/fulfillment/waves/\(waveID)").json["status"] as? String == "completed")

                // A reservation arriving after the cancellation starts no work and goes straight back.
                try await world.publish([try F.reserved(F.order("O-TWO", [("ELE-CABLE-1", 1)]), in: "W1")])
                #expect(try await world.eventually { try await world.fulfillmentCount("SELECT count(*) FROM ful.fulfillment_orders WHERE order_id = 'O-TWO' AND status = 'cancelled'") == 2 })
                #expect(try await world.fulfillmentEvents(about: "O-TWO") { $0.filter { $0.type == FulfillmentCancelled.eventType }.count == 2 }.count >= 2)
            }
        }
    }

    @Test("a split order becomes parcels from two warehouses; a short pick is re-allocated; a cancellation before packing returns the stock, after packing it is refused")
    func withInventory() async throws {
        try await withIntakeWorld { world in
            try await world.withFulfillment(withInventory: true) { http, inventory in
                let inventory = try #require(inventory)
                try await InventoryFixtures.setUpWarehouses(inventory)
                try await F.configure(http, "SH1", automatic: false, waveMaxOrders: 1)
                try await F.configure(http, "HZ1", automatic: true)
                try await F.configure(http, "GZ1", automatic: true)
                for (sku, quantity, warehouse) in [("ELE-PHONE-1", 5, "GZ1"), ("COS-SERUM-1", 5, "HZ1"), ("HOM-MUG-1", 2, "SH1"), ("HOM-MUG-1", 5, "HZ1"), ("CLO-POLO-NVY-L", 3, "SH1")] {
                    #expect(try await InventoryFixtures.receive(inventory, sku, quantity, into: warehouse).status == 201)
                }

                // Split: the phone is only in Guangzhou, the serum only in Hangzhou; both warehouses are automatic.
                let split = F.order("O-SPLIT", [("ELE-PHONE-1", 1), ("COS-SERUM-1", 2)])
                try await world.publish([try InventoryFixtures.verified(split)])
                let splitPacked = try await world.fulfillmentEvents(about: "O-SPLIT") { $0.filter { $0.type == FulfillmentPacked.eventType }.count == 2 }
                    .filter { $0.type == FulfillmentPacked.eventType }.map { try $0.decode(FulfillmentPacked.self) }
                #expect(Set(splitPacked.map(\.warehouseId)) == ["HZ1", "GZ1"] && splitPacked.allSatisfy { $0.packedBy == "automation" })
                let phone = try #require(splitPacked.first { $0.warehouseId == "GZ1" }?.parcels.first)
                #expect(phone.insured && phone.declaredValue == F.product("ELE-PHONE-1").listPrice && phone.packaging == ["protective_wrap", "tamper_evident_seal"])
                let serum = try #require(splitPacked.first { $0.warehouseId == "HZ1" }?.parcels.first)
                #expect(serum.lines == [ParcelLine(lineNumber: 2, sku: "COS-SERUM-1", quantity: 2)] && serum.packaging == ["protective_wrap", "sealed_bag", "tamper_evident_seal"])

                // Short pick in Shanghai: one mug is missing; inventory writes it off and Hangzhou ships it.
                try await world.publish([try InventoryFixtures.verified(F.order("O-SHORT", province: "上海市", city: "上海市", [("HOM-MUG-1", 2)]))])
                #expect(try await world.eventually { try await world.fulfillmentCount("SELECT count(*) FROM ful.pick_tasks t JOIN ful.fulfillment_orders f ON f.id = t.fulfillment_order_id WHERE f.order_id = 'O-SHORT'") == 1 })
                let mugTask = try await world.fulfillmentCount("SELECT t.id FROM ful.pick_tasks t JOIN ful.fulfillment_orders f ON f.id = t.fulfillment_order_id WHERE f.order_id = 'O-SHORT'")
                #expect(try await F.scan(http, task: mugTask, barcode: F.barcode("HOM-MUG-1"), quantity: 1).status == 200)
                #expect(try await http.send(.POST, "/v1/fulfillment/pick-tasks/\(mugTask)/short", body: Array(#"{"picker":"picker-2","note":"bin empty"}"#.utf8)).status == 200)
                let reallocated = try await world.inventoryEvents(about: "O-SHORT") { $0.contains { $0.type == InventoryReserved.eventType && (try? $0.decode(InventoryReserved.self).cause) == "reallocated" } }
                    .compactMap { try? $0.decode(InventoryReserved.self) }.first { $0.cause == "reallocated" }!
                #expect(reallocated.allocations == [StockAllocation(lineNumber: 1, sku: "HOM-MUG-1", warehouseId: "HZ1", quantity: 1)])
                let shanghai = try #require(try await http.send(.GET, "/v1/fulfillment/orders?orderId=O-SHORT").json["fulfillmentOrders"] as? [[String: Any]])
                    .first { $0["warehouseId"] as? String == "SH1" }?["fulfillmentOrderId"] as? String
                #expect(try await http.send(.POST, "/v1/fulfillment/orders/\(shanghai ?? "-")/pack", body: Array(#"{"packer":"packer-1"}"#.utf8)).status == 200)
                let shortPacked = try await world.fulfillmentEvents(about: "O-SHORT") { $0.filter { $0.type == FulfillmentPacked.eventType }.count == 2 }
                    .filter { $0.type == FulfillmentPacked.eventType }.map { try $0.decode(FulfillmentPacked.self) }
                #expect(Set(shortPacked.map(\.warehouseId)) == ["SH1", "HZ1"])
                #expect(shortPacked.flatMap { $0.parcels.flatMap(\.lines) }.reduce(0) { $0 + $1.quantity } == 2)
                #expect(try await world.inventoryCount("SELECT on_hand FROM inv.stock WHERE sku = 'HOM-MUG-1' AND warehouse_code = 'SH1'") == 1)

                // Cancelled while waiting to be picked: the warehouse stops and inventory gets both polos back.
                try await world.publish([try InventoryFixtures.verified(F.order("O-CANCEL", province: "上海市", city: "上海市", [("CLO-POLO-NVY-L", 2)]))])
                #expect(try await world.eventually { try await world.fulfillmentCount("SELECT count(*) FROM ful.fulfillment_orders WHERE order_id = 'O-CANCEL' AND status = 'picking'") == 1 })
                try await world.publish([try F.cancelled("O-CANCEL"), try F.cancelled("O-SPLIT")])
                let released = try await world.inventoryEvents(about: "O-CANCEL") { $0.contains { $0.type == InventoryReleased.eventType } }
                    .first { $0.type == InventoryReleased.eventType }!.decode(InventoryReleased.self)
                #expect(released.reasonCode == "fulfillment_cancelled" && released.released == [StockAllocation(lineNumber: 1, sku: "CLO-POLO-NVY-L", warehouseId: "SH1", quantity: 2)])
                #expect(try await world.eventually { try await world.inventoryCount("SELECT count(*) FROM inv.orders WHERE order_id = 'O-CANCEL' AND status = 'released'") == 1 })
                #expect(try await world.inventoryCount("SELECT reserved FROM inv.stock WHERE sku = 'CLO-POLO-NVY-L' AND warehouse_code = 'SH1'") == 0)

                // Already packed: both warehouses refuse, and the reservations stay for the shipments.
                let refusals = try await world.fulfillmentEvents(about: "O-SPLIT") { $0.filter { $0.type == FulfillmentCancelRefused.eventType }.count == 2 }
                #expect(refusals.filter { $0.type == FulfillmentCancelRefused.eventType }.count == 2)
                #expect(try await world.inventoryCount("SELECT COALESCE(sum(quantity), 0)::int8 FROM inv.reservations WHERE order_id = 'O-SPLIT' AND status = 'active'") == 3)
                #expect(try await world.inventoryCount("SELECT count(*) FROM inv.orders WHERE order_id = 'O-SPLIT' AND status = 'cancelling'") == 1)
                #expect(try await world.ledgerDiscrepancies() == 0)
            }
        }
    }

    @Test("an automatic warehouse never guesses: a SKU missing from the item master blocks packing until the item is added")
    func itemDataMissing() async throws {
        try await withIntakeWorld { world in
            try await world.withFulfillment(environment: ["OMS_FULFILLMENT_DEFAULT_MODE": "automatic", "OMS_WAVE_CHECK_SECONDS": "1"]) { http, _ in
                let order = InventoryFixtures.order("O-NEW-SKU", lines: [("NEW-KETTLE-1", 1, 19_900), ("CLO-TEE-BLK-M", 1, 9_900)])
                try await world.publish([try F.reserved(order, in: "AUTO1")])
                #expect(try await world.eventually {
                    try await world.fulfillmentCount("SELECT count(*) FROM ful.fulfillment_orders WHERE order_id = 'O-NEW-SKU' AND status = 'picked' AND blocked_reason LIKE 'item_data_missing%'") == 1
                })
                let view = try #require((try await http.send(.GET, "/v1/fulfillment/orders?orderId=O-NEW-SKU").json["fulfillmentOrders"] as? [[String: Any]])?.first)
                #expect((view["blockedReason"] as? String)?.contains("NEW-KETTLE-1") == true)

                // The item master refuses bad data and a barcode that belongs to another SKU.
                let bad = try await http.send(.PUT, "/v1/fulfillment/items/NEW-KETTLE-1", body: Array(#"{"name":"电热水壶","barcodes":["6900000000001"],"weightGrams":0,"volumeCm3":4000}"#.utf8))
                #expect(bad.status == 422 && bad.text.contains("barcodes[0]") && bad.text.contains("weightGrams"))
                let taken = try await http.send(.PUT, "/v1/fulfillment/items/NEW-KETTLE-1",
                                                body: Array(#"{"name":"电热水壶","barcodes":["\#(F.barcode("CLO-TEE-BLK-M"))"],"weightGrams":1200,"volumeCm3":4000}"#.utf8))
                #expect(taken.status == 409 && taken.text.contains("barcode_taken"))
                let kettle = DemoCatalog.barcode(90_001)
                let saved = try await http.send(.PUT, "/v1/fulfillment/items/NEW-KETTLE-1",
                                                body: Array(#"{"name":"电热水壶","barcodes":["\#(kettle)"],"weightGrams":1200,"volumeCm3":4000,"handling":{"fragile":true,"liquid":false,"valuable":false,"perishable":false}}"#.utf8))
                #expect(saved.status == 200)

                // The scheduler retries: packed, with the kettle wrapped.
                let packed = try await world.fulfillmentEvents(about: "O-NEW-SKU") { $0.contains { $0.type == FulfillmentPacked.eventType } }
                    .first { $0.type == FulfillmentPacked.eventType }!.decode(FulfillmentPacked.self)
                #expect(packed.parcels.flatMap(\.lines).reduce(0) { $0 + $1.quantity } == 2 && packed.parcels[0].packaging.contains("protective_wrap"))
                #expect(try await world.fulfillmentCount("SELECT count(*) FROM ful.fulfillment_orders WHERE order_id = 'O-NEW-SKU' AND status = 'packed' AND blocked_reason IS NULL") == 1)
            }
        }
    }
    @Test("a packing job sets aside an order whose stored body does not open and packs the others")
    func unreadableOrderDoesNotBlockPacking() async throws {
        try await withIntakeWorld { world in
            try await world.withFulfillment(environment: ["OMS_FULFILLMENT_DEFAULT_MODE": "automatic", "OMS_WAVE_CHECK_SECONDS": "1"]) { http, _ in
                // Both wait for the item master (blocked, picked); the retry job then packs them together.
                for id in ["O-UNREAD", "O-READ"] {
                    try await world.publish([try F.reserved(InventoryFixtures.order(id, lines: [("NEW-KETTLE-2", 1, 19_900)]), in: "AUTO1")])
                }
                #expect(try await world.eventually {
                    try await world.fulfillmentCount("SELECT count(*) FROM ful.fulfillment_orders WHERE order_id IN ('O-UNREAD', 'O-READ') AND status = 'picked' AND blocked_reason LIKE 'item_data_missing%'") == 2
                })
                // Swapping two sealed fields makes both fail authentication (each is bound to its field).
                #expect(try await world.fulfillmentCount("""
                    WITH u AS (UPDATE ful.fulfillment_orders
                               SET order_body = jsonb_set(jsonb_set(order_body, '{customer,name}', order_body->'customer'->'phone'), '{customer,phone}', order_body->'customer'->'name')
                               WHERE order_id = 'O-UNREAD' RETURNING 1) SELECT count(*) FROM u
                    """) == 1)
                let saved = try await http.send(.PUT, "/v1/fulfillment/items/NEW-KETTLE-2",
                                                body: Array(#"{"name":"电热水壶","barcodes":["\#(DemoCatalog.barcode(90_002))"],"weightGrams":1200,"volumeCm3":4000}"#.utf8))
                #expect(saved.status == 200)

                let packed = try await world.fulfillmentEvents(about: "O-READ") { $0.contains { $0.type == FulfillmentPacked.eventType } }
                #expect(packed.contains { $0.type == FulfillmentPacked.eventType })
                #expect(try await world.eventually {
                    try await world.fulfillmentCount("SELECT count(*) FROM ful.fulfillment_orders WHERE order_id = 'O-UNREAD' AND status = 'picked' AND blocked_reason = 'order_body_unreadable'") == 1
                })
                let unread = try #require((try await http.send(.GET, "/v1/fulfillment/orders?orderId=O-UNREAD").json["fulfillmentOrders"] as? [[String: Any]])?.first)
                let refused = try await http.send(.POST, "/v1/fulfillment/orders/\(unread["fulfillmentOrderId"] as? String ?? "-")/pack", body: Array(#"{"packer":"p-1"}"#.utf8))
                #expect(refused.status == 409 && (refused.json["error"] as? [String: Any])?["code"] as? String == "order_body_unreadable", "\(refused.status) \(refused.text)")
            }
        }
    }
}
