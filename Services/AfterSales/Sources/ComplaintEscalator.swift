import Foundation
import OMSPlatform

/// Escalates complaints that passed their SLA unresolved, every `OMS_ESCALATION_CHECK_SECONDS`.
/// Invariant: one escalation per complaint per overdue period, however many replicas run it
/// (rows are claimed with `FOR UPDATE SKIP LOCKED`).
struct ComplaintEscalator: Sendable {
    let runtime: ServiceRuntime
    let desk: ComplaintDesk
    let interval: Int

    func job() -> PeriodicJob {
        PeriodicJob(name: "complaint-escalator", every: .seconds(interval), runtime: runtime) { try await sweep() }
    }

    @discardableResult
    func sweep(now: Date = Date()) async throws -> Int {
        try await runtime.retryingTransaction { tx in try await desk.escalateOverdue(now: now, tx: tx) }
    }
}
