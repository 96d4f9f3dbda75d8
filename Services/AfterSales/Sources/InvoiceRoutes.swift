import Foundation
import Hummingbird
import OMSDomain
import OMSPlatform

/// Invoices (发票) as customer service and finance read them:
/// - `GET /v1/aftersales/orders/{id}/invoices`: the order's blue invoice and its red-letter ones;
/// - `GET /v1/aftersales/invoices/{number}`: one invoice as structured data, `.../pdf` as a PDF;
/// - `GET /v1/aftersales/invoice-series/{series}?after=&limit=`: a series in number order, for
///   finance's numbering check and export.
/// The buyer's personal title and e-mail are opened for these staff roles only.
struct InvoiceRoutes: RouteGroup {
    let runtime: ServiceRuntime

    static let endpoints: [Endpoint<Self>] = [
        .get("/v1/aftersales/orders/:id/invoices", [.customerService, .ops], "An order's invoices (blue, then red-letter)", use: forOrder),
        .get("/v1/aftersales/invoices/:number", [.customerService, .ops], "One invoice as structured data", use: show),
        .get("/v1/aftersales/invoices/:number/pdf", [.customerService, .ops], "One invoice as a PDF (电子发票 layout, text searchable)", use: pdf),
        .get("/v1/aftersales/invoice-series/:series", [.ops], "A series' invoices in number order (?after, limit)", use: series),
    ]

    struct InvoiceList: Encodable { var invoices: [InvoiceView] }

    func forOrder(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        var check = RequestCheck()
        if id.isEmpty || id.count > 64 { check.fail("id", "1-64 characters") }
        try check.check()
        let logger = runtime.logger
        let found = try await runtime.database.client.withConnection { try await InvoiceStore.invoicesWithState(orderID: id, connection: $0, logger: logger) }
        return try Response.json(InvoiceList(invoices: try found.map { try opened($0.0, platform: $0.1) }))
    }

    func show(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        try Response.json(InvoiceView(try await namedInvoice(context)))
    }

    func pdf(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let invoice = try await namedInvoice(context)
        return Response(status: .ok, headers: [.contentType: "application/pdf", .contentDisposition: "inline; filename=\"\(invoice.invoiceNumber).pdf\""],
                        body: .init(byteBuffer: ByteBuffer(bytes: InvoicePDF.render(invoice))))
    }

    /// The invoice the path names, its buyer opened; 422 for a malformed number, 404 for an unknown one.
    private func namedInvoice(_ context: OMSRequestContext) async throws -> Invoice {
        let number = context.parameters.get("number") ?? ""
        var check = RequestCheck()
        if number.isEmpty || number.count > 40 { check.fail("number", "an invoice number like FP2026-00000001") }
        try check.check()
        let logger = runtime.logger
        guard var invoice = try await runtime.database.client.withConnection({ try await InvoiceStore.invoice(number: number, connection: $0, logger: logger) }) else {
            throw APIError(.notFound, code: "invoice_not_found", message: "no invoice \(number)")
        }
        invoice.buyer = try runtime.database.vault.open(invoice.buyer, orderID: invoice.orderID)
        return invoice
    }

    func series(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let series = context.parameters.get("series") ?? ""
        let query = request.queryDictionary
        var check = RequestCheck()
        if !Self.isSeries(series) { check.fail("series", "FP<year> (blue) or HZ<year> (red-letter), e.g. FP2026") }
        let after = Int64(query["after"] ?? "0") ?? -1
        if after < 0 { check.fail("after", "a non-negative number") }
        let limit = Int(query["limit"] ?? "100") ?? 0
        if !(1...1_000).contains(limit) { check.fail("limit", "1-1000") }
        try check.check()
        let logger = runtime.logger
        let found = try await runtime.database.client.withConnection {
            try await InvoiceStore.series(series, after: after, limit: limit, connection: $0, logger: logger)
        }
        return try Response.json(InvoiceList(invoices: try found.map { try opened($0) }))
    }

    static func isSeries(_ text: String) -> Bool {
        text.count == 6 && (text.hasPrefix("FP") || text.hasPrefix("HZ")) && text.dropFirst(2).allSatisfy { $0.isASCII && $0.isNumber }
    }

    private func opened(_ invoice: Invoice, platform: InvoiceStore.PlatformState? = nil) throws -> InvoiceView {
        var view = InvoiceView(invoice, platform: platform)
        view.buyer = try runtime.database.vault.open(invoice.buyer, orderID: invoice.orderID)
        return view
    }
}
