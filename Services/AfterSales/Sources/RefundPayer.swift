import Foundation
import OMSPlatform

/// Pays due refunds through their providers every `OMS_REFUND_CHECK_SECONDS`: claims a batch
/// (marked submitted in its own transaction, so a crash mid-call is known), calls each provider
/// outside any transaction, and applies the answer in another. Invariant: never pays twice: every
/// submission of a refund carries the same refund id, which the providers dedup, and a refund
/// settles once (a late answer or a second notification changes nothing).
struct RefundPayer: Sendable {
    let runtime: ServiceRuntime
    let providers: PaymentProviders
    let policy: RefundRetryPolicy
    let interval: Int
    var batchSize = 20

    func job() -> PeriodicJob {
        PeriodicJob(name: "refund-payer", every: .seconds(interval), runtime: runtime) { try await sweep() }
    }

    /// One round; returns how many refunds settled.
    @discardableResult
    func sweep(now: @Sendable () -> Date = { Date() }) async throws -> Int {
        let claims = try await runtime.retryingTransaction { tx in
            try await RefundStore.claimDue(now: now(), limit: batchSize, leaseSeconds: policy.recheckSeconds, context: tx)
        }
        var settled = 0
        for claim in claims {
            let answer = await providers.adapter(named: claim.provider).refund(claim.submission)
            let step = policy.step(after: answer, failuresBefore: claim.failures)
            if case .retry(_, let error) = step {
                runtime.logger.warning("refund submission failed; retrying", metadata: ["refundId": "\(claim.submission.refundId)", "error": "\(error)"])
            }
            if try await runtime.retryingTransaction({ tx in try await RefundStore.apply(step, to: claim, now: now(), context: tx) }) {
                settled += 1
                runtime.metrics.count("oms_aftersales_refunds_settled_total")
            }
        }
        return settled
    }
}
