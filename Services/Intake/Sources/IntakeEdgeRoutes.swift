import Foundation
import HTTPTypes
import Hummingbird
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// The intake edge: `POST /v1/channels/{channel}/orders` takes each channel's native payload, runs
/// the stateless checks (422 listing every invalid field), records the submission for idempotency
/// and answers 202 with the order id once the raw order is on `oms.intake.raw`.
///
/// Idempotency: the same (channel, channel order id) or the same `Idempotency-Key` returns the same
/// order id (202 with `Idempotent-Replayed: true`); the same key or channel order id with a
/// different payload is a 409.
struct IntakeEdgeRoutes: RouteGroup {
    let runtime: ServiceRuntime
    let configuration: IntakeConfiguration
    let hasher: PIIHasher

    /// The 202 body.
    struct Accepted: Codable, Sendable {
        var orderId: String
        var channel: String
        var channelOrderId: String
        var status: String
        var statusUrl: String
    }

    private enum Recorded: Sendable {
        case new(OutboxMessage)
        case replay(orderID: String)
        case conflict(APIError)
    }

    static let endpoints: [Endpoint<Self>] = [
        .post("/v1/channels/:channel/orders", [.channel], "Submit an order from a sales channel (idempotent per channel order id)", channelParameter: "channel", use: submitOrder),
    ]

    func submitOrder(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let name = context.parameters.get("channel") ?? ""
        guard let channel = OMSDomain.Channel(rawValue: name) else {
            throw APIError(.notFound, code: "unknown_channel", message: "unknown channel; expected one of \(OMSDomain.Channel.allCases.map(\.rawValue).joined(separator: ", "))",
                           fields: [.init(field: "channel", reason: "unknown channel")])
        }
        let key = try Self.idempotencyKey(request)
        return switch channel {
        case .pos: try await accept(PosSalePayload.self, request, context, key)
        case .web: try await accept(WebOrderPayload.self, request, context, key)
        case .marketplace: try await accept(MarketplaceOrderPayload.self, request, context, key)
        case .miniprogram: try await accept(MiniProgramOrderPayload.self, request, context, key)
        case .phone: try await accept(PhoneOrderPayload.self, request, context, key)
        }
    }

    static func idempotencyKey(_ request: Request) throws -> String? {
        guard let key = request.headers[HTTPField.Name("Idempotency-Key")!] else { return nil }
        guard (1...200).contains(key.count), key.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            throw APIError(.badRequest, code: "invalid_idempotency_key", message: "Idempotency-Key must be 1-200 visible ASCII characters",
                           fields: [.init(field: "Idempotency-Key", reason: "1-200 visible ASCII characters")])
        }
        return key
    }

    private func accept<P: ChannelPayload>(_ type: P.Type, _ request: Request, _ context: OMSRequestContext, _ key: String?) async throws -> Response {
        var mark = ContinuousClock.now
        func stage(_ name: String) {
            let now = ContinuousClock.now
            let elapsed = (now - mark).components
            runtime.metrics.histogram("oms_intake_edge_stage_seconds", [("stage", name)]).recordNanoseconds(elapsed.seconds * 1_000_000_000 + elapsed.attoseconds / 1_000_000_000)
            mark = now
        }
        let payload = try await request.decodeJSON(as: P.self, context: context)
        let draft: OrderDraft
        switch payload.normalize(limits: configuration.limits, hasher: hasher) {
        case .success(let normalized): draft = normalized
        case .failure(let rejected):
            runtime.metrics.count("oms_intake_rejected_at_edge_total", [("channel", P.channel.rawValue)])
            throw APIError.validation(rejected.issues.map { APIError.FieldError(field: $0.field, reason: $0.reason) })
        }
        let fingerprint = PIIHasher.fingerprint(try EventCoding.encode(payload))
        stage("validate")
        let orderID = OrderNumber.generate()
        let eventID = UUID()
        let logger = runtime.logger
        let recorded = try await runtime.database.transaction(logger: logger) { tx -> Recorded in
            if try await OrderStore.recordSubmission(channel: draft.channel, channelOrderID: draft.channelOrderID, orderID: orderID, idempotencyKey: key,
                                                     fingerprint: fingerprint, eventID: eventID, connection: tx.connection, logger: logger) {
                let raw = RawOrderSubmitted(orderID: orderID, draft: draft, acceptedAt: Date())
                let envelope = try EventEnvelope.make(raw, orderID: orderID, producer: .intake, eventID: eventID)
                return .new(tx.enqueueForDirectPublish(envelope, topic: TopicCatalogue.intakeRaw))
            }
            return try await Self.resolveDuplicate(channel: draft.channel, channelOrderID: draft.channelOrderID, key: key, fingerprint: fingerprint, tx: tx)
        }
        stage("record")
        let statusPath = { (id: String) in "/v1/orders/\(id)" }
        switch recorded {
        case .new(let message):
            do {
                try await runtime.relay.publishDirect([message])
                stage("publish")
            } catch {
                logger.warning("raw order recorded but not yet on the topic; the relay will publish it", metadata: ["orderId": "\(orderID)", "error": "\(error)"])
                runtime.metrics.count("oms_intake_direct_publish_failures_total")
                throw APIError(.serviceUnavailable, code: "broker_unavailable",
                               message: "order \(orderID) is recorded but not yet queued; retry the same request to confirm")
            }
            runtime.metrics.count("oms_intake_accepted_total", [("channel", P.channel.rawValue)])
            let body = Accepted(orderId: orderID, channel: draft.channel.rawValue, channelOrderId: draft.channelOrderID, status: "accepted", statusUrl: statusPath(orderID))
            return try Response.json(body, status: .accepted, headers: [.location: statusPath(orderID)])
        case .replay(let existing):
            runtime.metrics.count("oms_intake_replayed_total", [("channel", P.channel.rawValue)])
            let body = Accepted(orderId: existing, channel: draft.channel.rawValue, channelOrderId: draft.channelOrderID, status: "accepted", statusUrl: statusPath(existing))
            return try Response.json(body, status: .accepted, headers: [.location: statusPath(existing), HTTPField.Name("Idempotent-Replayed")!: "true"])
        case .conflict(let error):
            throw error
        }
    }

    /// The submission already recorded under this channel order id or idempotency key (keys are
    /// scoped to their channel).
    private static func resolveDuplicate(channel: OMSDomain.Channel, channelOrderID: String, key: String?, fingerprint: String, tx: TransactionContext) async throws -> Recorded {
        let matches = try await OrderStore.submissions(channel: channel, channelOrderID: channelOrderID, idempotencyKey: key, connection: tx.connection, logger: tx.logger)
        guard let first = matches.first else {
            // The conflicting row is not visible (deleted concurrently): ask the client to retry.
            return .conflict(APIError(.conflict, code: "submission_in_flight", message: "a submission with this key is being recorded; retry"))
        }
        if matches.count > 1 || first.channel != channel.rawValue || first.channelOrderID != channelOrderID {
            return .conflict(APIError(.conflict, code: "idempotency_key_reused", message: "this Idempotency-Key was used for a different order",
                                      fields: [.init(field: "Idempotency-Key", reason: "already used for another order")]))
        }
        guard first.fingerprint == fingerprint else {
            return .conflict(APIError(.conflict, code: "duplicate_with_different_payload",
                                      message: "order \(first.orderID) was already submitted with this channel order id and different content"))
        }
        return .replay(orderID: first.orderID)
    }
}
