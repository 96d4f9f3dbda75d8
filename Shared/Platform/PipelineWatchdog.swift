import Foundation
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle

/// When each consumer pipeline's current batch began (nil between batches), for the watchdog.
/// Invariant: set just before a batch, cleared when it returns or throws.
public final class PipelineHeartbeat: Sendable {
    private let started = NIOLockedValueBox<ContinuousClock.Instant?>(nil)

    public init() {}

    func begin() { started.withLockedValue { $0 = .now } }
    func end() { started.withLockedValue { $0 = nil } }

    /// How long the batch in progress has been running, if one is.
    public var busyFor: Duration? { started.withLockedValue { $0.map { .now - $0 } } }
}

/// Crash-only recovery for a stuck pipeline or outbox relay: a batch (or relay round) that has not
/// returned within `limit` (a database connection lost mid-query can leave the client's await
/// unresumed forever) makes the process exit, so its supervisor (Kubernetes, compose's restart policy) starts a fresh one. Its
/// uncommitted batch is redelivered and the inbox turns what had committed into no-ops.
/// Invariant: never fires while every batch returns within the limit.
struct PipelineWatchdog: Service {
    let heartbeats: [(group: String, heartbeat: PipelineHeartbeat)]
    let limit: Duration
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await Task.sleep(for: .seconds(5))
            for (group, heartbeat) in heartbeats {
                guard let busy = heartbeat.busyFor, busy > limit else { continue }
                logger.critical("consumer pipeline stalled; exiting so the supervisor restarts the process (its batch is redelivered, its outbox republished)",
                                metadata: ["group": "\(group)", "stalledSeconds": "\(busy.components.seconds)"])
                exit(70)
            }
        }
    }
}
