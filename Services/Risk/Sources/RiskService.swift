import Foundation
import Hummingbird
import OMSDomain
import OMSPlatform

/// The risk service: order verification, fraud and abuse checks, manual review (issue 4).
/// Owns the `risk` schema. Invariant: it changes state only inside `ServiceDatabase.transaction`
/// or an event handler, so every change and the events it causes commit together.
public struct RiskService: OMSService {
    public static let serviceName = ServiceName.risk
    let hasher: PIIHasher
    /// Held orders older than this are overdue (`OMS_REVIEW_SLA_MINUTES`, default 120).
    let reviewSLAMinutes: Int

    /// `hasher` must use the same key as intake's (`OMS_PII_HASH_KEY`), so deny lists and
    /// lookups by phone agree across services.
    public init(hasher: PIIHasher, configuration: RiskConfiguration = RiskConfiguration()) {
        self.hasher = hasher
        self.reviewSLAMinutes = configuration.reviewSLAMinutes
    }

    public var migrations: [Migration] { RiskServiceMigrations.all }

    /// Group `oms.risk.events` over `oms.orders` (and its redrive topic).
    public var handlers: [any EventHandler] { [OrderReviewHandler(hasher: hasher)] }

    /// `oms_review_queue_depth` and `oms_review_queue_overdue` (held longer than the SLA).
    public func refreshMetrics(runtime: ServiceRuntime) async throws {
        let rows = try await runtime.database.client.query("""
            SELECT count(*)::int, (count(*) FILTER (WHERE held_at <= now() - make_interval(mins => \(Int32(clamping: reviewSLAMinutes)))))::int
            FROM decisions WHERE status = 'held'
            """, logger: runtime.logger)
        for try await (depth, overdue) in rows.decode((Int, Int).self) {
            runtime.metrics.set("oms_review_queue_depth", to: Double(depth))
            runtime.metrics.set("oms_review_queue_overdue", to: Double(overdue))
        }
    }

    public func routes(runtime: ServiceRuntime) -> [any RouteGroup] {
        [ReviewRoutes(runtime: runtime, hasher: hasher, slaMinutes: reviewSLAMinutes)]
    }
}
