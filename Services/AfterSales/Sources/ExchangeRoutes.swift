import Foundation
import Hummingbird
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// Size/colour swaps:
/// - `POST /v1/aftersales/exchanges` (`orderId`, `lineNumber`, `quantity`, `replacementSku`) checks
///   the units like a return (delivered, not yet returned, within `OMS_EXCHANGE_WINDOW_DAYS`) and
///   emits `exchange.requested`; inventory reserves the replacement (fulfillment packs it, logistics
///   ships it) or answers that it is out of stock;
/// - `POST /v1/aftersales/exchanges/{id}/receipt` books the original coming back (inventory restocks
///   it); the exchange closes once the original is back and the replacement has shipped;
/// - `POST /v1/aftersales/exchanges/{id}/refund` turns an exchange whose replacement is out of stock
///   into an approved return of the original, refunded on receipt;
/// - `GET /v1/aftersales/exchanges/{id}`.
struct ExchangeRoutes: RouteGroup {
    let runtime: ServiceRuntime
    let configuration: AfterSalesConfiguration
    let returns: ReturnRoutes

    struct ExchangeRequest: Codable, Sendable {
        var orderId: String
        var lineNumber: Int
        var quantity: Int
        var replacementSku: String
        var requestId: String?
    }

    struct OriginalReceipt: Codable, Sendable {
        var warehouseId: String
        var condition: ReturnedItemCondition
    }

    struct ExchangeView: Codable, Sendable {
        var exchangeId: String
        var orderId: String
        var originalLineNumber: Int
        var originalSku: String
        var quantity: Int
        var replacementLineNumber: Int
        var replacementSku: String
        var status: String
        var requestedBy: String
        var requestedAt: Date
        var replacementWarehouse: String?
        var replacementTracking: String?
        var originalReceivedAt: Date?
        var originalCondition: String?
        var returnId: String?
        var closedAt: Date?
        /// What customer service can offer next.
        var offer: String?
    }

    static let endpoints: [Endpoint<Self>] = [
        .post("/v1/aftersales/exchanges", [.customerService], "Open an exchange of delivered lines", use: openExchange),
        .get("/v1/aftersales/exchanges/:id", [.customerService], "One exchange", use: showExchange),
        .post("/v1/aftersales/exchanges/:id/receipt", [.customerService, .warehouse], "Record the returned goods of an exchange at the warehouse", use: receiveExchange),
        .post("/v1/aftersales/exchanges/:id/refund", [.customerService], "Refund the price difference of an exchange", body: .none, use: refundExchange),
    ]

    func openExchange(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: ExchangeRequest.self, context: context)
        var check = RequestCheck()
        check.text(body.orderId, "orderId", max: 64)
        if body.lineNumber < 1 || body.lineNumber > 1000 { check.fail("lineNumber", "a line of the original order (1-1000)") }
        check.units(body.quantity, "quantity")
        check.sku(body.replacementSku, "replacementSku")
        if let key = body.requestId { check.text(key, "requestId", max: 64) }
        try check.check()
        let user = context.actingUser
        let (view, replayed) = try await runtime.retryingTransaction { tx in try await open(body, by: user, tx: tx) }
        return replayed ? try Response.replayed(view) : try Response.json(view, status: .created)
    }

    func showExchange(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        let view = try await runtime.database.client.withConnection { try await load(id, connection: $0) }
        guard let view else { throw APIError.notFound("exchange") }
        return try Response.json(view)
    }

    func receiveExchange(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        let body = try await request.decodeJSON(as: OriginalReceipt.self, context: context)
        var check = RequestCheck()
        check.code(body.warehouseId, "warehouseId")
        try check.check()
        let view = try await runtime.retryingTransaction { tx in
            let current = try await locked(id, tx: tx)
            guard current.originalReceivedAt == nil else { throw APIError.conflict("already_received", "the original of exchange \(id) is already back") }
            guard ["requested", "replacementReserved", "replacementShipped"].contains(current.status) else {
                throw APIError.conflict("exchange_not_open", "exchange \(id) is \(current.status); its original is received through its return \(current.returnId ?? "")")
            }
            let now = Date()
            try await ExchangeStore.recordOriginalReceipt(id, condition: body.condition, at: now, connection: tx.connection, logger: tx.logger)
            let item = InspectedItem(lineNumber: current.originalLineNumber, sku: current.originalSku, quantity: current.quantity, condition: body.condition)
            try tx.emit(ReturnReceived(returnId: id, orderID: current.orderId, warehouseId: body.warehouseId, items: [item], receivedAt: now),
                        orderID: current.orderId, topic: TopicCatalogue.afterSalesEvents)
            return try await load(id, connection: tx.connection)!
        }
        return try Response.json(view)
    }

    func refundExchange(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        let user = context.actingUser
        let view = try await runtime.retryingTransaction { tx in
            let current = try await locked(id, tx: tx)
            if current.status == "convertedToRefund", let returnID = current.returnId {
                return try await ReturnView.load(returnID, connection: tx.connection, logger: tx.logger)!
            }
            guard current.status == "replacementUnavailable" else {
                throw APIError.conflict("replacement_available", "exchange \(id) is \(current.status); a refund is offered only when the replacement is out of stock")
            }
            try await ExchangeStore.markConvertedToRefund(id, connection: tx.connection, logger: tx.logger)
            let request = ReturnRoutes.ReturnRequest(orderId: current.orderId, reason: .sizeOrFit, lines: [.init(lineNumber: current.originalLineNumber, quantity: current.quantity)],
                                                     note: "exchange \(id): replacement \(current.replacementSku) out of stock", requestId: "exchange:\(id)")
            let (opened, _) = try await returns.open(request, by: user, bypassWindow: true, exchangeID: id, tx: tx)
            try await ExchangeStore.link(id, toReturn: opened.returnId, connection: tx.connection, logger: tx.logger)
            return opened
        }
        return try Response.json(view, status: .created)
    }

    private func open(_ body: ExchangeRequest, by user: String, tx: TransactionContext) async throws -> (ExchangeView, Bool) {
        let connection = tx.connection, logger = tx.logger
        guard let record = try await AfterSalesRecord.load(body.orderId, lock: true, connection: connection, logger: logger, vault: runtime.database.vault) else { throw APIError.notFound("order") }
        if let key = body.requestId {
            if let id = try await ExchangeStore.opened(order: body.orderId, requestID: key, connection: connection, logger: logger) {
                return (try await load(id, connection: connection)!, true)
            }
        }
        guard record.order.deliveryAddress != nil else {
            throw APIError(.unprocessableContent, code: "not_shippable", message: "order \(body.orderId) was sold at a till; exchange it in the store",
                           fields: [.init(field: "orderId", reason: "carry-out sales are exchanged in the store")])
        }
        guard let original = record.order.lines.first(where: { $0.lineNumber == body.lineNumber }) else {
            throw APIError(.unprocessableContent, code: "unknown_line", message: "the order has no line \(body.lineNumber)", fields: [.init(field: "lineNumber", reason: "not a line of the order")])
        }
        guard original.sku != body.replacementSku else {
            throw APIError(.unprocessableContent, code: "same_sku", message: "the replacement must be another size or colour",
                           fields: [.init(field: "replacementSku", reason: "equals the original SKU")])
        }
        let states = try await record.lineStates(connection: connection, logger: logger)
        let rules = ReturnPolicy(windowDays: [.sizeOrFit: configuration.exchangeWindowDays], autoApproved: [])
        if case .failure(let refusal) = rules.check(reason: .sizeOrFit, requested: [(body.lineNumber, body.quantity)], lines: states, now: Date()) {
            var error = refusal.apiError
            if refusal.code == "outside_return_window" {
                error.message = "exchanges must be requested within \(configuration.exchangeWindowDays) days of delivery"
                error.fields = [.init(field: "orderId", reason: error.message)]
            } else {
                error.fields = error.fields.map { .init(field: $0.field.hasSuffix(".quantity") ? "quantity" : $0.field.hasSuffix(".lineNumber") ? "lineNumber" : $0.field, reason: $0.reason) }
            }
            throw error
        }
        let sequence = try await ExchangeStore.nextSequence(order: body.orderId, connection: connection, logger: logger)
        let id = "EXC-\(body.orderId)-\(sequence)"
        // The replacement keeps what the customer paid per unit of the original.
        let replacement = OrderLine(lineNumber: 1000 + sequence, sku: body.replacementSku, quantity: body.quantity, unitPrice: original.unitPrice,
                                    allocatedDiscount: RefundCalculator.share(of: original.allocatedDiscount, units: body.quantity, of: original.quantity))
        let now = Date()
        try await ExchangeStore.open(id: id, order: body.orderId, requestID: body.requestId, originalLine: body.lineNumber, originalSKU: original.sku, quantity: body.quantity,
                                     replacementLine: replacement.lineNumber, replacementSKU: body.replacementSku, by: user, at: now, connection: connection, logger: logger)
        try tx.emit(ExchangeRequested(exchangeId: id, orderID: body.orderId, originalLineNumber: body.lineNumber, originalSku: original.sku, replacement: replacement, requestedAt: now),
                    orderID: body.orderId, topic: TopicCatalogue.afterSalesEvents)
        return (try await load(id, connection: connection)!, false)
    }

    private func locked(_ id: String, tx: TransactionContext) async throws -> ExchangeView {
        guard let view = try await ExchangeStore.locked(id, connection: tx.connection, logger: tx.logger) else { throw APIError.notFound("exchange") }
        return view
    }

    private func load(_ id: String, connection: PostgresConnection) async throws -> ExchangeView? {
        try await ExchangeStore.find(id, connection: connection, logger: runtime.logger)
    }
}
