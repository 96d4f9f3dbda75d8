import Foundation
import OMSDomain
import OMSPlatform
import PostgresNIO

/// Keeps `shipment_facts`: each parcel's warehouse, carrier, units and promised delivery
/// (`shipment.dispatched`), and when it was delivered, first reported late or lost, and how many
/// exceptions it met. Invariant: commutative upserts, so a delivery scan read before its dispatch
/// (or replayed after it) leaves the same row.
public struct ShipmentFactsHandler: EventHandler {
    public let eventTypes: Set<String> = [ShipmentDispatched.eventType, ShipmentDelivered.eventType, ShipmentDelayed.eventType,
                                          ShipmentException.eventType, ShipmentLost.eventType]

    public init() {}

    /// Dispatches, the hot path at peak, are written in one statement per batch; the rarer
    /// tracking outcomes one by one, in order, after them.
    public func handle(batch events: [EventEnvelope], context: TransactionContext) async throws {
        var dispatched: [String: ShipmentDispatched] = [:]
        var later: [EventEnvelope] = []
        for event in events {
            guard event.type == ShipmentDispatched.eventType else {
                later.append(event)
                continue
            }
            let body = try InsightsEvent.decode(ShipmentDispatched.self, event)
            dispatched[body.shipmentId] = body
        }
        if !dispatched.isEmpty {
            let parcels = Array(dispatched.values)
            let none = Date(timeIntervalSince1970: 0)
            try await context.connection.query("""
                INSERT INTO shipment_facts (shipment_id, order_id, warehouse_code, carrier, units, dispatched_at, estimated_delivery)
                SELECT s, o, w, c, u, d, nullif(e, to_timestamp(0))
                FROM unnest(\(parcels.map(\.shipmentId))::text[], \(parcels.map(\.orderID))::text[], \(parcels.map(\.warehouseId))::text[],
                            \(parcels.map(\.carrier))::text[], \(parcels.map { $0.lines.reduce(0) { $0 + $1.quantity } })::int8[],
                            \(parcels.map(\.dispatchedAt))::timestamptz[], \(parcels.map { $0.estimatedDelivery ?? none })::timestamptz[]) AS x(s, o, w, c, u, d, e)
                ON CONFLICT (shipment_id) DO UPDATE SET warehouse_code = EXCLUDED.warehouse_code, carrier = EXCLUDED.carrier, units = EXCLUDED.units,
                    dispatched_at = EXCLUDED.dispatched_at, estimated_delivery = EXCLUDED.estimated_delivery
                """, logger: context.logger)
        }
        for event in later { try await apply(event, context: context) }
    }

    private func apply(_ event: EventEnvelope, context: TransactionContext) async throws {
        let connection = context.connection, logger = context.logger
        switch event.type {
        case ShipmentDispatched.eventType:
            try await handle(batch: [event], context: context)
        case ShipmentDelivered.eventType:
            let delivered = try InsightsEvent.decode(ShipmentDelivered.self, event)
            try await connection.query("""
                INSERT INTO shipment_facts (shipment_id, order_id, delivered_at, cod_collected_fen)
                VALUES (\(delivered.shipmentId), \(delivered.orderID), \(delivered.deliveredAt), \(delivered.cashCollected?.minorUnits))
                ON CONFLICT (shipment_id) DO UPDATE SET delivered_at = least(shipment_facts.delivered_at, EXCLUDED.delivered_at),
                    cod_collected_fen = coalesce(EXCLUDED.cod_collected_fen, shipment_facts.cod_collected_fen)
                """, logger: logger)
        case ShipmentDelayed.eventType:
            let delayed = try InsightsEvent.decode(ShipmentDelayed.self, event)
            try await connection.query("""
                INSERT INTO shipment_facts (shipment_id, order_id, delayed_at) VALUES (\(delayed.shipmentId), \(delayed.orderID), \(delayed.detectedAt))
                ON CONFLICT (shipment_id) DO UPDATE SET delayed_at = least(shipment_facts.delayed_at, EXCLUDED.delayed_at)
                """, logger: logger)
        case ShipmentException.eventType:
            let exception = try InsightsEvent.decode(ShipmentException.self, event)
            try await connection.query("""
                INSERT INTO shipment_facts (shipment_id, order_id, exceptions) VALUES (\(exception.shipmentId), \(exception.orderID), 1)
                ON CONFLICT (shipment_id) DO UPDATE SET exceptions = shipment_facts.exceptions + 1
                """, logger: logger)
        case ShipmentLost.eventType:
            let lost = try InsightsEvent.decode(ShipmentLost.self, event)
            try await connection.query("""
                INSERT INTO shipment_facts (shipment_id, order_id, warehouse_code, lost_at) VALUES (\(lost.shipmentId), \(lost.orderID), \(lost.warehouseId), \(lost.reportedAt))
                ON CONFLICT (shipment_id) DO UPDATE SET lost_at = least(shipment_facts.lost_at, EXCLUDED.lost_at)
                """, logger: logger)
        default:
            return
        }
    }
}
