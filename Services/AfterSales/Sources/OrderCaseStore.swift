import Foundation
import Logging
import PostgresNIO

/// SQL of one order's after-sales cases as the order view lists them: its returns, exchanges and
/// complaints (ids, oldest first) and its one feedback. Invariant: an order has at most one
/// feedback row (`feedback.order_id` is its key); a low rating's follow-up complaint carries
/// `request_id = 'feedback'`.
enum OrderCaseStore {
    /// The ids of the order's returns, exchanges and complaints, oldest first.
    static func caseIDs(of orderID: String, connection: PostgresConnection, logger: Logger) async throws -> (returns: [String], exchanges: [String], complaints: [String]) {
        func ids(_ sql: PostgresQuery) async throws -> [String] {
            var found: [String] = []
            for try await id in try await connection.query(sql, logger: logger).decode(String.self) { found.append(id) }
            return found
        }
        return (try await ids("SELECT return_id FROM returns WHERE order_id = \(orderID) ORDER BY requested_at"),
                try await ids("SELECT exchange_id FROM exchanges WHERE order_id = \(orderID) ORDER BY requested_at"),
                try await ids("SELECT complaint_id FROM complaints WHERE order_id = \(orderID) ORDER BY created_at"))
    }

    /// The order's feedback, with the follow-up complaint a low rating opened.
    static func feedback(of orderID: String, connection: PostgresConnection, logger: Logger) async throws -> OrderAfterSalesRoutes.Feedback? {
        let rows = try await connection.query("""
            SELECT f.rating, f.comment, f.created_at, (SELECT complaint_id FROM complaints c WHERE c.order_id = f.order_id AND c.request_id = 'feedback')
            FROM feedback f WHERE f.order_id = \(orderID)
            """, logger: logger)
        for try await (rating, comment, at, complaint) in rows.decode((Int, String?, Date, String?).self) {
            return .init(rating: rating, comment: comment, createdAt: at, followUpComplaintId: complaint)
        }
        return nil
    }

    static func recordFeedback(of orderID: String, rating: Int, comment: String?, by user: String, at now: Date, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO feedback (order_id, rating, comment, created_by, created_at) VALUES (\(orderID), \(rating), \(comment), \(user), \(now))
            """, logger: logger)
    }
}
