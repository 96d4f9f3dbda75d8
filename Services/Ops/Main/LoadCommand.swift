import ArgumentParser
import Foundation
import OMSDomain
import OMSOps

/// `omsctl load --orders N [--concurrency C] [--rate R] [--run TAG] [--json]`: demo web orders to the
/// intake edge; prints accepts/s and acceptance latency (see `LoadRun`).
struct Load: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Submit correctly priced demo web orders to the intake edge and report accepts/s and latency.")

    @Option(help: "Intake edge base URL.") var intake = "http://127.0.0.1:8081"
    @Option(help: "Orders to submit.") var orders = 1_000
    @Option(help: "Concurrent connections.") var concurrency = 32
    @Option(help: "Orders per second (default: as fast as possible).") var rate: Double?
    @Option(help: "Run tag in the channel order ids (default: time-based).") var run: String?
    @Flag(help: "Print the summary as JSON.") var json = false

    func validate() throws {
        guard (1...1_000_000).contains(orders), (1...1_024).contains(concurrency), (rate ?? 1) > 0 else {
            throw ValidationError("--orders 1-1000000, --concurrency 1-1024, --rate > 0")
        }
    }

    func run() async throws {
        let tag = run ?? "L\(Int(Date().timeIntervalSince1970) % 10_000_000)"
        let quiet = json
        let summary = try await LoadRun(intakeURL: intake, run: tag, orders: orders, concurrency: concurrency, rate: rate) { line in
            if !quiet { print(line) }
        }.execute()
        if json {
            print(String(decoding: try EventCoding.encode(summary), as: UTF8.self))
        } else {
            print(String(format: "run %@: %d orders, %d accepted, %d errors in %.1f s = %.0f accepts/s; latency p50 %.1f ms, p99 %.1f ms, max %.1f ms",
                         summary.run, summary.orders, summary.accepted, summary.errors, summary.seconds, summary.acceptsPerSecond,
                         summary.p50Milliseconds, summary.p99Milliseconds, summary.maxMilliseconds))
        }
    }
}
