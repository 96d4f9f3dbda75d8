import Foundation
import Hummingbird
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// Returns (RMA) for customer service and channels:
/// - `POST /v1/aftersales/returns` opens one, checked by `ReturnPolicy` (422 naming the rule);
///   reasons in `OMS_RETURN_AUTO_APPROVE` are approved at once, the rest wait for
/// - `POST /v1/aftersales/returns/{id}/decision` (`{"approve": true|false, "note": ...}`);
/// - `POST /v1/aftersales/returns/{id}/shipment` records the return parcel's carrier and tracking;
/// - `POST /v1/aftersales/returns/{id}/receipt` records the inspection per item and, in the same
///   transaction, emits `return.received` (inventory restocks or quarantines) and the refund;
/// - `POST /v1/aftersales/returns/{id}/refund` is the retry-safe refund request: an already
///   refunded return answers with its refund, never a second one;
/// - `GET /v1/aftersales/returns/{id}`.
struct ReturnRoutes: RouteGroup {
    let runtime: ServiceRuntime
    let policy: ReturnPolicy

    struct LineRequest: Codable, Sendable {
        var lineNumber: Int
        var quantity: Int
    }

    struct ReturnRequest: Codable, Sendable {
        var orderId: String
        var reason: ReturnAuthorization.Reason
        var lines: [LineRequest]
        var note: String?
        /// Idempotency key: the same key on the same order returns the same RMA.
        var requestId: String?
    }

    struct DecisionRequest: Codable, Sendable {
        var approve: Bool
        var note: String
    }

    struct ShipmentRequest: Codable, Sendable {
        var carrier: String
        var trackingNumber: String
    }

    /// One inspected item of a received return; `note` stays in after-sales.
    struct Inspection: Codable, Hashable, Sendable {
        var lineNumber: Int
        var quantity: Int
        var condition: ReturnedItemCondition
        var note: String?
    }

    struct ReceiptRequest: Codable, Sendable {
        var warehouseId: String
        var items: [Inspection]
    }

    static let endpoints: [Endpoint<Self>] = [
        .post("/v1/aftersales/returns", [.customerService], "Request a return of delivered lines", use: openReturn),
        .get("/v1/aftersales/returns/:id", [.customerService], "One return authorization", use: showReturn),
        .post("/v1/aftersales/returns/:id/decision", [.customerService], "Approve or reject a requested return", use: decideReturn),
        .post("/v1/aftersales/returns/:id/shipment", [.customerService], "Record the customer's return shipment (carrier, tracking number)", use: recordReturnShipment),
        .post("/v1/aftersales/returns/:id/receipt", [.customerService, .warehouse], "Record the returned goods and their inspection at the warehouse", use: receiveReturn),
        .post("/v1/aftersales/returns/:id/refund", [.customerService], "Refund a received return", body: .none, use: refundReturn),
    ]

    func openReturn(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: ReturnRequest.self, context: context)
        var check = RequestCheck()
        check.text(body.orderId, "orderId", max: 64)
        if body.lines.isEmpty || body.lines.count > 100 { check.fail("lines", "1-100 lines") }
        for (index, line) in body.lines.enumerated() {
            if line.lineNumber < 1 { check.fail("lines[\(index)].lineNumber", "a positive line number") }
            check.units(line.quantity, "lines[\(index)].quantity")
        }
        if let note = body.note, note.count > 500 { check.fail("note", "at most 500 characters") }
        if let key = body.requestId { check.text(key, "requestId", max: 64) }
        try check.check()
        let user = context.actingUser
        let (view, replayed) = try await runtime.retryingTransaction { tx in
            try await open(body, by: user, bypassWindow: false, exchangeID: nil, tx: tx)
        }
        return replayed ? try Response.replayed(view) : try Response.json(view, status: .created)
    }

    func showReturn(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        let view = try await runtime.database.client.withConnection { try await ReturnView.load(id, connection: $0, logger: runtime.logger) }
        guard let view else { throw APIError.notFound("return") }
        return try Response.json(view)
    }

    func decideReturn(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        let body = try await request.decodeJSON(as: DecisionRequest.self, context: context)
        var check = RequestCheck()
        check.text(body.note, "note", max: 500)
        try check.check()
        let user = context.actingUser
        let (view, replayed) = try await runtime.retryingTransaction { tx in
            let current = try await Self.locked(id, tx: tx)
            let wanted: ReturnAuthorization.Status = body.approve ? .approved : .rejected
            if current.status != .requested {
                if current.decidedBy != nil, current.status == wanted { return (current, true) }
                throw APIError.conflict("already_decided", "return \(id) is \(current.status.rawValue); only a requested return can be decided")
            }
            let now = Date()
            try await ReturnStore.decide(id, wanted, by: user, note: body.note, at: now, connection: tx.connection, logger: tx.logger)
            try tx.emit(ReturnDecided(returnId: id, orderID: current.orderId, approved: body.approve, decidedBy: user, note: body.note, decidedAt: now),
                        orderID: current.orderId, topic: TopicCatalogue.afterSalesEvents)
            return (try await ReturnView.load(id, connection: tx.connection, logger: tx.logger)!, false)
        }
        return replayed ? try Response.replayed(view) : try Response.json(view)
    }

    func recordReturnShipment(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        let body = try await request.decodeJSON(as: ShipmentRequest.self, context: context)
        var check = RequestCheck()
        check.code(body.carrier, "carrier")
        check.code(body.trackingNumber, "trackingNumber")
        try check.check()
        let view = try await runtime.retryingTransaction { tx in
            let current = try await Self.locked(id, tx: tx)
            guard current.status == .approved || current.status == .inTransit else {
                throw APIError.conflict("not_approved", "return \(id) is \(current.status.rawValue); a return parcel is expected only once it is approved")
            }
            try await ReturnStore.recordShipment(id, carrier: body.carrier, trackingNumber: body.trackingNumber, connection: tx.connection, logger: tx.logger)
            return try await ReturnView.load(id, connection: tx.connection, logger: tx.logger)!
        }
        return try Response.json(view)
    }

    func receiveReturn(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        let body = try await request.decodeJSON(as: ReceiptRequest.self, context: context)
        var check = RequestCheck()
        check.code(body.warehouseId, "warehouseId")
        if body.items.isEmpty || body.items.count > 200 { check.fail("items", "1-200 items") }
        for (index, item) in body.items.enumerated() {
            check.units(item.quantity, "items[\(index)].quantity")
            if let note = item.note, note.count > 500 { check.fail("items[\(index)].note", "at most 500 characters") }
        }
        try check.check()
        let view = try await runtime.retryingTransaction { tx in
            try await Self.receive(id, body, tx: tx)
        }
        return try Response.json(view)
    }

    func refundReturn(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        let view = try await runtime.database.client.withConnection { try await ReturnView.load(id, connection: $0, logger: runtime.logger) }
        guard let view else { throw APIError.notFound("return") }
        if let refund = view.refund { return try Response.replayed(refund) }
        if view.status == .received {
            throw APIError.conflict("nothing_to_refund", "return \(id) was received but none of its units are refundable (\(view.withheldUnits ?? 0) withheld)")
        }
        throw APIError.conflict("not_received", "return \(id) is \(view.status.rawValue); it is refunded when the warehouse receives and inspects it")
    }

    private static func locked(_ id: String, tx: TransactionContext) async throws -> ReturnView {
        guard let view = try await ReturnStore.locked(id, connection: tx.connection, logger: tx.logger) else { throw APIError.notFound("return") }
        return view
    }

    /// Opens a return after the eligibility checks; `bypassWindow` for an exchange turned into a
    /// refund (its window was checked when the exchange was opened); `till` for a till sale taken
    /// back over a counter, approved by its cashier. Returns the view and whether it is a replay
    /// of an earlier request with the same `requestId`.
    func open(_ body: ReturnRequest, by user: String, bypassWindow: Bool, exchangeID: String?, till: String? = nil, tx: TransactionContext) async throws -> (ReturnView, Bool) {
        let connection = tx.connection, logger = tx.logger
        guard let record = try await AfterSalesRecord.load(body.orderId, lock: true, connection: connection, logger: logger, vault: runtime.database.vault) else { throw APIError.notFound("order") }
        if let key = body.requestId {
            if let id = try await ReturnStore.opened(order: body.orderId, requestID: key, connection: connection, logger: logger) {
                return (try await ReturnView.load(id, connection: connection, logger: logger)!, true)
            }
        }
        let states = try await record.lineStates(connection: connection, logger: logger)
        var rules = policy
        if bypassWindow { rules.windowDays = Dictionary(uniqueKeysWithValues: ReturnAuthorization.Reason.allCases.map { ($0, 36_500) }) }
        let lines: [ReturnAuthorization.Line]
        switch rules.check(reason: body.reason, requested: body.lines.map { ($0.lineNumber, $0.quantity) }, lines: states, now: Date()) {
        case .success(let accepted): lines = accepted
        case .failure(let refusal): throw refusal.apiError
        }
        let id = try await ReturnStore.nextID(order: body.orderId, connection: connection, logger: logger)
        let approved = exchangeID != nil || till != nil || policy.approvesAutomatically(body.reason)
        let now = Date()
        try await ReturnStore.open(.init(id: id, orderID: body.orderId, requestID: body.requestId, reason: body.reason, approved: approved, lines: lines,
                                         requestedBy: user, note: body.note, at: now, exchangeID: exchangeID, till: till), connection: connection, logger: logger)
        try tx.emit(ReturnRequested(returnId: id, orderID: body.orderId, reason: body.reason, lines: lines, approved: approved, requestedBy: user, requestedAt: now),
                    orderID: body.orderId, topic: TopicCatalogue.afterSalesEvents)
        return (try await ReturnView.load(id, connection: connection, logger: logger)!, false)
    }

    /// Records the inspection, emits `return.received` and, unless nothing is refundable, the refund.
    static func receive(_ id: String, _ body: ReceiptRequest, tx: TransactionContext) async throws -> ReturnView {
        let current = try await locked(id, tx: tx)
        guard current.status == .approved || current.status == .inTransit else {
            throw APIError.conflict(current.status == .received || current.status == .refunded ? "already_received" : "not_approved",
                                    "return \(id) is \(current.status.rawValue); only an approved return can be received")
        }
        var check = RequestCheck()
        var units: [Int: Int] = [:]
        for (index, item) in body.items.enumerated() {
            guard let line = current.lines.first(where: { $0.lineNumber == item.lineNumber }) else {
                check.fail("items[\(index)].lineNumber", "line \(item.lineNumber) is not part of return \(id)")
                continue
            }
            units[line.lineNumber, default: 0] += item.quantity
            if units[line.lineNumber]! > line.quantity { check.fail("items[\(index)].quantity", "more units of line \(line.lineNumber) than the \(line.quantity) authorized") }
        }
        try check.check()
        let connection = tx.connection, logger = tx.logger
        guard let record = try await AfterSalesRecord.load(current.orderId, lock: true, connection: connection, logger: logger, vault: tx.vault) else { throw APIError.notFound("order") }
        let now = Date()
        let items = body.items.map { item in
            InspectedItem(lineNumber: item.lineNumber, sku: current.lines.first { $0.lineNumber == item.lineNumber }!.sku, quantity: item.quantity, condition: item.condition)
        }
        try await ReturnStore.markReceived(id, warehouse: body.warehouseId, inspected: String(decoding: try EventCoding.encode(body.items), as: UTF8.self), at: now,
                                           connection: connection, logger: logger)
        try tx.emit(ReturnReceived(returnId: id, orderID: current.orderId, warehouseId: body.warehouseId, items: items, receivedAt: now, reason: current.reason),
                    orderID: current.orderId, topic: TopicCatalogue.afterSalesEvents)

        let history = try await record.refundHistory(connection: connection, logger: logger)
        let refund = record.calculator.refund(reason: current.reason, received: items, history: history)
        if !refund.lines.isEmpty || refund.shippingFeeRefunded.minorUnits > 0 {
            let issued = RefundIssued(refundId: "RF-\(id)", returnId: id, orderID: current.orderId, amount: refund.amount, lines: refund.lines, clawbacks: refund.clawbacks,
                                      shippingFeeRefunded: refund.shippingFeeRefunded, withheldUnits: refund.withheldUnits, paymentMethod: record.order.payment.method, issuedAt: now)
            try await RefundStore.recordRefund(issued, order: record.order, held: nil, context: tx)
            try await ReturnStore.markRefunded(id, connection: connection, logger: logger)
        }
        return try await ReturnView.load(id, connection: connection, logger: logger)!
    }
}
