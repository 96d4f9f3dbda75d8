import Foundation
import OMSDomain
import OMSPlatform

/// Issues invoices (发票) every `OMS_INVOICE_CHECK_SECONDS`: a blue one for each order whose buyer
/// asked for one once its first parcel has left, and a red-letter one for each settled refund of
/// an invoiced order. Each invoice is its own transaction: the claimed row, the series number,
/// the invoice and its `aftersales.invoice-issued` commit together. Invariant: never two blue
/// invoices for an order nor two red ones for a refund, however many replicas run it; numbers are
/// gapless per series.
struct InvoiceDesk: Sendable {
    let runtime: ServiceRuntime
    let seller: InvoiceSeller
    let interval: Int
    /// Whether an e-invoice platform is configured: new invoices are queued for it.
    var toPlatform = false
    /// Invoices per round at most (the rest wait for the next round).
    var roundLimit = 200

    func job() -> PeriodicJob {
        PeriodicJob(name: "invoice-desk", every: .seconds(interval), runtime: runtime) { try await issueDue() }
    }

    /// Issues what is due now; returns how many invoices it issued.
    @discardableResult
    func issueDue(now: Date = Date()) async throws -> Int {
        var issued = 0
        while issued < roundLimit, try await issueBlue(now: now) { issued += 1 }
        while issued < roundLimit, try await issueRed(now: now) { issued += 1 }
        return issued
    }

    /// The blue invoice of one shipped order; false when none is due.
    func issueBlue(now: Date) async throws -> Bool {
        try await runtime.retryingTransaction { tx in
            guard let claimed = try await InvoiceStore.claimShippedWithoutInvoice(connection: tx.connection, logger: tx.logger) else { return false }
            let order = try EventCoding.decode(Order.self, from: Array(claimed.body.utf8))
            return try await issueBlue(for: order, now: now, tx: tx) != nil
        }
    }

    /// Issues `order`'s blue invoice in the caller's transaction (the order row locked by the
    /// caller, its body as stored: the buyer sealed), leaving out refunds already settled; nil when
    /// the buyer asked for none.
    func issueBlue(for order: Order, now: Date, tx: TransactionContext) async throws -> Invoice? {
        guard let buyer = order.invoice else { return nil }
        let refunds = try await InvoiceStore.settledRefunds(orderID: order.orderID, connection: tx.connection, logger: tx.logger)
            .map { try EventCoding.decode(RefundIssued.self, from: Array($0.utf8)) }
        let series = Self.series(.blue, at: now)
        let number = try await InvoiceStore.nextNumber(series: series, connection: tx.connection, logger: tx.logger)
        let invoice = Invoice(invoiceNumber: Self.invoiceNumber(series: series, number: number), series: series, number: number, kind: .blue,
                              orderID: order.orderID, originalInvoiceNumber: nil, refundId: nil, buyer: buyer, seller: seller,
                              lines: InvoiceCalculator.blueLines(order: order, refundedBefore: refunds), issuedAt: now)
        try await InvoiceStore.insert(invoice, accounting: refunds.map(\.refundId), toPlatform: toPlatform, connection: tx.connection, logger: tx.logger)
        try tx.emit(InvoiceIssued(invoice: invoice), orderID: order.orderID, topic: TopicCatalogue.afterSalesEvents)
        tx.logger.info("invoice issued", metadata: ["invoice": "\(invoice.invoiceNumber)", "orderId": "\(order.orderID)", "kind": "blue",
                                                    "totalFen": "\(invoice.total.minorUnits)", "refundsLeftOut": "\(refunds.count)"])
        return invoice
    }

    /// The red-letter invoice of one settled refund; false when none is due.
    func issueRed(now: Date) async throws -> Bool {
        try await runtime.retryingTransaction { tx in
            guard let claimed = try await InvoiceStore.claimRefundToCredit(connection: tx.connection, logger: tx.logger) else { return false }
            let refund = try EventCoding.decode(RefundIssued.self, from: Array(claimed.refund.utf8))
            let order = try EventCoding.decode(Order.self, from: Array(claimed.order.utf8))
            guard let blue = try await InvoiceStore.invoice(number: claimed.blue, connection: tx.connection, logger: tx.logger) else { return false }
            let series = Self.series(.red, at: now)
            let number = try await InvoiceStore.nextNumber(series: series, connection: tx.connection, logger: tx.logger)
            let invoice = Invoice(invoiceNumber: Self.invoiceNumber(series: series, number: number), series: series, number: number, kind: .red,
                                  orderID: order.orderID, originalInvoiceNumber: blue.invoiceNumber, refundId: refund.refundId, buyer: blue.buyer, seller: blue.seller,
                                  lines: InvoiceCalculator.redLines(refund: refund, order: order), issuedAt: now)
            try await InvoiceStore.insert(invoice, accounting: [refund.refundId], toPlatform: toPlatform, connection: tx.connection, logger: tx.logger)
            try tx.emit(InvoiceIssued(invoice: invoice), orderID: order.orderID, topic: TopicCatalogue.afterSalesEvents)
            tx.logger.info("invoice issued", metadata: ["invoice": "\(invoice.invoiceNumber)", "orderId": "\(order.orderID)", "kind": "red",
                                                        "credits": "\(blue.invoiceNumber)", "totalFen": "\(invoice.total.minorUnits)"])
            return true
        }
    }

    /// `FP<year>` (blue) or `HZ<year>` (红字), by the Asia/Shanghai year of issue.
    static func series(_ kind: Invoice.Kind, at instant: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        return (kind == .blue ? "FP" : "HZ") + String(calendar.component(.year, from: instant))
    }

    static func invoiceNumber(series: String, number: Int64) -> String {
        let digits = String(number)
        return series + "-" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }
}
