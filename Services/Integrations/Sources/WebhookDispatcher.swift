import AsyncHTTPClient
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import OMSPlatform
import ServiceLifecycle

/// Delivers due webhook deliveries: every poll it finds the active subscriptions with a delivery
/// due and gives each its own worker, which claims a batch (one per order, see `DeliveryStore`),
/// POSTs it with `concurrency` calls in flight, records the results in one transaction, and goes
/// on until nothing is due. Invariant: a
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
        do { try await http.shutdown() } catch {
            logger.warning("webhook HTTP client did not shut down cleanly", metadata: ["error": "\(String(describing: error).prefix(200))"])
        }
    }

    /// Delivers `subscriptionID`'s due deliveries until none is due, it is no longer active, or
    /// the process shuts down.
    func drain(_ subscriptionID: String, http: HTTPClient) async {
        let logger = runtime.logger
        while !Task.isShuttingDownGracefully {
            do {
                let loaded = try await runtime.database.client.withConnection { connection in
                    (try await SubscriptionStore.find(subscriptionID, connection: connection, logger: logger),
                     try await SubscriptionStore.sealedSecrets(subscriptionID, connection: connection, logger: logger))
                }
                guard let subscription = loaded.0, subscription.status == .active, let sealed = loaded.1 else { return }
                let context = WebhookSubscription.secretContext(subscriptionID)
                let secrets = [try runtime.database.vault.open(sealed.current, context: context)] + (try sealed.previous.map { [try runtime.database.vault.open($0, context: context)] } ?? [])
                // A batch of up to four windows, at most `concurrency` calls in flight; the lease
                // covers every window timing out.
                let batch = settings.concurrency * 4
                let lease = settings.timeoutSeconds * 4 + 10
                let claims = try await runtime.retryingTransaction { tx in
                    try await DeliveryStore.relaxDurability(connection: tx.connection, logger: tx.logger)
                    return try await DeliveryStore.claim(subscription, limit: batch, leaseSeconds: lease, settleMilliseconds: settings.settleMilliseconds,
                                                  connection: tx.connection, logger: tx.logger)
                }
                if claims.isEmpty { return }
                let results = await withTaskGroup(of: (DeliveryStore.Claim, WebhookRetryPolicy.Result).self) { group in
                    var waiting = claims.makeIterator()
                    for _ in 0..<settings.concurrency {
                        guard let claim = waiting.next() else { break }
                        group.addTask { (claim, await attempt(claim, to: subscription, secrets: secrets, http: http)) }
                    }
                    var results: [(DeliveryStore.Claim, WebhookRetryPolicy.Result)] = []
                    while let result = await group.next() {
                        results.append(result)
                        if let claim = waiting.next() {
                            group.addTask { (claim, await attempt(claim, to: subscription, secrets: secrets, http: http)) }
                        }
                    }
                    return results
                }
                await record(results, of: subscription)
            } catch {
                logger.error("webhook worker failed; the next poll resumes", metadata: ["subscriptionId": "\(subscriptionID)", "error": "\(String(describing: error).prefix(300))"])
                return
            }
        }
    }

    /// One attempt of one delivery: the body the subscription may see, signed and sent.
    func attempt(_ claim: DeliveryStore.Claim, to subscription: WebhookSubscription, secrets: [String], http: HTTPClient) async -> WebhookRetryPolicy.Result {
        var body = claim.maskedBody
        if subscription.includePersonalData, let sealed = claim.sealedBody {
            do { body = try runtime.database.vault.open(sealed, context: "webhook-event:\(claim.eventId.uuidString.lowercased())") } catch {
                return .unreachable("the event's personal data does not open under the key ring")
            }
        }
        return await post(Array(body.utf8), claim: claim, subscription: subscription, secrets: secrets, http: http)
    }

    /// Records a batch's results in one transaction: each delivery's next step, and the
    /// subscription's failure run, 410 or suspension. Results of a delivery no longer at its
    /// claimed attempt are ignored. If the commit fails, the leases run out and the deliveries are
    /// tried again (the receivers dedup by event id).
    func record(_ results: [(DeliveryStore.Claim, WebhookRetryPolicy.Result)], of subscription: WebhookSubscription) async {
        let logger = runtime.logger
        let id = subscription.subscriptionId
        let outcomes = results.map { claim, result -> DeliveryStore.Outcome in
            let step = settings.retry.step(after: result, attempt: claim.attempt)
            switch result {
            case .answered(let code): return .init(claim: claim, step: step, statusCode: code, error: (200..<300).contains(code) ? nil : "HTTP \(code)")
            case .unreachable(let why): return .init(claim: claim, step: step, statusCode: nil, error: why)
            }
        }
        do {
            let (applied, suspended) = try await runtime.retryingTransaction { tx -> ([WebhookRetryPolicy.Step], Bool) in
                try await DeliveryStore.relaxDurability(connection: tx.connection, logger: tx.logger)
                let ids = try await DeliveryStore.apply(outcomes, connection: tx.connection, logger: tx.logger)
                let applied = outcomes.filter { ids.contains($0.claim.deliveryId) }.map(\.step)
                // A delivered attempt ends the run of failures; then each delivery that used up its
                // attempts extends it (and may suspend the subscription); a 410 disables it.
                if applied.contains(.delivered) {
                    try await SubscriptionStore.recordSuccess(id, connection: tx.connection, logger: tx.logger)
                }
                var suspended = false
                for step in applied where step == .failed {
                    if try await SubscriptionStore.recordFailedDelivery(id, threshold: settings.retry.suspendAfterFailedDeliveries, connection: tx.connection, logger: tx.logger) {
                        suspended = true
                    }
                }
                if applied.contains(.gone) {
                    _ = try await SubscriptionStore.setStatus(id, .disabled, reason: "the receiver answered 410 Gone", connection: tx.connection, logger: tx.logger)
                }
                return (applied, suspended)
            }
            for step in applied {
                let outcome: String = switch step {
                case .delivered: "delivered"
                case .gone: "gone"
                case .failed: "failed"
                case .retry: "retry"
                }
                runtime.metrics.count("oms_integrations_webhook_attempts_total", [("outcome", outcome)])
            }
            if applied.contains(.gone) {
                logger.warning("webhook subscription disabled: the receiver answered 410 Gone", metadata: ["subscriptionId": "\(id)"])
            }
            if suspended {
                runtime.metrics.count("oms_integrations_webhook_subscriptions_suspended_total")
                logger.error("webhook subscription suspended: deliveries failed in a row; ops enable it again once the receiver is back",
                             metadata: ["subscriptionId": "\(id)", "failedInARow": "\(settings.retry.suspendAfterFailedDeliveries)"])
            }
        } catch {
            logger.error("webhook results not recorded; the leases run out and the deliveries are tried again",
                         metadata: ["subscriptionId": "\(id)", "deliveries": "\(results.count)", "error": "\(String(describing: error).prefix(300))"])
        }
    }

    /// POSTs `body` signed for this attempt with each secret (the current one first: during a
    /// rotation's grace period the header carries both signatures); never throws.
    func post(_ body: [UInt8], claim: DeliveryStore.Claim, subscription: WebhookSubscription, secrets: [String], http: HTTPClient) async -> WebhookRetryPolicy.Result {
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
        request.headers.add(name: WebhookSignature.signatureHeader, value: secrets.map { WebhookSignature.sign(body: body, timestamp: timestamp, secret: $0) }.joined(separator: ","))
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await http.execute(request, timeout: .seconds(Int64(settings.timeoutSeconds)))
            // The status decides the outcome; the body is read only to free the connection, so a
            // body over 16 KiB or one cut off after the status changes nothing.
            _ = try? await response.body.collect(upTo: 16 * 1024)
            return .answered(Int(response.status.code))
        } catch {
            return .unreachable(String(String(describing: error).prefix(200)))
        }
    }
}
