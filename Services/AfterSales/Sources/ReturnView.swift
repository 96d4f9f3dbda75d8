import Foundation
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// A return as customer service sees it: lines, decision, return parcel, inspection and refund.
struct ReturnView: Codable, Sendable {
    var returnId: String
    var orderId: String
    var reason: ReturnAuthorization.Reason
    var status: ReturnAuthorization.Status
    var lines: [ReturnAuthorization.Line]
    /// Who pays the return postage: the merchant when it caused the return.
    var returnShippingPaidBy: String
    var requestedBy: String
    var requestedAt: Date
    var note: String?
    var decidedBy: String?
    var decisionNote: String?
    var decidedAt: Date?
    var returnCarrier: String?
    var returnTracking: String?
    var warehouseId: String?
    var inspected: [ReturnRoutes.Inspection]?
    var receivedAt: Date?
    var withheldUnits: Int?
    var exchangeId: String?
    /// Taken back over a store's counter: "<store>/<till>/<cashier>".
    var till: String?
    var refund: RefundIssued?

    static func load(_ id: String, connection: PostgresConnection, logger: Logger) async throws -> ReturnView? {
        let rows = try await connection.query("""
            SELECT r.order_id, r.reason, r.status, r.lines::text, r.requested_by, r.requested_at, r.note, r.decided_by, r.decision_note, r.decided_at,
                   r.return_carrier, r.return_tracking, r.warehouse_code, r.inspected::text, r.received_at, r.exchange_id, f.detail::text, r.till
            FROM returns r LEFT JOIN refunds f ON f.return_id = r.return_id AND f.part_of IS NULL WHERE r.return_id = \(id)
            """, logger: logger)
        for try await row in rows {
            let (order, reason, status, lines, by, at, note, decidedBy, decisionNote, decidedAt) =
                try row.decode((String, String, String, String, String, Date, String?, String?, String?, Date?).self, context: .default)
            let columns = row.makeRandomAccess()
            let inspected = try columns[13].decode(String?.self).map { try EventCoding.decode([ReturnRoutes.Inspection].self, from: Array($0.utf8)) }
            let refund = try columns[16].decode(String?.self).map { try EventCoding.decode(RefundIssued.self, from: Array($0.utf8)) }
            let reasonValue = ReturnAuthorization.Reason(rawValue: reason) ?? .noReasonWithin7Days
            let units = inspected?.reduce(0) { $0 + $1.quantity } ?? 0
            let refunded = refund?.lines.reduce(0) { $0 + $1.quantity } ?? 0
            return ReturnView(returnId: id, orderId: order, reason: reasonValue, status: ReturnAuthorization.Status(rawValue: status) ?? .requested,
                              lines: try EventCoding.decode([ReturnAuthorization.Line].self, from: Array(lines.utf8)),
                              returnShippingPaidBy: reasonValue.isMerchantFault ? "merchant" : "customer", requestedBy: by, requestedAt: at, note: note,
                              decidedBy: decidedBy, decisionNote: decisionNote, decidedAt: decidedAt,
                              returnCarrier: try columns[10].decode(String?.self), returnTracking: try columns[11].decode(String?.self),
                              warehouseId: try columns[12].decode(String?.self), inspected: inspected, receivedAt: try columns[14].decode(Date?.self),
                              withheldUnits: inspected == nil ? nil : refund?.withheldUnits ?? units - refunded,
                              exchangeId: try columns[15].decode(String?.self), till: try columns[17].decode(String?.self), refund: refund)
        }
        return nil
    }
}
