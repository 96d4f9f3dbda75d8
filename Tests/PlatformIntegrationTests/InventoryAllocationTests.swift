import Foundation
import InventoryService
import OMSDomain
import OMSPlatform
import PostgresNIO
import Testing

/// Inventory on real PostgreSQL and the real broker: orders arrive as `order.verified` events on
/// the risk topic, stock is set up over HTTP, outcomes are read from the schema and the topic.
@Suite("Inventory: sourcing, backorders, release, never oversell", .serialized)
struct InventoryAllocationTests {
    @Test("nearest warehouse, cheapest on a tie, split when no single warehouse can ship, low-value lines never split")
    func sourcing() async throws {
        try await withIntakeWorld { world in
            try await world.withInventory { http in
                try await InventoryFixtures.setUpWarehouses(http)
                for (sku, stock) in [("SKU-A", ["SH1": 10, "HZ1": 10, "GZ1": 10]), ("SKU-B", ["SH1": 5]), ("SKU-C", ["GZ1": 5]),
                                     ("SKU-LOW", ["SH1": 2, "HZ1": 2]), ("SKU-HIGH", ["SH1": 2, "HZ1": 2])] {
                    for (warehouse, units) in stock { #expect(try await InventoryFixtures.receive(http, sku, units, into: warehouse).status == 201) }
                }
                let orders = [
                    InventoryFixtures.order("O-HZ", city: "杭州市", lines: [("SKU-A", 1, 5_000)]),
                    InventoryFixtures.order("O-NB", city: "宁波市", lines: [("SKU-A", 1, 5_000)]),
                    InventoryFixtures.order("O-SH", province: "上海市", city: "上海市", lines: [("SKU-A", 1, 5_000)]),
                    InventoryFixtures.order("O-SZ", province: "广东省", city: "深圳市", lines: [("SKU-A", 1, 5_000)]),
                    InventoryFixtures.order("O-NJ", province: "江苏省", city: "南京市", lines: [("SKU-A", 1, 5_000)]),
                    InventoryFixtures.order("O-CD", province: "四川省", city: "成都市", lines: [("SKU-A", 1, 5_000)]),
                    InventoryFixtures.order("O-SPLIT", lines: [("SKU-B", 2, 5_000), ("SKU-C", 2, 5_000)]),
                    InventoryFixtures.order("O-LOW", channel: .marketplace, lines: [("SKU-LOW", 3, 500)]),
                    InventoryFixtures.order("O-HIGH", lines: [("SKU-HIGH", 3, 50_000)]),
                ]
                try await world.publish(try orders.map(InventoryFixtures.verified))
                #expect(try await world.eventually {
                    try await world.inventoryCount("SELECT count(*) FROM inv.orders") == orders.count
                })
                func warehouses(_ id: String) async throws -> [String: Int] {
                    let view = try await http.send(.GET, "/v1/inventory/orders/\(id)").json
                    var found: [String: Int] = [:]
                    for reservation in (view["reservations"] as? [[String: Any]]) ?? [] where reservation["status"] as? String == "active" {
                        found[reservation["warehouseId"] as? String ?? "?", default: 0] += reservation["quantity"] as? Int ?? 0
                    }
                    return found
                }
                #expect(try await warehouses("O-HZ") == ["HZ1": 1])       // same city
                #expect(try await warehouses("O-NB") == ["HZ1": 1])       // same province
                #expect(try await warehouses("O-SH") == ["SH1": 1])
                #expect(try await warehouses("O-SZ") == ["GZ1": 1])
                #expect(try await warehouses("O-NJ") == ["HZ1": 1])       // same region: cheaper of SH1 / HZ1
                #expect(try await warehouses("O-CD") == ["GZ1": 1])       // far from all: cheapest
                #expect(try await warehouses("O-SPLIT") == ["SH1": 2, "GZ1": 2])
                #expect(try await warehouses("O-LOW") == ["HZ1": 2])      // one warehouse only, 1 unit backordered
                #expect(try await warehouses("O-HIGH") == ["HZ1": 2, "SH1": 1])

                // The marketplace ships what it has now; the web order with a split ships whole at once.
                let low = try await world.inventoryEvents(about: "O-LOW") { $0.count >= 2 }
                #expect(Set(low.map(\.type)) == [InventoryReserved.eventType, InventoryBackordered.eventType])
                let backordered = try low.first { $0.type == InventoryBackordered.eventType }!.decode(InventoryBackordered.self)
                #expect(backordered.lines.map(\.quantity) == [1] && backordered.shipsPartially && backordered.lines.first?.expectedDate != nil)
                let split = try await world.inventoryEvents(about: "O-SPLIT") { !$0.isEmpty }
                let reserved = try split.first!.decode(InventoryReserved.self)
                #expect(reserved.orderComplete && reserved.cause == "verified" && reserved.allocations.count == 2 && reserved.order.orderID == "O-SPLIT")

                let stock = try await http.send(.GET, "/v1/inventory/stock/SKU-A").json
                #expect(stock["availableToSell"] as? Int == 24 && stock["reserved"] as? Int == 6 && stock["onHand"] as? Int == 30)
                #expect(try await http.send(.GET, "/v1/inventory/stock/NO-SUCH-SKU").status == 404)
                #expect(try await world.ledgerDiscrepancies() == 0)
            }
        }
    }

    @Test("backorders wait whole and fill first in, first out from receipts; cancellation releases exactly what was reserved")
    func backordersAndRelease() async throws {
        try await withIntakeWorld { world in
            try await world.withInventory { http in
                try await InventoryFixtures.setUpWarehouses(http)
                #expect(try await InventoryFixtures.receive(http, "SKU-K", 4, into: "HZ1").status == 201)
                // First order: 1 unit of K in stock, 5 of F missing: reserves K, waits whole for F.
                let first = InventoryFixtures.order("O-FIRST", lines: [("SKU-K", 1, 3_000), ("SKU-F", 5, 3_000)])
                let second = InventoryFixtures.order("O-SECOND", lines: [("SKU-F", 2, 3_000)])
                try await world.publish([try InventoryFixtures.verified(first)])
                #expect(try await world.eventually { try await world.inventoryCount("SELECT count(*) FROM inv.backorders WHERE order_id = 'O-FIRST'") == 1 })
                try await world.publish([try InventoryFixtures.verified(second)])
                #expect(try await world.eventually { try await world.inventoryCount("SELECT count(*) FROM inv.backorders WHERE order_id = 'O-SECOND'") == 1 })

                // 3 units: all to the older backorder, still not complete, so nothing announced.
                let partial = try await InventoryFixtures.receive(http, "SKU-F", 3, into: "SH1")
                #expect(partial.status == 201 && (partial.json["backordersFilledFor"] as? [String]) == ["O-FIRST"])
                #expect(try await world.inventoryCount("SELECT open_quantity FROM inv.backorders WHERE order_id = 'O-FIRST'") == 2)
                #expect(try await world.inventoryCount("SELECT open_quantity FROM inv.backorders WHERE order_id = 'O-SECOND'") == 2)
                // 3 more: 2 complete the first order, 1 goes to the second.
                let rest = try await InventoryFixtures.receive(http, "SKU-F", 3, into: "HZ1", id: "R-REST")
                #expect((rest.json["backordersFilledFor"] as? [String]) == ["O-FIRST", "O-SECOND"])
                let replay = try await InventoryFixtures.receive(http, "SKU-F", 3, into: "HZ1", id: "R-REST")
                #expect(replay.status == 200 && replay.headers["idempotent-replayed"] == "true")
                #expect(try await InventoryFixtures.receive(http, "SKU-F", 4, into: "HZ1", id: "R-REST").status == 409)
                #expect(try await world.inventoryCount("SELECT sum(on_hand)::int8 FROM inv.stock WHERE sku = 'SKU-F'") == 6)

                let firstEvents = try await world.inventoryEvents(about: "O-FIRST") { $0.count >= 2 }
                #expect(firstEvents.map(\.type) == [InventoryBackordered.eventType, InventoryReserved.eventType])
                let announced = try firstEvents[1].decode(InventoryReserved.self)
                #expect(announced.orderComplete && announced.cause == "backorder_filled")
                #expect(announced.allocations.reduce(0) { $0 + $1.quantity } == 6)
                #expect(Set(announced.allocations.map(\.warehouseId)) == ["SH1", "HZ1"])

                // Cancel the second order (1 unit reserved, 1 open): exactly that comes back.
                let before = try await world.inventoryCount("SELECT sum(on_hand - reserved)::int8 FROM inv.stock WHERE sku = 'SKU-F'")
                let cancel = try EventEnvelope.make(OrderCancelled(orderID: "O-SECOND", requestedBy: "customer", reason: "changed mind", previousStatus: .backordered, cancelledAt: Date()),
                                                    orderID: "O-SECOND", producer: .intake)
                try await world.publish([(cancel, TopicCatalogue.orders), (cancel, TopicCatalogue.orders)])
                let released = try await world.inventoryEvents(about: "O-SECOND") { $0.contains { $0.type == InventoryReleased.eventType } }
                    .first { $0.type == InventoryReleased.eventType }!.decode(InventoryReleased.self)
                #expect(released.released.map(\.quantity) == [1] && released.backordersCancelled.map(\.quantity) == [1] && released.reasonCode == "order_cancelled")
                #expect(try await world.inventoryCount("SELECT sum(on_hand - reserved)::int8 FROM inv.stock WHERE sku = 'SKU-F'") == before + 1)
                #expect(try await world.inventoryCount("SELECT count(*) FROM inv.stock_movements WHERE kind = 'release'") == 1)

                // Cancelled before its verification arrived (another topic): nothing is reserved.
                let early = InventoryFixtures.order("O-EARLY", lines: [("SKU-K", 1, 3_000)])
                let earlyCancel = try EventEnvelope.make(OrderCancelled(orderID: "O-EARLY", requestedBy: "customer", reason: "x", previousStatus: .received, cancelledAt: Date()),
                                                         orderID: "O-EARLY", producer: .intake)
                try await world.publish([(earlyCancel, TopicCatalogue.orders)])
                #expect(try await world.eventually { try await world.inventoryCount("SELECT count(*) FROM inv.order_cancellations WHERE order_id = 'O-EARLY'") == 1 })
                try await world.publish([try InventoryFixtures.verified(early)])
                #expect(try await world.eventually { try await world.inventoryCount("SELECT count(*) FROM inv.orders WHERE order_id = 'O-EARLY' AND status = 'released'") == 1 })
                #expect(try await world.inventoryCount("SELECT count(*) FROM inv.reservations WHERE order_id = 'O-EARLY'") == 0)
                #expect(try await world.ledgerDiscrepancies() == 0)
            }
        }
    }

    @Test("backorder filling sets aside an order whose stored body does not open and still announces the others; ops re-announce it once it opens")
    func unreadableOrderDoesNotBlockFilling() async throws {
        try await withIntakeWorld { world in
            try await world.withInventory { http in
                try await InventoryFixtures.setUpWarehouses(http)
                try await world.publish([try InventoryFixtures.verified(InventoryFixtures.order("O-BAD", lines: [("SKU-U", 1, 3_000)]))])
                try await world.publish([try InventoryFixtures.verified(InventoryFixtures.order("O-GOOD", lines: [("SKU-U", 1, 3_000)]))])
                #expect(try await world.eventually { try await world.inventoryCount("SELECT count(*) FROM inv.backorders WHERE sku = 'SKU-U' AND status = 'open'") == 2 })
                // Swapping two sealed fields makes both fail authentication (each is bound to its
                // field); swapping back restores the order.
                let swap = """
                    WITH u AS (UPDATE inv.orders SET body = jsonb_set(jsonb_set(body, '{customer,name}', body->'customer'->'phone'), '{customer,phone}', body->'customer'->'name')
                               WHERE order_id = 'O-BAD' RETURNING 1) SELECT count(*) FROM u
                    """
                #expect(try await world.inventoryCount(swap) == 1)

                let receipt = try await InventoryFixtures.receive(http, "SKU-U", 2, into: "HZ1")
                #expect(receipt.status == 201 && Set((receipt.json["backordersFilledFor"] as? [String]) ?? []) == ["O-BAD", "O-GOOD"])
                let good = try await world.inventoryEvents(about: "O-GOOD") { $0.contains { $0.type == InventoryReserved.eventType } }
                #expect(try good.first { $0.type == InventoryReserved.eventType }!.decode(InventoryReserved.self).cause == "backorder_filled")
                let bad = try await http.send(.GET, "/v1/inventory/orders/O-BAD").json
                #expect(bad["blockedReason"] as? String == "order_body_unreadable")
                #expect(((bad["reservations"] as? [[String: Any]]) ?? []).map { $0["announced"] as? Bool } == [false])
                let refused = try await http.send(.POST, "/v1/inventory/orders/O-BAD/announce")
                #expect(refused.status == 409 && (refused.json["error"] as? [String: Any])?["code"] as? String == "order_body_unreadable")

                #expect(try await world.inventoryCount(swap) == 1)
                let again = try await http.send(.POST, "/v1/inventory/orders/O-BAD/announce")
                #expect(again.status == 200 && again.json["blockedReason"] == nil && again.json["status"] as? String == "allocated")
                let badEvents = try await world.inventoryEvents(about: "O-BAD") { $0.contains { $0.type == InventoryReserved.eventType } }
                #expect(badEvents.map(\.type) == [InventoryBackordered.eventType, InventoryReserved.eventType])
                #expect(try await http.send(.POST, "/v1/inventory/orders/NO-SUCH/announce").status == 404)
                #expect(try await world.ledgerDiscrepancies() == 0)
            }
        }
    }

    @Test("an order cancelled while another worker allocates it waits as cancelling (the two serialise on the order), and once its parcel ships anyway it is settled, not cancelling for ever")
    func cancelDuringAllocation() async throws {
        try await withIntakeWorld { world in
            try await world.withInventory { http in
                try await InventoryFixtures.setUpWarehouses(http)
                #expect(try await InventoryFixtures.receive(http, "SKU-RACE", 10, into: "HZ1").status == 201)
            }
            // Two workers as a cooperative assignor may give them: one holds order.verified, the
            // other order.cancelled of the same order, in transactions that overlap.
            let order = InventoryFixtures.order("O-RACE-\(world.id)", lines: [("SKU-RACE", 3, 1_000)])
            let (verified, _) = try InventoryFixtures.verified(order)
            let cancelled = try EventEnvelope.make(OrderCancelled(orderID: order.orderID, requestedBy: "customer", reason: "changed mind", previousStatus: .verified, cancelledAt: Date()),
                                                   orderID: order.orderID, producer: .intake)
            try await withOverlappingWorkers(schema: world.inventorySchema, service: .inventory, logger: world.logger,
                                             first: { try await OrderAllocationHandler().handle(batch: [verified], context: $0) },
                                             second: { try await OrderAllocationHandler().handle(batch: [cancelled], context: $0) }) { database in
                // The cancellation saw the allocation: the order waits as cancelling for the warehouse
                // to stop (its reservation was announced), instead of staying allocated for good
                // beside a cancellation tombstone nobody reads again.
                #expect(try await world.inventoryCount("SELECT count(*)::int FROM inv.orders WHERE order_id = '\(order.orderID)' AND status = 'cancelling'") == 1)
                #expect(try await world.inventoryCount("SELECT count(*)::int FROM inv.order_cancellations WHERE order_id = '\(order.orderID)'") == 0)

                // The warehouse had packed it and refused the cancellation; the parcel ships. The
                // order must not stay cancelling for ever: nothing of it is held any more.
                let shipped = try EventEnvelope.make(ShipmentDispatched(shipmentId: "S-RACE-\(world.id)", orderID: order.orderID, warehouseId: "HZ1", carrier: "SF", trackingNumber: "SF1",
                                                                        lines: [ParcelLine(lineNumber: 1, sku: "SKU-RACE", quantity: 3)], dispatchedAt: Date()),
                                                     orderID: order.orderID, producer: .logistics)
                try await database.transaction(logger: world.logger) { context in try await ShipmentStockHandler().handle(batch: [shipped], context: context) }
            }
            #expect(try await world.inventoryCount("SELECT count(*)::int FROM inv.orders WHERE order_id = '\(order.orderID)' AND status = 'released'") == 1)
            #expect(try await world.inventoryCount("SELECT on_hand FROM inv.stock WHERE sku = 'SKU-RACE' AND warehouse_code = 'HZ1'") == 7)
            #expect(try await world.inventoryCount("SELECT reserved FROM inv.stock WHERE sku = 'SKU-RACE' AND warehouse_code = 'HZ1'") == 0)
            #expect(try await world.ledgerDiscrepancies() == 0)
        }
    }

    @Test("200 concurrent orders for the last 50 units across two inventory workers: 50 reserved, 150 backordered, never below zero")
    func neverOversell() async throws {
        try await withIntakeWorld { world in
            try await world.withInventory(processes: 2) { http in
                try await InventoryFixtures.setUpWarehouses(http)
                #expect(try await InventoryFixtures.receive(http, "SKU-HOT", 30, into: "HZ1").status == 201)
                #expect(try await InventoryFixtures.receive(http, "SKU-HOT", 20, into: "SH1").status == 201)
                let orders = (0..<200).map { InventoryFixtures.order("O-HOT-\($0)", channel: .marketplace, lines: [("SKU-HOT", 1, 9_900)]) }
                try await world.publish(try orders.map(InventoryFixtures.verified))
                var lowest = Int.max
                let settled = try await world.eventually(timeout: .seconds(90)) {
                    lowest = min(lowest, try await world.inventoryCount("SELECT min(on_hand - reserved - safety_stock)::int8 FROM inv.stock WHERE sku = 'SKU-HOT'"))
                    return try await world.inventoryCount("SELECT count(*) FROM inv.orders") == 200
                }
                #expect(settled)
                #expect(lowest >= 0)
                #expect(try await world.inventoryCount("SELECT sum(quantity)::int8 FROM inv.reservations WHERE status = 'active'") == 50)
                #expect(try await world.inventoryCount("SELECT count(DISTINCT order_id) FROM inv.reservations") == 50)
                #expect(try await world.inventoryCount("SELECT sum(open_quantity)::int8 FROM inv.backorders WHERE status = 'open'") == 150)
                #expect(try await world.inventoryCount("SELECT count(*) FROM inv.stock WHERE sku = 'SKU-HOT' AND on_hand - reserved <> 0") == 0)
                // The backordered units raised one request (no supplier sells the SKU: it stays open)
                // for all 150, whichever worker backordered which, at the orders' nearest warehouse.
                #expect(try await world.inventoryCount("""
                    SELECT count(*) FROM inv.replenishment_requests WHERE sku = 'SKU-HOT' AND status = 'open' AND reason = 'backorder' AND warehouse_code = 'HZ1' AND suggested_quantity = 150
                    """) == 1)
                #expect(try await world.ledgerDiscrepancies() == 0)
                // Every change of the SKU's availability is told, stamped so that the later change
                // carries the later time whichever worker made it: in time order the quantity rises
                // with the receipts to 50, then only falls, and it is sold out exactly once, last.
                // (Replenishment requests share the SKU's key: backorders raise them.)
                let availability = try await world.inventoryEvents(about: AvailabilityChanged.key(sku: "SKU-HOT")) { $0.contains { (try? $0.decode(AvailabilityChanged.self))?.soldOut == true } }
                    .filter { $0.type == AvailabilityChanged.eventType }.map { try $0.decode(AvailabilityChanged.self) }.sorted { $0.changedAt < $1.changedAt }
                #expect(availability.filter(\.soldOut).count == 1)
                #expect(availability.last?.soldOut == true && availability.last?.availableToSell == 0)
                let afterPeak = availability.drop { $0.availableToSell < 50 }.map(\.availableToSell)
                #expect(afterPeak.first == 50 && zip(afterPeak, afterPeak.dropFirst()).allSatisfy { $0 > $1 }, "\(availability.map(\.availableToSell))")
            }
        }
    }
}
