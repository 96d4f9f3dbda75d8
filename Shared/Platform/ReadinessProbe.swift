import Foundation
import NIOConcurrencyHelpers

/// The readiness answer a process gives: each dependency's state and whether all are fine.
public struct ReadinessOutcome: Sendable, Equatable {
    /// Dependency name ("database", "broker") to "ok" or why not ("unreachable").
    public var checks: [String: String]
    public var isReady: Bool { checks.values.allSatisfy { $0 == "ok" } }

    public init(checks: [String: String]) { self.checks = checks }
}

/// Runs the readiness checks at most once at a time and shares the answer: callers arriving while
/// a check runs wait for it, and an answer younger than `freshFor` is reused. Without this a probe
/// storm (a drill polling every 100 ms, a load balancer, the console) queued one broker metadata
/// call per probe on the admin client's serial queue; once each call took its full timeout the
/// queue never caught up and the process stayed "not ready" long after the broker was fine.
/// The check in progress beats `heartbeat`, so `PipelineWatchdog` restarts a process whose check
/// never returns (a statement written to a connection the database restart killed).
/// Invariant: at most one check runs at a time; every caller gets the answer of a check that
/// began no earlier than `freshFor` before it asked, or of the one in progress.
public final class ReadinessProbe: Sendable {
    private enum State {
        case idle(last: ReadinessOutcome?, at: ContinuousClock.Instant)
        case running(waiters: [CheckedContinuation<ReadinessOutcome, Never>])
    }

    private let state = NIOLockedValueBox<State>(.idle(last: nil, at: .now))
    private let check: @Sendable () async -> ReadinessOutcome
    private let freshFor: Duration
    /// Busy while a check runs, for the watchdog.
    public let heartbeat = PipelineHeartbeat()

    public init(freshFor: Duration = .seconds(1), check: @escaping @Sendable () async -> ReadinessOutcome) {
        self.freshFor = freshFor
        self.check = check
    }

    public func outcome() async -> ReadinessOutcome {
        enum Step { case answer(ReadinessOutcome), wait, run }
        let step: Step = state.withLockedValue { state in
            switch state {
            case let .idle(last?, at) where ContinuousClock.now - at < freshFor:
                return .answer(last)
            case .idle:
                state = .running(waiters: [])
                return .run
            case .running:
                return .wait
            }
        }
        switch step {
        case let .answer(outcome):
            return outcome
        case .wait:
            return await withCheckedContinuation { continuation in
                let late: ReadinessOutcome? = state.withLockedValue { state in
                    switch state {
                    case var .running(waiters):
                        waiters.append(continuation)
                        state = .running(waiters: waiters)
                        return nil
                    case let .idle(last, _):
                        // The check finished between the decision and here: its answer is fresh.
                        return last ?? ReadinessOutcome(checks: ["status": "starting"])
                    }
                }
                if let late { continuation.resume(returning: late) }
            }
        case .run:
            heartbeat.begin()
            let outcome = await check()
            heartbeat.end()
            let waiters: [CheckedContinuation<ReadinessOutcome, Never>] = state.withLockedValue { state in
                guard case let .running(waiters) = state else { return [] }
                state = .idle(last: outcome, at: .now)
                return waiters
            }
            waiters.forEach { $0.resume(returning: outcome) }
            return outcome
        }
    }
}
