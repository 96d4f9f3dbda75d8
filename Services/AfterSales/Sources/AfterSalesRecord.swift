import Foundation
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// Reads of after-sales' record of one order, shared by the routes: the order as paid, each
/// line's delivered and returned units, its parcels, what earlier refunds gave back.
/// Invariant: `load(lock: true)` locks the order row, so two requests on one order (two returns,
/// a return and an exchange) are judged one after the other and never over-return.
struct AfterSalesRecord: Sendable {
    let order: Order
    let promotions: [AppliedPromotion]
    let paid: Money

    static func load(_ orderID: String, lock: Bool, connection: PostgresConnection, logger: Logger, vault: PIIVault) async throws -> AfterSalesRecord? {
        let rows = lock
            ? try await connection.query("SELECT body::text, promotions::text, paid_fen FROM orders WHERE order_id = \(orderID) FOR UPDATE", logger: logger)
            : try await connection.query("SELECT body::text, promotions::text, paid_fen FROM orders WHERE order_id = \(orderID)", logger: logger)
        var record: AfterSalesRecord?
        for try await (body, promotions, paid) in rows.decode((String, String, Int64).self) {
            record = AfterSalesRecord(order: try vault.open(EventCoding.decode(Order.self, from: Array(body.utf8))),
                                      promotions: try EventCoding.decode([AppliedPromotion].self, from: Array(promotions.utf8)), paid: .fen(paid))
        }
        return record
    }

    /// Ordered, delivered and returned (or being returned or exchanged) units per line. A till
    /// sale's units left the store with the customer when it was rung up: delivered then.
    func lineStates(connection: PostgresConnection, logger: Logger) async throws -> [Int: ReturnPolicy.LineState] {
        let tillSale = order.channel == .pos
        var states = Dictionary(uniqueKeysWithValues: order.lines.map {
            ($0.lineNumber, ReturnPolicy.LineState(lineNumber: $0.lineNumber, sku: $0.sku, ordered: $0.quantity, delivered: tillSale ? $0.quantity : 0, returned: 0,
                                                   deliveredAt: tillSale ? order.placedAt : nil))
        })
        let delivered = try await connection.query("""
            SELECT (line->>'lineNumber')::int8, sum((line->>'quantity')::int8)::int8, max(p.delivered_at)
            FROM parcels p, jsonb_array_elements(p.lines) AS line WHERE p.order_id = \(order.orderID) AND p.delivered_at IS NOT NULL GROUP BY 1
            """, logger: logger)
        for try await (line, units, at) in delivered.decode((Int, Int, Date).self) {
            states[line]?.delivered = units
            states[line]?.deliveredAt = at
        }
        let returned = try await connection.query("""
            SELECT (line->>'lineNumber')::int8, sum((line->>'quantity')::int8)::int8
            FROM returns r, jsonb_array_elements(r.lines) AS line WHERE r.order_id = \(order.orderID) AND r.status <> 'rejected' GROUP BY 1
            UNION ALL
            SELECT original_line::int8, sum(quantity)::int8 FROM exchanges
            WHERE order_id = \(order.orderID) AND status NOT IN ('replacementUnavailable', 'convertedToRefund') GROUP BY 1
            """, logger: logger)
        for try await (line, units) in returned.decode((Int, Int).self) { states[line]?.returned += units }
        return states
    }

    /// The order's parcels, latest first last, for complaint routing.
    func parcels(connection: PostgresConnection, logger: Logger) async throws -> [ComplaintRouter.Parcel] {
        let rows = try await connection.query("""
            SELECT warehouse_code, carrier, lines::text, delayed, exception FROM parcels WHERE order_id = \(order.orderID) ORDER BY dispatched_at, shipment_id
            """, logger: logger)
        var parcels: [ComplaintRouter.Parcel] = []
        for try await (warehouse, carrier, lines, delayed, exception) in rows.decode((String, String, String, Bool, Bool).self) {
            let skus = (try? EventCoding.decode([ParcelLine].self, from: Array(lines.utf8)))?.map(\.sku) ?? []
            parcels.append(ComplaintRouter.Parcel(warehouseId: warehouse, carrier: carrier, skus: skus, delayed: delayed, exception: exception))
        }
        return parcels
    }

    /// What the order's earlier refunds gave back.
    func refundHistory(connection: PostgresConnection, logger: Logger) async throws -> RefundCalculator.History {
        let rows = try await connection.query("SELECT detail::text FROM refunds WHERE order_id = \(order.orderID) AND status <> 'voided' AND part_of IS NULL", logger: logger)
        var history = RefundCalculator.History()
        for try await text in rows.decode(String.self) {
            let refund = try EventCoding.decode(RefundIssued.self, from: Array(text.utf8))
            for line in refund.lines { history.refundedUnits[line.lineNumber, default: 0] += line.quantity }
            for clawback in refund.clawbacks { history.clawedBack[clawback.promotionID] = (history.clawedBack[clawback.promotionID] ?? .zero) + clawback.amount }
            if refund.shippingFeeRefunded.minorUnits > 0 { history.shippingRefunded = true }
            history.refundedTotal = history.refundedTotal + refund.amount
        }
        return history
    }

    var calculator: RefundCalculator {
        RefundCalculator(order: .init(lines: order.lines, promotions: promotions, shippingFee: order.shippingFee, paid: paid))
    }
}
