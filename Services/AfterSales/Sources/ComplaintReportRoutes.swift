import Foundation
import Hummingbird
import OMSDomain
import OMSPlatform

/// `GET /v1/aftersales/reports/complaints?by=category|carrier|warehouse|sku[&category=...][&format=csv]`:
/// complaints counted per group (total, unresolved, escalated, resolved within SLA), largest first,
/// so a team sees e.g. that delivery-delay complaints cluster on one carrier. JSON or CSV.
struct ComplaintReportRoutes: RouteGroup {
    let runtime: ServiceRuntime

    struct Row: Codable, Sendable {
        var key: String
        var complaints: Int
        var unresolved: Int
        var escalated: Int
        var resolvedWithinSLA: Int
    }

    struct Report: Codable, Sendable {
        var by: String
        var rows: [Row]
    }

    static let groupings: Set<String> = ["category", "carrier", "warehouse", "sku", "team"]

    static let endpoints: [Endpoint<Self>] = [
        .get("/v1/aftersales/reports/complaints", [.customerService, .ops], "Complaint report by category, carrier, warehouse, SKU or team (?by, format)", use: complaintReport),
    ]

    func complaintReport(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let query = request.queryDictionary
        let by = query["by"] ?? "category"
        var check = RequestCheck()
        if !Self.groupings.contains(by) { check.fail("by", "one of \(Self.groupings.sorted().joined(separator: ", "))") }
        if let category = query["category"], Complaint.Category(rawValue: category) == nil {
            check.fail("category", "one of \(Complaint.Category.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let format = query["format"], !["json", "csv"].contains(format) { check.fail("format", "json or csv") }
        try check.check()
        let report = try await ComplaintReportStore.rows(by: by, category: query["category"], client: runtime.database.client, logger: runtime.logger)
        if query["format"] == "csv" {
            var csv = "\(by),complaints,unresolved,escalated,resolved_within_sla\n"
            for row in report { csv += "\(CSVField.text(row.key)),\(row.complaints),\(row.unresolved),\(row.escalated),\(row.resolvedWithinSLA)\n" }
            return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: csv)))
        }
        return try Response.json(Report(by: by, rows: report))
    }
}
