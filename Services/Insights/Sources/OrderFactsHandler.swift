import Foundation
import OMSDomain
import OMSPlatform
import PostgresNIO

/// Keeps `order_facts` and `order_line_facts` from the order's life: received (what was bought,
/// paid and where it goes), paid (an order sent before its payment), verified, held, rejected (at intake or by risk), cancelled, reserved
/// and backordered. Invariant: commutative upserts (first times take `least`), so the facts do not
/// depend on the order in which events of different topics arrive; a batch costs at most one
/// statement per kind of fact, whatever its size.
public struct OrderFactsHandler: EventHandler {
    public let eventTypes: Set<String> = [OrderReceived.eventType, OrderRejected.eventType, OrderCancelled.eventType, OrderVerified.eventType,
                                          OrderHeld.eventType, InventoryReserved.eventType, InventoryBackordered.eventType, OrderPaid.eventType]

    public init() {}

    /// Moments in an order's life kept as "first time it happened" columns.
    enum Milestone: String, CaseIterable {
        case cancelled = "cancelled_at", verified = "verified_at", held = "held_at", reserved = "reserved_at", backordered = "backordered_at"
    }

    public func handle(batch events: [EventEnvelope], context: TransactionContext) async throws {
        var received: [String: OrderReceived] = [:]
        var rejected: [String: (channel: String, at: Date, by: String)] = [:]
        var milestones: [Milestone: [String: Date]] = [:]
        var paid: [String: Int64] = [:]
        func stamp(_ milestone: Milestone, _ orderID: String, _ at: Date) {
            milestones[milestone, default: [:]][orderID] = min(at, milestones[milestone]?[orderID] ?? at)
        }
        for event in events {
            switch event.type {
            case OrderReceived.eventType:
                let body = try InsightsEvent.decode(OrderReceived.self, event)
                // One row per order and statement (ON CONFLICT may touch a row once): keep the first receipt.
                if let known = received[body.order.orderID], known.receivedAt <= body.receivedAt { continue }
                received[body.order.orderID] = body
            case OrderRejected.eventType:
                let body = try InsightsEvent.decode(OrderRejected.self, event)
                if let known = rejected[body.orderID], known.at <= body.rejectedAt { continue }
                rejected[body.orderID] = (body.channel.rawValue, body.rejectedAt, event.producer.rawValue)
            case OrderCancelled.eventType:
                let body = try InsightsEvent.decode(OrderCancelled.self, event)
                stamp(.cancelled, body.orderID, body.cancelledAt)
            case OrderVerified.eventType:
                let body = try InsightsEvent.decode(OrderVerified.self, event)
                stamp(.verified, body.orderID, body.verifiedAt)
            case OrderHeld.eventType:
                let body = try InsightsEvent.decode(OrderHeld.self, event)
                stamp(.held, body.orderID, body.heldAt)
            case InventoryReserved.eventType:
                let body = try InsightsEvent.decode(InventoryReserved.self, event)
                stamp(.reserved, body.orderID, body.reservedAt)
            case InventoryBackordered.eventType:
                let body = try InsightsEvent.decode(InventoryBackordered.self, event)
                stamp(.backordered, body.orderID, body.backorderedAt)
            case OrderPaid.eventType:
                let body = try InsightsEvent.decode(OrderPaid.self, event)
                paid[body.orderID] = body.payment.paidAmount.minorUnits
            default:
                continue
            }
        }
        let connection = context.connection, logger = context.logger
        if !received.isEmpty { try await write(received: Array(received.values), connection, logger) }
        if !rejected.isEmpty {
            // Intake rejects before an order is received; risk after. Either way the order earns nothing.
            let ids = Array(rejected.keys)
            try await connection.query("""
                INSERT INTO order_facts (order_id, channel, rejected_at, rejected_by)
                SELECT o, c, a, b FROM unnest(\(ids)::text[], \(ids.map { rejected[$0]!.channel })::text[], \(ids.map { rejected[$0]!.at })::timestamptz[],
                                              \(ids.map { rejected[$0]!.by })::text[]) AS u(o, c, a, b)
                ON CONFLICT (order_id) DO UPDATE SET channel = coalesce(order_facts.channel, EXCLUDED.channel),
                    rejected_at = least(order_facts.rejected_at, EXCLUDED.rejected_at), rejected_by = coalesce(order_facts.rejected_by, EXCLUDED.rejected_by)
                """, logger: logger)
        }
        for milestone in Milestone.allCases {
            guard let times = milestones[milestone] else { continue }
            try await write(milestone, Array(times.keys), times, connection, logger)
        }
        if !paid.isEmpty {
            // An order sent before its payment: paid now (its order.received came first, on the same partition).
            let ids = Array(paid.keys)
            try await connection.query("""
                UPDATE order_facts o SET paid_fen = u.f FROM unnest(\(ids)::text[], \(ids.map { paid[$0]! })::int8[]) AS u(id, f) WHERE o.order_id = u.id
                """, logger: logger)
        }
    }

    private func write(received: [OrderReceived], _ connection: PostgresConnection, _ logger: Logger) async throws {
        let orders = received.map(\.order)
        try await connection.query("""
            INSERT INTO order_facts (order_id, channel, customer_key, province, city, placed_at, received_at, goods_fen, discount_fen, shipping_fen, total_fen, units,
                                     payment_method, paid_fen)
            SELECT o, c, k, nullif(p, ''), nullif(ci, ''), pl, r, g, d, s, t, u, pm, pf
            FROM unnest(\(orders.map(\.orderID))::text[], \(orders.map(\.channel.rawValue))::text[], \(orders.map { $0.customer.personKey ?? $0.customer.customerKey })::text[],
                                 \(orders.map { $0.deliveryAddress?.province ?? "" })::text[], \(orders.map { $0.deliveryAddress?.city ?? "" })::text[],
                                 \(orders.map(\.placedAt))::timestamptz[], \(received.map(\.receivedAt))::timestamptz[], \(orders.map(\.goodsTotal.minorUnits))::int8[],
                                 \(orders.map(\.discountTotal.minorUnits))::int8[], \(orders.map(\.shippingFee.minorUnits))::int8[], \(orders.map(\.total.minorUnits))::int8[],
                                 \(orders.map { $0.lines.reduce(0) { $0 + $1.quantity } })::int8[], \(orders.map(\.payment.method.rawValue))::text[],
                                 \(orders.map(\.payment.paidAmount.minorUnits))::int8[]) AS x(o, c, k, p, ci, pl, r, g, d, s, t, u, pm, pf)
            ON CONFLICT (order_id) DO UPDATE SET channel = EXCLUDED.channel, customer_key = EXCLUDED.customer_key, province = EXCLUDED.province,
                city = EXCLUDED.city, placed_at = EXCLUDED.placed_at, received_at = least(order_facts.received_at, EXCLUDED.received_at),
                goods_fen = EXCLUDED.goods_fen, discount_fen = EXCLUDED.discount_fen, shipping_fen = EXCLUDED.shipping_fen,
                total_fen = EXCLUDED.total_fen, units = EXCLUDED.units, payment_method = EXCLUDED.payment_method, paid_fen = EXCLUDED.paid_fen
            """, logger: logger)
        let lines = orders.flatMap { order in order.lines.map { (order.orderID, $0) } }
        try await connection.query("""
            INSERT INTO order_line_facts (order_id, line_number, sku, category, quantity, goods_fen, discount_fen, gift, category_from_master)
            SELECT x.o, x.n, x.s, coalesce(NULLIF(x.c, ''), p.category, '(uncategorised)'), x.q, x.g, x.d, x.gi, NULLIF(x.c, '') IS NULL
            FROM unnest(\(lines.map(\.0))::text[], \(lines.map(\.1.lineNumber))::int8[], \(lines.map(\.1.sku))::text[],
                        \(lines.map { $0.1.category ?? "" })::text[], \(lines.map(\.1.quantity))::int8[],
                        \(lines.map(\.1.lineTotal.minorUnits))::int8[], \(lines.map(\.1.allocatedDiscount.minorUnits))::int8[], \(lines.map(\.1.isGift))::bool[])
                 AS x(o, n, s, c, q, g, d, gi)
            LEFT JOIN products p ON p.sku = x.s
            ON CONFLICT (order_id, line_number) DO NOTHING
            """, logger: logger)
    }

    /// Records the first time `milestone` happened to each order. The column name comes from the
    /// enum, never from input; the values are bound parameters.
    private func write(_ milestone: Milestone, _ ids: [String], _ times: [String: Date], _ connection: PostgresConnection, _ logger: Logger) async throws {
        let column = milestone.rawValue
        try await connection.query("""
            INSERT INTO order_facts (order_id, \(unescaped: column))
            SELECT * FROM unnest(\(ids)::text[], \(ids.map { times[$0]! })::timestamptz[])
            ON CONFLICT (order_id) DO UPDATE SET \(unescaped: column) = least(order_facts.\(unescaped: column), EXCLUDED.\(unescaped: column))
            """, logger: logger)
    }
}
