import Foundation
import OMSDomain
import OMSPlatform

/// Books e-waybills every `OMS_EWAYBILL_POLL_MILLISECONDS`: claims pending bookings (a lease, in
/// its own transaction), asks each carrier outside any transaction (a few at once; the shipment id
/// is the carrier's order id, so a repeated request returns the same waybill), and on the answer
/// records the dispatched shipment with the carrier's number and emits `shipment.dispatched` in one
/// transaction. Invariant: one waybill and one dispatch per parcel, across retries, redeliveries
/// and a process killed mid-call; a refusal or attempts used up fail the booking visibly (status,
/// the carrier's code, a metric, a log line) and ops book it again after fixing the cause.
struct WaybillBooker: Sendable {
    let runtime: ServiceRuntime
    let carriers: [String: any EWaybillCarrier]
    let maxAttempts: Int
    let retryBaseMilliseconds: Int
    let pollMilliseconds: Int
    /// A claim's lease: longer than a booking's calls may take (a create and a read-back).
    let leaseSeconds: Int
    var batchSize = 32
    var concurrency = 8

    func job() -> PeriodicJob {
        PeriodicJob(name: "waybill-booker", every: .milliseconds(pollMilliseconds), runtime: runtime) {
            while try await sweep() == batchSize {}
        }
    }

    @discardableResult
    func sweep() async throws -> Int {
        let claims = try await runtime.retryingTransaction { tx in
            try await WaybillBookingStore.claimDue(limit: batchSize, leaseSeconds: leaseSeconds, connection: tx.connection, logger: tx.logger)
        }
        guard !claims.isEmpty else { return 0 }
        try await forEachConcurrently(claims, limit: concurrency) { try await settle($0) }
        return claims.count
    }

    func settle(_ claim: WaybillBookingStore.Claim) async throws {
        let planned = claim.shipment
        let vault = runtime.database.vault
        let answer: WaybillAnswer
        var waybill: Waybill?
        if let carrier = carriers[planned.company] {
            do {
                let opened = try vault.open(claim.sealedWaybill, context: WaybillBookingStore.sealContext(planned.parcelId, "waybill"))
                let recipient = try EventCoding.decode(WaybillRequest.Contact.self,
                                                       from: Array(try vault.open(claim.sealedRecipient, context: WaybillBookingStore.sealContext(planned.parcelId, "recipient")).utf8))
                let stored = try EventCoding.decode(Waybill.self, from: Array(opened.utf8))
                waybill = stored
                let request = WaybillRequest(orderId: planned.id, service: planned.service,
                                             sender: .init(name: stored.sender.name, phone: stored.sender.phone, province: stored.sender.province, city: stored.sender.city,
                                                           district: nil, address: stored.sender.address),
                                             recipient: recipient, weightGrams: planned.weightGrams, declaredValueFen: stored.declaredValueFen,
                                             cashOnDeliveryFen: stored.cashOnDeliveryFen, cargo: planned.lines.map { "\($0.sku)×\($0.quantity)" }.joined(separator: ","))
                answer = await carrier.book(request)
            } catch {
                answer = .rejected(code: "SEALED_DATA_UNREADABLE", message: "the booking's sealed waybill does not open with the key ring: \(error)")
            }
        } else {
            answer = .rejected(code: "carrier_not_configured", message: "no e-waybill settings for \(planned.company)")
        }
        let labels = [("carrier", planned.company)]
        switch answer {
        case .booked(let number, let label):
            guard var waybill else { return }
            waybill.trackingNumber = number
            waybill.routeLabel = label.isEmpty ? nil : label
            waybill.numberSource = .carrierAPI
            let sealed = String(decoding: try EventCoding.encode(waybill.sealed(by: vault)), as: UTF8.self)
            let numbered = planned.numbered(number)
            let dispatched = try await runtime.retryingTransaction { tx in
                guard try await WaybillBookingStore.markBooked(planned.parcelId, number: number, connection: tx.connection, logger: tx.logger) else { return false }
                let now = Date()
                for shipment in try await ShipmentStore.insertDispatched([(numbered, sealed)], now: now, connection: tx.connection, logger: tx.logger) {
                    tx.emit(try shipment.event(at: now), topic: TopicCatalogue.shipments)
                }
                return true
            }
            if dispatched {
                runtime.metrics.count("oms_logistics_waybills_booked_total", labels)
                runtime.logger.info("e-waybill booked; parcel dispatched", metadata: ["shipmentId": "\(planned.id)", "carrier": "\(planned.company)", "attempt": "\(claim.attempt)"])
            }
        case .retry(let code, let message) where claim.attempt < maxAttempts:
            let wait = Self.wait(afterAttempt: claim.attempt, base: retryBaseMilliseconds)
            try await runtime.retryingTransaction { tx in
                try await WaybillBookingStore.retry(planned.parcelId, afterMilliseconds: wait, code: code, message: message, connection: tx.connection, logger: tx.logger)
            }
            runtime.metrics.count("oms_logistics_waybill_retries_total", labels)
            runtime.logger.warning("e-waybill not booked yet; retrying", metadata: ["shipmentId": "\(planned.id)", "code": "\(code)", "attempt": "\(claim.attempt)"])
        case .retry(let code, let message), .rejected(let code, let message):
            try await runtime.retryingTransaction { tx in
                try await WaybillBookingStore.fail(planned.parcelId, code: code, message: String(PIIMask.scrub(message).prefix(300)), connection: tx.connection, logger: tx.logger)
            }
            runtime.metrics.count("oms_logistics_waybills_failed_total", labels)
            runtime.logger.error("e-waybill booking failed", metadata: ["shipmentId": "\(planned.id)", "carrier": "\(planned.company)", "code": "\(code)",
                                                                       "reason": "\(PIIMask.scrub(message).prefix(200))"])
        }
    }

    /// base × 2^(attempt-1), at most 10 minutes, plus 0-25 % jitter.
    static func wait(afterAttempt attempt: Int, base: Int, jitter: Double = Double.random(in: 0...1)) -> Int {
        let plain = min(Double(base) * pow(2, Double(min(max(attempt - 1, 0), 20))), 600_000)
        return Int(plain * (1 + 0.25 * jitter))
    }
}
