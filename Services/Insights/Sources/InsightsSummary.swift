import Foundation
import OMSPlatform
import PostgresNIO

/// The business at a glance, and the totals that reconcile with the source services: orders by
/// outcome, revenue, refunds, parcels, returns, complaints and feedback.
/// Invariant: `netRevenueFen = revenueFen - refundedFen`; money in fen; rates are fractions 0-1.
struct InsightsSummary: Codable, Sendable, Equatable {
    var ordersReceived: Int64
    var ordersAccepted: Int64
    var ordersHeld: Int64
    var ordersRejected: Int64
    var ordersCancelled: Int64
    var revenueFen: Int64
    var discountFen: Int64
    var averageOrderValueFen: Int64
    var refunds: Int64
    var refundedFen: Int64
    var netRevenueFen: Int64
    var shipments: Int64
    var delivered: Int64
    var delayed: Int64
    var lost: Int64
    var ordersBackordered: Int64
    var backorderRate: Double?
    var returns: Int64
    var returnedUnits: Int64
    var complaints: Int64
    var openComplaints: Int64
    var feedback: Int64
    var averageRating: Double?

    static func load(client: PostgresClient, logger: Logger) async throws -> InsightsSummary {
        let orders = try await client.query("""
            SELECT count(*) FILTER (WHERE received_at IS NOT NULL)::int8,
                   count(*) FILTER (WHERE received_at IS NOT NULL AND rejected_at IS NULL AND cancelled_at IS NULL)::int8,
                   count(held_at)::int8, count(rejected_at)::int8, count(cancelled_at)::int8,
                   coalesce(sum(total_fen) FILTER (WHERE received_at IS NOT NULL AND rejected_at IS NULL AND cancelled_at IS NULL), 0)::int8,
                   coalesce(sum(discount_fen) FILTER (WHERE received_at IS NOT NULL AND rejected_at IS NULL AND cancelled_at IS NULL), 0)::int8,
                   count(*) FILTER (WHERE verified_at IS NOT NULL)::int8, count(*) FILTER (WHERE verified_at IS NOT NULL AND backordered_at IS NOT NULL)::int8
            FROM order_facts
            """, logger: logger).decode((Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64).self)
        var summary = InsightsSummary(ordersReceived: 0, ordersAccepted: 0, ordersHeld: 0, ordersRejected: 0, ordersCancelled: 0, revenueFen: 0, discountFen: 0,
                                      averageOrderValueFen: 0, refunds: 0, refundedFen: 0, netRevenueFen: 0, shipments: 0, delivered: 0, delayed: 0, lost: 0,
                                      ordersBackordered: 0, backorderRate: nil, returns: 0, returnedUnits: 0, complaints: 0, openComplaints: 0, feedback: 0, averageRating: nil)
        for try await (received, accepted, held, rejected, cancelled, revenue, discount, verified, backordered) in orders {
            summary.ordersReceived = received
            summary.ordersAccepted = accepted
            summary.ordersHeld = held
            summary.ordersRejected = rejected
            summary.ordersCancelled = cancelled
            summary.revenueFen = revenue
            summary.discountFen = discount
            summary.averageOrderValueFen = ReportTable.average(revenue, over: accepted)
            summary.ordersBackordered = backordered
            summary.backorderRate = verified == 0 ? nil : (Double(backordered) / Double(verified) * 10_000).rounded() / 10_000
        }
        let rest = try await client.query("""
            SELECT (SELECT count(*) FROM refund_facts)::int8, (SELECT coalesce(sum(amount_fen), 0) FROM refund_facts)::int8,
                   (SELECT count(*) FROM shipment_facts WHERE dispatched_at IS NOT NULL)::int8, (SELECT count(*) FROM shipment_facts WHERE delivered_at IS NOT NULL)::int8,
                   (SELECT count(*) FROM shipment_facts WHERE delayed_at IS NOT NULL OR delivered_at > estimated_delivery)::int8,
                   (SELECT count(*) FROM shipment_facts WHERE lost_at IS NOT NULL)::int8,
                   (SELECT count(*) FROM return_facts WHERE approved IS DISTINCT FROM false)::int8,
                   (SELECT coalesce(sum(rl.quantity), 0) FROM return_line_facts rl JOIN return_facts r ON r.return_id = rl.return_id WHERE r.approved IS DISTINCT FROM false)::int8,
                   (SELECT count(*) FROM complaint_facts)::int8, (SELECT count(*) FROM complaint_facts WHERE resolved_at IS NULL)::int8,
                   (SELECT count(*) FROM feedback_facts)::int8, (SELECT round(avg(rating), 2)::float8 FROM feedback_facts)
            """, logger: logger).decode((Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Double?).self)
        for try await (refunds, refunded, shipments, delivered, delayed, lost, returns, returnedUnits, complaints, open, feedback, rating) in rest {
            summary.refunds = refunds
            summary.refundedFen = refunded
            summary.netRevenueFen = summary.revenueFen - refunded
            summary.shipments = shipments
            summary.delivered = delivered
            summary.delayed = delayed
            summary.lost = lost
            summary.returns = returns
            summary.returnedUnits = returnedUnits
            summary.complaints = complaints
            summary.openComplaints = open
            summary.feedback = feedback
            summary.averageRating = rating
        }
        return summary
    }
}
