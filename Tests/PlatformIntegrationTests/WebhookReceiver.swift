import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore

/// A webhook receiver for tests, a real HTTP server on loopback: `POST /hooks/{name}` checks the
/// OMS signature the way docs/integrations.md tells receivers to (HMAC-SHA256 over
/// `timestamp.body` with the secret given for `name`, timestamp within 5 minutes, computed here
/// independently of the service's code), records what arrived and answers as scripted: 2xx,
/// a status, a delay longer than the sender's timeout, or 410.
final class WebhookReceiver: Sendable {
    /// How a receiver answers.
    enum Behavior: Sendable, Equatable {
        case accept
        case status(Int)
        /// Answers 200 after this long (a slow receiver).
        case delay(Duration)
    }

    /// One request that arrived.
    struct Arrival: Sendable {
        var receiver: String
        var eventID: String
        var eventType: String
        var attempt: Int
        var signatureValid: Bool
        var orderID: String
        /// The body as sent.
        var text: String
        var answered: Int
        var at: ContinuousClock.Instant
    }

    struct State: Sendable {
        var secrets: [String: String] = [:]
        var behaviors: [String: Behavior] = [:]
        var arrivals: [Arrival] = []
    }

    let port: Int
    let state = NIOLockedValueBox(State())

    init(port: Int) { self.port = port }

    func url(_ name: String) -> String { "http://127.0.0.1:\(port)/hooks/\(name)" }
    func secret(_ name: String, _ secret: String) { state.withLockedValue { $0.secrets[name] = secret } }
    func behave(_ name: String, _ behavior: Behavior) { state.withLockedValue { $0.behaviors[name] = behavior } }
    func arrivals(_ name: String) -> [Arrival] { state.withLockedValue { $0.arrivals.filter { $0.receiver == name } } }
    /// Event ids accepted (answered 2xx) by `name`, in arrival order.
    func accepted(_ name: String) -> [Arrival] { arrivals(name).filter { (200..<300).contains($0.answered) } }

    func application() -> some ApplicationProtocol {
        let router = Router()
        router.get("/health/ready") { _, _ in Response(status: .ok) }
        router.post("/hooks/:name") { request, context in try await self.receive(request, name: context.parameters.get("name") ?? "") }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
    }

    private func receive(_ request: Request, name: String) async throws -> Response {
        let body = Array(buffer: try await request.body.collect(upTo: 1 << 20))
        let header = { (field: String) in HTTPField.Name(field).flatMap { request.headers[$0] } ?? "" }
        let (secret, behavior) = state.withLockedValue { ($0.secrets[name] ?? "", $0.behaviors[name] ?? .accept) }
        let valid = Self.verify(body: body, timestamp: header("OMS-Webhook-Timestamp"), signature: header("OMS-Webhook-Signature"), secret: secret)
        var answer = 200
        if !valid {
            answer = 401
        } else {
            switch behavior {
            case .accept: answer = 200
            case .status(let status): answer = status
            case .delay(let delay):
                try? await Task.sleep(for: delay)
                answer = 200
            }
        }
        let json = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
        let arrival = Arrival(receiver: name, eventID: header("OMS-Webhook-Id"), eventType: header("OMS-Webhook-Event"), attempt: Int(header("OMS-Webhook-Attempt")) ?? 0,
                              signatureValid: valid, orderID: json["orderId"] as? String ?? "", text: String(decoding: body, as: UTF8.self), answered: answer, at: .now)
        state.withLockedValue { $0.arrivals.append(arrival) }
        return Response(status: .init(code: answer))
    }

    /// The receiver-side check, written from the documentation.
    static func verify(body: [UInt8], timestamp: String, signature: String, secret: String) -> Bool {
        guard !secret.isEmpty, let sent = Int64(timestamp), abs(Int64(Date().timeIntervalSince1970) - sent) <= 300 else { return false }
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(timestamp).".utf8) + body, using: SymmetricKey(data: Array(secret.utf8)))
        let expected = "v1=" + mac.map { String(format: "%02x", $0) }.joined()
        return signature.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces) == expected }
    }
}
