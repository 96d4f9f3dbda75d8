import Foundation
import Logging
import PostgresNIO

/// SQL of the complaint report: complaints counted per group, largest first. Invariant: `by` is
/// one of `ComplaintReportRoutes.groupings` (it is bound as a value and compared in a CASE, never
/// spliced into the SQL); a complaint without the grouping's attribute counts under `(unknown)`.
enum ComplaintReportStore {
    static func rows(by: String, category: String?, client: PostgresClient, logger: Logger) async throws -> [ComplaintReportRoutes.Row] {
        let rows = try await client.query("""
            SELECT coalesce(CASE \(by) WHEN 'category' THEN category WHEN 'carrier' THEN carrier WHEN 'warehouse' THEN warehouse_code
                                         WHEN 'sku' THEN sku ELSE team END, '(unknown)'),
                   count(*)::int8, count(*) FILTER (WHERE status <> 'resolved')::int8,
                   count(*) FILTER (WHERE escalation_level > 0)::int8, count(*) FILTER (WHERE resolved_within_sla)::int8
            FROM complaints WHERE (\(category)::text IS NULL OR category = \(category)) GROUP BY 1 ORDER BY 2 DESC, 1
            """, logger: logger)
        var report: [ComplaintReportRoutes.Row] = []
        for try await (key, total, unresolved, escalated, within) in rows.decode((String, Int, Int, Int, Int).self) {
            report.append(.init(key: key, complaints: total, unresolved: unresolved, escalated: escalated, resolvedWithinSLA: within))
        }
        return report
    }
}
