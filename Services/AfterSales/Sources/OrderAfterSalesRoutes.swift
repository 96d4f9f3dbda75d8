import Foundation
import Hummingbird
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// One order's after-sales story and the customer's feedback:
/// - `GET /v1/aftersales/orders/{id}`: paid, refunded, returnable units per line, returns,
///   exchanges, complaints, feedback;
/// - `POST /v1/aftersales/orders/{id}/feedback` (`rating` 1-5, optional `comment`): one per order;
///   a rating of 2 or less opens a low-severity service complaint so customer service follows up.
struct OrderAfterSalesRoutes: RouteGroup {
    let runtime: ServiceRuntime
    let desk: ComplaintDesk

    struct FeedbackRequest: Codable, Sendable {
        var rating: Int
        var comment: String?
    }

    struct Feedback: Codable, Sendable, Equatable {
        var rating: Int
        var comment: String?
        var createdAt: Date
        var followUpComplaintId: String?
    }

    struct LineView: Codable, Sendable {
        var lineNumber: Int
        var sku: String
        var ordered: Int
        var delivered: Int
        var returned: Int
        var paid: Money
    }

    struct OrderView: Codable, Sendable {
        var orderId: String
        var paid: Money
        var refunded: Money
        var lines: [LineView]
        var returns: [String]
        var exchanges: [String]
        var complaints: [String]
        var feedback: Feedback?
    }

    static let endpoints: [Endpoint<Self>] = [
        .get("/v1/aftersales/orders/:id", [.customerService], "An order's after-sales record: returns, exchanges, complaints, feedback", use: showOrder),
        .post("/v1/aftersales/orders/:id/feedback", [.customerService], "Record the customer's rating and feedback on an order", use: recordFeedback),
    ]

    func showOrder(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        let view = try await runtime.database.client.withConnection { connection -> OrderView? in try await self.load(id, connection: connection) }
        guard let view else { throw APIError.notFound("order") }
        return try Response.json(view)
    }

    func recordFeedback(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        let body = try await request.decodeJSON(as: FeedbackRequest.self, context: context)
        var check = RequestCheck()
        if !(1...5).contains(body.rating) { check.fail("rating", "1-5") }
        if let comment = body.comment, comment.count > 1_000 { check.fail("comment", "at most 1000 characters") }
        try check.check()
        let user = context.actingUser
        let (recorded, replayed) = try await runtime.retryingTransaction { tx -> (Feedback, Bool) in
            guard let record = try await AfterSalesRecord.load(id, lock: true, connection: tx.connection, logger: tx.logger, vault: runtime.database.vault) else { throw APIError.notFound("order") }
            if let existing = try await OrderCaseStore.feedback(of: id, connection: tx.connection, logger: tx.logger) {
                guard existing.rating == body.rating, existing.comment == body.comment else {
                    throw APIError.conflict("feedback_exists", "order \(id) already has feedback; it is recorded once")
                }
                return (existing, true)
            }
            let now = Date()
            try await OrderCaseStore.recordFeedback(of: id, rating: body.rating, comment: body.comment, by: user, at: now, connection: tx.connection, logger: tx.logger)
            try tx.emit(FeedbackRecorded(orderID: id, rating: body.rating, recordedAt: now), orderID: id, topic: TopicCatalogue.afterSalesEvents)
            if body.rating <= 2 {
                _ = try await desk.open(.init(orderID: id, category: .service, severity: .low, description: "follow-up of a \(body.rating)-star rating: \(body.comment ?? "no comment")",
                                              sku: nil, requestID: "feedback", actor: "feedback"), record: record, tx: tx)
            }
            guard let recorded = try await OrderCaseStore.feedback(of: id, connection: tx.connection, logger: tx.logger) else { throw APIError.notFound("feedback") }
            return (recorded, false)
        }
        return replayed ? try Response.replayed(recorded) : try Response.json(recorded, status: .created)
    }

    private func load(_ orderID: String, connection: PostgresConnection) async throws -> OrderView? {
        let logger = runtime.logger
        guard let record = try await AfterSalesRecord.load(orderID, lock: false, connection: connection, logger: logger, vault: runtime.database.vault) else { return nil }
        let states = try await record.lineStates(connection: connection, logger: logger)
        let history = try await record.refundHistory(connection: connection, logger: logger)
        let cases = try await OrderCaseStore.caseIDs(of: orderID, connection: connection, logger: logger)
        let lines = record.order.lines.map { line in
            LineView(lineNumber: line.lineNumber, sku: line.sku, ordered: line.quantity, delivered: states[line.lineNumber]?.delivered ?? 0,
                     returned: states[line.lineNumber]?.returned ?? 0, paid: line.paidAmount)
        }
        return OrderView(orderId: orderID, paid: record.paid, refunded: history.refundedTotal, lines: lines,
                         returns: cases.returns, exchanges: cases.exchanges, complaints: cases.complaints,
                         feedback: try await OrderCaseStore.feedback(of: orderID, connection: connection, logger: logger))
    }
}
