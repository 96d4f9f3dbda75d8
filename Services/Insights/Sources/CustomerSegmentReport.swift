import Foundation
import OMSPlatform
import PostgresNIO

/// Customer segments for marketing: per segment how many customers and what they spent, and the
/// list of one segment's customers with their RFM measures. Customers are named by their
/// pseudonymous key only (the person key across channels, else the channel account's); no name,
/// phone or address is ever read here. Invariant: spend is net of refunds, over accepted orders
/// placed before `asOf`; walk-in sales without a member card (`anonymous`) are no customer and
/// stay out (they still count in sales).
struct CustomerSegmentReport: Sendable {
    let asOf: Date
    let segmentation: CustomerSegmentation

    func scored(client: PostgresClient, logger: Logger) async throws -> [CustomerSegmentation.Scored] {
        let rows = try await client.query("""
            SELECT o.customer_key, max(o.placed_at), count(*)::int8, (sum(o.total_fen) - coalesce(sum(r.refunded), 0))::int8
            FROM order_facts o LEFT JOIN (SELECT order_id, sum(amount_fen) AS refunded FROM refund_facts GROUP BY 1) r ON r.order_id = o.order_id
            WHERE o.customer_key IS NOT NULL AND o.customer_key <> 'anonymous' AND o.received_at IS NOT NULL AND o.rejected_at IS NULL AND o.cancelled_at IS NULL AND o.placed_at < \(asOf)
            GROUP BY 1
            """, logger: logger)
        var activities: [CustomerSegmentation.Activity] = []
        for try await (key, last, orders, monetary) in rows.decode((String, Date, Int64, Int64).self) {
            activities.append(.init(customerKey: key, lastOrderAt: last, orders: Int(orders), monetaryFen: monetary))
        }
        return segmentation.segment(activities, asOf: asOf)
    }

    func summary(client: PostgresClient, logger: Logger) async throws -> ReportTable {
        let scored = try await scored(client: client, logger: logger)
        let rows: [[ReportTable.Cell]] = CustomerSegmentation.Segment.allCases.map { segment in
            let members = scored.filter { $0.segment == segment }
            let spent = members.reduce(Int64(0)) { $0 + $1.activity.monetaryFen }
            let orders = members.reduce(Int64(0)) { $0 + Int64($1.activity.orders) }
            return [.text(segment.rawValue), .integer(Int64(members.count)), .integer(orders), .integer(spent), .integer(ReportTable.average(spent, over: Int64(members.count)))]
        }
        return ReportTable(report: "customer-segments", groupedBy: "segment", columns: ["segment", "customers", "orders", "monetaryFen", "monetaryPerCustomerFen"], rows: rows)
    }

    func members(of segment: CustomerSegmentation.Segment, client: PostgresClient, logger: Logger) async throws -> ReportTable {
        let rows: [[ReportTable.Cell]] = try await scored(client: client, logger: logger).filter { $0.segment == segment }.map { scored in
            [.text(scored.activity.customerKey), .integer(Int64(scored.recencyDays)), .integer(Int64(scored.activity.orders)), .integer(scored.activity.monetaryFen),
             .integer(Int64(scored.recencyScore)), .integer(Int64(scored.frequencyScore)), .integer(Int64(scored.monetaryScore))]
        }
        return ReportTable(report: "customers-\(segment.rawValue)", groupedBy: "customerKey",
                           columns: ["customerKey", "recencyDays", "orders", "monetaryFen", "recencyScore", "frequencyScore", "monetaryScore"], rows: rows)
    }
}
