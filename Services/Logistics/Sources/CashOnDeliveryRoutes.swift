import Foundation
import Hummingbird
import OMSPlatform

/// `GET /v1/logistics/cod-reconciliation?from=YYYY-MM-DD&to=YYYY-MM-DD`: cash on delivery expected
/// against collected, per carrier and Asia/Shanghai dispatch day, for finance (ops). Invariant: a
/// bad or missing day, or a window over 92 days, is a 422 naming the field.
struct CashOnDeliveryRoutes: RouteGroup {
    let runtime: ServiceRuntime

    static let endpoints: [Endpoint<Self>] = [
        .get("/v1/logistics/cod-reconciliation", [.ops], "Cash on delivery expected vs collected per carrier and dispatch day (?from, to)", use: reconciliation),
    ]

    func reconciliation(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let query = request.queryDictionary
        var check = RequestCheck()
        let from = Self.day(query["from"], "from", &check), to = Self.day(query["to"], "to", &check)
        if let from, let to {
            let days = Calendar(identifier: .gregorian).dateComponents([.day], from: from.date, to: to.date).day ?? 0
            if days < 0 { check.fail("to", "on or after from") } else if days > 92 { check.fail("to", "at most 92 days after from") }
        }
        try check.check()
        let rows = try await runtime.database.client.withConnection {
            try await CashOnDeliveryStore.reconciliation(from: from!.text, to: to!.text, connection: $0, logger: runtime.logger)
        }
        return try Response.json(["rows": rows])
    }

    /// A calendar day `YYYY-MM-DD` (checked as a real date), or a problem naming `field`.
    static func day(_ value: String?, _ field: String, _ check: inout RequestCheck) -> (text: String, date: Date)? {
        let formatter = DateFormatter()
        formatter.calendar = Calendar(identifier: .gregorian)
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.isLenient = false
        guard let value, value.count == 10, let date = formatter.date(from: value), formatter.string(from: date) == value else {
            check.fail(field, "required, a day as YYYY-MM-DD")
            return nil
        }
        return (value, date)
    }
}
