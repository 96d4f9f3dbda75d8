import Foundation

/// What happens after one delivery attempt. Invariant: a 2xx delivers; 410 Gone ends the
/// subscription; anything else (other 4xx, 5xx, timeouts, refused connections) is retried with
/// exponential backoff until `maxAttempts` attempts were made, then the delivery failed. With the
/// defaults (8 attempts, 120 s base) the attempts span about 4 h 15 min; jitter only lengthens a
/// wait (0-25 %), so the span is never shorter than configured.
public struct WebhookRetryPolicy: Sendable, Equatable {
    public var maxAttempts: Int
    /// The wait after the first failed attempt, in milliseconds; each later wait doubles.
    public var baseMilliseconds: Int
    /// No single wait is longer than this.
    public var capMilliseconds: Int
    /// A subscription whose deliveries fail (attempts used up) this many times in a row is suspended.
    public var suspendAfterFailedDeliveries: Int

    public init(maxAttempts: Int = 8, baseMilliseconds: Int = 120_000, capMilliseconds: Int = 6 * 3_600_000, suspendAfterFailedDeliveries: Int = 5) {
        self.maxAttempts = maxAttempts
        self.baseMilliseconds = baseMilliseconds
        self.capMilliseconds = capMilliseconds
        self.suspendAfterFailedDeliveries = suspendAfterFailedDeliveries
    }

    /// How one attempt ended.
    public enum Result: Sendable, Equatable {
        /// The receiver answered with this HTTP status.
        case answered(Int)
        /// No answer: timeout, refused connection, TLS or DNS failure (the reason, no secrets).
        case unreachable(String)
    }

    /// The next step for a delivery.
    public enum Step: Sendable, Equatable {
        case delivered
        /// The receiver said the endpoint is gone: disable the subscription.
        case gone
        /// Try again after this many milliseconds.
        case retry(afterMilliseconds: Int)
        /// Attempts used up.
        case failed
    }

    /// The step after attempt number `attempt` (1-based) ended with `result`; `jitter` in 0...1.
    public func step(after result: Result, attempt: Int, jitter: Double = Double.random(in: 0...1)) -> Step {
        if case .answered(let status) = result {
            if (200..<300).contains(status) { return .delivered }
            if status == 410 { return .gone }
        }
        guard attempt < maxAttempts else { return .failed }
        return .retry(afterMilliseconds: wait(afterAttempt: attempt, jitter: jitter))
    }

    /// The wait after failed attempt `attempt`: base × 2^(attempt-1), capped, plus 0-25 % jitter.
    public func wait(afterAttempt attempt: Int, jitter: Double) -> Int {
        let exponent = min(max(attempt - 1, 0), 30)
        let plain = min(Double(baseMilliseconds) * pow(2, Double(exponent)), Double(capMilliseconds))
        return Int(plain * (1 + 0.25 * min(max(jitter, 0), 1)))
    }

    /// The shortest time from the first to the last attempt (no jitter), in milliseconds.
    public var minimumSpanMilliseconds: Int {
        (1..<max(maxAttempts, 1)).reduce(0) { $0 + wait(afterAttempt: $1, jitter: 0) }
    }
}
