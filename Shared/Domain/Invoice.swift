import Foundation

/// One line of a 发票: what was sold (or, on a red-letter invoice, credited) at one VAT rate.
/// Invariant: prices include VAT (含税); `taxAmount` is `amount × rate / (1 + rate)` rounded half
/// away from zero to the fen and `netAmount + taxAmount == amount`; a red-letter line's amounts are
/// negative.
public struct InvoiceLine: Codable, Hashable, Sendable {
    /// The order line it comes from; nil for the shipping fee and discount adjustments.
    public var lineNumber: Int?
    /// As printed: `*category*SKU`, `*运输服务*运费`, `*折扣调整*…`.
    public var description: String
    public var sku: String?
    public var quantity: Int
    public var amount: Money
    public var taxRateBasisPoints: Int
    public var taxAmount: Money
    public var netAmount: Money { amount - taxAmount }

    public init(lineNumber: Int?, description: String, sku: String?, quantity: Int, amount: Money, taxRateBasisPoints: Int) {
        self.lineNumber = lineNumber
        self.description = description
        self.sku = sku
        self.quantity = quantity
        self.amount = amount
        self.taxRateBasisPoints = taxRateBasisPoints
        self.taxAmount = Self.tax(on: amount, rateBasisPoints: taxRateBasisPoints)
    }

    /// The VAT inside a tax-inclusive `amount`, in fen, rounded half away from zero.
    public static func tax(on amount: Money, rateBasisPoints rate: Int) -> Money {
        let magnitude = amount.minorUnits.magnitude
        let denominator = UInt64(10_000 + rate)
        let tax = (magnitude * UInt64(rate) * 2 + denominator) / (denominator * 2)
        return .fen(amount.minorUnits < 0 ? -Int64(tax) : Int64(tax))
    }
}

/// A 发票 the OMS issued: blue (蓝字) for what an order sold when it shipped, red-letter (红字)
/// for what a refund gave back. Invariant: at most one blue invoice per order; at most one red
/// per refund, pointing at the order's blue one; `number` is gapless within `series`;
/// `total == Σ lines.amount`, `taxTotal == Σ lines.taxAmount`.
public struct Invoice: Codable, Hashable, Sendable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case blue, red
    }

    /// `<series>-<8 digits>`, e.g. `FP2026-00000042`.
    public var invoiceNumber: String
    /// `FP<year>` for blue invoices, `HZ<year>` for red ones (Asia/Shanghai year of issue).
    public var series: String
    public var number: Int64
    public var kind: Kind
    public var orderID: String
    /// The blue invoice a red one credits.
    public var originalInvoiceNumber: String?
    /// The refund a red one is for.
    public var refundId: String?
    public var buyer: InvoiceRequest
    public var seller: InvoiceSeller
    public var lines: [InvoiceLine]
    public var total: Money
    public var taxTotal: Money
    public var issuedAt: Date

    public init(invoiceNumber: String, series: String, number: Int64, kind: Kind, orderID: String, originalInvoiceNumber: String?, refundId: String?,
                buyer: InvoiceRequest, seller: InvoiceSeller, lines: [InvoiceLine], issuedAt: Date) {
        self.invoiceNumber = invoiceNumber
        self.series = series
        self.number = number
        self.kind = kind
        self.orderID = orderID
        self.originalInvoiceNumber = originalInvoiceNumber
        self.refundId = refundId
        self.buyer = buyer
        self.seller = seller
        self.lines = lines
        self.total = lines.reduce(.zero) { $0 + $1.amount }
        self.taxTotal = lines.reduce(.zero) { $0 + $1.taxAmount }
        self.issuedAt = issuedAt
    }
}

/// The retailer as the invoice names it (销售方). Invariant: `taxId` passes `TaxpayerID.problem`.
public struct InvoiceSeller: Codable, Hashable, Sendable {
    public var name: String
    public var taxId: String

    public init(name: String, taxId: String) {
        self.name = name
        self.taxId = taxId
    }
}

/// `aftersales.invoice-issued` on `oms.aftersales.events`: a blue or red-letter invoice was
/// issued (an e-invoice platform adapter and webhook subscribers take it from here). The buyer's
/// personal title and e-mail are not in the event; they stay sealed in after-sales.
public struct InvoiceIssued: DomainEvent {
    public static let eventType = "aftersales.invoice-issued"
    public static let schemaVersion = 1

    public var invoiceNumber: String
    public var kind: Invoice.Kind
    public var orderID: String
    public var originalInvoiceNumber: String?
    public var refundId: String?
    public var buyerKind: InvoiceRequest.Kind
    public var total: Money
    public var taxTotal: Money
    public var issuedAt: Date

    public init(invoice: Invoice) {
        invoiceNumber = invoice.invoiceNumber
        kind = invoice.kind
        orderID = invoice.orderID
        originalInvoiceNumber = invoice.originalInvoiceNumber
        refundId = invoice.refundId
        buyerKind = invoice.buyer.kind
        total = invoice.total
        taxTotal = invoice.taxTotal
        issuedAt = invoice.issuedAt
    }
}
