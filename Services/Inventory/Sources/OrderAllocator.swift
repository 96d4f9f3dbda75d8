import Foundation
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// Everything that reserves or gives back stock for orders, inside one transaction over a locked
/// `StockLedger`: allocation of a verified order, release on cancellation, re-allocation after a
/// short pick, first-in-first-out backorder filling, and telling the warehouses (`announce`).
///
/// Invariants: reservations only take `reservable` units of locked rows, so available-to-sell is
/// never driven below zero; an order that must ship whole is announced (`inventory.reserved`)
/// only once no backorder of it is open; every reservation is announced at most once.
struct OrderAllocator {
    let tx: TransactionContext
    let ledger: StockLedger
    let warehouses: [WarehouseRecord]
    let policy: SourcingPolicy
    let partialChannels: Set<String>
    /// Today's online orders at capacity-limited shipping stores.
    let storeSlots: StoreSlots

    var connection: PostgresConnection { tx.connection }
    var logger: Logger { tx.logger }

    /// Locks the stock rows of `skus` (creating `creating`) and loads warehouses and policies.
    static func begin(skus: Set<String>, creating: Set<StockKey> = [], tx: TransactionContext) async throws -> OrderAllocator {
        let ledger = try await StockLedger.lock(skus: skus, creating: creating, context: tx)
        let warehouses = try await WarehouseRecord.all(on: tx.connection, logger: tx.logger)
        return OrderAllocator(tx: tx, ledger: ledger, warehouses: warehouses,
                              policy: try await SourcingPolicyStore.current(on: tx.connection, logger: tx.logger),
                              partialChannels: try await SourcingPolicyStore.partialShipmentChannels(on: tx.connection, logger: tx.logger),
                              storeSlots: try await StoreSlots.load(for: warehouses, now: Date(), connection: tx.connection, logger: tx.logger))
    }

    /// Takes a transaction-scoped lock on each order (sorted, so two workers never deadlock on
    /// them; before any stock row). Allocation and release of one order thus never overlap,
    /// whichever workers hold their events.
    static func lockOrders(_ orderIDs: [String], tx: TransactionContext) async throws {
        let ids = Array(Set(orderIDs)).sorted()
        guard !ids.isEmpty else { return }
        try await tx.connection.query("""
            SELECT count(pg_advisory_xact_lock(hashtext('oms.inventory.order'), hashtext(id))) FROM unnest(\(ids)::text[]) AS u(id)
            """, logger: tx.logger)
    }

    /// Where `order` may ship from (active warehouses, and stores that ship online with room left
    /// today; a closed store ranks last), minus `excluding`.
    /// A pickup order (门店自提) has one candidate: its store, open or not (the goods wait there).
    func candidates(for order: Order, excluding: String? = nil, now: Date = Date()) -> [SourcingPlanner.Candidate] {
        if let store = order.pickupStoreID {
            return warehouses.filter { $0.code == store && $0.active && $0.kind == "store" && $0.code != excluding }
                .map { SourcingPlanner.Candidate(code: $0.code, proximity: 0, costPerParcelFen: 0) }
        }
        return warehouses.filter { $0.ships && $0.code != excluding && storeSlots.hasRoom($0) }.map { $0.candidate(for: order.deliveryAddress, at: now) }
    }

    /// Plans `demands` over `options`, taking a day's slot at each capacity-limited store the plan
    /// uses; a store whose day filled up meanwhile (another worker) is dropped and the order planned
    /// again, and a slot taken for a store the final plan does not use is given back.
    func planTakingStoreSlots(_ planner: SourcingPlanner, _ demands: [SourcingPlanner.Demand], skus: [String], options: [SourcingPlanner.Candidate],
                              pickup: Bool) async throws -> SourcingPlanner.Plan {
        var options = options
        var taken = Set<String>()
        while true {
            let plan = planner.plan(demands, candidates: options, available: available(skus, at: Set(options.map(\.code))))
            // A pickup takes no shipping slot: nothing is shipped.
            if pickup { return plan }
            var refused: String?
            for code in plan.warehouses where !taken.contains(code) {
                guard let store = warehouses.first(where: { $0.code == code }), store.storeShipping != nil else { continue }
                if try await storeSlots.take(store, strict: true, connection: connection, logger: logger) {
                    taken.insert(code)
                } else {
                    refused = code
                    break
                }
            }
            if let refused {
                options.removeAll { $0.code == refused }
                continue
            }
            for code in taken.subtracting(plan.warehouses) {
                if let store = warehouses.first(where: { $0.code == code }) { try await storeSlots.giveBack(store, connection: connection, logger: logger) }
            }
            return plan
        }
    }

    func available(_ skus: some Sequence<String>, at codes: Set<String>) -> [String: [String: Int]] {
        var map: [String: [String: Int]] = [:]
        for sku in Set(skus) { map[sku] = ledger.reservable(sku).filter { codes.contains($0.key) } }
        return map
    }

    // MARK: order.verified

    /// Reserves verified orders: plans each one's sourcing over the locked stock, reserves,
    /// backorders the rest and announces what may ship; a store sale (POS) is decremented at the
    /// till instead; an order cancelled before its verification reserves nothing; repeats are no-ops.
    /// A run of orders costs a constant number of statements: one lookup of known and cancelled
    /// orders, then one insert each for orders, reservations and backorders.
    /// The throughput path: per-statement round trips, not the database, bound a busy worker.
    func allocate(batch verified: [(order: Order, event: EventEnvelope)], now: Date) async throws {
        guard !verified.isEmpty else { return }
        let ids = verified.map(\.order.orderID)
        // One statement for everything known about these orders before they got here: already
        // allocated, cancelled, lines cancelled, an amended address (the throughput path).
        let rows = try await connection.query("""
            SELECT order_id, 'known', 0::int8, 0::int8, NULL::text FROM orders WHERE order_id = ANY(\(ids)::text[])
            UNION ALL SELECT order_id, 'cancelled', 0, 0, NULL FROM order_cancellations WHERE order_id = ANY(\(ids)::text[])
            UNION ALL SELECT order_id, 'lines', line_number::int8, sum(quantity)::int8, NULL FROM line_cancellations
                      WHERE order_id = ANY(\(ids)::text[]) AND before_allocation GROUP BY order_id, line_number
            UNION ALL SELECT order_id, 'amended', 0, 0, sealed_amendment FROM order_amendments WHERE order_id = ANY(\(ids)::text[])
            """, logger: logger)
        var known = Set<String>(), cancelled = Set<String>()
        var cancelledLines: [String: [Int: Int]] = [:], amendments: [String: OrderAmended] = [:]
        for try await (id, kind, line, units, sealed) in rows.decode((String, String, Int, Int, String?).self) {
            switch kind {
            case "known": known.insert(id)
            case "cancelled": cancelled.insert(id)
            case "lines": cancelledLines[id, default: [:]][line] = units
            default: if let sealed { amendments[id] = try openAmendment(sealed, orderID: id) }
            }
        }
        var orders = (ids: [String](), channels: [String](), partial: [Bool](), statuses: [String](), bodies: [String]())
        var reservations = (orders: [String](), lines: [Int](), skus: [String](), warehouses: [String](), quantities: [Int](), announced: [Bool]())
        var backorders = (orders: [String](), lines: [Int](), skus: [String](), quantities: [Int](), expected: [String](), nearest: [String]())
        var arrivals: [String: Date?] = [:]
        let planner = SourcingPlanner(policy: policy)
        for (verifiedOrder, event) in verified where !known.contains(verifiedOrder.orderID) {
            known.insert(verifiedOrder.orderID)
            // Customer service's corrections read before the verification: sourced for the new address.
            let order = amendments[verifiedOrder.orderID].map { $0.applied(to: verifiedOrder) } ?? verifiedOrder
            if order.channel == .pos {
                try await sellAtTill(order, now: now)
                continue
            }
            let body = String(decoding: try EventCoding.encode(tx.vault.seal(order)), as: UTF8.self)
            let partial = partialChannels.contains(order.channel.rawValue)
            if cancelled.contains(order.orderID) {
                orders.ids.append(order.orderID); orders.channels.append(order.channel.rawValue); orders.partial.append(false)
                orders.statuses.append("released"); orders.bodies.append(body)
                continue
            }
            let options = candidates(for: order, now: now)
            // Units a line cancellation took before the order got here are not sourced.
            let demands = order.lines.map(Self.demand).compactMap { demand -> SourcingPlanner.Demand? in
                var demand = demand
                demand.quantity -= cancelledLines[order.orderID]?[demand.lineNumber] ?? 0
                return demand.quantity > 0 ? demand : nil
            }
            let plan = try await planTakingStoreSlots(planner, demands, skus: order.lines.map(\.sku), options: options, pickup: order.pickupStoreID != nil)
            let complete = plan.shortfalls.isEmpty
            let announce = partial || complete
            orders.ids.append(order.orderID); orders.channels.append(order.channel.rawValue); orders.partial.append(partial)
            orders.statuses.append(complete ? "allocated" : "waiting"); orders.bodies.append(body)
            for allocation in plan.allocations {
                try ledger.record(.reservation, StockKey(sku: allocation.sku, warehouse: allocation.warehouseId), reserved: allocation.quantity, cause: .order(order.orderID))
                reservations.orders.append(order.orderID); reservations.lines.append(allocation.lineNumber); reservations.skus.append(allocation.sku)
                reservations.warehouses.append(allocation.warehouseId); reservations.quantities.append(allocation.quantity); reservations.announced.append(announce)
            }
            if !complete {
                var lines: [BackorderedLine] = []
                for shortfall in plan.shortfalls {
                    if arrivals[shortfall.sku] == nil { arrivals[shortfall.sku] = .some(try await expectedArrival(of: shortfall.sku, now: now)) }
                    let expected = arrivals[shortfall.sku] ?? nil
                    lines.append(BackorderedLine(lineNumber: shortfall.lineNumber, sku: shortfall.sku, quantity: shortfall.quantity, expectedDate: expected))
                    backorders.orders.append(order.orderID); backorders.lines.append(shortfall.lineNumber); backorders.skus.append(shortfall.sku)
                    backorders.quantities.append(shortfall.quantity); backorders.expected.append(expected.map(Self.isoDay) ?? "")
                    backorders.nearest.append(Self.nearest(options) ?? "")
                }
                try tx.emit(InventoryBackordered(orderID: order.orderID, lines: lines, shipsPartially: partial, backorderedAt: now),
                            orderID: order.orderID, topic: TopicCatalogue.inventoryEvents, causedBy: event)
            }
            if announce && !plan.allocations.isEmpty {
                let allocations = plan.allocations.sorted { ($0.warehouseId, $0.lineNumber) < ($1.warehouseId, $1.lineNumber) }
                try tx.emit(InventoryReserved(orderID: order.orderID, allocations: allocations, cause: "verified", orderComplete: complete, reservedAt: now, order: order),
                            orderID: order.orderID, topic: TopicCatalogue.inventoryEvents, causedBy: event)
            }
        }
        if !orders.ids.isEmpty {
            try await connection.query("""
                INSERT INTO orders (order_id, channel, ships_partially, status, body, verified_at)
                SELECT i, c, p, s, b::jsonb, \(now) FROM unnest(\(orders.ids)::text[], \(orders.channels)::text[], \(orders.partial)::bool[],
                                                              \(orders.statuses)::text[], \(orders.bodies)::text[]) AS u(i, c, p, s, b)
                ON CONFLICT (order_id) DO NOTHING
                """, logger: logger)
        }
        if !reservations.orders.isEmpty {
            try await connection.query("""
                INSERT INTO reservations (order_id, line_number, sku, warehouse_code, quantity, status, announced, created_at)
                SELECT o, l, s, w, q, 'active', a, \(now)
                FROM unnest(\(reservations.orders)::text[], \(reservations.lines)::int8[], \(reservations.skus)::text[], \(reservations.warehouses)::text[],
                            \(reservations.quantities)::int8[], \(reservations.announced)::bool[]) WITH ORDINALITY AS u(o, l, s, w, q, a, n)
                ORDER BY n
                """, logger: logger)
        }
        if !backorders.orders.isEmpty {
            try await connection.query("""
                INSERT INTO backorders (order_id, line_number, sku, quantity, open_quantity, status, expected_date, created_at)
                SELECT o, l, s, q, q, 'open', NULLIF(e, '')::date, \(now)
                FROM unnest(\(backorders.orders)::text[], \(backorders.lines)::int8[], \(backorders.skus)::text[], \(backorders.quantities)::int8[],
                            \(backorders.expected)::text[]) WITH ORDINALITY AS u(o, l, s, q, e, n)
                ORDER BY n
                """, logger: logger)
            // Backordered units are demand no stock covers: purchasing hears of them now.
            try await PurchaseDraftStore.requestForBackorders(backorders.orders.indices.map { i in
                (backorders.orders[i], backorders.skus[i], backorders.quantities[i], backorders.nearest[i])
            }, now: now, tx: tx)
        }
    }

    static func demand(_ line: OrderLine) -> SourcingPlanner.Demand {
        SourcingPlanner.Demand(lineNumber: line.lineNumber, sku: line.sku, quantity: line.quantity, unitPriceFen: line.unitPrice.minorUnits)
    }

    private func insertOrder(_ order: Order, status: String, partial: Bool, now: Date) async throws {
        let body = String(decoding: try EventCoding.encode(tx.vault.seal(order)), as: UTF8.self)
        try await connection.query("""
            INSERT INTO orders (order_id, channel, ships_partially, status, body, verified_at)
            VALUES (\(order.orderID), \(order.channel.rawValue), \(partial), \(status), \(body)::jsonb, \(now))
            ON CONFLICT (order_id) DO NOTHING
            """, logger: logger)
    }

    /// The store of a POS order (`store:till:receipt`) when inventory tracks it.
    func store(of order: Order) -> String? {
        guard order.channel == .pos, let code = order.channelOrderID.split(separator: ":").first.map(String.init),
              warehouses.contains(where: { $0.code == code && $0.kind == "store" }) else { return nil }
        return code
    }

    /// The goods left the store with the customer: on-hand goes down at that store. When the
    /// system knew fewer units than were sold, the difference is first booked as a count correction.
    private func sellAtTill(_ order: Order, now: Date) async throws {
        try await insertOrder(order, status: "sold_at_till", partial: false, now: now)
        guard let store = store(of: order) else { return }
        for line in order.lines where line.quantity > 0 {
            let key = StockKey(sku: line.sku, warehouse: store)
            let onHand = ledger.level(key)?.onHand ?? 0
            if onHand < line.quantity {
                try ledger.record(.adjustment, key, onHand: line.quantity - onHand, cause: .order(order.orderID), reasonCode: "till_sale_uncounted")
            }
            try ledger.record(.tillSale, key, onHand: -line.quantity, cause: .order(order.orderID))
        }
    }

    // MARK: reservations and backorders

    func reserve(_ allocations: [StockAllocation], orderID: String, now: Date) async throws {
        guard !allocations.isEmpty else { return }
        // Re-sourcing (short pick, amendment, substitution, exchange) counts against a store's day
        // but is never refused: the order must ship from somewhere, and candidates left out full stores.
        for code in Set(allocations.map(\.warehouseId)) {
            if let store = warehouses.first(where: { $0.code == code }), store.storeShipping != nil {
                _ = try await storeSlots.take(store, strict: false, connection: connection, logger: logger)
            }
        }
        for allocation in allocations {
            try ledger.record(.reservation, StockKey(sku: allocation.sku, warehouse: allocation.warehouseId), reserved: allocation.quantity, cause: .order(orderID))
        }
        try await connection.query("""
            INSERT INTO reservations (order_id, line_number, sku, warehouse_code, quantity, status, announced, created_at)
            SELECT \(orderID), l, s, w, q, 'active', false, \(now)
            FROM unnest(\(allocations.map(\.lineNumber))::int8[], \(allocations.map(\.sku))::text[], \(allocations.map(\.warehouseId))::text[],
                        \(allocations.map(\.quantity))::int8[]) AS u(l, s, w, q)
            """, logger: logger)
    }

    /// Backorders the shortfalls and announces them; with `requesting` (the order's candidate
    /// warehouses) the units are new demand and raise a replenishment request at once (a re-sourced
    /// amendment's backorders are the same demand again and pass nil).
    func backorder(_ shortfalls: [SourcingPlanner.Demand], of orderID: String, shipsPartially: Bool, requesting options: [SourcingPlanner.Candidate]?,
                   causedBy event: EventEnvelope?, now: Date) async throws {
        guard !shortfalls.isEmpty else { return }
        var lines: [BackorderedLine] = []
        for shortfall in shortfalls {
            lines.append(BackorderedLine(lineNumber: shortfall.lineNumber, sku: shortfall.sku, quantity: shortfall.quantity,
                                         expectedDate: try await expectedArrival(of: shortfall.sku, now: now)))
        }
        try await connection.query("""
            INSERT INTO backorders (order_id, line_number, sku, quantity, open_quantity, status, expected_date, created_at)
            SELECT \(orderID), l, s, q, q, 'open', NULLIF(e, '')::date, \(now)
            FROM unnest(\(lines.map(\.lineNumber))::int8[], \(lines.map(\.sku))::text[], \(lines.map(\.quantity))::int8[],
                        \(lines.map { $0.expectedDate.map(Self.isoDay) ?? "" })::text[]) WITH ORDINALITY AS u(l, s, q, e, n)
            ORDER BY n
            """, logger: logger)
        try tx.emit(InventoryBackordered(orderID: orderID, lines: lines, shipsPartially: shipsPartially, backorderedAt: now),
                    orderID: orderID, topic: TopicCatalogue.inventoryEvents, causedBy: event)
        if let options {
            let nearest = Self.nearest(options) ?? ""
            try await PurchaseDraftStore.requestForBackorders(lines.map { (orderID, $0.sku, $0.quantity, nearest) }, now: now, tx: tx)
        }
    }

    /// The closest candidate warehouse (a backorder's request goes there when no supplier says otherwise).
    static func nearest(_ options: [SourcingPlanner.Candidate]) -> String? {
        options.min { ($0.proximity, $0.code) < ($1.proximity, $1.code) }?.code
    }

    static func isoDay(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return formatter.string(from: date)
    }

    /// The earliest open purchase order or transfer bringing `sku`, else now plus its lead time.
    private func expectedArrival(of sku: String, now: Date) async throws -> Date? {
        let rows = try await connection.query("""
            SELECT min(at) FROM (
              SELECT p.expected_at AS at FROM purchase_order_lines l JOIN purchase_orders p USING (po_number)
              WHERE l.sku = \(sku) AND p.status = 'open' AND l.quantity_received < l.quantity_ordered
              UNION ALL
              SELECT expected_at FROM transfers
              WHERE status IN ('requested', 'in_transit') AND expected_at IS NOT NULL AND lines @> jsonb_build_array(jsonb_build_object('sku', \(sku)::text))
            ) arrivals
            """, logger: logger)
        for try await at in rows.decode(Date?.self) { if let at { return at } }
        let leadTime = ledger.levels.filter { $0.key.sku == sku }.map(\.value.leadTimeDays).max() ?? 7
        return now.addingTimeInterval(Double(leadTime) * 86_400)
    }

    /// Tells the warehouses about reservations they may work on: all unannounced ones when the
    /// order ships partially or has no open backorder; none while a whole-shipment order waits.
    func announce(_ orderID: String, cause: String, causedBy event: EventEnvelope?, now: Date) async throws {
        let rows = try await connection.query("""
            SELECT body::text, ships_partially, status, (SELECT count(*) FROM backorders WHERE order_id = o.order_id AND status = 'open')::int8
            FROM orders o WHERE order_id = \(orderID) FOR UPDATE
            """, logger: logger)
        var found: (String, Bool, String, Int)?
        for try await row in rows.decode((String, Bool, String, Int).self) { found = row }
        guard let (body, partial, status, open) = found, status == "waiting" || status == "allocated" else { return }
        // Opened before anything changes, so a body that does not open leaves the order as it was.
        let order: Order
        do {
            order = try tx.vault.open(EventCoding.decode(Order.self, from: Array(body.utf8)))
        } catch {
            throw StoredOrderUnreadable(orderID: orderID, reason: String(describing: error))
        }
        let complete = open == 0
        try await connection.query("UPDATE orders SET status = \(complete ? "allocated" : "waiting"), blocked_reason = NULL, updated_at = now() WHERE order_id = \(orderID)", logger: logger)
        guard partial || complete else { return }
        let announced = try await connection.query("""
            UPDATE reservations SET announced = true WHERE order_id = \(orderID) AND status = 'active' AND NOT announced
            RETURNING line_number, sku, warehouse_code, quantity
            """, logger: logger)
        var allocations: [StockAllocation] = []
        for try await (line, sku, warehouse, quantity) in announced.decode((Int, String, String, Int).self) {
            allocations.append(StockAllocation(lineNumber: line, sku: sku, warehouseId: warehouse, quantity: quantity))
        }
        guard !allocations.isEmpty else { return }
        allocations.sort { ($0.warehouseId, $0.lineNumber) < ($1.warehouseId, $1.lineNumber) }
        try tx.emit(InventoryReserved(orderID: orderID, allocations: allocations, cause: cause, orderComplete: complete, reservedAt: now, order: order),
                    orderID: orderID, topic: TopicCatalogue.inventoryEvents, causedBy: event)
    }

    // MARK: release

    /// Gives back the order's reservations no warehouse has been told about and cancels its open
    /// backorders; returns the SKUs whose stock came back. Reservations already announced to a
    /// warehouse (`announcedToo` false, the cancellation case) stay until fulfillment says it stopped
    /// work (`fulfillment.cancelled`, see `releaseStoppedWork`) or ships them (already packed); the
    /// order waits as `cancelling` meanwhile. A rejection (`announcedToo`) releases everything.
    /// An order not seen yet is remembered as cancelled.
    func release(_ orderID: String, reasonCode: String, announcedToo: Bool, causedBy event: EventEnvelope?, now: Date) async throws -> Set<String> {
        let rows = try await connection.query("SELECT status FROM orders WHERE order_id = \(orderID) FOR UPDATE", logger: logger)
        var status: String?
        for try await value in rows.decode(String.self) { status = value }
        guard let status else {
            try await connection.query("""
                INSERT INTO order_cancellations (order_id, reason_code, cancelled_at) VALUES (\(orderID), \(reasonCode), \(now))
                ON CONFLICT (order_id) DO NOTHING
                """, logger: logger)
            return []
        }
        guard status == "waiting" || status == "allocated" else { return [] }
        let released = try await connection.query("""
            UPDATE reservations SET status = 'released', closed_at = \(now)
            WHERE order_id = \(orderID) AND status = 'active' AND (\(announcedToo) OR NOT announced)
            RETURNING line_number, sku, warehouse_code, quantity
            """, logger: logger)
        var allocations: [StockAllocation] = []
        for try await (line, sku, warehouse, quantity) in released.decode((Int, String, String, Int).self) {
            allocations.append(StockAllocation(lineNumber: line, sku: sku, warehouseId: warehouse, quantity: quantity))
        }
        for allocation in allocations {
            try ledger.record(.release, StockKey(sku: allocation.sku, warehouse: allocation.warehouseId), reserved: -allocation.quantity, cause: .order(orderID), reasonCode: reasonCode)
        }
        let cancelled = try await connection.query("""
            UPDATE backorders SET status = 'cancelled', closed_at = \(now) WHERE order_id = \(orderID) AND status = 'open'
            RETURNING line_number, sku, open_quantity, expected_date::timestamptz
            """, logger: logger)
        var backorders: [BackorderedLine] = []
        for try await (line, sku, quantity, expected) in cancelled.decode((Int, String, Int, Date?).self) {
            backorders.append(BackorderedLine(lineNumber: line, sku: sku, quantity: quantity, expectedDate: expected))
        }
        try await connection.query("""
            UPDATE orders SET status = CASE WHEN EXISTS (SELECT 1 FROM reservations WHERE order_id = \(orderID) AND status = 'active') THEN 'cancelling' ELSE 'released' END,
                updated_at = now()
            WHERE order_id = \(orderID)
            """, logger: logger)
        if !allocations.isEmpty || !backorders.isEmpty {
            allocations.sort { ($0.warehouseId, $0.lineNumber) < ($1.warehouseId, $1.lineNumber) }
            try tx.emit(InventoryReleased(orderID: orderID, released: allocations, backordersCancelled: backorders, reasonCode: reasonCode, releasedAt: now),
                        orderID: orderID, topic: TopicCatalogue.inventoryEvents, causedBy: event)
        }
        return Set(allocations.map(\.sku))
    }

    /// A warehouse stopped work on part of an order before packing: exactly those units' reservations
    /// go back to stock; a `cancelling` order with nothing left active becomes `released`. Returns the
    /// SKUs whose stock came back.
    func releaseStoppedWork(_ stopped: FulfillmentCancelled, causedBy event: EventEnvelope, now: Date) async throws -> Set<String> {
        var allocations: [StockAllocation] = []
        for line in stopped.lines where line.quantity > 0 {
            let closed = try await ReservationClosing.close(orderID: stopped.orderID, lineNumber: line.lineNumber, warehouse: stopped.warehouseId,
                                                            units: line.quantity, as: "released", now: now, connection: connection, logger: logger)
            guard closed > 0 else { continue }
            try ledger.record(.release, StockKey(sku: line.sku, warehouse: stopped.warehouseId), reserved: -closed, cause: .order(stopped.orderID), reasonCode: "fulfillment_cancelled")
            allocations.append(StockAllocation(lineNumber: line.lineNumber, sku: line.sku, warehouseId: stopped.warehouseId, quantity: closed))
        }
        try await connection.query("""
            UPDATE orders SET status = 'released', updated_at = now()
            WHERE order_id = \(stopped.orderID) AND status = 'cancelling' AND NOT EXISTS (SELECT 1 FROM reservations WHERE order_id = \(stopped.orderID) AND status = 'active')
            """, logger: logger)
        guard !allocations.isEmpty else { return [] }
        try tx.emit(InventoryReleased(orderID: stopped.orderID, released: allocations, backordersCancelled: [], reasonCode: "fulfillment_cancelled", releasedAt: now),
                    orderID: stopped.orderID, topic: TopicCatalogue.inventoryEvents, causedBy: event)
        return Set(allocations.map(\.sku))
    }

    // MARK: short pick

    /// The shelf in `warehouseId` lacked units: write them off there, then source them again
    /// elsewhere (or backorder them). Returns nothing; the new work is announced as "reallocated".
    func reallocate(_ shortPick: FulfillmentShortPicked, causedBy event: EventEnvelope, now: Date) async throws {
        let rows = try await connection.query("SELECT body::text, ships_partially, status FROM orders WHERE order_id = \(shortPick.orderID) FOR UPDATE", logger: logger)
        var found: (String, Bool, String)?
        for try await row in rows.decode((String, Bool, String).self) { found = row }
        guard let (body, partial, status) = found else { throw HandlerRejection("short pick for an order inventory never allocated") }
        let order = try tx.vault.open(EventCoding.decode(Order.self, from: Array(body.utf8)))
        var demands: [SourcingPlanner.Demand] = []
        for line in shortPick.lines where line.missingQuantity > 0 {
            let written = try await ReservationClosing.close(orderID: shortPick.orderID, lineNumber: line.lineNumber, warehouse: shortPick.warehouseId,
                                                             units: line.missingQuantity, as: "short", now: now, connection: connection, logger: logger)
            guard written > 0 else { continue }
            try ledger.record(.shortPick, StockKey(sku: line.sku, warehouse: shortPick.warehouseId), onHand: -written, reserved: -written,
                              cause: StockLedger.Cause(type: "short_pick", id: event.eventID.uuidString), actor: shortPick.reportedBy)
            let unitPrice = order.lines.first { $0.lineNumber == line.lineNumber }?.unitPrice.minorUnits ?? 0
            demands.append(SourcingPlanner.Demand(lineNumber: line.lineNumber, sku: line.sku, quantity: written, unitPriceFen: unitPrice))
        }
        // The missing units are gone whatever the order's state; only a live order gets them again.
        guard !demands.isEmpty, status == "waiting" || status == "allocated" else { return }
        let options = candidates(for: order, excluding: shortPick.warehouseId)
        let plan = SourcingPlanner(policy: policy).plan(demands, candidates: options, available: available(demands.map(\.sku), at: Set(options.map(\.code))))
        try await reserve(plan.allocations, orderID: order.orderID, now: now)
        try await backorder(plan.shortfalls, of: order.orderID, shipsPartially: partial, requesting: options, causedBy: event, now: now)
        try await announce(order.orderID, cause: "reallocated", causedBy: event, now: now)
    }

    // MARK: lost parcel

    /// A shipped parcel was lost or destroyed: the same units are sourced again (nearest warehouse
    /// with stock, or backordered) and announced as "reshipment". Exactly once per lost shipment
    /// (`reshipments`), whatever the order's state.
    func reship(_ lost: ShipmentLost, causedBy event: EventEnvelope, now: Date) async throws {
        let first = try await connection.query("""
            INSERT INTO reshipments (shipment_id, order_id, created_at) VALUES (\(lost.shipmentId), \(lost.orderID), \(now)) ON CONFLICT DO NOTHING RETURNING 1
            """, logger: logger)
        var isNew = false
        for try await _ in first.decode(Int.self) { isNew = true }
        guard isNew else { return }
        let rows = try await connection.query("SELECT body::text, ships_partially FROM orders WHERE order_id = \(lost.orderID) FOR UPDATE", logger: logger)
        var found: (String, Bool)?
        for try await row in rows.decode((String, Bool).self) { found = row }
        guard let (body, partial) = found else { throw HandlerRejection("lost shipment for an order inventory never allocated") }
        let order = try tx.vault.open(EventCoding.decode(Order.self, from: Array(body.utf8)))
        let demands = lost.lines.filter { $0.quantity > 0 }.map { line in
            SourcingPlanner.Demand(lineNumber: line.lineNumber, sku: line.sku, quantity: line.quantity,
                                   unitPriceFen: order.lines.first { $0.lineNumber == line.lineNumber }?.unitPrice.minorUnits ?? 0)
        }
        guard !demands.isEmpty else { return }
        // The order may have been released (shipped, or a refused cancellation): it is live again.
        try await connection.query("UPDATE orders SET status = 'allocated', updated_at = now() WHERE order_id = \(lost.orderID) AND status <> 'sold_at_till'", logger: logger)
        let options = candidates(for: order)
        let plan = SourcingPlanner(policy: policy).plan(demands, candidates: options, available: available(demands.map(\.sku), at: Set(options.map(\.code))))
        try await reserve(plan.allocations, orderID: order.orderID, now: now)
        try await backorder(plan.shortfalls, of: order.orderID, shipsPartially: partial, requesting: options, causedBy: event, now: now)
        try await announce(order.orderID, cause: "reshipment", causedBy: event, now: now)
    }

    // MARK: exchange

    /// Reserves an exchange's replacement as a new line of the order, in the nearest warehouse
    /// that has all of it, and announces it as "exchange"; with no such stock nothing is reserved
    /// and `inventory.exchange-unavailable` says so (after-sales offers a refund). Exactly once per
    /// exchange (`exchanges`).
    func exchange(_ exchange: ExchangeRequested, causedBy event: EventEnvelope, now: Date) async throws {
        let rows = try await connection.query("SELECT body::text FROM orders WHERE order_id = \(exchange.orderID) FOR UPDATE", logger: logger)
        var body: String?
        for try await text in rows.decode(String.self) { body = text }
        guard let body else { throw HandlerRejection("exchange for an order inventory never allocated") }
        var order = try tx.vault.open(EventCoding.decode(Order.self, from: Array(body.utf8)))
        let line = exchange.replacement
        let demand = SourcingPlanner.Demand(lineNumber: line.lineNumber, sku: line.sku, quantity: line.quantity, unitPriceFen: line.unitPrice.minorUnits)
        let options = candidates(for: order)
        let plan = SourcingPlanner(policy: policy).plan([demand], candidates: options, available: available([line.sku], at: Set(options.map(\.code))))
        let outcome = plan.shortfalls.isEmpty ? "reserved" : "unavailable"
        let first = try await connection.query("""
            INSERT INTO exchanges (exchange_id, order_id, sku, quantity, outcome, created_at)
            VALUES (\(exchange.exchangeId), \(exchange.orderID), \(line.sku), \(line.quantity), \(outcome), \(now)) ON CONFLICT DO NOTHING RETURNING 1
            """, logger: logger)
        var isNew = false
        for try await _ in first.decode(Int.self) { isNew = true }
        guard isNew else { return }
        guard plan.shortfalls.isEmpty else {
            try tx.emit(ExchangeUnavailable(exchangeId: exchange.exchangeId, orderID: exchange.orderID, sku: line.sku, quantity: line.quantity, checkedAt: now),
                        orderID: exchange.orderID, topic: TopicCatalogue.inventoryEvents, causedBy: event)
            return
        }
        if !order.lines.contains(where: { $0.lineNumber == line.lineNumber }) { order.lines.append(line) }
        let updated = String(decoding: try EventCoding.encode(tx.vault.seal(order)), as: UTF8.self)
        // The order may have been released (shipped): it is live again for the replacement only.
        try await connection.query("""
            UPDATE orders SET body = \(updated)::jsonb, status = 'allocated', updated_at = now() WHERE order_id = \(exchange.orderID) AND status <> 'sold_at_till'
            """, logger: logger)
        try await reserve(plan.allocations, orderID: order.orderID, now: now)
        try await announce(order.orderID, cause: "exchange", causedBy: event, now: now)
    }

    // MARK: backorder filling

    /// Fills open backorders of `skus` first in, first out from what is reservable now, each from
    /// the nearest warehouses that have it (a pickup order's only from its store); then announces
    /// the orders that gained stock.
    func fillBackorders(skus: Set<String>, causedBy event: EventEnvelope?, now: Date) async throws -> [String] {
        var touched: [String] = []
        for sku in skus.sorted() {
            let shipping = Set(warehouses.filter(\.ships).map(\.code))
            let stores = Set(warehouses.filter { $0.active && $0.kind == "store" }.map(\.code))
            guard ledger.reservable(sku).contains(where: { (shipping.contains($0.key) || stores.contains($0.key)) && $0.value > 0 }) else { continue }
            let rows = try await connection.query("""
                SELECT b.id, b.order_id, b.line_number, b.open_quantity, o.body::text FROM backorders b JOIN orders o USING (order_id)
                WHERE b.sku = \(sku) AND b.status = 'open' ORDER BY b.id
                """, logger: logger)
            var open: [(Int64, String, Int, Int, String)] = []
            for try await row in rows.decode((Int64, String, Int, Int, String).self) { open.append(row) }
            for (id, orderID, line, quantity, body) in open {
                let stored = try? EventCoding.decode(Order.self, from: Array(body.utf8))
                let pickupStore = stored?.pickupStoreID
                let stock = ledger.reservable(sku).filter { entry in
                    (pickupStore.map { entry.key == $0 } ?? shipping.contains(entry.key)) && entry.value > 0
                }
                if stock.isEmpty { continue }
                let address = stored?.deliveryAddress
                let ranked = warehouses.filter { stock[$0.code] != nil }.map { $0.candidate(for: address, at: now) }
                    .sorted { ($0.proximity, $0.costPerParcelFen, $0.code) < ($1.proximity, $1.costPerParcelFen, $1.code) }
                var left = quantity
                var allocations: [StockAllocation] = []
                for candidate in ranked where left > 0 {
                    let units = min(left, stock[candidate.code] ?? 0)
                    allocations.append(StockAllocation(lineNumber: line, sku: sku, warehouseId: candidate.code, quantity: units))
                    left -= units
                }
                try await reserve(allocations, orderID: orderID, now: now)
                try await connection.query("""
                    UPDATE backorders SET open_quantity = \(left), status = \(left == 0 ? "filled" : "open"), closed_at = \(left == 0 ? now : nil) WHERE id = \(id)
                    """, logger: logger)
                if !touched.contains(orderID) { touched.append(orderID) }
            }
        }
        var unreadable: [String] = []
        for orderID in touched {
            do {
                try await announce(orderID, cause: "backorder_filled", causedBy: event, now: now)
            } catch is StoredOrderUnreadable {
                unreadable.append(orderID)
            }
        }
        if !unreadable.isEmpty {
            // Its stock stays reserved for it (filled first in, first out); once the body opens again
            // (key restored to the ring) ops re-announce it: POST /v1/inventory/orders/{id}/announce.
            try await connection.query("""
                UPDATE orders SET blocked_reason = 'order_body_unreadable', updated_at = now() WHERE order_id = ANY(\(unreadable)::text[])
                """, logger: logger)
            logger.error("backorder filling set aside orders whose stored body cannot be opened", metadata: ["orders": "\(unreadable.prefix(10))"])
        }
        return touched
    }
}
