import Foundation
import OMSDomain
import OMSPlatform

/// Cancels orders whose payment never came, every `OMS_PAYMENT_CHECK_SECONDS`: `order.cancelled`
/// (requested by "system", reason `payment_timeout`) releases their stock downstream, and the
/// coupon comes back; and presale orders whose balance never came (reason `balance_timeout`,
/// the deposit forfeited). Invariant: one cancellation per order however many workers run it (rows are
/// claimed with `FOR UPDATE SKIP LOCKED`, and only orders still awaiting payment are taken).
struct PaymentDeadline: Sendable {
    let runtime: ServiceRuntime
    let interval: Int

    func job() -> PeriodicJob {
        PeriodicJob(name: "payment-deadline", every: .seconds(interval), runtime: runtime) { try await sweep() }
    }

    @discardableResult
    func sweep(now: Date = Date()) async throws -> Int {
        try await runtime.retryingTransaction { tx in
            let overdue = try await OrderStore.overdue(.awaitingPayment, now: now, limit: 200, connection: tx.connection, logger: tx.logger)
            for orderID in overdue {
                let event = OrderCancelled(orderID: orderID, requestedBy: "system", reason: "payment_timeout", previousStatus: .awaitingPayment, cancelledAt: now)
                let envelope = try tx.emit(event, orderID: orderID, topic: TopicCatalogue.orders)
                try await OrderStore.markCancelled(orderID, by: envelope, requestedBy: "system", connection: tx.connection, logger: tx.logger)
                try await CatalogStore.releaseCoupons(of: orderID, on: tx.connection, logger: tx.logger)
            }
            if !overdue.isEmpty { tx.logger.notice("orders cancelled: their payment never came", metadata: ["orders": "\(overdue.count)"]) }
            // Presale orders whose balance never came: cancelled, the deposit forfeited (定金不退).
            let unbalanced = try await OrderStore.overdue(.awaitingBalance, now: now, limit: 200, connection: tx.connection, logger: tx.logger)
            for orderID in unbalanced {
                let deposit = try await OrderStore.depositSettlement(of: orderID, requestedBy: "system", connection: tx.connection, logger: tx.logger)
                let event = OrderCancelled(orderID: orderID, requestedBy: "system", reason: "balance_timeout", previousStatus: .awaitingBalance, cancelledAt: now, deposit: deposit)
                let envelope = try tx.emit(event, orderID: orderID, topic: TopicCatalogue.orders)
                try await OrderStore.markCancelled(orderID, by: envelope, requestedBy: "system", connection: tx.connection, logger: tx.logger)
                try await CatalogStore.releaseCoupons(of: orderID, on: tx.connection, logger: tx.logger)
            }
            if !unbalanced.isEmpty { tx.logger.notice("presale orders cancelled: their balance never came", metadata: ["orders": "\(unbalanced.count)"]) }
            return overdue.count + unbalanced.count
        }
    }
}
