import Foundation
import Hummingbird
import OMSDomain
import Logging
import OMSPlatform
import PostgresNIO

/// The read-only reporting API (JSON, or CSV with `format=csv`) and the dashboard page.
/// Invariant: every query value is checked and a bad one answered with a 422 naming it; reports
/// only read the insights schema.
struct InsightsRoutes: RouteGroup {
    let runtime: ServiceRuntime
    let segmentation: CustomerSegmentation

    static let endpoints: [Endpoint<Self>] = [
        .get("/v1/insights/summary", [.ops, .analyst], "Today's headline figures", use: summary),
        .get("/v1/insights/sales", [.ops, .analyst], "Sales by day, week, month, channel, province, city or category (?by, from, to, format)", use: sales),
        .get("/v1/insights/finance", [.ops, .analyst], "Money per day and channel: paid, cash on delivery, refunds and what is outstanding (?by, from, to, format)", use: finance),
        .get("/v1/insights/fulfillment", [.ops, .analyst], "Fulfillment figures by carrier or warehouse (?by, from, to, format)", use: fulfillment),
        .get("/v1/insights/returns", [.ops, .analyst], "Return rates by category or SKU (?by, format)", use: returns),
        .get("/v1/insights/complaints", [.ops, .analyst], "Complaints by carrier, warehouse, SKU or category (?by, format)", use: complaints),
        .get("/v1/insights/customers/segments", [.ops, .analyst], "Customer segments (RFM) and their sizes", use: segments),
        .get("/v1/insights/customers/segments/:segment", [.ops, .analyst], "The customers of one segment", use: segmentMembers),
        .get("/v1/insights/dashboard", .open, "The operations dashboard page", use: dashboard),
        .get("/v1/insights/dashboard.js", .open, "The dashboard page's script", use: dashboardScript),
    ]

    var client: PostgresClient { runtime.database.client }
    var logger: Logger { runtime.logger }

    func summary(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        try Response.json(try await InsightsSummary.load(client: client, logger: logger))
    }

    func sales(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        try await report(request, default: SalesReport.Grouping.day, windowed: true) { [client, logger] in
            try await SalesReport(grouping: $0, window: $1).table(client: client, logger: logger)
        }
    }

    func finance(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        try await report(request, default: FinanceReport.Grouping.dayAndChannel, windowed: true) { [client, logger] in
            try await FinanceReport(grouping: $0, window: $1).table(client: client, logger: logger)
        }
    }

    func fulfillment(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        try await report(request, default: FulfillmentReport.Grouping.carrier, windowed: true) { [client, logger] in
            try await FulfillmentReport(grouping: $0, window: $1).table(client: client, logger: logger)
        }
    }

    func returns(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        try await report(request, default: ReturnsReport.Grouping.category, windowed: false) { [client, logger] grouping, _ in
            try await ReturnsReport(grouping: grouping).table(client: client, logger: logger)
        }
    }

    func complaints(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        try await report(request, default: ComplaintsReport.Grouping.carrier, windowed: false) { [client, logger] grouping, _ in
            try await ComplaintsReport(grouping: grouping).table(client: client, logger: logger)
        }
    }

    func segments(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let query = request.queryDictionary
        var check = RequestCheck()
        let asOf = Self.asOf(query, &check)
        Self.format(query, &check)
        try check.check()
        return try await CustomerSegmentReport(asOf: asOf!, segmentation: segmentation).summary(client: client, logger: logger).response(format: query["format"])
    }

    func segmentMembers(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let query = request.queryDictionary
        var check = RequestCheck()
        let segment = Self.choice(CustomerSegmentation.Segment.self, context.parameters.get("segment"), default: nil, &check, field: "segment")
        let asOf = Self.asOf(query, &check)
        Self.format(query, &check)
        try check.check()
        return try await CustomerSegmentReport(asOf: asOf!, segmentation: segmentation).members(of: segment!, client: client, logger: logger).response(format: query["format"])
    }

    func dashboard(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .init("Content-Security-Policy")!: DashboardPage.contentSecurityPolicy],
                 body: .init(byteBuffer: ByteBuffer(string: DashboardPage.html)))
    }

    func dashboardScript(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        Response(status: .ok, headers: [.contentType: "text/javascript; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: DashboardPage.script)))
    }

    /// A grouped report: `by` (one of the grouping's values), `from`/`to` days when `windowed`,
    /// `format`; a bad value is a 422 naming it.
    private func report<G: RawRepresentable & CaseIterable & Sendable>(_ request: Request, default fallback: G, windowed: Bool,
                                                                      _ make: @Sendable (G, ReportWindow) async throws -> ReportTable) async throws -> Response
        where G.RawValue == String {
        let query = request.queryDictionary
        var check = RequestCheck()
        let grouping = Self.choice(G.self, query["by"], default: fallback, &check)
        let window = windowed ? Self.window(query, &check) : .everything
        Self.format(query, &check)
        try check.check()
        return try await make(grouping!, window!).response(format: query["format"])
    }

    /// One of an enumeration's raw values (`default` when absent), or a problem naming the choices.
    static func choice<T: RawRepresentable & CaseIterable>(_ type: T.Type, _ value: String?, default fallback: T?, _ check: inout RequestCheck,
                                                          field: String = "by") -> T? where T.RawValue == String {
        guard let value else {
            if fallback == nil { check.fail(field, "required") }
            return fallback
        }
        guard let choice = T(rawValue: value) else {
            check.fail(field, "one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        return choice
    }

    static func window(_ query: [String: String], _ check: inout RequestCheck) -> ReportWindow? {
        switch ReportWindow.parse(from: query["from"], to: query["to"]) {
        case .success(let window): return window
        case .failure(let problem):
            check.fail(problem.field, problem.reason)
            return nil
        }
    }

    static func format(_ query: [String: String], _ check: inout RequestCheck) {
        if let format = query["format"], !["json", "csv"].contains(format) { check.fail("format", "json or csv") }
    }

    /// `asOf`: an ISO 8601 instant with its zone, fraction optional (default: now).
    static func asOf(_ query: [String: String], _ check: inout RequestCheck) -> Date? {
        guard let text = query["asOf"] else { return Date() }
        guard let date = Timestamps.parse(text) else {
            check.fail("asOf", "an ISO 8601 instant with its zone, e.g. 2026-11-11T00:00:00+08:00")
            return nil
        }
        return date
    }
}
