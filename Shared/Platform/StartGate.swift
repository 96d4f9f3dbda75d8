import NIOConcurrencyHelpers

/// Holds back background services (relay, consumers) until start-up work (migrations) is done.
/// Invariant: it is decided once (opened or failed) and every waiter is resumed exactly once;
/// waiters also resume when their task is cancelled.
public final class StartGate: Sendable {
    private struct State {
        var outcome: Bool?
        var waiters: [Int: CheckedContinuation<Bool, Never>] = [:]
        var nextID = 0
    }

    private let state = NIOLockedValueBox(State())

    public init() {}

    /// Start-up succeeded: waiters proceed.
    public func open() { decide(true) }

    /// Start-up failed: waiters return `false` and should exit.
    public func fail() { decide(false) }

    private func decide(_ outcome: Bool) {
        let waiters = state.withLockedValue { state -> [CheckedContinuation<Bool, Never>] in
            guard state.outcome == nil else { return [] }
            state.outcome = outcome
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        waiters.forEach { $0.resume(returning: outcome) }
    }

    /// Waits for the decision; `true` means proceed.
    @discardableResult
    public func wait() async -> Bool {
        let id = state.withLockedValue { state -> Int in
            defer { state.nextID += 1 }
            return state.nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let decided = state.withLockedValue { state -> Bool? in
                    if let outcome = state.outcome { return outcome }
                    if Task.isCancelled { return false }
                    state.waiters[id] = continuation
                    return nil
                }
                if let decided { continuation.resume(returning: decided) }
            }
        } onCancel: {
            let waiter = state.withLockedValue { $0.waiters.removeValue(forKey: id) }
            waiter?.resume(returning: false)
        }
    }
}
