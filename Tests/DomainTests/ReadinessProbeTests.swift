import Foundation
import NIOConcurrencyHelpers
import Testing
@testable import OMSPlatform

/// The readiness probe under a probe storm: one check at a time, its answer shared, and a check
/// that hangs visible to the watchdog (the CI fault drill once ended with intake "not ready" for
/// 60 s while a drill polled it every 100 ms).
@Suite("Readiness probe")
struct ReadinessProbeTests {
    @Test("fifty probes arriving during a slow check run it once and all get its answer")
    func coalescesConcurrentProbes() async {
        let runs = NIOLockedValueBox(0)
        let probe = ReadinessProbe(freshFor: .zero) {
            runs.withLockedValue { $0 += 1 }
            try? await Task.sleep(for: .milliseconds(300))
            return ReadinessOutcome(checks: ["database": "ok", "broker": "unreachable"])
        }
        let answers = await withTaskGroup(of: ReadinessOutcome.self) { group in
            for _ in 0..<50 { group.addTask { await probe.outcome() } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(answers.count == 50)
        #expect(answers.allSatisfy { $0.checks == ["database": "ok", "broker": "unreachable"] && !$0.isReady })
        // All fifty asked within the 300 ms the first check took: at most a second round for a
        // caller that arrived just after it finished (freshFor is zero here).
        #expect(runs.withLockedValue { $0 } <= 2)
    }

    @Test("a fresh answer is reused; a stale one is checked again")
    func reusesFreshAnswers() async throws {
        let runs = NIOLockedValueBox(0)
        let probe = ReadinessProbe(freshFor: .milliseconds(200)) {
            let run = runs.withLockedValue { $0 += 1; return $0 }
            return ReadinessOutcome(checks: ["database": run == 1 ? "unreachable" : "ok"])
        }
        #expect(await probe.outcome().isReady == false)
        #expect(await probe.outcome().isReady == false)
        #expect(runs.withLockedValue { $0 } == 1)
        try await Task.sleep(for: .milliseconds(250))
        #expect(await probe.outcome().isReady)
        #expect(runs.withLockedValue { $0 } == 2)
    }

    @Test("a check that does not return keeps the heartbeat busy, so the watchdog sees it; it clears when the check returns")
    func hungCheckIsVisibleToTheWatchdog() async throws {
        let release = AsyncStream<Void>.makeStream()
        let probe = ReadinessProbe {
            for await _ in release.stream { break }
            return ReadinessOutcome(checks: ["database": "ok"])
        }
        #expect(probe.heartbeat.busyFor == nil)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { _ = await probe.outcome() }
            group.addTask { _ = await probe.outcome() }
            while probe.heartbeat.busyFor == nil { try await Task.sleep(for: .milliseconds(10)) }
            try await Task.sleep(for: .milliseconds(200))
            let busy = try #require(probe.heartbeat.busyFor)
            #expect(busy >= .milliseconds(200))
            release.continuation.yield()
            try await group.waitForAll()
        }
        #expect(probe.heartbeat.busyFor == nil)
    }
}
