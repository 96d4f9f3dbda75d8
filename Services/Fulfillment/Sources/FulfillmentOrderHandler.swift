import Foundation
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// Turns `inventory.reserved` into fulfillment orders (one per order and warehouse of the
/// reservation, so a split order becomes separate parcels), `order.cancelled` into stopped work and
/// `inventory.lines-cancelled` into fewer units (`FulfillmentLineCancellation`).
/// Automatic warehouses pick and pack at once; manual ones collect orders into pick waves. An
/// order sent before its payment waits in `awaiting_payment` until `order.paid` (read before or after).
/// Whole batches take a constant number of statements.
/// Invariant: one fulfillment order per (reservation event, warehouse); a reservation for an order
/// already cancelled starts no work but is handed straight back to inventory (`fulfillment.cancelled`);
/// events are applied as if one by one, in order.
public struct FulfillmentOrderHandler: EventHandler {
    public let eventTypes: Set<String> = [InventoryReserved.eventType, OrderCancelled.eventType, OrderPaid.eventType, InventoryLinesCancelled.eventType]
    let configuration: FulfillmentConfiguration

    public init(configuration: FulfillmentConfiguration) {
        self.configuration = configuration
    }

    public func handle(batch events: [EventEnvelope], context: TransactionContext) async throws {
        var reserved: [(body: InventoryReserved, event: EventEnvelope, index: Int)] = []
        var cancellations: [(orderID: String, event: EventEnvelope, index: Int)] = []
        var paid: [(orderID: String, at: Date)] = []
        var lineCancellations: [(body: InventoryLinesCancelled, event: EventEnvelope)] = []
        for (index, event) in events.enumerated() {
            switch event.type {
            case InventoryReserved.eventType:
                guard let body = try? event.decode(InventoryReserved.self) else { throw HandlerRejection("undecodable inventory.reserved") }
                guard !body.allocations.isEmpty, body.allocations.allSatisfy({ $0.quantity > 0 }) else { throw HandlerRejection("inventory.reserved without positive allocations") }
                reserved.append((body, event, index))
            case OrderCancelled.eventType:
                guard let body = try? event.decode(OrderCancelled.self) else { throw HandlerRejection("undecodable order.cancelled") }
                cancellations.append((body.orderID, event, index))
            case OrderPaid.eventType:
                guard let body = try? event.decode(OrderPaid.self) else { throw HandlerRejection("undecodable order.paid") }
                paid.append((body.orderID, body.paidAt))
            case InventoryLinesCancelled.eventType:
                guard let body = try? event.decode(InventoryLinesCancelled.self) else { throw HandlerRejection("undecodable inventory.lines-cancelled") }
                guard body.inWarehouses.allSatisfy({ $0.quantity > 0 }) else { throw HandlerRejection("inventory.lines-cancelled with a non-positive quantity") }
                if !body.inWarehouses.isEmpty { lineCancellations.append((body, event)) }
            default:
                continue
            }
        }
        let now = Date()
        if !paid.isEmpty {
            try await context.connection.query("""
                INSERT INTO paid_orders (order_id, paid_at) SELECT * FROM unnest(\(paid.map(\.orderID))::text[], \(paid.map(\.at))::timestamptz[])
                ON CONFLICT (order_id) DO NOTHING
                """, logger: context.logger)
        }
        if !reserved.isEmpty {
            try await createOrders(reserved, cancelledInBatch: cancellations, now: now, context: context)
        }
        if !paid.isEmpty {
            try await releasePaid(paid.map(\.orderID), now: now, context: context)
        }
        // Before whole cancellations: the units a line cancellation stops are released as such,
        // the rest by the order's cancellation (the same units in all, in either order).
        if !lineCancellations.isEmpty {
            try await FulfillmentLineCancellation.apply(lineCancellations, now: now, context: context)
        }
        if !cancellations.isEmpty {
            try await FulfillmentCancellation.cancel(cancellations.map { ($0.orderID, $0.event) }, now: now, context: context)
        }
    }

    /// The fulfillment order id: readable, and the same on every replay of the same reservation.
    static func fulfillmentOrderID(orderID: String, warehouse: String, reservation: EventEnvelope) -> String {
        "FO-\(orderID)-\(warehouse)-\(reservation.eventID.uuidString.prefix(8))"
    }

    private func createOrders(_ reserved: [(body: InventoryReserved, event: EventEnvelope, index: Int)], cancelledInBatch: [(orderID: String, event: EventEnvelope, index: Int)],
                              now: Date, context: TransactionContext) async throws {
        let connection = context.connection, logger = context.logger
        let orderIDs = Array(Set(reserved.map(\.body.orderID)))
        let tombstones = try await connection.query("SELECT order_id FROM order_cancellations WHERE order_id = ANY(\(orderIDs)::text[])", logger: logger)
        var cancelledBefore = Set<String>()
        for try await id in tombstones.decode(String.self) { cancelledBefore.insert(id) }
        let payments = try await connection.query("SELECT order_id FROM paid_orders WHERE order_id = ANY(\(orderIDs)::text[])", logger: logger)
        var paidOrders = Set<String>()
        for try await id in payments.decode(String.self) { paidOrders.insert(id) }
        let warehouses = Array(Set(reserved.flatMap { $0.body.allocations.map(\.warehouseId) }))
        let settings = try await WarehouseSettings.load(warehouses, defaults: configuration, connection: connection, logger: logger)

        var fo = (ids: [String](), orders: [String](), warehouses: [String](), events: [UUID](), statuses: [String](), automatic: [Bool](), bodies: [String]())
        var lines = (fos: [String](), numbers: [Int32](), skus: [String](), quantities: [Int32](), picked: [Int32](), prices: [Int64]())
        var handedBack: [(FulfillmentCancelled, EventEnvelope)] = []
        var mergeCandidates: [FulfillmentOrderStore.MergeCandidate] = []
        for item in reserved {
            let orderID = item.body.orderID
            let cancelled = cancelledBefore.contains(orderID) || cancelledInBatch.contains { $0.orderID == orderID && $0.index < item.index }
            let body = String(decoding: try EventCoding.encode(context.vault.seal(item.body.order)), as: UTF8.self)
            let prices = Dictionary(item.body.order.lines.map { ($0.lineNumber, $0.unitPrice.minorUnits) }, uniquingKeysWith: { first, _ in first })
            for (warehouse, allocations) in Dictionary(grouping: item.body.allocations, by: \.warehouseId).sorted(by: { $0.key < $1.key }) {
                let id = Self.fulfillmentOrderID(orderID: orderID, warehouse: warehouse, reservation: item.event)
                let automatic = settings[warehouse]?.automatic ?? configuration.defaultAutomatic
                fo.ids.append(id); fo.orders.append(orderID); fo.warehouses.append(warehouse); fo.events.append(item.event.eventID)
                let unpaid = item.body.order.payment.isAwaiting && !paidOrders.contains(orderID)
                fo.statuses.append(cancelled ? "cancelled" : unpaid ? "awaiting_payment" : automatic ? "picked" : "open"); fo.automatic.append(automatic); fo.bodies.append(body)
                // 合单: an order waiting for a wave may share boxes with the same customer's others.
                if fo.statuses.last == "open", let window = settings[warehouse]?.mergeWindowSeconds, window > 0,
                   let key = ShipmentMerge.key(for: item.body.order, vault: context.vault) {
                    mergeCandidates.append(.init(fulfillmentOrderID: id, orderID: orderID, warehouse: warehouse, key: key, windowSeconds: window))
                }
                // One line per order line: an allocation may come in several pieces.
                var units: [Int: (sku: String, quantity: Int)] = [:]
                for allocation in allocations { units[allocation.lineNumber, default: (allocation.sku, 0)].quantity += allocation.quantity }
                for number in units.keys.sorted() {
                    lines.fos.append(id); lines.numbers.append(Int32(number)); lines.skus.append(units[number]!.sku)
                    lines.quantities.append(Int32(units[number]!.quantity)); lines.picked.append(automatic && fo.statuses.last == "picked" ? Int32(units[number]!.quantity) : 0)
                    lines.prices.append(prices[number] ?? 0)
                }
                if cancelled {
                    let released = units.keys.sorted().map { ParcelLine(lineNumber: $0, sku: units[$0]!.sku, quantity: units[$0]!.quantity) }
                    handedBack.append((FulfillmentCancelled(fulfillmentOrderId: id, orderID: orderID, warehouseId: warehouse, lines: released,
                                                            reasonCode: "order_cancelled", cancelledAt: now), item.event))
                }
            }
        }
        let inserted = try await connection.query("""
            INSERT INTO fulfillment_orders (id, order_id, warehouse_code, reservation_event_id, status, automatic, order_body, created_at, picked_at, cancelled_at)
            SELECT i, o, w, e, s, a, b::jsonb, \(now), CASE WHEN s = 'picked' THEN \(now)::timestamptz END, CASE WHEN s = 'cancelled' THEN \(now)::timestamptz END
            FROM unnest(\(fo.ids)::text[], \(fo.orders)::text[], \(fo.warehouses)::text[], \(fo.events)::uuid[], \(fo.statuses)::text[], \(fo.automatic)::bool[], \(fo.bodies)::text[])
                 AS u(i, o, w, e, s, a, b)
            ON CONFLICT DO NOTHING
            RETURNING id
            """, logger: logger)
        var created = Set<String>()
        for try await id in inserted.decode(String.self) { created.insert(id) }
        guard !created.isEmpty else { return }
        try await connection.query("""
            INSERT INTO fulfillment_lines (fulfillment_order_id, line_number, sku, quantity, picked, unit_price_fen)
            SELECT f, n, s, q, p, pr FROM unnest(\(lines.fos)::text[], \(lines.numbers)::int4[], \(lines.skus)::text[], \(lines.quantities)::int4[], \(lines.picked)::int4[], \(lines.prices)::int8[])
                 AS u(f, n, s, q, p, pr)
            WHERE f = ANY(\(Array(created))::text[])
            """, logger: logger)
        try await FulfillmentOrderStore.joinMergeGroups(mergeCandidates.filter { created.contains($0.fulfillmentOrderID) }, now: now, connection: connection, logger: logger)
        for (cancelled, cause) in handedBack where created.contains(cancelled.fulfillmentOrderId) {
            try context.emit(cancelled, orderID: cancelled.orderID, topic: TopicCatalogue.fulfillmentEvents, causedBy: cause)
        }

        let automaticIDs = zip(fo.ids, zip(fo.statuses, fo.automatic)).filter { created.contains($0.0) && $0.1.0 == "picked" && $0.1.1 }.map(\.0)
        _ = try await ParcelPacking(configuration: configuration).pack(automaticIDs, packedBy: "automation", now: now, settings: settings, context: context)

        let manualWarehouses = Set(zip(fo.ids, zip(fo.warehouses, fo.statuses)).filter { created.contains($0.0) && $0.1.1 == "open" }.map(\.1.0))
        for warehouse in manualWarehouses.sorted() {
            let maxOrders = settings[warehouse]?.waveMaxOrders ?? configuration.waveMaxOrders
            let waves = try await PickWave.releaseFull(warehouse: warehouse, maxOrders: maxOrders, connection: connection, logger: logger)
            for wave in waves {
                logger.info("pick wave released", metadata: ["waveId": "\(wave.waveId)", "warehouse": "\(warehouse)", "orders": "\(wave.orderCount)", "trigger": "size"])
            }
        }
    }

    /// Orders now paid: their waiting fulfillment orders go to picking (automatic warehouses pick
    /// and pack at once, manual ones join the next wave).
    private func releasePaid(_ orderIDs: [String], now: Date, context: TransactionContext) async throws {
        let connection = context.connection, logger = context.logger
        let rows = try await connection.query("""
            UPDATE fulfillment_orders SET status = CASE WHEN automatic THEN 'picked' ELSE 'open' END,
                                          picked_at = CASE WHEN automatic THEN \(now)::timestamptz END
            WHERE order_id = ANY(\(orderIDs)::text[]) AND status = 'awaiting_payment'
            RETURNING id, warehouse_code, automatic
            """, logger: logger)
        var released: [(id: String, warehouse: String, automatic: Bool)] = []
        for try await row in rows.decode((String, String, Bool).self) { released.append(row) }
        guard !released.isEmpty else { return }
        let automaticIDs = released.filter(\.automatic).map(\.id)
        if !automaticIDs.isEmpty {
            try await connection.query("UPDATE fulfillment_lines SET picked = quantity WHERE fulfillment_order_id = ANY(\(automaticIDs)::text[])", logger: logger)
            let settings = try await WarehouseSettings.load(Array(Set(released.map(\.warehouse))), defaults: configuration, connection: connection, logger: logger)
            _ = try await ParcelPacking(configuration: configuration).pack(automaticIDs, packedBy: "automation", now: now, settings: settings, context: context)
        }
        for warehouse in Set(released.filter { !$0.automatic }.map(\.warehouse)).sorted() {
            let settings = try await WarehouseSettings.load([warehouse], defaults: configuration, connection: connection, logger: logger)
            _ = try await PickWave.releaseFull(warehouse: warehouse, maxOrders: settings[warehouse]?.waveMaxOrders ?? configuration.waveMaxOrders, connection: connection, logger: logger)
        }
    }
}
