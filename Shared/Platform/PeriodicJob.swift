import Logging
import ServiceLifecycle

/// Runs `work` every `interval` once start-up is done, until graceful shutdown: wave release,
/// delay detection and similar sweeps. A failing run is logged and retried at the next tick.
/// Invariant: one run at a time; shutdown interrupts only the sleep, never a run in progress
/// (cancelling a database lease mid-flight hangs the pool).
public struct PeriodicJob: Service {
    public let name: String
    public let interval: Duration
    let startGate: StartGate
    let logger: Logger
    let work: @Sendable () async throws -> Void

    public init(name: String, every interval: Duration, runtime: ServiceRuntime, work: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.interval = interval
        self.startGate = runtime.startGate
        self.logger = runtime.logger
        self.work = work
    }

    public func run() async throws {
        guard await startGate.wait() else { return }
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await work()
            } catch {
                logger.error("periodic job failed", metadata: ["job": "\(name)", "error": "\(String(describing: error).prefix(300))"])
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
        }
    }
}
