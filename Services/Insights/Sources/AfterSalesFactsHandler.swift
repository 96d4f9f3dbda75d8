import Foundation
import OMSDomain
import OMSPlatform
import PostgresNIO

/// Keeps the after-sales facts: returns (reason, lines, decision, receipt), refunds, complaints
/// (category, the carrier, warehouse and SKU they concern, escalation, resolution) and feedback.
/// Invariant: commutative upserts; a complaint's escalation level only grows.
public struct AfterSalesFactsHandler: EventHandler {
    public let eventTypes: Set<String> = [ReturnRequested.eventType, ReturnDecided.eventType, ReturnReceived.eventType, RefundIssued.eventType, RefundSettled.eventType,
                                          ComplaintRecorded.eventType, ComplaintEscalated.eventType, ComplaintResolved.eventType, FeedbackRecorded.eventType]

    public init() {}

    public func handle(batch events: [EventEnvelope], context: TransactionContext) async throws {
        for event in events { try await apply(event, context: context) }
    }

    private func apply(_ event: EventEnvelope, context: TransactionContext) async throws {
        let connection = context.connection, logger = context.logger
        switch event.type {
        case ReturnRequested.eventType:
            let requested = try InsightsEvent.decode(ReturnRequested.self, event)
            // An automatically approved request carries its decision; a manual one waits for return.decided.
            let approved: Bool? = requested.approved ? true : nil
            try await connection.query("""
                INSERT INTO return_facts (return_id, order_id, reason, requested_at, approved)
                VALUES (\(requested.returnId), \(requested.orderID), \(requested.reason.rawValue), \(requested.requestedAt), \(approved))
                ON CONFLICT (return_id) DO UPDATE SET reason = EXCLUDED.reason, requested_at = EXCLUDED.requested_at,
                    approved = coalesce(return_facts.approved, EXCLUDED.approved)
                """, logger: logger)
            let lines = requested.lines
            try await connection.query("""
                INSERT INTO return_line_facts (return_id, line_number, sku, quantity)
                SELECT \(requested.returnId), n, s, q FROM unnest(\(lines.map(\.lineNumber))::int8[], \(lines.map(\.sku))::text[], \(lines.map(\.quantity))::int8[]) AS u(n, s, q)
                ON CONFLICT (return_id, line_number) DO NOTHING
                """, logger: logger)
        case ReturnDecided.eventType:
            let decided = try InsightsEvent.decode(ReturnDecided.self, event)
            try await connection.query("""
                INSERT INTO return_facts (return_id, order_id, approved) VALUES (\(decided.returnId), \(decided.orderID), \(decided.approved))
                ON CONFLICT (return_id) DO UPDATE SET approved = EXCLUDED.approved
                """, logger: logger)
        case ReturnReceived.eventType:
            let received = try InsightsEvent.decode(ReturnReceived.self, event)
            try await connection.query("""
                INSERT INTO return_facts (return_id, order_id, received_at) VALUES (\(received.returnId), \(received.orderID), \(received.receivedAt))
                ON CONFLICT (return_id) DO UPDATE SET received_at = least(return_facts.received_at, EXCLUDED.received_at)
                """, logger: logger)
        case RefundIssued.eventType:
            let refund = try InsightsEvent.decode(RefundIssued.self, event)
            try await connection.query("""
                INSERT INTO refund_facts (refund_id, return_id, order_id, amount_fen, issued_at, cause)
                VALUES (\(refund.refundId), \(refund.returnId), \(refund.orderID), \(refund.amount.minorUnits), \(refund.issuedAt), \((refund.cause ?? .return).rawValue))
                ON CONFLICT (refund_id) DO NOTHING
                """, logger: logger)
        case RefundSettled.eventType:
            // Both events of a refund are keyed by its order on one topic, so the refund is read first.
            let settled = try InsightsEvent.decode(RefundSettled.self, event)
            try await connection.query("""
                UPDATE refund_facts SET outcome = \(settled.refundOutcome.rawValue), settled_at = \(settled.settledAt) WHERE refund_id = \(settled.refundId)
                """, logger: logger)
        case ComplaintRecorded.eventType:
            try await complaint(try InsightsEvent.decode(ComplaintRecorded.self, event).complaint, recorded: true, resolvedWithinSLA: nil, connection, logger)
        case ComplaintEscalated.eventType:
            try await complaint(try InsightsEvent.decode(ComplaintEscalated.self, event).complaint, recorded: false, resolvedWithinSLA: nil, connection, logger)
        case ComplaintResolved.eventType:
            let resolved = try InsightsEvent.decode(ComplaintResolved.self, event)
            try await complaint(resolved.complaint, recorded: false, resolvedWithinSLA: resolved.withinSLA, connection, logger)
        case FeedbackRecorded.eventType:
            let feedback = try InsightsEvent.decode(FeedbackRecorded.self, event)
            try await connection.query("""
                INSERT INTO feedback_facts (order_id, rating, recorded_at) VALUES (\(feedback.orderID), \(feedback.rating), \(feedback.recordedAt))
                ON CONFLICT (order_id) DO NOTHING
                """, logger: logger)
        default:
            return
        }
    }

    /// Every complaint event carries the whole complaint; each adds what it knows.
    private func complaint(_ c: ComplaintChanged, recorded: Bool, resolvedWithinSLA: Bool?, _ connection: PostgresConnection, _ logger: Logger) async throws {
        let recordedAt: Date? = recorded ? c.at : nil
        let resolvedAt: Date? = resolvedWithinSLA == nil ? nil : c.at
        try await connection.query("""
            INSERT INTO complaint_facts (complaint_id, order_id, category, severity, team, carrier, warehouse_code, sku, recorded_at, escalation_level, resolved_at, resolved_within_sla)
            VALUES (\(c.complaintId), \(c.orderID), \(c.category.rawValue), \(c.severity.rawValue), \(c.team.rawValue), \(c.carrier), \(c.warehouseId), \(c.sku),
                    \(recordedAt), \(c.escalationLevel), \(resolvedAt), \(resolvedWithinSLA))
            ON CONFLICT (complaint_id) DO UPDATE SET recorded_at = least(complaint_facts.recorded_at, EXCLUDED.recorded_at),
                escalation_level = greatest(complaint_facts.escalation_level, EXCLUDED.escalation_level),
                resolved_at = least(complaint_facts.resolved_at, EXCLUDED.resolved_at),
                resolved_within_sla = coalesce(complaint_facts.resolved_within_sla, EXCLUDED.resolved_within_sla),
                carrier = coalesce(complaint_facts.carrier, EXCLUDED.carrier), warehouse_code = coalesce(complaint_facts.warehouse_code, EXCLUDED.warehouse_code),
                sku = coalesce(complaint_facts.sku, EXCLUDED.sku)
            """, logger: logger)
    }
}
