import NIOConcurrencyHelpers
import OMSDomain
import Prometheus

/// The platform's Prometheus metrics for one service process. Counters are cached per label set.
/// Invariant: metric names are stable (dashboards and alerts depend on them); see docs/architecture.md.
public final class PlatformMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let service: String
    private let counters = NIOLockedValueBox([String: Counter]())
    private let gauges = NIOLockedValueBox([String: Gauge]())

    public let batchDuration: DurationHistogram
    public let handlerDuration: DurationHistogram
    public let relayPublishDuration: DurationHistogram
    public let httpDuration: NIOLockedValueBox<[String: DurationHistogram]> = NIOLockedValueBox([:])

    static let latencyBuckets: [Duration] = [
        .microseconds(250), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
    ]

    public convenience init(service: ServiceName, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.init(component: service.rawValue, registry: registry)
    }

    /// For a process that is not one of the Kafka services (the console): its name as the `service` label.
    public init(component: String, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        self.service = component
        batchDuration = registry.makeDurationHistogram(name: "oms_pipeline_batch_seconds", labels: [("service", component)], buckets: Self.latencyBuckets)
        handlerDuration = registry.makeDurationHistogram(name: "oms_handler_seconds", labels: [("service", component)], buckets: Self.latencyBuckets)
        relayPublishDuration = registry.makeDurationHistogram(name: "oms_outbox_publish_seconds", labels: [("service", component)], buckets: Self.latencyBuckets)
    }

    /// The metrics in Prometheus's text format.
    public func exposition() -> [UInt8] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }

    /// Increments `name{service, extra labels}`.
    public func count(_ name: String, _ labels: [(String, String)] = [], by amount: Int = 1) {
        guard amount > 0 else { return }
        cached(counters, name, labels) { registry.makeCounter(name: $0, labels: $1) }.increment(by: Int64(amount))
    }

    /// Sets `name{service, extra labels}` to `value`.
    public func set(_ name: String, _ labels: [(String, String)] = [], to value: Double) {
        cached(gauges, name, labels) { registry.makeGauge(name: $0, labels: $1) }.set(value)
    }

    /// The metric for a name and label set, created once and then reused.
    private func cached<Metric>(_ cache: NIOLockedValueBox<[String: Metric]>, _ name: String, _ labels: [(String, String)], make: (String, [(String, String)]) -> Metric) -> Metric {
        let allLabels = [("service", service)] + labels
        let key = name + allLabels.map { "|\($0.0)=\($0.1)" }.joined()
        return cache.withLockedValue { cache in
            if let existing = cache[key] { return existing }
            let created = make(name, allLabels)
            cache[key] = created
            return created
        }
    }

    private let histograms = NIOLockedValueBox([String: DurationHistogram]())

    /// A latency histogram with the standard buckets, e.g. per stage of a request.
    public func histogram(_ name: String, _ labels: [(String, String)] = []) -> DurationHistogram {
        cached(histograms, name, labels) { name, labels in registry.makeDurationHistogram(name: name, labels: labels, buckets: Self.latencyBuckets) }
    }

    func httpHistogram(method: String, route: String, status: Int) -> DurationHistogram {
        let key = "\(method) \(route) \(status)"
        return httpDuration.withLockedValue { cache in
            if let existing = cache[key] { return existing }
            let created = registry.makeDurationHistogram(
                name: "oms_http_request_seconds",
                labels: [("service", service), ("method", method), ("route", route), ("status", String(status))],
                buckets: Self.latencyBuckets
            )
            cache[key] = created
            return created
        }
    }
}
