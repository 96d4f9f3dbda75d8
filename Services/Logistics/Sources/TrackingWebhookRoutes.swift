import Foundation
import HTTPTypes
import Hummingbird
import OMSDomain
import OMSPlatform
import PostgresNIO

/// `POST /v1/logistics/carriers/{carrierCode}/tracking-events`: a carrier reports a scan. The raw
/// body must be signed, `X-Carrier-Signature: sha256=<hex HMAC-SHA256 of the body with the carrier's
/// secret>` (401 otherwise). Idempotent on (carrier, eventId): a repeat answers `duplicate`. A scan
/// only moves a shipment forward (`ShipmentStatus.canAdvance`); late ones are kept in the history.
/// Events: picked_up, in_transit, arrived, out_for_delivery, delivered (with signedBy and
/// proofReference), delay, damage, address_problem, lost, destroyed.
struct TrackingWebhookRoutes: RouteGroup {
    let runtime: ServiceRuntime
    let configuration: LogisticsConfiguration

    struct TrackingEvent: Codable, Sendable {
        var eventId: String
        var trackingNumber: String
        var type: String
        var occurredAt: Date
        var location: String?
        var signedBy: String?
        var proofReference: String?
        var note: String?
        /// On `delivered` of a cash-on-delivery parcel: what the courier collected, in fen.
        var collectedFen: Int64?
    }

    struct Outcome: Codable, Sendable {
        var eventId: String
        var trackingNumber: String
        var duplicate: Bool
        var applied: Bool
        var status: String
        /// Set when the courier reported collecting other than the waybill's amount.
        var codMismatch: Bool?
    }

    static let types: [String: ShipmentStatus?] = [
        "picked_up": .pickedUp, "in_transit": .inTransit, "arrived": .inTransit, "out_for_delivery": .outForDelivery, "delivered": .delivered,
        "lost": .lost, "destroyed": .lost, "delay": nil, "damage": nil, "address_problem": nil,
    ]

    static let endpoints: [Endpoint<Self>] = [
        .post("/v1/logistics/carriers/:code/tracking-events", .open, "A carrier's tracking events (signed: X-Carrier-Signature)", use: trackingEvents),
    ]

    func trackingEvents(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let carrier = context.parameters.get("code") ?? ""
        let body = try await request.body.collect(upTo: 64 * 1024)
        let bytes = Array(buffer: body)
        guard let secret = configuration.carrierSecrets[carrier] else {
            throw APIError(.unauthorized, code: "carrier_not_configured", message: "no webhook secret is configured for this carrier")
        }
        let signature = request.headers[HTTPField.Name("X-Carrier-Signature")!] ?? ""
        guard CarrierSignature.verify(signature, body: bytes, secret: secret) else {
            runtime.logger.warning("tracking webhook with a bad signature refused", metadata: ["carrier": "\(carrier)"])
            throw APIError(.unauthorized, code: "bad_signature", message: "X-Carrier-Signature does not match the body")
        }
        let event: TrackingEvent
        do { event = try EventCoding.decode(TrackingEvent.self, from: bytes) } catch let error as DecodingError {
            throw APIError(.badRequest, code: "malformed_body", message: "tracking event does not match the expected shape", fields: [.init(field: "(body)", reason: EventCoding.describe(error))])
        } catch {
            throw APIError(.badRequest, code: "malformed_body", message: "not valid JSON")
        }
        var check = RequestCheck()
        if event.eventId.isEmpty || event.eventId.count > 100 { check.fail("eventId", "required, at most 100 characters") }
        if event.trackingNumber.isEmpty || event.trackingNumber.count > 40 { check.fail("trackingNumber", "required, at most 40 characters") }
        if Self.types[event.type] == nil { check.fail("type", "one of \(Self.types.keys.sorted().joined(separator: ", "))") }
        for (field, value) in [("location", event.location), ("signedBy", event.signedBy), ("proofReference", event.proofReference), ("note", event.note)] {
            if let value, value.count > 200 { check.fail(field, "at most 200 characters") }
        }
        if let collected = event.collectedFen, !(0...1_000_000_000).contains(collected) { check.fail("collectedFen", "0-1000000000 fen") }
        if event.collectedFen != nil, event.type != "delivered" { check.fail("collectedFen", "only on a delivered event") }
        try check.check()
        return try Response.json(try await apply(event, carrier: carrier))
    }

    private func apply(_ event: TrackingEvent, carrier: String) async throws -> Outcome {
        try await runtime.retryingTransaction { tx in
            let connection = tx.connection, logger = tx.logger
            // One shipment, or one per order whose parcels share the box (合单): the scan is the box's.
            let shipments = try await ShipmentStore.locked(tracking: event.trackingNumber, carrier: carrier, connection: connection, logger: logger)
            guard let lead = shipments.first else { throw APIError.notFound("shipment with this tracking number for this carrier") }
            let detail = String(decoding: try EventCoding.encode(["signedBy": event.signedBy, "proofReference": event.proofReference, "note": event.note]), as: UTF8.self)
            let target = Self.types[event.type] ?? nil
            // Exceptions (delay, damage, address) apply to open shipments; scans only when they advance.
            let applies = shipments.contains { shipment in target.map { shipment.status.canAdvance(to: $0) } ?? !shipment.status.isFinal }
            let scan = ShipmentStore.Scan(carrier: carrier, eventID: event.eventId, trackingNumber: event.trackingNumber, type: event.type,
                                          occurredAt: event.occurredAt, location: event.location, detail: detail, applied: applies)
            guard try await ShipmentStore.recordScan(scan, of: shipments.map(\.id), connection: connection, logger: logger) else {
                return Outcome(eventId: event.eventId, trackingNumber: event.trackingNumber, duplicate: true, applied: false, status: lead.status.rawValue, codMismatch: nil)
            }
            var status = lead.status
            var applied = false
            var mismatch: Bool?
            for shipment in shipments {
                let advances = target.map { shipment.status.canAdvance(to: $0) } ?? false
                if let target, advances {
                    status = target
                    applied = true
                    switch target {
                    case .delivered:
                        let proof = String(decoding: try EventCoding.encode(["signedBy": event.signedBy, "proofReference": event.proofReference, "location": event.location]), as: UTF8.self)
                        try await ShipmentStore.markDelivered(shipment.id, at: event.occurredAt, proof: proof, connection: connection, logger: logger)
                        mismatch = try await CashOnDeliveryStore.recordCollection(shipmentID: shipment.id, collectedFen: event.collectedFen, connection: connection, logger: logger)
                        if mismatch == true {
                            logger.warning("cash on delivery: the courier reported collecting other than the waybill's amount", metadata: ["shipmentId": "\(shipment.id)", "carrier": "\(carrier)"])
                        }
                        try tx.emit(ShipmentDelivered(shipmentId: shipment.id, orderID: shipment.order, trackingNumber: event.trackingNumber, deliveredAt: event.occurredAt,
                                                      location: event.location, signedBy: event.signedBy, proofReference: event.proofReference, lines: shipment.lines,
                                                      cashCollected: event.collectedFen.map(Money.fen)),
                                    orderID: shipment.order, topic: TopicCatalogue.shipments)
                    case .lost:
                        try await ShipmentStore.markLost(shipment.id, at: event.occurredAt, connection: connection, logger: logger)
                        // Nobody paid for a lost parcel: its re-shipment collects its cash-on-delivery share.
                        try await CashOnDeliveryStore.creditBack(shipmentID: shipment.id, orderID: shipment.order, connection: connection, logger: logger)
                        try tx.emit(ShipmentLost(shipmentId: shipment.id, orderID: shipment.order, warehouseId: shipment.warehouse, trackingNumber: event.trackingNumber,
                                                 lines: shipment.lines, reasonCode: event.type, reportedAt: event.occurredAt),
                                    orderID: shipment.order, topic: TopicCatalogue.shipments)
                    default:
                        try await ShipmentStore.setStatus(shipment.id, target, connection: connection, logger: logger)
                        try tx.emit(ShipmentInTransit(shipmentId: shipment.id, orderID: shipment.order, trackingNumber: event.trackingNumber, status: target.rawValue,
                                                      location: event.location, occurredAt: event.occurredAt),
                                    orderID: shipment.order, topic: TopicCatalogue.shipments)
                    }
                } else if target == nil, !shipment.status.isFinal {
                    applied = true
                    if event.type == "delay" {
                        if shipment.delayed == nil {
                            try await ShipmentStore.markDelayed(shipment.id, reason: "carrier_reported", connection: connection, logger: logger)
                            try tx.emit(ShipmentDelayed(shipmentId: shipment.id, orderID: shipment.order, trackingNumber: event.trackingNumber, reasonCode: "carrier_reported",
                                                        estimatedDelivery: shipment.eta, detectedAt: event.occurredAt),
                                        orderID: shipment.order, topic: TopicCatalogue.shipments)
                        }
                    } else {
                        try tx.emit(ShipmentException(shipmentId: shipment.id, orderID: shipment.order, trackingNumber: event.trackingNumber, reasonCode: event.type,
                                                      note: event.note, occurredAt: event.occurredAt),
                                    orderID: shipment.order, topic: TopicCatalogue.shipments)
                    }
                }
            }
            return Outcome(eventId: event.eventId, trackingNumber: event.trackingNumber, duplicate: false, applied: applied, status: status.rawValue, codMismatch: mismatch)
        }
    }
}
