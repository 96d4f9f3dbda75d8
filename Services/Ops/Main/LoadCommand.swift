import ArgumentParser
import Foundation
import Logging
import OMSDomain
import OMSOps

/// `omsctl load`: the load generator (see `LoadRun`). Fixed rate for a duration (`--rate R
/// --duration S`) or as fast as possible (`--orders N`); `--follow` measures end to end.
struct Load: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate realistic order load at the intake edge; with --follow, measure end-to-end and per-stage latency.",
        discussion: """
        Channels in their native formats (--mix), SKU popularity Zipf-skewed (--zipf), promotions, \
        provinces spread, a share of orders risk review holds (--hold-rate). With --follow the tool reads \
        the stages' topics and reports latency from the edge's 202 to shipment.dispatched (run the \
        warehouses in automatic mode) and per stage from the events' timestamps.
        """)

    @Option(help: "Intake edge base URL.") var intake = "http://127.0.0.1:8081"
    @Option(help: "Orders to submit (ignored when --rate and --duration are given).") var orders = 1_000
    @Option(help: "Concurrent connections.") var concurrency = 32
    @Option(help: "Orders per second (default: as fast as possible).") var rate: Double?
    @Option(help: "Seconds to run at --rate.") var duration: Double?
    @Option(help: "Channel mix, channel=weight pairs; 'promotion' for web=45,miniprogram=25,marketplace=15,phone=10,pos=5.")
    var mix = "web=1"
    @Option(help: "Zipf exponent of SKU popularity (0 = uniform).") var zipf = 1.0
    @Option(name: .customLong("hold-rate"), help: "Share of orders risk review holds (0-0.5).") var holdRate = 0.0
    @Flag(help: "Follow every order through the stages' topics and measure end-to-end latency.") var follow = false
    @Option(help: "Seconds to wait for the last dispatch after the last submission.") var settle = 120
    @Option(help: "Run tag in the channel order ids (default: time-based).") var run: String?
    @Flag(help: "Print the summary as JSON.") var json = false
    @Option(help: "Also write the JSON summary to this file.") var output: String?
    @OptionGroup var broker: BrokerOptions

    func validate() throws {
        guard (1...1_000_000).contains(orders), (1...1_024).contains(concurrency), (rate ?? 1) > 0, (duration ?? 1) > 0,
              (0...0.5).contains(holdRate), (0...5).contains(zipf) else {
            throw ValidationError("--orders 1-1000000, --concurrency 1-1024, --rate > 0, --duration > 0, --hold-rate 0-0.5, --zipf 0-5")
        }
        if duration != nil && rate == nil { throw ValidationError("--duration needs --rate") }
        _ = try channelMix()
    }

    func channelMix() throws -> ChannelMix {
        do { return mix == "promotion" ? .promotionDay : try ChannelMix(parsing: mix) } catch { throw ValidationError("\(error)") }
    }

    func run() async throws {
        let tag = run ?? "L\(Int(Date().timeIntervalSince1970) % 10_000_000)"
        let count = (rate.flatMap { r in duration.map { Int((r * $0).rounded()) } }) ?? orders
        let quiet = json
        let configuration = LoadRun.Configuration(intakeURL: intake, run: tag, orders: Swift.max(1, count), concurrency: concurrency, rate: rate,
                                                  mix: try channelMix(), zipfExponent: zipf, holdRate: holdRate,
                                                  brokers: follow ? broker.bootstrapServer : nil, namespace: broker.namespace,
                                                  settle: .seconds(settle))
        let summary = try await LoadRun(configuration: configuration, logger: broker.logger) { line in
            if !quiet { FileHandle.standardError.write(Data((line + "\n").utf8)) }
        }.execute()
        let encoded = String(decoding: try EventCoding.encode(summary), as: UTF8.self)
        if let output { try encoded.write(toFile: output, atomically: true, encoding: .utf8) }
        if json {
            print(encoded)
            return
        }
        print(String(format: "run %@: %d orders, %d accepted, %d errors in %.1f s = %.0f accepts/s; acceptance p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms",
                     summary.run, summary.orders, summary.accepted, summary.errors, summary.seconds, summary.acceptsPerSecond,
                     summary.acceptance.p50, summary.acceptance.p95, summary.acceptance.p99, summary.acceptance.max))
        print("accepted by channel: " + summary.acceptedByChannel.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
              + (summary.errorsByStatus.isEmpty ? "" : "; errors: " + summary.errorsByStatus.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")))
        if let e2e = summary.endToEnd, let expected = summary.expectedDispatches {
            print(String(format: "end to end (202 -> shipment.dispatched seen): %d of %d shipping orders dispatched, %.0f orders/s; p50 %.0f ms, p95 %.0f ms, p99 %.0f ms, max %.0f ms",
                         e2e.count, expected, summary.endToEndOrdersPerSecond ?? 0, e2e.p50, e2e.p95, e2e.p99, e2e.max))
            if let missing = summary.notDispatched, !missing.isEmpty {
                print("not dispatched: " + missing.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
            }
            for stage in ["intake", "risk", "inventory", "fulfillment", "logistics"] {
                if let p = summary.stages?[stage] {
                    print(String(format: "  stage %-12@ p50 %7.1f ms  p99 %7.1f ms  max %7.1f ms", stage as NSString, p.p50, p.p99, p.max))
                }
            }
        }
    }
}
