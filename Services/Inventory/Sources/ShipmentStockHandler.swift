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

    public func handle(_ event: EventEnvelope, context: TransactionContext) async throws {
        let dispatched: ShipmentDispatched
        do { dispatched = try event.decode(ShipmentDispatched.self) } catch { throw HandlerRejection("undecodable shipment.dispatched: \(error)") }
        guard dispatched.lines.allSatisfy({ $0.quantity > 0 }) else { throw HandlerRejection("shipment line with a non-positive quantity") }
        let connection = context.connection, logger = context.logger
        let booked = try await connection.query("SELECT 1 FROM stock_movements WHERE cause_type = 'shipment' AND cause_id = \(dispatched.shipmentId) LIMIT 1", logger: logger)
        for try await _ in booked.decode(Int.self) { return }

        let ledger = try await StockLedger.lock(skus: Set(dispatched.lines.map(\.sku)), context: context)
        let cause = StockLedger.Cause(type: "shipment", id: dispatched.shipmentId)
        let now = Date()
        for line in dispatched.lines {
            let key = StockKey(sku: line.sku, warehouse: dispatched.warehouseId)
            guard let level = ledger.level(key), level.onHand >= line.quantity else {
                throw HandlerRejection("shipment \(dispatched.shipmentId) takes more \(line.sku) than \(dispatched.warehouseId) holds")
            }
            let fromReservations = try await ReservationClosing.close(orderID: dispatched.orderID, lineNumber: line.lineNumber, warehouse: dispatched.warehouseId,
                                                                      units: line.quantity, as: "shipped", now: now, connection: connection, logger: logger)
            let left = line.quantity - fromReservations
            if left > 0 {
                logger.warning("shipped units without a reservation", metadata: ["orderId": "\(dispatched.orderID)", "sku": "\(line.sku)", "units": "\(left)"])
            }
            try ledger.record(.shipment, key, onHand: -line.quantity, reserved: -fromReservations, cause: cause)
        }
        try await ledger.flush(now: now)
    }
}
