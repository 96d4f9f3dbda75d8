import Foundation
import OMSDomain
import OMSPlatform
import PostgresNIO

/// Complaint categories per carrier, warehouse or SKU. A complaint that names no carrier or
/// warehouse is attributed to the order's first parcel, so slow-delivery complaints land on the
/// carrier that carried the goods. Invariant: each complaint counts once per row key.
struct ComplaintsReport: Sendable {
    enum Grouping: String, CaseIterable, Sendable {
        case carrier, warehouse, sku, category

        var key: String {
            switch self {
            case .carrier: "coalesce(c.carrier, first_parcel.carrier, '(unknown)')"
            case .warehouse: "coalesce(c.warehouse_code, first_parcel.warehouse_code, '(unknown)')"
            case .sku: "coalesce(c.sku, '(order)')"
            case .category: "c.category"
            }
        }
    }

    static var columns: [String] { ["complaints", "open", "escalated", "resolvedWithinSLA"] + Complaint.Category.allCases.map(\.rawValue) }

    let grouping: Grouping

    func table(client: PostgresClient, logger: Logger) async throws -> ReportTable {
        let perCategory = Complaint.Category.allCases.map { "count(*) FILTER (WHERE c.category = '\($0.rawValue)')::int8" }.joined(separator: ", ")
        let query: PostgresQuery = """
            SELECT \(unescaped: grouping.key), count(*)::int8, count(*) FILTER (WHERE c.resolved_at IS NULL)::int8,
                   count(*) FILTER (WHERE c.escalation_level > 0)::int8, count(*) FILTER (WHERE c.resolved_within_sla)::int8,
                   ARRAY[\(unescaped: perCategory)]
            FROM complaint_facts c
            LEFT JOIN LATERAL (SELECT s.carrier, s.warehouse_code FROM shipment_facts s WHERE s.order_id = c.order_id
                               ORDER BY s.dispatched_at NULLS LAST, s.shipment_id LIMIT 1) first_parcel ON true
            GROUP BY 1 ORDER BY 2 DESC, 1
            """
        var rows: [[ReportTable.Cell]] = []
        for try await (key, total, open, escalated, withinSLA, categories) in try await client.query(query, logger: logger).decode((String, Int64, Int64, Int64, Int64, [Int64]).self) {
            rows.append([.text(key), .integer(total), .integer(open), .integer(escalated), .integer(withinSLA)] + categories.map { .integer($0) })
        }
        return ReportTable(report: "complaints", groupedBy: grouping.rawValue, columns: [grouping.rawValue] + Self.columns, rows: rows)
    }
}
