/// How a marketplace platform answered one call. Invariant: `retry` only for what the platform
/// documents as transient (throttling, its own faults, no answer); a business refusal is
/// `rejected` with the platform's own code, never retried by itself.
enum MarketplaceAnswer: Sendable, Equatable {
    case accepted
    case retry(code: String, message: String)
    case rejected(code: String, message: String)
}
