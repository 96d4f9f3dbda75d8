import Foundation
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// `shipment.dispatched`: the parcel's units leave the warehouse, so its reservations become
/// on-hand decrements (`shipment` movements caused by the shipment id). Units shipped without a
/// reservation (should not happen) still leave on-hand and are logged. Invariant: one shipment is
/// booked once (inbox, then the movement's cause), and reserved never goes negative.
public struct ShipmentStockHandler: EventHandler {
    public let eventTypes: Set<String> = [ShipmentDispatched.eventType]

    public init() {}

    /// A batch of shipments in a fixed number of statements: which are booked already, one lock
    /// of all their SKUs, their reservations, the closures, one ledger flush. Shipments are
    /// applied in event order against the one ledger, exactly as one by one.
    public func handle(batch events: [EventEnvelope], context: TransactionContext) async throws {
        var shipments: [ShipmentDispatched] = []
        for event in events {
            let dispatched: ShipmentDispatched
            do { dispatched = try event.decode(ShipmentDispatched.self) } catch { throw HandlerRejection("undecodable shipment.dispatched: \(error)") }
            guard dispatched.lines.allSatisfy({ $0.quantity > 0 }) else { throw HandlerRejection("shipment line with a non-positive quantity") }
            shipments.append(dispatched)
        }
        let connection = context.connection, logger = context.logger
        var booked = Set<String>()
        let rows = try await connection.query("""
            SELECT DISTINCT cause_id FROM stock_movements WHERE cause_type = 'shipment' AND cause_id = ANY(\(shipments.map(\.shipmentId))::text[])
            """, logger: logger)
        for try await id in rows.decode(String.self) { booked.insert(id) }
        // Booked before, or twice in this batch: the first only.
        shipments = shipments.filter { booked.insert($0.shipmentId).inserted }
        guard !shipments.isEmpty else { return }

        let ledger = try await StockLedger.lock(skus: Set(shipments.flatMap { $0.lines.map(\.sku) }), context: context)
        var reservations = try await ReservationClosing.Batch.load(
            shipments.flatMap { dispatched in dispatched.lines.map { ReservationClosing.Line(orderID: dispatched.orderID, lineNumber: $0.lineNumber, warehouse: dispatched.warehouseId) } },
            connection: connection, logger: logger)
        let now = Date()
        for dispatched in shipments {
            let cause = StockLedger.Cause(type: "shipment", id: dispatched.shipmentId)
            for line in dispatched.lines {
                let key = StockKey(sku: line.sku, warehouse: dispatched.warehouseId)
                guard let level = ledger.level(key), level.onHand >= line.quantity else {
                    throw HandlerRejection("shipment \(dispatched.shipmentId) takes more \(line.sku) than \(dispatched.warehouseId) holds")
                }
                let fromReservations = reservations.close(ReservationClosing.Line(orderID: dispatched.orderID, lineNumber: line.lineNumber, warehouse: dispatched.warehouseId),
                                                          units: line.quantity)
                let left = line.quantity - fromReservations
                if left > 0 {
                    logger.warning("shipped units without a reservation", metadata: ["orderId": "\(dispatched.orderID)", "sku": "\(line.sku)", "units": "\(left)"])
                }
                try ledger.record(.shipment, key, onHand: -line.quantity, reserved: -fromReservations, cause: cause)
            }
        }
        try await reservations.write(as: "shipped", now: now, connection: connection, logger: logger)
        // An order cancelled while its parcel was already packed (the warehouse refused to stop)
        // is settled once nothing of it is reserved any more: what could stop was released, the
        // rest has shipped. Without this it stayed cancelling for ever.
        try await connection.query("""
            UPDATE orders SET status = 'released', updated_at = now()
            WHERE order_id = ANY(\(Array(Set(shipments.map(\.orderID))))::text[]) AND status = 'cancelling'
              AND NOT EXISTS (SELECT 1 FROM reservations r WHERE r.order_id = orders.order_id AND r.status = 'active')
            """, logger: logger)
        try await ledger.flush(now: now)
    }
}
