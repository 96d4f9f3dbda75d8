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

    /// An accepted substitution: its replacement line and the difference, kept as a part of its own.
    static func recordSubstitutionPart(_ substituted: InventoryLineSubstituted, connection: PostgresConnection, logger: Logger) async throws {
        let lines = String(decoding: try EventCoding.encode([substituted.replaced]), as: UTF8.self)
        let replacement = String(decoding: try EventCoding.encode(substituted.replacement), as: UTF8.self)
        try await connection.query("""
            INSERT INTO line_cancellation_parts (part_id, cancellation_id, order_id, lines, cancelled_at, replacement, difference_refund_fen)
            VALUES (\("RF-S-\(substituted.substitutionId)"), \(substituted.substitutionId), \(substituted.orderID), \(lines)::jsonb, \(substituted.decidedAt),
                    \(replacement)::jsonb, \(substituted.differenceRefund.minorUnits))
            ON CONFLICT (part_id) DO NOTHING
            """, logger: logger)
    }

    /// Opens the refund of every unresolved part among `orderIDs` whose order record after-sales holds.
    static func openLineCancellationRefunds(orderIDs: [String], context: TransactionContext) async throws {
        guard !orderIDs.isEmpty else { return }
        let connection = context.connection, logger = context.logger
        let rows = try await connection.query("""
            SELECT p.part_id, p.order_id, p.lines::text, p.cancelled_at, p.replacement::text, p.difference_refund_fen FROM line_cancellation_parts p JOIN orders o USING (order_id)
            WHERE p.order_id = ANY(\(orderIDs)::text[]) AND p.resolution IS NULL
            ORDER BY p.order_id, p.cancelled_at, p.part_id FOR UPDATE OF p
            """, logger: logger)
        var parts: [(id: String, orderID: String, lines: String, at: Date, replacement: String?, difference: Int64?)] = []
        for try await row in rows.decode((String, String, String, Date, String?, Int64?).self) { parts.append(row) }
        for part in parts {
            if let replacement = part.replacement {
                try await openSubstitution(part.id, orderID: part.orderID, replaced: part.lines, replacement: replacement, difference: part.difference ?? 0, at: part.at,
                                           context: context)
                continue
            }
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

    /// The replacement joins the order's record (returns judge it like any line); the difference
    /// is refunded when the payment allows, the replaced units counted as refunded.
    private static func openSubstitution(_ partID: String, orderID: String, replaced: String, replacement: String, difference: Int64, at: Date,
                                         context: TransactionContext) async throws {
        let connection = context.connection, logger = context.logger
        let line = try EventCoding.decode(OrderLine.self, from: Array(replacement.utf8))
        try await connection.query("""
            UPDATE orders SET body = jsonb_set(body, '{lines}', (body->'lines') || jsonb_build_array(\(replacement)::jsonb))
            WHERE order_id = \(orderID) AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(body->'lines') AS l WHERE (l->>'lineNumber')::int = \(line.lineNumber))
            """, logger: logger)
        guard let record = try await AfterSalesRecord.load(orderID, lock: true, connection: connection, logger: logger, vault: context.vault) else { return }
        let units = try EventCoding.decode([LineQuantity].self, from: Array(replaced.utf8))
        var resolution = "nothing_due", refundID: String?
        if let reason = LineCancellationRefundRule.withheld(method: record.order.payment.method, awaitingPayment: record.order.payment.isAwaiting) {
            resolution = reason
        } else if difference > 0 {
            let history = try await record.refundHistory(connection: connection, logger: logger)
            let amount = Money.fen(min(difference, max(0, (record.paid - history.refundedTotal).minorUnits)))
            let issued = RefundIssued(refundId: partID, returnId: nil, orderID: orderID, amount: amount,
                                      lines: units.map { RefundLine(lineNumber: $0.lineNumber, sku: $0.sku, quantity: $0.quantity, amount: amount) },
                                      clawbacks: [], shippingFeeRefunded: .zero, withheldUnits: 0, paymentMethod: record.order.payment.method, issuedAt: at,
                                      cause: .substitution)
            try await recordRefund(issued, order: record.order, held: nil, context: context)
            resolution = "refunded"
            refundID = partID
        }
        try await connection.query("UPDATE line_cancellation_parts SET resolution = \(resolution), refund_id = \(refundID) WHERE part_id = \(partID)", logger: logger)
    }
}
