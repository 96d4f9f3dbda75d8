import NIOConcurrencyHelpers

/// Wakes the outbox relay as soon as a transaction with outbox rows committed, instead of
/// waiting for its idle poll interval.
/// Invariant: a signal given while nobody waits is kept (once) for the next `wait`; a waiting
/// task is resumed exactly once, by the signal, its timeout or its cancellation, and never
/// spins: an idle relay costs one timer per idle interval, not a wake-up per millisecond.
public final class RelaySignal: Sendable {
    private struct State {
        var pending = false
        var waiter: (id: UInt64, continuation: CheckedContinuation<Void, Never>)?
        /// A waiter cancelled before it registered its continuation: it must not suspend.
        var cancelledBeforeRegistering: UInt64?
        var nextID: UInt64 = 0
    }

    private let state = NIOLockedValueBox(State())

    public init() {}

    public func signal() {
        let waiter = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter.continuation
        }
        waiter?.resume()
    }

    /// Whether a signal is pending (does not clear it).
    public var isSignalled: Bool { state.withLockedValue { $0.pending } }

    /// Returns when signalled or after `timeout`, whichever is first; clears the signal.
    public func wait(upTo timeout: Duration) async {
        let alreadySignalled = state.withLockedValue { state in
            defer { state.pending = false }
            return state.pending
        }
        if alreadySignalled { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForSignal() }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
        state.withLockedValue { $0.pending = false }
    }

    /// Suspends until `signal()` or until the calling task is cancelled.
    private func waitForSignal() async {
        let id = state.withLockedValue { state in
            defer { state.nextID &+= 1 }
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
                    if state.pending || state.cancelledBeforeRegistering == id {
                        state.pending = false
                        state.cancelledBeforeRegistering = nil
                        return continuation
                    }
                    // One waiter at a time (the relay loop); a second one releases the first,
                    // which is only an early wake-up.
                    let previous = state.waiter?.continuation
                    state.waiter = (id, continuation)
                    return previous
                }
                resumeNow?.resume()
            }
        } onCancel: {
            let waiter = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
                if let waiter = state.waiter, waiter.id == id {
                    state.waiter = nil
                    return waiter.continuation
                }
                state.cancelledBeforeRegistering = id
                return nil
            }
            waiter?.resume()
        }
    }
}
