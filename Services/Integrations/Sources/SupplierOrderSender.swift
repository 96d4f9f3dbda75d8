import Foundation
import Logging
import NIOConcurrencyHelpers
import OMSDomain
import OMSPlatform

/// E-mails approved purchase orders to their suppliers every `OMS_NOTIFY_POLL_MILLISECONDS`
/// through the same mail server as customer e-mail: claims due rows (a lease, in its own
/// transaction), sends outside any transaction, records outcomes. Invariant: a purchase order
/// goes out until the server takes or refuses it; retried with the notifications' backoff; an
/// outcome twice unknown (the supplier may have it) or a refusal fails it, logged and counted.
struct SupplierOrderSender: Sendable {
    let runtime: ServiceRuntime
    let settings: NotificationConfiguration
    let mailer: SMTPMailer?

    func job() -> PeriodicJob {
        PeriodicJob(name: "supplier-orders", every: .milliseconds(settings.pollMilliseconds), runtime: runtime) {
            while try await sweep() == 8 {}
        }
    }

    @discardableResult
    func sweep() async throws -> Int {
        let lease = 4 * settings.timeoutSeconds + 10
        let claims = try await runtime.retryingTransaction { tx in
            try await SupplierOrderStore.claimDue(limit: 8, leaseSeconds: lease, connection: tx.connection, logger: tx.logger)
        }
        guard !claims.isEmpty else { return 0 }
        let outcomes = NIOLockedValueBox([(SupplierOrderStore.Claim, SupplierOrderStore.Outcome)]())
        try await forEachConcurrently(claims, limit: 2) { claim in
            let outcome = await attempt(claim, now: Date())
            outcomes.withLockedValue { $0.append((claim, outcome)) }
        }
        let recorded = outcomes.withLockedValue { $0 }
        try await runtime.retryingTransaction { tx in
            for (claim, outcome) in recorded { try await SupplierOrderStore.apply(outcome, to: claim.poNumber, connection: tx.connection, logger: tx.logger) }
        }
        for (claim, outcome) in recorded {
            let metadata: Logger.Metadata = ["po": "\(claim.poNumber)", "attempt": "\(claim.attempt)"]
            switch outcome {
            case .sent:
                runtime.metrics.count("oms_integrations_supplier_orders_sent_total", [])
                runtime.logger.info("purchase order sent to the supplier", metadata: metadata)
            case .retry(_, let error):
                runtime.logger.warning("purchase order not taken by the mail server yet; retrying", metadata: metadata.merging(["error": "\(error.prefix(200))"]) { $1 })
            case .failed(let error):
                runtime.metrics.count("oms_integrations_supplier_orders_failed_total", [])
                runtime.logger.error("purchase order could not be sent to the supplier", metadata: metadata.merging(["error": "\(error.prefix(200))"]) { $1 })
            }
        }
        return claims.count
    }

    func attempt(_ claim: SupplierOrderStore.Claim, now: Date) async -> SupplierOrderStore.Outcome {
        let order: PurchaseOrderApproved
        switch claim.order {
        case .success(let decoded): order = decoded
        case .failure(let failure): return .failed(error: "the stored purchase order does not decode: \(failure.reason)")
        }
        guard EmailAddress.isDeliverable(order.supplierEmail) else { return .failed(error: "the supplier's e-mail address is not deliverable") }
        if claim.unknownOutcomes >= 2 { return .failed(error: "two sends ended without an answer; not sending a third (the supplier may have it)") }
        guard let mailer else { return .retry(afterMilliseconds: 60_000, error: "smtp_not_configured: OMS_SMTP_HOST is not set") }
        switch await mailer.send(SupplierOrderMail.message(order, from: mailer.configuration.from, now: now)) {
        case .accepted(let id):
            return .sent(messageID: id ?? "")
        case .rejected(let code, let message):
            return .failed(error: "\(code) \(message)")
        case .retry(let code, let message), .unknown(let code, let message):
            guard case .retry(let wait) = settings.retry.step(after: .unreachable(code), attempt: claim.attempt) else {
                return .failed(error: "attempts used up: \(code) \(message)")
            }
            return .retry(afterMilliseconds: wait, error: "\(code) \(message)")
        }
    }
}
