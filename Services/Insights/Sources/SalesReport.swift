import Foundation
import OMSPlatform
import PostgresNIO

/// Orders, units, revenue, average order value and discounts per day, week or month (local
/// Asia/Shanghai calendar), channel, province, city or category. An order counts when it was
/// received and neither rejected by risk nor cancelled; revenue is what customers pay (goods minus
/// discounts plus shipping; for categories, goods minus discounts). Invariant: money in fen.
struct SalesReport: Sendable {
    enum Grouping: String, CaseIterable, Sendable {
        case day, week, month, channel, province, city, category

        /// The SQL expression of the group key over `order_facts o` / `order_line_facts l` (ours, never input).
        var key: String {
            switch self {
            case .day: "to_char(o.placed_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')"
            case .week: "to_char(date_trunc('week', o.placed_at AT TIME ZONE 'Asia/Shanghai'), 'IYYY-\"W\"IW')"
            case .month: "to_char(o.placed_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')"
            case .channel: "o.channel"
            case .province: "coalesce(o.province, '(no delivery)')"
            case .city: "coalesce(o.province || ' ' || o.city, '(no delivery)')"
            case .category: "l.category"
            }
        }

        var isTime: Bool { self == .day || self == .week || self == .month }
    }

    static let columns = ["orders", "units", "revenueFen", "averageOrderValueFen", "discountFen", "cancelled", "rejected"]

    let grouping: Grouping
    let window: ReportWindow

    func table(client: PostgresClient, logger: Logger) async throws -> ReportTable {
        let accepted = "o.rejected_at IS NULL AND o.cancelled_at IS NULL"
        let query: PostgresQuery
        if grouping == .category {
            query = """
                SELECT \(unescaped: grouping.key), count(DISTINCT o.order_id) FILTER (WHERE \(unescaped: accepted))::int8,
                       coalesce(sum(l.quantity) FILTER (WHERE \(unescaped: accepted)), 0)::int8,
                       coalesce(sum(l.goods_fen - l.discount_fen) FILTER (WHERE \(unescaped: accepted)), 0)::int8,
                       coalesce(sum(l.discount_fen) FILTER (WHERE \(unescaped: accepted)), 0)::int8,
                       count(DISTINCT o.order_id) FILTER (WHERE o.cancelled_at IS NOT NULL)::int8, count(DISTINCT o.order_id) FILTER (WHERE o.rejected_at IS NOT NULL)::int8
                FROM order_line_facts l JOIN order_facts o ON o.order_id = l.order_id
                WHERE o.received_at IS NOT NULL AND o.placed_at >= \(window.start) AND o.placed_at < \(window.end)
                GROUP BY 1 ORDER BY 4 DESC, 1
                """
        } else {
            query = """
                SELECT \(unescaped: grouping.key), count(*) FILTER (WHERE \(unescaped: accepted))::int8,
                       coalesce(sum(o.units) FILTER (WHERE \(unescaped: accepted)), 0)::int8,
                       coalesce(sum(o.total_fen) FILTER (WHERE \(unescaped: accepted)), 0)::int8,
                       coalesce(sum(o.discount_fen) FILTER (WHERE \(unescaped: accepted)), 0)::int8,
                       count(*) FILTER (WHERE o.cancelled_at IS NOT NULL)::int8, count(*) FILTER (WHERE o.rejected_at IS NOT NULL)::int8
                FROM order_facts o
                WHERE o.received_at IS NOT NULL AND o.placed_at >= \(window.start) AND o.placed_at < \(window.end)
                GROUP BY 1 ORDER BY \(unescaped: grouping.isTime ? "1" : "4 DESC, 1")
                """
        }
        var rows: [[ReportTable.Cell]] = []
        for try await (key, orders, units, revenue, discount, cancelled, rejected) in try await client.query(query, logger: logger).decode((String, Int64, Int64, Int64, Int64, Int64, Int64).self) {
            rows.append([.text(key), .integer(orders), .integer(units), .integer(revenue), .integer(ReportTable.average(revenue, over: orders)),
                         .integer(discount), .integer(cancelled), .integer(rejected)])
        }
        return ReportTable(report: "sales", groupedBy: grouping.rawValue, columns: [grouping.rawValue] + Self.columns, rows: rows)
    }
}
