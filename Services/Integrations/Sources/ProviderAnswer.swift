/// How an SMS provider or a mail server answered one message. Adapters answer every outcome as
/// one of these (never throw). Invariant: `retry` means the message surely did not go out (no
/// connection, an explicit temporary refusal); `unknown` means it may have (the request or the
/// mail data was handed over and no answer came).
enum ProviderAnswer: Sendable, Equatable {
    case accepted(messageId: String?)
    /// A temporary failure (throttling, the provider's own error): try again later.
    case retry(code: String, message: String)
    /// Handed over, no answer: the message may have reached the customer.
    case unknown(code: String, message: String)
    /// A permanent refusal (invalid number or address, template not approved): never retried.
    case rejected(code: String, message: String)
}
