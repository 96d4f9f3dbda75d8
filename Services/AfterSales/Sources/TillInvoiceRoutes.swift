import Foundation
import Hummingbird
import OMSDomain
import OMSPlatform

/// A 发票 for a till sale, on request (门店开票): the customer shows the receipt at any counter, or to
/// customer service, and gives the invoice title (a person's name, or a company with its taxpayer
/// id). `POST /v1/aftersales/till-invoices` records the request on the sale and issues its blue
/// invoice at once, in one transaction: numbered in the same gapless series as shipped orders'
/// invoices, rendered by the same PDF route, sent to the e-invoice platform when one is configured.
/// Refunds settled before the request are left out; a later till return is credited by a
/// red-letter invoice as any refund is.
///
/// Invariant: a sale is invoiced once. Asking again answers 200 with the invoice already issued
/// (whatever title the second request gives).
struct TillInvoiceRoutes: RouteGroup {
    let runtime: ServiceRuntime
    let desk: InvoiceDesk

    struct TillInvoiceRequest: Codable, Sendable {
        var receipt: SaleReceipt
        var invoice: InvoiceRequest
    }

    static let endpoints: [Endpoint<Self>] = [
        .post("/v1/aftersales/till-invoices", [.customerService, .channel], "Issue the 发票 of a till sale on request, by its receipt (a channel: POS only)", use: issue),
    ]

    func issue(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        try SaleReceipt.requireStaffOrTill(context)
        let body = try await request.decodeJSON(as: TillInvoiceRequest.self, context: context)
        var check = RequestCheck()
        body.receipt.check(&check)
        for problem in body.invoice.problems(prefix: "invoice") { check.fail(problem.field, problem.reason) }
        try check.check()
        let vault = runtime.database.vault
        let (invoice, replayed) = try await runtime.retryingTransaction { tx -> (Invoice, Bool) in
            let orderID = try await body.receipt.orderID(tx: tx)
            guard let record = try await AfterSalesRecord.load(orderID, lock: true, connection: tx.connection, logger: tx.logger, vault: vault) else {
                throw APIError.notFound("order")
            }
            if let issued = try await InvoiceStore.invoicesWithState(orderID: orderID, connection: tx.connection, logger: tx.logger).first(where: { $0.0.kind == .blue }) {
                return (issued.0, true)
            }
            var order = record.order
            order.invoice = body.invoice
            let sealed = vault.seal(order)
            try await InvoiceStore.recordRequest(sealed, connection: tx.connection, logger: tx.logger)
            guard let invoice = try await desk.issueBlue(for: sealed, now: Date(), tx: tx) else {
                throw APIError.conflict("nothing_to_invoice", "order \(orderID) has no invoice request")
            }
            return (invoice, false)
        }
        var view = InvoiceView(invoice)
        view.buyer = try vault.open(invoice.buyer, orderID: invoice.orderID)
        return replayed ? try Response.replayed(view) : try Response.json(view, status: .created)
    }
}
