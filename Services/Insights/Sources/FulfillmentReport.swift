import Foundation
import OMSPlatform
import PostgresNIO

/// Fulfillment performance per warehouse or carrier over the parcels dispatched in the window:
/// verify-to-ship and ship-to-deliver hours (median and 90th percentile), delivered, delayed (late
/// scan or delivered after the promised date) and lost parcels with their rates.
/// Invariant: a parcel counts once, under the warehouse and carrier that dispatched it.
struct FulfillmentReport: Sendable {
    enum Grouping: String, CaseIterable, Sendable {
        case warehouse, carrier

        var key: String { self == .warehouse ? "coalesce(s.warehouse_code, '(unknown)')" : "coalesce(s.carrier, '(unknown)')" }
    }

    static let columns = ["shipments", "delivered", "delayed", "lost", "delayRate", "lostRate",
                          "verifyToShipHoursP50", "verifyToShipHoursP90", "shipToDeliverHoursP50", "shipToDeliverHoursP90"]

    let grouping: Grouping
    let window: ReportWindow

    func table(client: PostgresClient, logger: Logger) async throws -> ReportTable {
        let toShip = "extract(epoch FROM s.dispatched_at - o.verified_at) / 3600.0"
        let toDeliver = "extract(epoch FROM s.delivered_at - s.dispatched_at) / 3600.0"
        let query: PostgresQuery = """
            SELECT \(unescaped: grouping.key), count(*)::int8, count(s.delivered_at)::int8,
                   count(*) FILTER (WHERE s.delayed_at IS NOT NULL OR s.delivered_at > s.estimated_delivery)::int8, count(s.lost_at)::int8,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY \(unescaped: toShip)), percentile_cont(0.9) WITHIN GROUP (ORDER BY \(unescaped: toShip)),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY \(unescaped: toDeliver)), percentile_cont(0.9) WITHIN GROUP (ORDER BY \(unescaped: toDeliver))
            FROM shipment_facts s LEFT JOIN order_facts o ON o.order_id = s.order_id
            WHERE s.dispatched_at >= \(window.start) AND s.dispatched_at < \(window.end)
            GROUP BY 1 ORDER BY 2 DESC, 1
            """
        var rows: [[ReportTable.Cell]] = []
        let decoded = try await client.query(query, logger: logger).decode((String, Int64, Int64, Int64, Int64, Double?, Double?, Double?, Double?).self)
        for try await (key, shipments, delivered, delayed, lost, shipP50, shipP90, deliverP50, deliverP90) in decoded {
            rows.append([.text(key), .integer(shipments), .integer(delivered), .integer(delayed), .integer(lost),
                         .rate(delayed, shipments), .rate(lost, shipments),
                         .rounded(shipP50), .rounded(shipP90), .rounded(deliverP50), .rounded(deliverP90)])
        }
        return ReportTable(report: "fulfillment", groupedBy: grouping.rawValue, columns: [grouping.rawValue] + Self.columns, rows: rows)
    }
}
