import Foundation
import OMSDomain

/// An invoice as the API shows it: amounts as integer fen fields (`totalFen`, `taxFen`, ...), like
/// every other after-sales view, and the buyer opened for the staff reading it.
struct InvoiceView: Encodable, Sendable {
    struct Line: Encodable, Sendable {
        var lineNumber: Int?
        var description: String
        var sku: String?
        var quantity: Int
        var amountFen: Int64
        var taxRateBasisPoints: Int
        var taxFen: Int64
        var netFen: Int64
    }

    var invoiceNumber: String
    var series: String
    var number: Int64
    var kind: Invoice.Kind
    var orderId: String
    var originalInvoiceNumber: String?
    var refundId: String?
    var buyer: InvoiceRequest
    var seller: InvoiceSeller
    var lines: [Line]
    var totalFen: Int64
    var taxFen: Int64
    var issuedAt: Date
    /// At the e-invoice platform: pending, submitted (with its id), failed (with the reason) or
    /// offline (issued in the OMS only); shown in the order's list.
    var platformStatus: String?
    var platformId: String?
    var platformError: String?

    init(_ invoice: Invoice, platform: InvoiceStore.PlatformState? = nil) {
        platformStatus = platform?.status
        platformId = platform?.platformID
        platformError = platform?.error
        invoiceNumber = invoice.invoiceNumber
        series = invoice.series
        number = invoice.number
        kind = invoice.kind
        orderId = invoice.orderID
        originalInvoiceNumber = invoice.originalInvoiceNumber
        refundId = invoice.refundId
        buyer = invoice.buyer
        seller = invoice.seller
        lines = invoice.lines.map {
            Line(lineNumber: $0.lineNumber, description: $0.description, sku: $0.sku, quantity: $0.quantity, amountFen: $0.amount.minorUnits,
                 taxRateBasisPoints: $0.taxRateBasisPoints, taxFen: $0.taxAmount.minorUnits, netFen: $0.netAmount.minorUnits)
        }
        totalFen = invoice.total.minorUnits
        taxFen = invoice.taxTotal.minorUnits
        issuedAt = invoice.issuedAt
    }
}
