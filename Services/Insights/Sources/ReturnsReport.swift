import Foundation
import OMSDomain
import OMSPlatform
import PostgresNIO

/// Return rate and reasons per SKU or category: units sold (accepted orders, gifts excluded),
/// units asked back in returns that were not refused, the rate, and the returned units per reason.
/// Invariant: a returned unit is counted under the SKU and category of the order line it came from.
struct ReturnsReport: Sendable {
    enum Grouping: String, CaseIterable, Sendable {
        case sku, category

        var soldKey: String { self == .sku ? "l.sku" : "l.category" }
        var returnedKey: String { self == .sku ? "rl.sku" : "coalesce(l.category, '(uncategorised)')" }
    }

    static var columns: [String] { ["unitsSold", "unitsReturned", "returnRate"] + ReturnAuthorization.Reason.allCases.map(\.rawValue) }

    let grouping: Grouping

    func table(client: PostgresClient, logger: Logger) async throws -> ReportTable {
        let reasons = ReturnAuthorization.Reason.allCases.map(\.rawValue)
        let query: PostgresQuery = """
            WITH sold AS (
                SELECT \(unescaped: grouping.soldKey) AS k, sum(l.quantity)::int8 AS units
                FROM order_line_facts l JOIN order_facts o ON o.order_id = l.order_id
                WHERE o.received_at IS NOT NULL AND o.rejected_at IS NULL AND o.cancelled_at IS NULL AND NOT l.gift
                GROUP BY 1),
            returned AS (
                SELECT \(unescaped: grouping.returnedKey) AS k, coalesce(array_position(\(reasons)::text[], r.reason), 0) AS reason, sum(rl.quantity)::int8 AS units
                FROM return_line_facts rl JOIN return_facts r ON r.return_id = rl.return_id
                LEFT JOIN order_line_facts l ON l.order_id = r.order_id AND l.line_number = rl.line_number
                WHERE r.approved IS DISTINCT FROM false
                GROUP BY 1, 2),
            per_key AS (
                SELECT k, array_agg(reason ORDER BY reason) AS reasons, array_agg(units ORDER BY reason) AS units, sum(units)::int8 AS total
                FROM returned GROUP BY k)
            SELECT coalesce(s.k, p.k), coalesce(s.units, 0)::int8, coalesce(p.total, 0)::int8, p.reasons, p.units
            FROM sold s FULL JOIN per_key p ON p.k = s.k
            ORDER BY 3 DESC, 1
            """
        var rows: [[ReportTable.Cell]] = []
        for try await (key, sold, returned, reasonIndexes, reasonUnits) in try await client.query(query, logger: logger).decode((String, Int64, Int64, [Int32]?, [Int64]?).self) {
            var perReason = [Int64](repeating: 0, count: reasons.count)
            for (index, units) in zip(reasonIndexes ?? [], reasonUnits ?? []) {
                if index >= 1, Int(index) <= reasons.count { perReason[Int(index) - 1] += units }
            }
            rows.append([.text(key), .integer(sold), .integer(returned), .rate(returned, sold)] + perReason.map { .integer($0) })
        }
        return ReportTable(report: "returns", groupedBy: grouping.rawValue, columns: [grouping.rawValue] + Self.columns, rows: rows)
    }
}
