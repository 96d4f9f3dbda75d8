import Foundation
import OMSDomain
import OMSKafka
import OMSPlatform

/// Tells the marketplaces about dispatched parcels every `OMS_MARKETPLACE_POLL_MILLISECONDS`:
/// claims due ship-backs (a lease, in its own transaction, so a crash mid-call is retried), calls
/// each platform outside any transaction (a few at once) and applies the answers. Invariant: a
/// parcel is sent until the platform accepts or refuses it; a refusal, or attempts used up, fails
/// it with the platform's code, counted, logged and dead-lettered on `oms.integrations.dlq`.
struct ShipBackSender: Sendable {
    let runtime: ServiceRuntime
    let gateways: MarketplaceGateways
    let policy: WebhookRetryPolicy
    let pollMilliseconds: Int
    var batchSize = 32
    var concurrency = 8
    /// A claim's lease: longer than a call may take (a ship, a trade read).
    let leaseSeconds: Int

    func job() -> PeriodicJob {
        PeriodicJob(name: "marketplace-ship-back", every: .milliseconds(pollMilliseconds), runtime: runtime) {
            while try await sweep() == batchSize {}
        }
    }

    /// One round; returns how many ship-backs were claimed.
    @discardableResult
    func sweep() async throws -> Int {
        let claims = try await runtime.retryingTransaction { tx in
            try await ShipBackStore.claimDue(limit: batchSize, leaseSeconds: leaseSeconds, connection: tx.connection, logger: tx.logger)
        }
        guard !claims.isEmpty else { return 0 }
        try await forEachConcurrently(claims, limit: concurrency) { try await settle($0) }
        return claims.count
    }

    func settle(_ claim: ShipBackStore.Claim) async throws {
        let shipBack = claim.shipBack
        let outcome = await attempt(claim)
        try await runtime.retryingTransaction { tx in
            try await ShipBackStore.apply(outcome, to: shipBack.shipmentId, connection: tx.connection, logger: tx.logger)
            if case .failed(let code, let message) = outcome { tx.enqueue(try Self.deadLetter(shipBack, code: code, message: message, attempts: claim.attempt)) }
        }
        let labels = [("platform", shipBack.platform)]
        switch outcome {
        case .sent:
            runtime.metrics.count("oms_integrations_shipbacks_sent_total", labels)
            runtime.logger.info("marketplace told of a parcel", metadata: ["shipmentId": "\(shipBack.shipmentId)", "platform": "\(shipBack.platform)",
                                                                          "operation": "\(shipBack.operation.rawValue)", "attempt": "\(claim.attempt)"])
        case .retry(_, let code, _):
            runtime.metrics.count("oms_integrations_shipback_retries_total", labels)
            runtime.logger.warning("ship-back not taken yet; retrying", metadata: ["shipmentId": "\(shipBack.shipmentId)", "code": "\(code)", "attempt": "\(claim.attempt)"])
        case .failed(let code, let message):
            runtime.metrics.count("oms_integrations_shipbacks_failed_total", labels)
            runtime.logger.error("ship-back failed", metadata: ["shipmentId": "\(shipBack.shipmentId)", "platform": "\(shipBack.platform)", "code": "\(code)",
                                                               "reason": "\(PIIMask.scrub(message).prefix(200))"])
        }
    }

    /// One call, and what it means for the ship-back.
    func attempt(_ claim: ShipBackStore.Claim) async -> ShipBackStore.Outcome {
        let shipBack = claim.shipBack
        guard let gateway = gateways.gateway(for: shipBack.platform) else {
            return .failed(code: "platform_not_configured", message: "no settings for \(shipBack.platform) (OMS_TAOBAO_* or OMS_JD_*)")
        }
        guard let code = gateways.companyCode(carrier: shipBack.carrier, platform: shipBack.platform) else {
            return .failed(code: "carrier_code_unknown", message: "\(shipBack.platform) has no code for carrier \(shipBack.carrier) (OMS_TAOBAO_CARRIER_CODES / OMS_JD_CARRIER_IDS)")
        }
        switch await gateway.shipBack(shipBack, companyCode: code) {
        case .accepted:
            return .sent
        case .rejected(let code, let message):
            // The previous attempt's answer was lost: the platform may refuse this one because that
            // one shipped the trade. Its status says so.
            if claim.previousOutcomeUnknown, await gateway.showsShipped(shipBack) == true {
                runtime.logger.notice("ship-back refused after a lost answer; the platform shows the trade shipped", metadata: [
                    "shipmentId": "\(shipBack.shipmentId)", "code": "\(code)"])
                return .sent
            }
            return .failed(code: code, message: message)
        case .retry(let code, let message):
            guard case .retry(let wait) = policy.step(after: .unreachable(code), attempt: claim.attempt) else {
                return .failed(code: code, message: "attempts used up: \(message)")
            }
            return .retry(afterMilliseconds: wait, code: code, message: message)
        }
    }

    /// The dead letter of a failed ship-back: the parcel and the platform's code, for ops' usual
    /// dead-letter tooling. Redriving it changes nothing (`POST …/ship-backs/{id}/retry` does).
    static func deadLetter(_ shipBack: ShipBack, code: String, message: String, attempts: Int, now: Date = Date()) throws -> OutboxMessage {
        let body: [String: String] = ["shipmentId": shipBack.shipmentId, "orderId": shipBack.orderId, "platform": shipBack.platform,
                                      "platformOrderId": shipBack.platformOrderId, "carrier": shipBack.carrier, "trackingNumber": shipBack.trackingNumber,
                                      "operation": shipBack.operation.rawValue, "platformCode": code, "platformMessage": String(PIIMask.scrub(message).prefix(300))]
        let id = UUID()
        let headers = [
            KafkaHeader(key: EventHeader.eventID, text: id.uuidString.lowercased()),
            KafkaHeader(key: EventHeader.eventType, text: "integrations.ship-back-failed"),
            KafkaHeader(key: EventHeader.dlqOriginalTopic, text: TopicCatalogue.shipments),
            KafkaHeader(key: EventHeader.dlqError, text: String(PIIMask.scrub("\(shipBack.platform) refused the ship-back: \(code) \(message)").prefix(500))),
            KafkaHeader(key: EventHeader.dlqAttempts, text: String(attempts)),
            KafkaHeader(key: EventHeader.dlqService, text: ServiceName.integrations.rawValue),
            KafkaHeader(key: EventHeader.dlqFailedAt, text: Timestamps.format(now)),
        ]
        return OutboxMessage(eventID: id, topic: ServiceName.integrations.deadLetterTopic, key: Array(shipBack.orderId.utf8), headers: headers,
                             payload: Array(try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])))
    }
}
