import Foundation
import Hummingbird
import OMSDomain
import OMSPlatform

/// Till returns (门店退货): a till sale brought back over the counter of any store, found by the
/// receipt the customer holds. `POST /v1/aftersales/till-returns` opens the return, approved by the
/// cashier, records the goods as received at the returning store (inventory restocks that store's
/// resellable units and quarantines the rest) and issues the refund, all in one transaction. A sale
/// paid in cash is refunded in cash from that till at once (settled with the counter as its
/// reference); WeChat Pay and Alipay sales are refunded through their provider as usual.
///
/// An exchange at the counter is a till return and a new till sale; `exchangeReceiptNo` links the
/// new sale's receipt on the return for the audit trail.
///
/// Allowed for customer service and for the POS channel's own systems (a till). The same
/// `returnReceiptNo` at the same till answers with the return it opened (retry-safe).
struct TillReturnRoutes: RouteGroup {
    let runtime: ServiceRuntime
    let returns: ReturnRoutes

    /// Where the goods come back: any store's till and its cashier.
    struct Counter: Codable, Sendable {
        var storeId: String
        var tillId: String
        var cashierId: String

        var reference: String { "\(storeId)/\(tillId)/\(cashierId)" }
    }

    struct Item: Codable, Sendable {
        var lineNumber: Int
        var quantity: Int
        var condition: ReturnedItemCondition
        var note: String?
    }

    struct TillReturnRequest: Codable, Sendable {
        var receipt: SaleReceipt
        var returnedAt: Counter
        var reason: ReturnAuthorization.Reason
        var items: [Item]
        /// The number of the return slip the till prints: the idempotency key at that till.
        var returnReceiptNo: String
        var exchangeReceiptNo: String?
        var note: String?
    }

    /// What the till shows: the return, and how its refund is paid.
    struct TillReturnAnswer: Codable, Sendable {
        var `return`: ReturnView
        /// The refund's payment state: `succeeded` when handed back in cash at this till.
        var refundStatus: String?
        /// Cash the cashier hands back now, in fen (0 when the refund goes back to a wallet).
        var cashBackFen: Int64
    }

    static let endpoints: [Endpoint<Self>] = [
        .post("/v1/aftersales/till-returns", [.customerService, .channel], "Take a till sale back at any store's counter by its receipt: refund and restock that store (a channel: POS only)",
              use: takeBack),
    ]

    func takeBack(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        try SaleReceipt.requireStaffOrTill(context)
        let body = try await request.decodeJSON(as: TillReturnRequest.self, context: context)
        var check = RequestCheck()
        body.receipt.check(&check)
        check.code(body.returnedAt.storeId, "returnedAt.storeId")
        check.code(body.returnedAt.tillId, "returnedAt.tillId")
        check.code(body.returnedAt.cashierId, "returnedAt.cashierId")
        check.code(body.returnReceiptNo, "returnReceiptNo")
        if let exchange = body.exchangeReceiptNo { check.code(exchange, "exchangeReceiptNo") }
        if body.items.isEmpty || body.items.count > 100 { check.fail("items", "1-100 items") }
        var seen = Set<Int>()
        for (index, item) in body.items.enumerated() {
            if item.lineNumber < 1 { check.fail("items[\(index)].lineNumber", "a positive line number") }
            if !seen.insert(item.lineNumber).inserted { check.fail("items[\(index)].lineNumber", "line \(item.lineNumber) appears twice") }
            check.units(item.quantity, "items[\(index)].quantity")
            if let note = item.note, note.count > 500 { check.fail("items[\(index)].note", "at most 500 characters") }
        }
        if let note = body.note, note.count > 500 { check.fail("note", "at most 500 characters") }
        try check.check()

        let counter = body.returnedAt
        let answer: TillReturnAnswer, replayed: Bool
        do {
            (answer, replayed) = try await takeBack(body, by: counter)
        } catch var error as APIError {
            // The return rules name the request's lines; at the till they are its items.
            error.fields = error.fields.map { .init(field: $0.field.replacingOccurrences(of: "lines[", with: "items["), reason: $0.reason) }
            throw error
        }
        return replayed ? try Response.replayed(answer) : try Response.json(answer, status: .created)
    }

    private func takeBack(_ body: TillReturnRequest, by counter: Counter) async throws -> (TillReturnAnswer, Bool) {
        try await runtime.retryingTransaction { tx in
            let orderID = try await body.receipt.orderID(tx: tx)
            let note = [body.note, body.exchangeReceiptNo.map { "exchanged for receipt \($0)" }].compactMap { $0 }.joined(separator: "; ")
            let opening = ReturnRoutes.ReturnRequest(orderId: orderID, reason: body.reason, lines: body.items.map { .init(lineNumber: $0.lineNumber, quantity: $0.quantity) },
                                                     note: note.isEmpty ? nil : note, requestId: "till:\(counter.storeId):\(counter.tillId):\(body.returnReceiptNo)")
            let (opened, replayed) = try await returns.open(opening, by: "\(counter.cashierId)@\(counter.storeId)", bypassWindow: false, exchangeID: nil, till: counter.reference, tx: tx)
            var view = opened
            if !replayed {
                view = try await ReturnRoutes.receive(opened.returnId, .init(warehouseId: counter.storeId,
                                                                        items: body.items.map { .init(lineNumber: $0.lineNumber, quantity: $0.quantity, condition: $0.condition, note: $0.note) }),
                                                 tx: tx)
                if let refund = view.refund, refund.paymentMethod == .cashAtTill {
                    _ = try await RefundStore.settle(refund.refundId, outcome: .succeeded, providerRefundId: counter.reference, reason: "paid_in_cash_at_till",
                                                 onlyAttempt: nil, now: Date(), context: tx)
                }
            }
            var payment: RefundStore.View?
            if let refund = view.refund { payment = try await RefundStore.view(refund.refundId, connection: tx.connection, logger: tx.logger) }
            let cash = payment?.status == RefundPaymentStatus.succeeded.rawValue && payment?.paymentMethod == PaymentMethod.cashAtTill.rawValue ? payment?.amountFen ?? 0 : 0
            return (TillReturnAnswer(return: view, refundStatus: payment?.status, cashBackFen: cash), replayed)
        }
    }
}
