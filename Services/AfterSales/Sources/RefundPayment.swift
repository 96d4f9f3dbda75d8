import Foundation
import OMSDomain

/// Where one refund's payment stands. `held` is a cancellation refund waiting for the warehouses'
/// answer; `succeeded`, `failed`, `owed` and `voided` are final. Invariant: a refund leaves a final
/// state never, and reaches one once (the move and its `aftersales.refund-settled` commit together).
enum RefundPaymentStatus: String, Codable, Sendable, CaseIterable {
    case held, requested, submitted, succeeded, failed, owed, voided

    var isFinal: Bool { [.succeeded, .failed, .owed, .voided].contains(self) }
}

/// What a payment provider answered to one submission of a refund.
enum ProviderAnswer: Sendable, Equatable {
    /// The money went back; `providerRefundId` is the provider's id for it.
    case succeeded(providerRefundId: String)
    /// Accepted and under way; the result comes by notification (or the next submission, which
    /// the provider answers with the refund's current state).
    case processing(providerRefundId: String?)
    /// A fault worth retrying with the same refund id (system error, rate limit, balance short, timeout).
    case retryable(code: String, message: String)
    /// Refused for good (no such transaction, amount above what is refundable, closed).
    case rejected(code: String, message: String)
    /// No provider can pay it (cash at the till, cash on delivery, a provider not configured): staff
    /// hand it back, the refund is recorded as owed.
    case owed(reason: String)
}

/// The rules that turn a provider's answer into the refund's next state: retries with exponential
/// backoff, a final failure after `maxFailures`, a re-check of a refund under way after
/// `recheckSeconds`. Invariant: pure; the delay never exceeds `maxDelaySeconds`.
struct RefundRetryPolicy: Sendable, Equatable {
    var maxFailures = 8
    var baseDelaySeconds = 30
    var maxDelaySeconds = 3_600
    var recheckSeconds = 300

    /// The next state after `answer`, given how many retryable failures came before this one.
    enum Step: Equatable {
        case settle(RefundOutcome, providerRefundId: String?, reasonCode: String?)
        case wait(providerRefundId: String?, seconds: Int)
        case retry(seconds: Int, error: String)
    }

    func step(after answer: ProviderAnswer, failuresBefore: Int) -> Step {
        switch answer {
        case .succeeded(let id):
            return .settle(.succeeded, providerRefundId: id, reasonCode: nil)
        case .processing(let id):
            return .wait(providerRefundId: id, seconds: recheckSeconds)
        case .owed(let reason):
            return .settle(.owed, providerRefundId: nil, reasonCode: reason)
        case .rejected(let code, _):
            return .settle(.failed, providerRefundId: nil, reasonCode: code)
        case .retryable(let code, let message):
            let failures = failuresBefore + 1
            if failures >= maxFailures { return .settle(.failed, providerRefundId: nil, reasonCode: code) }
            return .retry(seconds: delay(afterFailures: failures), error: "\(code): \(message)")
        }
    }

    /// `base * 2^(failures-1)`, capped.
    func delay(afterFailures failures: Int) -> Int {
        let exponent = min(max(failures - 1, 0), 20)
        return min(baseDelaySeconds * (1 << exponent), maxDelaySeconds)
    }
}
