import Foundation
import Hummingbird
import OMSDomain

/// The insights page (ops, analysts): today's headline figures and sales by channel from the
/// read-only insights service, money in ¥.
struct InsightsPages: Sendable {
    let gateway: ServiceGateway
    let view: ConsoleView

    func register(on router: Router<ConsoleRequestContext>) {
        router.get("/insights") { _, context in
            let session = try context.require(.insights)
            async let summary = gateway.read(.insights, "/v1/insights/summary", as: session.staff)
            async let sales = gateway.read(.insights, "/v1/insights/sales?by=channel", as: session.staff)
            let figures = try await summary
            let headline: [[String: Any]] = [
                ("ordersReceived", false), ("ordersHeld", false), ("ordersBackordered", false), ("shipments", false), ("delivered", false),
                ("revenueFen", true), ("refundedFen", true), ("averageOrderValueFen", true), ("openComplaints", false),
            ].map { key, money in ["label": ConsoleText.text("figure.\(key)", context.language), "value": money ? OrderPages.money(figures[key]) : OrderPages.text(figures[key])] }
            let rows = (try await sales)["rows"] as? [[String: Any]] ?? []
            let channels = rows.map { row -> [String: Any] in
                ["channel": OrderPages.text(row["channel"]), "orders": OrderPages.text(row["orders"]), "units": OrderPages.text(row["units"]),
                 "revenue": OrderPages.money(row["revenueFen"]), "average": OrderPages.money(row["averageOrderValueFen"]), "discount": OrderPages.money(row["discountFen"])]
            }
            return view.page("insights", title: ConsoleText.text("page.insights", context.language), context: context,
                             data: ["headline": headline, "channels": channels], current: .insights)
        }
    }
}
