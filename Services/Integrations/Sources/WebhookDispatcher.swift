import AsyncHTTPClient
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import OMSPlatform
import ServiceLifecycle

/// Delivers due webhook deliveries: every poll it finds the active subscriptions with a delivery
/// due and gives each its own worker, which claims a batch (one per order, see `DeliveryStore`),
/// POSTs them concurrently, applies each result, and goes on until nothing is due. Invariant: a
/// subscription has at most one worker in this process, and a slow or dead receiver holds only its
/// own worker, never another subscription's deliveries; no call is made inside a transaction; a
/// redirect is never followed (a receiver cannot send the service to another address).
struct WebhookDispatcher: Service {
    let runtime: ServiceRuntime
    let settings: IntegrationsConfiguration

    func run() async throws {
        guard await runtime.startGate.wait() else { return }
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow,
                                                     timeout: .init(connect: .seconds(Int64(settings.timeoutSeconds)), read: .seconds(Int64(settings.timeoutSeconds))))
        // Subscriptions often share a host (one ERP, several endpoints): the per-host connection
        // limit must not let one slow subscription's requests queue another's behind them.
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 256)
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let busy = NIOLockedValueBox(Set<String>())
        let logger = runtime.logger
        await withDiscardingTaskGroup { group in
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                do {
                    let due = try await runtime.database.client.withConnection { try await DeliveryStore.subscriptionsDue(connection: $0, logger: logger) }
                    for id in due where busy.withLockedValue({ $0.insert(id).inserted }) {
                        group.addTask {
                            await drain(id, http: http)
                            busy.withLockedValue { _ = $0.remove(id) }
                        }
                    }
                } catch {
                    logger.error("webhook dispatcher could not read due deliveries", metadata: ["error": "\(String(describing: error).prefix(300))"])
                }
                do {
                    try await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(settings.pollMilliseconds)) }
                } catch {
                    break
                }
            }
        }
        try? await http.shutdown()
    }

    /// Delivers `subscriptionID`'s due deliveries until none is due, it is no longer active, or
    /// the process shuts down.
    func drain(_ subscriptionID: String, http: HTTPClient) async {
        let logger = runtime.logger
        while !Task.isShuttingDownGracefully {
            do {
                let loaded = try await runtime.database.client.withConnection { connection in
                    (try await SubscriptionStore.find(subscriptionID, connection: connection, logger: logger),
                     try await SubscriptionStore.sealedSecret(subscriptionID, connection: connection, logger: logger))
                }
                guard let subscription = loaded.0, subscription.status == .active, let sealed = loaded.1 else { return }
                let secret = try runtime.database.vault.open(sealed, context: WebhookSubscription.secretContext(subscriptionID))
                let lease = settings.timeoutSeconds * 2 + 30
                let claims = try await runtime.retryingTransaction { tx in
                    try await DeliveryStore.claim(subscription, limit: settings.concurrency, leaseSeconds: lease, settleMilliseconds: settings.settleMilliseconds,
                                                  connection: tx.connection, logger: tx.logger)
                }
                if claims.isEmpty { return }
                await withDiscardingTaskGroup { group in
                    for claim in claims {
                        group.addTask { await deliver(claim, to: subscription, secret: secret, http: http) }
                    }
                }
            } catch {
                logger.error("webhook worker failed; the next poll resumes", metadata: ["subscriptionId": "\(subscriptionID)", "error": "\(String(describing: error).prefix(300))"])
                return
            }
        }
    }

    /// One attempt of one delivery, and its result recorded.
    func deliver(_ claim: DeliveryStore.Claim, to subscription: WebhookSubscription, secret: String, http: HTTPClient) async {
        let logger = runtime.logger
        let result: WebhookRetryPolicy.Result
        var body = claim.maskedBody
        var unopened = false
        if subscription.includePersonalData, let sealed = claim.sealedBody {
            do { body = try runtime.database.vault.open(sealed, context: "webhook-event:\(claim.eventId.uuidString.lowercased())") } catch { unopened = true }
        }
        if unopened {
            result = .unreachable("the event's personal data does not open under the key ring")
        } else {
            result = await post(Array(body.utf8), claim: claim, subscription: subscription, secret: secret, http: http)
        }
        let step = settings.retry.step(after: result, attempt: claim.attempt)
        let statusCode: Int?
        let reason: String?
        switch result {
        case .answered(let code): statusCode = code; reason = (200..<300).contains(code) ? nil : "HTTP \(code)"
        case .unreachable(let why): statusCode = nil; reason = why
        }
        do {
            let suspended = try await runtime.retryingTransaction { tx -> Bool? in
                guard try await DeliveryStore.apply(step, to: claim, statusCode: statusCode, error: reason, connection: tx.connection, logger: tx.logger) else { return nil }
                switch step {
                case .delivered:
                    try await SubscriptionStore.recordSuccess(subscription.subscriptionId, connection: tx.connection, logger: tx.logger)
                case .gone:
                    _ = try await SubscriptionStore.setStatus(subscription.subscriptionId, .disabled, reason: "the receiver answered 410 Gone", connection: tx.connection, logger: tx.logger)
                case .failed:
                    return try await SubscriptionStore.recordFailedDelivery(subscription.subscriptionId, threshold: settings.retry.suspendAfterFailedDeliveries,
                                                                            connection: tx.connection, logger: tx.logger)
                case .retry:
                    break
                }
                return false
            }
            guard let suspended else { return }
            let outcome: String = switch step {
            case .delivered: "delivered"
            case .gone: "gone"
            case .failed: "failed"
            case .retry: "retry"
            }
            runtime.metrics.count("oms_integrations_webhook_attempts_total", [("outcome", outcome)])
            if step == .gone {
                logger.warning("webhook subscription disabled: the receiver answered 410 Gone", metadata: ["subscriptionId": "\(subscription.subscriptionId)"])
            }
            if suspended {
                runtime.metrics.count("oms_integrations_webhook_subscriptions_suspended_total")
                logger.error("webhook subscription suspended: deliveries failed in a row; ops enable it again once the receiver is back",
                             metadata: ["subscriptionId": "\(subscription.subscriptionId)", "failedInARow": "\(settings.retry.suspendAfterFailedDeliveries)"])
            }
        } catch {
            logger.error("webhook result not recorded; the lease runs out and the delivery is tried again",
                         metadata: ["deliveryId": "\(claim.deliveryId)", "error": "\(String(describing: error).prefix(300))"])
        }
    }

    /// POSTs `body` signed for this attempt; never throws.
    func post(_ body: [UInt8], claim: DeliveryStore.Claim, subscription: WebhookSubscription, secret: String, http: HTTPClient) async -> WebhookRetryPolicy.Result {
        let timestamp = Int64(Date().timeIntervalSince1970)
        var request = HTTPClientRequest(url: subscription.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        request.headers.add(name: "User-Agent", value: "oms-integrations/1")
        request.headers.add(name: WebhookSignature.eventIdHeader, value: claim.eventId.uuidString.lowercased())
        request.headers.add(name: WebhookSignature.eventTypeHeader, value: claim.eventType)
        request.headers.add(name: WebhookSignature.attemptHeader, value: "\(claim.attempt)")
        request.headers.add(name: WebhookSignature.subscriptionHeader, value: subscription.subscriptionId)
        request.headers.add(name: WebhookSignature.timestampHeader, value: "\(timestamp)")
        request.headers.add(name: WebhookSignature.signatureHeader, value: WebhookSignature.sign(body: body, timestamp: timestamp, secret: secret))
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await http.execute(request, timeout: .seconds(Int64(settings.timeoutSeconds)))
            _ = try? await response.body.collect(upTo: 16 * 1024)
            return .answered(Int(response.status.code))
        } catch {
            return .unreachable(String(String(describing: error).prefix(200)))
        }
    }
}
