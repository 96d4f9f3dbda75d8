import Foundation
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// Units of line cancellations that were stopped, refunded part by part: the facts arrive from
/// inventory and the warehouses, possibly before after-sales holds the order's record, and each
/// part is refunded once the record is known. The refund is what the units cost as paid, less a
/// threshold promotion the remaining units no longer reach (the same calculator as returns, so a
/// later return of the rest and the order's cancellation see these units as refunded).
/// Invariant: one refund per part, id `RF-L-<cancellation>-<part>`; an order's refunds never
/// exceed what it paid.
extension RefundStore {
    static func recordLineCancellationPart(_ partID: String, cancellationId: String, orderID: String, lines: [LineQuantity], at: Date,
                                           connection: PostgresConnection, logger: Logger) async throws {
        let body = String(decoding: try EventCoding.encode(lines), as: UTF8.self)
        try await connection.query("""
            INSERT INTO line_cancellation_parts (part_id, cancellation_id, order_id, lines, cancelled_at)
            VALUES (\(partID), \(cancellationId), \(orderID), \(body)::jsonb, \(at)) ON CONFLICT (part_id) DO NOTHING
            """, logger: logger)
    }

    /// Opens the refund of every unresolved part among `orderIDs` whose order record after-sales holds.
    static func openLineCancellationRefunds(orderIDs: [String], context: TransactionContext) async throws {
        guard !orderIDs.isEmpty else { return }
        let connection = context.connection, logger = context.logger
        let rows = try await connection.query("""
            SELECT p.part_id, p.order_id, p.lines::text, p.cancelled_at FROM line_cancellation_parts p JOIN orders o USING (order_id)
            WHERE p.order_id = ANY(\(orderIDs)::text[]) AND p.resolution IS NULL
            ORDER BY p.order_id, p.cancelled_at, p.part_id FOR UPDATE OF p
            """, logger: logger)
        var parts: [(id: String, orderID: String, lines: String, at: Date)] = []
        for try await row in rows.decode((String, String, String, Date).self) { parts.append(row) }
        for part in parts {
            guard let record = try await AfterSalesRecord.load(part.orderID, lock: true, connection: connection, logger: logger, vault: context.vault) else { continue }
            let lines = try EventCoding.decode([LineQuantity].self, from: Array(part.lines.utf8))
            let resolution: String
            var refundID: String?
            if let reason = LineCancellationRefundRule.withheld(method: record.order.payment.method, awaitingPayment: record.order.payment.isAwaiting) {
                resolution = reason
            } else {
                let history = try await record.refundHistory(connection: connection, logger: logger)
                let refund = LineCancellationRefundRule.refund(lines, calculator: record.calculator, history: history)
                if refund.lines.isEmpty {
                    resolution = "nothing_due"
                } else {
                    let issued = RefundIssued(refundId: part.id, returnId: nil, orderID: part.orderID, amount: refund.amount, lines: refund.lines,
                                              clawbacks: refund.clawbacks, shippingFeeRefunded: .zero, withheldUnits: 0,
                                              paymentMethod: record.order.payment.method, issuedAt: part.at, cause: .lineCancellation)
                    try await recordRefund(issued, order: record.order, held: nil, context: context)
                    resolution = "refunded"
                    refundID = part.id
                }
            }
            try await connection.query("UPDATE line_cancellation_parts SET resolution = \(resolution), refund_id = \(refundID) WHERE part_id = \(part.id)", logger: logger)
        }
    }
}
