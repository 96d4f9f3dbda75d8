import Foundation
import OMSDomain
import OMSPlatform

/// Sends issued invoices to the e-invoice platform every `OMS_INVOICE_CHECK_SECONDS`, one at a
/// time: the claimed row stays locked while the platform is asked (at most its timeout), so two
/// replicas never send the same invoice at once, and the platform's refusal of a second request
/// with the same `orderNo` (the OMS invoice number) covers a send whose answer was lost. A
/// retryable answer waits `OMS_EINVOICE_RETRY_BASE_SECONDS` doubling (at most an hour); after
/// `OMS_EINVOICE_MAX_ATTEMPTS`, or on a refusal, the invoice is `failed` with the platform's reason
/// for finance. Invariant: an invoice is `submitted` only with the platform's id for it.
struct EInvoiceSubmitter: Sendable {
    let runtime: ServiceRuntime
    let platform: any EInvoicePlatform
    let interval: Int
    let retryBaseSeconds: Int
    let maxAttempts: Int

    func job() -> PeriodicJob {
        PeriodicJob(name: "einvoice-submitter", every: .seconds(interval), runtime: runtime) { try await submitDue() }
    }

    @discardableResult
    func submitDue(limit: Int = 100) async throws -> Int {
        var sent = 0
        while sent < limit, try await submitOne() { sent += 1 }
        return sent
    }

    func submitOne(now: Date = Date()) async throws -> Bool {
        // Not the retrying transaction: a retry after the platform answered would send the invoice
        // again (refused as a repeat orderNo). A failed commit leaves it pending for the next round.
        try await runtime.database.transaction(logger: runtime.logger) { tx in
            guard let claimed = try await InvoiceStore.claimDueSubmission(now: now, connection: tx.connection, logger: tx.logger) else { return false }
            var invoice = try EventCoding.decode(Invoice.self, from: Array(claimed.body.utf8))
            invoice.buyer = try tx.vault.open(invoice.buyer, orderID: invoice.orderID)
            let answer = await platform.submit(invoice, creditingPlatformID: claimed.credits)
            let attempt = claimed.attempts + 1
            switch answer {
            case .accepted(let id):
                try await InvoiceStore.recordSubmission(invoice.invoiceNumber, status: "submitted", platformID: id, nextAt: now, error: nil, connection: tx.connection, logger: tx.logger)
                tx.logger.info("invoice taken by the e-invoice platform", metadata: ["invoice": "\(invoice.invoiceNumber)", "platform": "\(platform.name)", "platformId": "\(id)"])
            case .retryable(let code, let message) where attempt < maxAttempts:
                let delay = min(3_600, retryBaseSeconds << min(attempt - 1, 20))
                try await InvoiceStore.recordSubmission(invoice.invoiceNumber, status: "pending", platformID: nil, nextAt: now.addingTimeInterval(Double(delay)),
                                                        error: "\(code): \(message)", connection: tx.connection, logger: tx.logger)
                tx.logger.warning("e-invoice platform did not take the invoice; asking again later",
                                  metadata: ["invoice": "\(invoice.invoiceNumber)", "code": "\(code)", "attempt": "\(attempt)", "retryInSeconds": "\(delay)"])
            case .retryable(let code, let message), .refused(let code, let message):
                try await InvoiceStore.recordSubmission(invoice.invoiceNumber, status: "failed", platformID: nil, nextAt: now, error: "\(code): \(message)",
                                                        connection: tx.connection, logger: tx.logger)
                tx.logger.error("e-invoice platform refused the invoice; finance corrects and re-issues",
                                metadata: ["invoice": "\(invoice.invoiceNumber)", "code": "\(code)", "attempt": "\(attempt)"])
            }
            return true
        }
    }
}
