import Foundation
import OMSDomain
import OMSPlatform

/// Finds shipments that are late: no carrier scan for `noScanSeconds`, or the ETA passed without
/// delivery. Each is marked once (`delayed_at`) and `shipment.delayed` is emitted in the same
/// transaction, so the customer-facing status shows it. Invariant: at most one delay per shipment,
/// however many replicas run the job.
struct DelayDetector: Sendable {
    let runtime: ServiceRuntime
    let configuration: LogisticsConfiguration

    func job() -> PeriodicJob {
        PeriodicJob(name: "delay-detector", every: .seconds(configuration.delayCheckSeconds), runtime: runtime) { try await sweep() }
    }

    @discardableResult
    func sweep(now: Date = Date()) async throws -> Int {
        let noScanSince = now.addingTimeInterval(-Double(configuration.noScanSeconds))
        return try await runtime.retryingTransaction { tx in
            let rows = try await tx.connection.query("""
                UPDATE shipments SET delayed_at = \(now), delay_reason = CASE WHEN eta < \(now) THEN 'eta_passed' ELSE 'no_scan' END
                WHERE id IN (SELECT id FROM shipments WHERE status NOT IN ('delivered', 'lost') AND delayed_at IS NULL
                               AND (eta < \(now) OR last_scan_at < \(noScanSince)) ORDER BY id LIMIT 1000 FOR UPDATE SKIP LOCKED)
                RETURNING id, order_id, tracking_number, delay_reason, eta
                """, logger: tx.logger)
            var count = 0
            for try await (id, order, tracking, reason, eta) in rows.decode((String, String, String, String, Date).self) {
                try tx.emit(ShipmentDelayed(shipmentId: id, orderID: order, trackingNumber: tracking, reasonCode: reason, estimatedDelivery: eta, detectedAt: now),
                            orderID: order, topic: TopicCatalogue.shipments)
                count += 1
            }
            return count
        }
    }
}
