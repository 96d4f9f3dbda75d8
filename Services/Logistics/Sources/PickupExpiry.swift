import Foundation
import OMSDomain
import OMSPlatform

/// Expires pickup orders (门店自提) nobody collected in time: each is marked `expired` once and
/// `shipment.pickup-expired` is emitted in the same transaction (after-sales takes the goods back
/// into the store and refunds the order). Invariant: at most one expiry per pickup, however many
/// replicas run the job, and never one that was collected.
struct PickupExpiry: Sendable {
    let runtime: ServiceRuntime
    let interval: Int

    func job() -> PeriodicJob {
        PeriodicJob(name: "pickup-expiry", every: .seconds(interval), runtime: runtime) { try await sweep() }
    }

    @discardableResult
    func sweep(now: Date = Date()) async throws -> Int {
        try await runtime.retryingTransaction { tx in
            let expired = try await PickupStore.expireDue(now: now, limit: 500, connection: tx.connection, logger: tx.logger)
            for pickup in expired {
                try tx.emit(ShipmentPickupExpired(shipmentId: pickup.shipmentId, orderID: pickup.orderId, storeId: pickup.storeId, lines: pickup.lines, expiredAt: now),
                            orderID: pickup.orderId, topic: TopicCatalogue.shipments)
            }
            if !expired.isEmpty { tx.logger.info("pickups expired uncollected", metadata: ["count": "\(expired.count)"]) }
            return expired.count
        }
    }
}
