import AsyncHTTPClient
import Foundation
import OMSDemo
import IntakeService
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import OMSDomain
import OMSKafka
import OMSPlatform

/// `omsctl load`: the load generator. Submits orders of every channel in its native format
/// (`DemoOrderFactory.order`: Zipf-popular SKUs, twelve provinces, members, promotions, a share
/// that risk review holds) to the intake edge from `concurrency` connections, as fast as possible
/// or at a fixed rate, and reports accepts/s and acceptance latency. With a broker it also follows
/// every order through the pipeline by reading the stages' topics: end-to-end latency from the
/// edge's 202 to the first `shipment.dispatched` seen on `oms.logistics.shipments`, and per-stage
/// latency from the events' own timestamps (intake, risk, inventory, fulfillment, logistics).
/// Invariant: every order of a run has a distinct channel order id (`<prefix>-<run>-<n>`), so a
/// run never collides with an earlier one; events of other runs are ignored.
public struct LoadRun: Sendable {
    public struct Configuration: Sendable {
        public var intakeURL: String
        public var run: String
        public var orders: Int
        public var concurrency: Int
        /// Orders per second across all connections; nil: as fast as possible.
        public var rate: Double?
        public var mix: ChannelMix
        /// Zipf exponent of SKU popularity (0: uniform).
        public var zipfExponent: Double
        /// Share of orders risk review will hold (phone cash on delivery over the limit).
        public var holdRate: Double
        /// Follow orders through the stages (needs the broker); nil: acceptance only.
        public var brokers: String?
        public var namespace: TopicNamespace
        /// How long to wait after the last submission for the last dispatch.
        public var settle: Duration
        /// Where each channel's token comes from (`OMS_API_TOKENS` by default): every channel of
        /// the mix needs one.
        public var credentials: APICredentials

        public init(intakeURL: String, run: String, orders: Int, concurrency: Int, rate: Double? = nil, mix: ChannelMix = .webOnly,
                    zipfExponent: Double = 0, holdRate: Double = 0, brokers: String? = nil, namespace: TopicNamespace = .none, settle: Duration = .seconds(120),
                    credentials: APICredentials? = nil) {
            self.intakeURL = intakeURL
            self.run = run
            self.orders = orders
            self.concurrency = concurrency
            self.rate = rate
            self.mix = mix
            self.zipfExponent = zipfExponent
            self.holdRate = holdRate
            self.brokers = brokers
            self.namespace = namespace
            self.settle = settle
            self.credentials = credentials ?? ((try? APICredentials(environment: ProcessInfo.processInfo.environment)) ?? APICredentials.none)
        }
    }

    /// Latency percentiles in milliseconds.
    public struct Percentiles: Sendable, Codable {
        public var count: Int
        public var p50: Double
        public var p95: Double
        public var p99: Double
        public var max: Double

        init(_ values: [Double]) {
            let sorted = values.sorted()
            func at(_ p: Double) -> Double { sorted.isEmpty ? 0 : sorted[Swift.min(sorted.count - 1, Int(Double(sorted.count) * p))] }
            count = sorted.count
            p50 = at(0.5); p95 = at(0.95); p99 = at(0.99); max = sorted.last ?? 0
        }
    }

    /// One second of the run, for plots.
    public struct Second: Sendable, Codable {
        public var second: Int
        public var accepted: Int
        public var dispatched: Int
        /// p99 end-to-end latency of the orders dispatched in this second (ms).
        public var endToEndP99: Double
    }

    public struct Summary: Sendable, Codable {
        public var run: String
        public var orders: Int
        public var accepted: Int
        public var errors: Int
        /// HTTP status (or "connection") -> count, for everything that was not accepted.
        public var errorsByStatus: [String: Int]
        public var acceptedByChannel: [String: Int]
        public var seconds: Double
        public var acceptsPerSecond: Double
        public var p50Milliseconds: Double
        public var p99Milliseconds: Double
        public var maxMilliseconds: Double
        public var acceptance: Percentiles
        /// Every order id a 202 (or replayed 200) answered with, sorted: drills check each one by identity.
        public var acceptedOrderIds: [String]?
        /// Orders accepted that should ship (not till sales, not held for review).
        public var expectedDispatches: Int?
        public var dispatched: Int?
        /// Shipping orders not dispatched, by why: held, rejected, backordered, or in flight.
        public var notDispatched: [String: Int]?
        /// Dispatched orders per second, from the first acceptance to the last dispatch.
        public var endToEndOrdersPerSecond: Double?
        public var endToEnd: Percentiles?
        /// Stage -> latency of that stage (from the previous stage's event to this stage's event).
        public var stages: [String: Percentiles]?
        public var timeline: [Second]?
    }

    let configuration: Configuration
    let progress: @Sendable (String) -> Void
    let logger: Logger

    public init(configuration: Configuration, logger: Logger, progress: @escaping @Sendable (String) -> Void) {
        self.configuration = configuration
        self.logger = logger
        self.progress = progress
    }

    /// The old entry point (acceptance only, web orders), kept for the drills.
    public init(intakeURL: String, run: String, orders: Int, concurrency: Int, rate: Double?, progress: @escaping @Sendable (String) -> Void) {
        self.init(configuration: Configuration(intakeURL: intakeURL, run: run, orders: orders, concurrency: concurrency, rate: rate),
                  logger: Logger(label: "omsctl.load"), progress: progress)
    }

    struct Submitted: Sendable {
        var orderID: String?
        var channel: OMSDomain.Channel
        var acceptedAt: Date
        var milliseconds: Double
        var status: String
        var ships: Bool
    }

    public func execute() async throws -> Summary {
        let c = configuration
        let factory = DemoOrderFactory()
        let popularity = c.zipfExponent > 0 ? ZipfDistribution(count: 200, exponent: c.zipfExponent) : nil
        let holdEvery = c.holdRate > 0 ? Swift.max(1, Int((1 / c.holdRate).rounded())) : 0
        let missing = Set((0..<Swift.min(c.orders, 1_000)).map { c.mix.channel(for: $0) })
            .filter { c.credentials.token(for: .channel, channel: $0.rawValue) == nil }
        guard missing.isEmpty else {
            throw OpsFailure("\(APICredentials.variable) has no token for the channel(s) \(missing.map(\.rawValue).sorted().joined(separator: ", ")); `Deploy/local/oms-stack.sh env` prints the local ones")
        }
        let generated = try (0..<c.orders).map { n in
            try factory.order(channel: c.mix.channel(for: n), run: c.run, number: n,
                              options: .init(popularity: popularity, holdForReview: holdEvery > 0 && n % holdEvery == holdEvery - 1))
        }
        let follower = try c.brokers.map { try JourneyFollower(brokers: $0, namespace: c.namespace, logger: logger) }
        guard let follower else { return try await submit(generated, follower: nil) }
        progress("following the stages' topics (joining the broker)...")
        try await follower.start()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await follower.follow() }
            do {
                let summary = try await submit(generated, follower: follower)
                await follower.requestStop()
                try await group.waitForAll()
                return summary
            } catch {
                await follower.requestStop()
                try? await group.waitForAll()
                throw error
            }
        }
    }

    func submit(_ generated: [DemoOrderFactory.ChannelOrder], follower: JourneyFollower?) async throws -> Summary {
        let c = configuration
        let wallStart = Date()
        let started = ContinuousClock.now
        let workers = Swift.max(1, Swift.min(c.concurrency, c.orders))
        let counter = ProgressCounter()
        let results = try await withThrowingTaskGroup(of: [Submitted].self) { tasks in
            for worker in 0..<workers {
                tasks.addTask {
                    var mine: [Submitted] = []
                    var index = worker
                    while index < generated.count {
                        if let rate = c.rate {
                            let due = started + .seconds(Double(index) / rate)
                            if due > ContinuousClock.now { try await Task.sleep(until: due) }
                        }
                        let order = generated[index]
                        var request = HTTPClientRequest(url: "\(c.intakeURL)\(order.path)")
                        request.method = .POST
                        request.headers.add(name: "content-type", value: "application/json")
                        if let token = c.credentials.token(for: .channel, channel: order.channel.rawValue) {
                            request.headers.add(name: "authorization", value: "Bearer \(token)")
                        }
                        request.body = .bytes(ByteBuffer(bytes: order.body))
                        let sent = ContinuousClock.now
                        var status = "connection"
                        var orderID: String?
                        if let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(30)) {
                            status = String(response.status.code)
                            let body = (try? await response.body.collect(upTo: 1 << 20)).map { Data(buffer: $0) } ?? Data()
                            if response.status.code == 202 || response.status.code == 200 {
                                orderID = ((try? JSONSerialization.jsonObject(with: body)) as? [String: Any])?["orderId"] as? String
                                status = "accepted"
                            }
                        }
                        let elapsed = ContinuousClock.now - sent
                        mine.append(Submitted(orderID: orderID, channel: order.channel, acceptedAt: Date(), milliseconds: elapsed.milliseconds,
                                              status: status, ships: order.ships && !order.heldForReview))
                        index += workers
                        counter.add()
                        if worker == 0 && mine.count % Swift.max(1, 1_000 / workers) == 0 {
                            let seconds = (ContinuousClock.now - started).seconds
                            let dispatched = await follower?.dispatchedCount() ?? 0
                            progress(String(format: "  %6.1f s  submitted %d of %d  (%.0f/s)%@", seconds, counter.value, generated.count,
                                            Double(counter.value) / Swift.max(seconds, 0.001), follower == nil ? "" : "  dispatched \(dispatched)"))
                        }
                    }
                    return mine
                }
            }
            var all: [Submitted] = []
            for try await part in tasks { all += part }
            return all
        }
        let seconds = (ContinuousClock.now - started).seconds
        let accepted = results.filter { $0.status == "accepted" }
        var errorsByStatus: [String: Int] = [:]
        for result in results where result.status != "accepted" { errorsByStatus[result.status, default: 0] += 1 }
        var byChannel: [String: Int] = [:]
        for result in accepted { byChannel[result.channel.rawValue, default: 0] += 1 }
        let acceptance = Percentiles(accepted.map(\.milliseconds))
        var summary = Summary(run: c.run, orders: c.orders, accepted: accepted.count, errors: results.count - accepted.count, errorsByStatus: errorsByStatus,
                              acceptedByChannel: byChannel, seconds: seconds, acceptsPerSecond: Double(accepted.count) / Swift.max(seconds, 0.001),
                              p50Milliseconds: acceptance.p50, p99Milliseconds: acceptance.p99, maxMilliseconds: acceptance.max, acceptance: acceptance)
        summary.acceptedOrderIds = accepted.compactMap(\.orderID).sorted()
        guard let follower else { return summary }

        let shipping = Dictionary(accepted.filter(\.ships).compactMap { s in s.orderID.map { ($0, s.acceptedAt) } }, uniquingKeysWith: { a, _ in a })
        progress("waiting up to \(c.settle) for \(shipping.count) orders to be dispatched...")
        let deadline = ContinuousClock.now + c.settle
        var lastReport = ContinuousClock.now
        while ContinuousClock.now < deadline {
            let settled = await follower.settledCount(of: Set(shipping.keys))
            if settled >= shipping.count { break }
            if ContinuousClock.now - lastReport > .seconds(5) {
                let done = await follower.dispatchedCount(of: Set(shipping.keys))
                progress("  dispatched \(done) of \(shipping.count) (\(settled - done) held, rejected or backordered)")
                lastReport = ContinuousClock.now
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        let journeys = await follower.snapshot()
        var endToEnd: [Double] = []
        var stageValues: [String: [Double]] = [:]
        var perSecond: [Int: (accepted: Int, dispatched: Int, latencies: [Double])] = [:]
        for submission in accepted {
            let second = Int(submission.acceptedAt.timeIntervalSince(wallStart))
            perSecond[second, default: (0, 0, [])].accepted += 1
        }
        var lastDispatch = wallStart
        var notDispatched: [String: Int] = [:]
        for (orderID, acceptedAt) in shipping {
            guard let journey = journeys[orderID], let seen = journey.dispatchSeen else {
                notDispatched[journeys[orderID]?.stoppedBy ?? "in flight", default: 0] += 1
                continue
            }
            let latency = seen.timeIntervalSince(acceptedAt) * 1_000
            endToEnd.append(latency)
            lastDispatch = Swift.max(lastDispatch, seen)
            let second = Int(seen.timeIntervalSince(wallStart))
            perSecond[second, default: (0, 0, [])].dispatched += 1
            perSecond[second, default: (0, 0, [])].latencies.append(latency)
            var previous = acceptedAt
            for stage in JourneyFollower.stages {
                guard let at = journey.times[stage.eventType] else { break }
                stageValues[stage.name, default: []].append(Swift.max(0, at.timeIntervalSince(previous) * 1_000))
                previous = at
            }
        }
        summary.expectedDispatches = shipping.count
        summary.dispatched = endToEnd.count
        summary.notDispatched = notDispatched
        summary.endToEnd = Percentiles(endToEnd)
        summary.endToEndOrdersPerSecond = Double(endToEnd.count) / Swift.max(lastDispatch.timeIntervalSince(wallStart), 0.001)
        summary.stages = stageValues.mapValues(Percentiles.init)
        summary.timeline = perSecond.keys.sorted().map { second in
            let entry = perSecond[second]!
            return Second(second: second, accepted: entry.accepted, dispatched: entry.dispatched, endToEndP99: Percentiles(entry.latencies).p99)
        }
        return summary
    }
}

/// Counts submissions across the load's tasks for the progress line.
final class ProgressCounter: Sendable {
    private let box = NIOLockedValueBox(0)
    func add() { box.withLockedValue { $0 += 1 } }
    var value: Int { box.withLockedValue { $0 } }
}
