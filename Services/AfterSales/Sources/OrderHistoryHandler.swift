import Foundation
import OMSDomain
import OMSPlatform
import PostgresNIO

/// Keeps after-sales' record of each order: what was bought and paid (`order.received`, and
/// `order.paid` for an order sent before its payment), which
/// units left in which parcel and when each was delivered, delayed, damaged or lost
/// (`shipment.*`), and the progress of exchange replacements (`inventory.reserved` with cause
/// "exchange", `inventory.exchange-unavailable`, the replacement's `shipment.dispatched`).
/// Returns, refunds and complaints are judged against this record. Invariant: idempotent (inserts
/// ignore repeats, updates only move forward); a batch costs a constant number of statements for
/// orders and dispatches, the hot path at peak.
public struct OrderHistoryHandler: EventHandler {
    public let eventTypes: Set<String> = [OrderReceived.eventType, ShipmentDispatched.eventType, ShipmentDelivered.eventType, ShipmentDelayed.eventType,
                                          ShipmentException.eventType, ShipmentLost.eventType, InventoryReserved.eventType, ExchangeUnavailable.eventType,
                                          OrderPaid.eventType]

    public init() {}

    public func handle(batch events: [EventEnvelope], context: TransactionContext) async throws {
        let connection = context.connection, logger = context.logger
        var orders = (ids: [String](), channels: [String](), customers: [String](), bodies: [String](), promotions: [String](), paid: [Int64](), placed: [Date](), received: [Date]())
        var parcels = (ids: [String](), orders: [String](), warehouses: [String](), carriers: [String](), tracking: [String](), lines: [String](), at: [Date]())
        var later: [EventEnvelope] = []
        for event in events {
            switch event.type {
            case OrderReceived.eventType:
                let received = try decode(OrderReceived.self, event)
                let order = received.order
                orders.ids.append(order.orderID)
                orders.channels.append(order.channel.rawValue)
                orders.customers.append(order.customer.customerKey)
                orders.bodies.append(String(decoding: try EventCoding.encode(context.vault.seal(order)), as: UTF8.self))
                orders.promotions.append(String(decoding: try EventCoding.encode(received.appliedPromotions), as: UTF8.self))
                orders.paid.append(max(order.payment.paidAmount.minorUnits, order.total.minorUnits))
                orders.placed.append(order.placedAt)
                orders.received.append(received.receivedAt)
            case ShipmentDispatched.eventType:
                let dispatched = try decode(ShipmentDispatched.self, event)
                parcels.ids.append(dispatched.shipmentId)
                parcels.orders.append(dispatched.orderID)
                parcels.warehouses.append(dispatched.warehouseId)
                parcels.carriers.append(dispatched.carrier)
                parcels.tracking.append(dispatched.trackingNumber)
                parcels.lines.append(String(decoding: try EventCoding.encode(dispatched.lines), as: UTF8.self))
                parcels.at.append(dispatched.dispatchedAt)
            default:
                later.append(event)
            }
        }
        if !orders.ids.isEmpty {
            try await connection.query("""
                INSERT INTO orders (order_id, channel, customer_key, body, promotions, paid_fen, placed_at, received_at)
                SELECT o, c, k, b::jsonb, p::jsonb, f, pl, r
                FROM unnest(\(orders.ids)::text[], \(orders.channels)::text[], \(orders.customers)::text[], \(orders.bodies)::text[], \(orders.promotions)::text[],
                            \(orders.paid)::int8[], \(orders.placed)::timestamptz[], \(orders.received)::timestamptz[]) AS u(o, c, k, b, p, f, pl, r)
                ON CONFLICT (order_id) DO NOTHING
                """, logger: logger)
            // A rejection read before its order (another topic) waited for this record.
            try await RefundStore.openClosureRefunds(orderIDs: orders.ids, context: context)
            try await RefundStore.openLineCancellationRefunds(orderIDs: orders.ids, context: context)
        }
        if !parcels.ids.isEmpty {
            try await connection.query("""
                INSERT INTO parcels (shipment_id, order_id, warehouse_code, carrier, tracking_number, lines, dispatched_at)
                SELECT s, o, w, c, t, l::jsonb, d
                FROM unnest(\(parcels.ids)::text[], \(parcels.orders)::text[], \(parcels.warehouses)::text[], \(parcels.carriers)::text[], \(parcels.tracking)::text[],
                            \(parcels.lines)::text[], \(parcels.at)::timestamptz[]) AS u(s, o, w, c, t, l, d)
                ON CONFLICT (shipment_id) DO NOTHING
                """, logger: logger)
            // A replacement left the warehouse: the exchange is shipped, or closed if the original is back.
            try await connection.query("""
                UPDATE exchanges e SET replacement_tracking = p.tracking_number,
                       status = CASE WHEN e.original_received_at IS NULL THEN 'replacementShipped' ELSE 'closed' END,
                       closed_at = CASE WHEN e.original_received_at IS NULL THEN NULL ELSE p.dispatched_at END
                FROM parcels p, jsonb_array_elements(p.lines) AS line
                WHERE p.shipment_id = ANY(\(parcels.ids)::text[]) AND e.order_id = p.order_id
                  AND e.replacement_line = (line->>'lineNumber')::int AND e.status IN ('requested', 'replacementReserved')
                """, logger: logger)
        }
        for event in later {
            try await apply(event, connection: connection, logger: context.logger)
        }
    }

    private func apply(_ event: EventEnvelope, connection: PostgresConnection, logger: Logger) async throws {
        switch event.type {
        case ShipmentDelivered.eventType:
            let delivered = try decode(ShipmentDelivered.self, event)
            try await connection.query("UPDATE parcels SET delivered_at = \(delivered.deliveredAt) WHERE shipment_id = \(delivered.shipmentId) AND delivered_at IS NULL", logger: logger)
        case ShipmentDelayed.eventType:
            let delayed = try decode(ShipmentDelayed.self, event)
            try await connection.query("UPDATE parcels SET delayed = true WHERE shipment_id = \(delayed.shipmentId)", logger: logger)
        case ShipmentException.eventType:
            let exception = try decode(ShipmentException.self, event)
            try await connection.query("UPDATE parcels SET exception = true WHERE shipment_id = \(exception.shipmentId)", logger: logger)
        case ShipmentLost.eventType:
            let lost = try decode(ShipmentLost.self, event)
            try await connection.query("UPDATE parcels SET lost = true, exception = true WHERE shipment_id = \(lost.shipmentId)", logger: logger)
        case InventoryReserved.eventType:
            let reserved = try decode(InventoryReserved.self, event)
            guard reserved.cause == "exchange" else { return }
            for allocation in reserved.allocations where allocation.lineNumber > 1000 {
                try await connection.query("""
                    UPDATE exchanges SET status = 'replacementReserved', replacement_warehouse = \(allocation.warehouseId)
                    WHERE order_id = \(reserved.orderID) AND replacement_line = \(allocation.lineNumber) AND status = 'requested'
                    """, logger: logger)
            }
        case OrderPaid.eventType:
            // An order sent before its payment is paid now: refunds go back to this payment.
            let paid = try decode(OrderPaid.self, event)
            let payment = String(decoding: try EventCoding.encode(paid.payment), as: UTF8.self)
            try await connection.query("""
                UPDATE orders SET body = jsonb_set(body, '{payment}', \(payment)::jsonb), paid_fen = greatest(paid_fen, \(paid.payment.paidAmount.minorUnits))
                WHERE order_id = \(paid.orderID)
                """, logger: logger)
        case ExchangeUnavailable.eventType:
            let unavailable = try decode(ExchangeUnavailable.self, event)
            try await connection.query("""
                UPDATE exchanges SET status = 'replacementUnavailable' WHERE exchange_id = \(unavailable.exchangeId) AND status = 'requested'
                """, logger: logger)
        default:
            return
        }
    }

    private func decode<E: DomainEvent>(_ type: E.Type, _ event: EventEnvelope) throws -> E {
        do { return try event.decode(type) } catch { throw HandlerRejection("undecodable \(event.type): \(error)") }
    }
}
