import Foundation
import OMSDomain
import OMSPlatform
import PostgresNIO

/// Keeps `order_facts` and `order_line_facts` from the order's life: received (what was bought,
/// paid and where it goes), verified, held, rejected (at intake or by risk), cancelled, reserved
/// and backordered. Invariant: commutative upserts (first times take `least`), so the facts do not
/// depend on the order in which events of different topics arrive.
public struct OrderFactsHandler: EventHandler {
    public let eventTypes: Set<String> = [OrderReceived.eventType, OrderRejected.eventType, OrderCancelled.eventType, OrderVerified.eventType,
                                          OrderHeld.eventType, InventoryReserved.eventType, InventoryBackordered.eventType]

    public init() {}

    public func handle(_ event: EventEnvelope, context: TransactionContext) async throws {
        let connection = context.connection, logger = context.logger
        switch event.type {
        case OrderReceived.eventType:
            let received = try InsightsEvent.decode(OrderReceived.self, event)
            let order = received.order
            let units = order.lines.reduce(0) { $0 + $1.quantity }
            try await connection.query("""
                INSERT INTO order_facts (order_id, channel, customer_key, province, city, placed_at, received_at, goods_fen, discount_fen, shipping_fen, total_fen, units)
                VALUES (\(order.orderID), \(order.channel.rawValue), \(order.customer.customerKey), \(order.deliveryAddress?.province), \(order.deliveryAddress?.city),
                        \(order.placedAt), \(received.receivedAt), \(order.goodsTotal.minorUnits), \(order.discountTotal.minorUnits), \(order.shippingFee.minorUnits),
                        \(order.total.minorUnits), \(units))
                ON CONFLICT (order_id) DO UPDATE SET channel = EXCLUDED.channel, customer_key = EXCLUDED.customer_key, province = EXCLUDED.province,
                    city = EXCLUDED.city, placed_at = EXCLUDED.placed_at, received_at = least(order_facts.received_at, EXCLUDED.received_at),
                    goods_fen = EXCLUDED.goods_fen, discount_fen = EXCLUDED.discount_fen, shipping_fen = EXCLUDED.shipping_fen,
                    total_fen = EXCLUDED.total_fen, units = EXCLUDED.units
                """, logger: logger)
            let lines = order.lines
            try await connection.query("""
                INSERT INTO order_line_facts (order_id, line_number, sku, category, quantity, goods_fen, discount_fen, gift)
                SELECT \(order.orderID), n, s, c, q, g, d, f
                FROM unnest(\(lines.map(\.lineNumber))::int8[], \(lines.map(\.sku))::text[], \(lines.map { $0.category ?? "(uncategorised)" })::text[],
                            \(lines.map(\.quantity))::int8[], \(lines.map(\.lineTotal.minorUnits))::int8[], \(lines.map(\.allocatedDiscount.minorUnits))::int8[],
                            \(lines.map(\.isGift))::bool[]) AS u(n, s, c, q, g, d, f)
                ON CONFLICT (order_id, line_number) DO NOTHING
                """, logger: logger)
        case OrderRejected.eventType:
            let rejected = try InsightsEvent.decode(OrderRejected.self, event)
            // Intake rejects before an order is received; risk after. Either way the order earns nothing.
            try await connection.query("""
                INSERT INTO order_facts (order_id, channel, rejected_at, rejected_by) VALUES (\(rejected.orderID), \(rejected.channel.rawValue), \(rejected.rejectedAt), \(event.producer.rawValue))
                ON CONFLICT (order_id) DO UPDATE SET channel = coalesce(order_facts.channel, EXCLUDED.channel),
                    rejected_at = least(order_facts.rejected_at, EXCLUDED.rejected_at), rejected_by = coalesce(order_facts.rejected_by, EXCLUDED.rejected_by)
                """, logger: logger)
        case OrderCancelled.eventType:
            let cancelled = try InsightsEvent.decode(OrderCancelled.self, event)
            try await stamp(.cancelled, cancelled.orderID, cancelled.cancelledAt, connection, logger)
        case OrderVerified.eventType:
            let verified = try InsightsEvent.decode(OrderVerified.self, event)
            try await stamp(.verified, verified.orderID, verified.verifiedAt, connection, logger)
        case OrderHeld.eventType:
            let held = try InsightsEvent.decode(OrderHeld.self, event)
            try await stamp(.held, held.orderID, held.heldAt, connection, logger)
        case InventoryReserved.eventType:
            let reserved = try InsightsEvent.decode(InventoryReserved.self, event)
            try await stamp(.reserved, reserved.orderID, reserved.reservedAt, connection, logger)
        case InventoryBackordered.eventType:
            let backordered = try InsightsEvent.decode(InventoryBackordered.self, event)
            try await stamp(.backordered, backordered.orderID, backordered.backorderedAt, connection, logger)
        default:
            return
        }
    }

    /// Moments in an order's life kept as "first time it happened" columns.
    enum Milestone: String {
        case cancelled = "cancelled_at", verified = "verified_at", held = "held_at", reserved = "reserved_at", backordered = "backordered_at"
    }

    /// Records the first time `milestone` happened to an order. The column name comes from the
    /// enum, never from input; the values are bound parameters.
    private func stamp(_ milestone: Milestone, _ orderID: String, _ at: Date, _ connection: PostgresConnection, _ logger: Logger) async throws {
        let column = milestone.rawValue
        var query = PostgresQuery(unsafeSQL: """
            INSERT INTO order_facts (order_id, \(column)) VALUES ($1, $2)
            ON CONFLICT (order_id) DO UPDATE SET \(column) = least(order_facts.\(column), EXCLUDED.\(column))
            """)
        try query.binds.append(orderID, context: .default)
        try query.binds.append(at, context: .default)
        try await connection.query(query, logger: logger)
    }
}
