import Foundation
import OMSPlatform

/// Pushes each listed SKU's latest available-to-sell to its platform every
/// `OMS_MARKETPLACE_POLL_MILLISECONDS`: claims due pushes (each reads the SKU's level at claim
/// time, under a lease), calls the platforms outside any transaction and applies the answers.
/// Invariant: a listing is told at most once per `OMS_STOCK_FEED_INTERVAL_MILLISECONDS`, always
/// the latest level known when it is claimed, never an older one after a newer one (one push per
/// listing in flight, versions only move forward).
struct StockFeedSender: Sendable {
    let runtime: ServiceRuntime
    let gateways: MarketplaceGateways
    let policy: WebhookRetryPolicy
    let pollMilliseconds: Int
    let intervalMilliseconds: Int
    var batchSize = 64
    var concurrency = 8
    var leaseSeconds = 60

    func job() -> PeriodicJob {
        PeriodicJob(name: "marketplace-stock-feed", every: .milliseconds(pollMilliseconds), runtime: runtime) {
            while try await sweep() == batchSize {}
        }
    }

    @discardableResult
    func sweep() async throws -> Int {
        let pushes = try await runtime.retryingTransaction { tx in
            try await StockFeedStore.claimDue(limit: batchSize, leaseSeconds: leaseSeconds, connection: tx.connection, logger: tx.logger)
        }
        guard !pushes.isEmpty else { return 0 }
        try await forEachConcurrently(pushes, limit: concurrency) { try await settle($0) }
        return pushes.count
    }

    func settle(_ push: StockPush) async throws {
        let outcome = await attempt(push)
        try await runtime.retryingTransaction { tx in try await StockFeedStore.apply(outcome, to: push, connection: tx.connection, logger: tx.logger) }
        let labels = [("platform", push.platform)]
        switch outcome {
        case .sent:
            runtime.metrics.count("oms_integrations_stock_pushes_total", labels)
        case .retry(_, let code, _):
            runtime.metrics.count("oms_integrations_stock_push_retries_total", labels)
            runtime.logger.warning("stock push not taken yet; retrying", metadata: ["sku": "\(push.sku)", "platform": "\(push.platform)", "code": "\(code)"])
        case .failed(let code, let message):
            runtime.metrics.count("oms_integrations_stock_pushes_failed_total", labels)
            runtime.logger.error("stock push failed", metadata: ["sku": "\(push.sku)", "platform": "\(push.platform)", "code": "\(code)", "reason": "\(message.prefix(200))"])
        }
    }

    func attempt(_ push: StockPush) async -> StockFeedStore.Outcome {
        guard let gateway = gateways.gateway(for: push.platform) else {
            return .failed(code: "platform_not_configured", message: "no settings for \(push.platform) (OMS_TAOBAO_* or OMS_JD_*)")
        }
        switch await gateway.pushQuantity(push) {
        case .accepted:
            return .sent(nextAfterMilliseconds: intervalMilliseconds)
        case .rejected(let code, let message):
            return .failed(code: code, message: message)
        case .retry(let code, let message):
            guard case .retry(let wait) = policy.step(after: .unreachable(code), attempt: push.attempt) else {
                return .failed(code: code, message: "attempts used up: \(message)")
            }
            return .retry(afterMilliseconds: wait, code: code, message: message)
        }
    }
}
