import NIOConcurrencyHelpers

/// Wakes the outbox relay as soon as a transaction with outbox rows committed, instead of
/// waiting for its idle poll interval.
public final class RelaySignal: Sendable {
    private let pending = NIOLockedValueBox(false)

    public init() {}

    public func signal() {
        pending.withLockedValue { $0 = true }
    }

    /// Whether a signal is pending (does not clear it).
    public var isSignalled: Bool { pending.withLockedValue { $0 } }

    /// Returns when signalled or after `timeout`, whichever is first; clears the signal.
    public func wait(upTo timeout: Duration) async {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while clock.now < deadline {
            if pending.withLockedValue({ value in defer { value = false }; return value }) { return }
            try? await Task.sleep(for: .milliseconds(1))
        }
        pending.withLockedValue { $0 = false }
    }
}
