import Foundation
import OMSPlatform
import PostgresNIO

/// Money per Asia/Shanghai order day and channel, for finance: what customers paid up front,
/// cash on delivery expected and collected, refunds requested and how they ended, and what is
/// still outstanding. Every figure belongs to its order's day and channel (received orders,
/// cancelled and rejected ones included: their money came in and goes back), so the rows add up to
/// the orders' own sums. Invariant: money in fen; no row counts an order, a refund or a parcel twice.
///
/// - `paidFen`: paid up front (every method but cash on delivery);
/// - `codExpectedFen`: cash-on-delivery orders' totals, cancelled and rejected ones left out;
/// - `codCollectedFen`: what couriers reported collecting on delivery;
/// - `refundsRequestedFen` / `refundsPaidFen` / `refundsOwedFen` / `refundsFailedFen` /
///   `refundsPendingFen`: refunds issued, paid by a provider, owed in cash by staff, failed for
///   good, still under way (requested = paid + owed + failed + pending);
/// - `refundsOutstandingFen` = requested − paid; `codOutstandingFen` = expected − collected;
/// - `netFen` = paid + collected − refunds paid − refunds owed.
struct FinanceReport: Sendable {
    enum Grouping: String, CaseIterable, Sendable {
        case dayAndChannel, day, channel

        var keys: [String] {
            switch self {
            case .dayAndChannel: ["day", "channel"]
            case .day: ["day"]
            case .channel: ["channel"]
            }
        }
    }

    static let columns = ["orders", "paidFen", "codExpectedFen", "codCollectedFen", "refundsRequestedFen", "refundsPaidFen", "refundsOwedFen",
                          "refundsFailedFen", "refundsPendingFen", "refundsOutstandingFen", "codOutstandingFen", "netFen"]

    let grouping: Grouping
    let window: ReportWindow

    func table(client: PostgresClient, logger: Logger) async throws -> ReportTable {
        let rows = try await client.query("""
            WITH r AS (SELECT order_id, sum(amount_fen) AS requested,
                              coalesce(sum(amount_fen) FILTER (WHERE outcome = 'succeeded'), 0) AS paid,
                              coalesce(sum(amount_fen) FILTER (WHERE outcome = 'owed'), 0) AS owed,
                              coalesce(sum(amount_fen) FILTER (WHERE outcome = 'failed'), 0) AS failed,
                              coalesce(sum(amount_fen) FILTER (WHERE outcome IS NULL), 0) AS pending
                       FROM refund_facts GROUP BY order_id),
                 s AS (SELECT order_id, sum(cod_collected_fen) AS collected FROM shipment_facts GROUP BY order_id)
            SELECT to_char(o.placed_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD'), coalesce(o.channel, '(unknown)'), count(*)::int8,
                   coalesce(sum(o.paid_fen) FILTER (WHERE o.payment_method IS DISTINCT FROM 'cashOnDelivery'), 0)::int8,
                   coalesce(sum(o.total_fen) FILTER (WHERE o.payment_method = 'cashOnDelivery' AND o.cancelled_at IS NULL AND o.rejected_at IS NULL), 0)::int8,
                   coalesce(sum(s.collected), 0)::int8,
                   coalesce(sum(r.requested), 0)::int8, coalesce(sum(r.paid), 0)::int8, coalesce(sum(r.owed), 0)::int8,
                   coalesce(sum(r.failed), 0)::int8, coalesce(sum(r.pending), 0)::int8
            FROM order_facts o LEFT JOIN r ON r.order_id = o.order_id LEFT JOIN s ON s.order_id = o.order_id
            WHERE o.received_at IS NOT NULL AND o.placed_at >= \(window.start) AND o.placed_at < \(window.end)
            GROUP BY 1, 2 ORDER BY 1, 2
            """, logger: logger)
        var sums: [[String]: [Int64]] = [:]
        var order: [[String]] = []
        for try await (day, channel, orders, paid, expected, collected, requested, refunded, owed, failed, pending) in rows.decode(
            (String, String, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64).self) {
            let key: [String] = switch grouping {
            case .dayAndChannel: [day, channel]
            case .day: [day]
            case .channel: [channel]
            }
            if sums[key] == nil { order.append(key) }
            let figures = [orders, paid, expected, collected, requested, refunded, owed, failed, pending]
            sums[key] = zip(sums[key] ?? Array(repeating: 0, count: figures.count), figures).map { $0 + $1 }
        }
        let table = order.sorted { $0.lexicographicallyPrecedes($1) }.map { key -> [ReportTable.Cell] in
            let f = sums[key]!
            let (paid, expected, collected, requested, refunded, owed) = (f[1], f[2], f[3], f[4], f[5], f[6])
            return key.map { ReportTable.Cell.text($0) } + f.map { ReportTable.Cell.integer($0) }
                + [.integer(requested - refunded), .integer(expected - collected), .integer(paid + collected - refunded - owed)]
        }
        return ReportTable(report: "finance", groupedBy: grouping.rawValue, columns: grouping.keys + Self.columns, rows: table)
    }
}
