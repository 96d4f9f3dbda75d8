import AsyncHTTPClient
import Foundation
import IntakeService
import NIOCore
import NIOHTTP1
import OMSDomain
import OMSPlatform

/// `omsctl load`: submits correctly priced demo web orders (`DemoOrderFactory`: 1-3 lines of the
/// demo catalog, promotions applying, provinces spread) to the intake edge from `concurrency`
/// connections, as fast as possible or at a fixed rate, and reports accepts/s and acceptance
/// latency. The first piece of issue 10's load generator. Invariant: every order of a run has a
/// distinct channel order id (`W-<run>-<n>`), so a run never collides with an earlier one.
public struct LoadRun: Sendable {
    public struct Summary: Sendable, Codable {
        public var run: String
        public var orders: Int
        public var accepted: Int
        public var errors: Int
        public var seconds: Double
        public var acceptsPerSecond: Double
        public var p50Milliseconds: Double
        public var p99Milliseconds: Double
        public var maxMilliseconds: Double
    }

    let intakeURL: String
    let run: String
    let orders: Int
    let concurrency: Int
    /// Orders per second across all connections; nil: as fast as possible.
    let rate: Double?
    let progress: @Sendable (String) -> Void

    public init(intakeURL: String, run: String, orders: Int, concurrency: Int, rate: Double?, progress: @escaping @Sendable (String) -> Void) {
        self.intakeURL = intakeURL
        self.run = run
        self.orders = orders
        self.concurrency = concurrency
        self.rate = rate
        self.progress = progress
    }

    public func execute() async throws -> Summary {
        let factory = DemoOrderFactory()
        let bodies = try (0..<orders).map { try factory.webOrder(run: run, number: $0).body }
        let started = ContinuousClock.now
        let workers = max(1, min(concurrency, orders))
        let results = try await withThrowingTaskGroup(of: [(Double, Bool)].self) { tasks in
            for worker in 0..<workers {
                tasks.addTask {
                    var mine: [(Double, Bool)] = []
                    var index = worker
                    while index < bodies.count {
                        if let rate {
                            let due = started + .seconds(Double(index) / rate)
                            if due > ContinuousClock.now { try await Task.sleep(until: due) }
                        }
                        var request = HTTPClientRequest(url: "\(intakeURL)/v1/channels/web/orders")
                        request.method = .POST
                        request.headers.add(name: "content-type", value: "application/json")
                        request.body = .bytes(ByteBuffer(bytes: bodies[index]))
                        let sent = ContinuousClock.now
                        var ok = false
                        if let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(30)) {
                            _ = try? await response.body.collect(upTo: 1 << 20)
                            ok = response.status.code == 202 || response.status.code == 200
                        }
                        let elapsed = ContinuousClock.now - sent
                        mine.append((Double(elapsed.components.seconds) * 1_000 + Double(elapsed.components.attoseconds) / 1e15, ok))
                        index += workers
                        if worker == 0 && mine.count % max(1, 1_000 / workers) == 0 {
                            progress("  ~\(index) of \(bodies.count) submitted")
                        }
                    }
                    return mine
                }
            }
            var all: [(Double, Bool)] = []
            for try await part in tasks { all += part }
            return all
        }
        let total = ContinuousClock.now - started
        let seconds = Double(total.components.seconds) + Double(total.components.attoseconds) / 1e18
        let latencies = results.filter(\.1).map(\.0).sorted()
        func percentile(_ p: Double) -> Double { latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
        let accepted = latencies.count
        return Summary(run: run, orders: orders, accepted: accepted, errors: results.count - accepted, seconds: seconds,
                       acceptsPerSecond: Double(accepted) / max(seconds, 0.001), p50Milliseconds: percentile(0.5), p99Milliseconds: percentile(0.99),
                       maxMilliseconds: latencies.last ?? 0)
    }
}
