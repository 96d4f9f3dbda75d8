import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import OMSDomain
import OMSPlatform

/// How the console acts: through the services' HTTP APIs (never their databases), with its own
/// `console` token and the signed-in staff member named in the delegation headers, so each
/// service decides with that person's role and records that person in its audit trail.
/// Invariant: a service that does not answer (or answers 5xx) is `serviceUnavailable`, a refusal
/// of the person's role is `forbidden`; every other answer is handed back with its JSON.
struct ServiceGateway: Sendable {
    let urls: [ServiceName: String]
    let token: String?
    let logger: Logger
    var timeout: TimeAmount = .seconds(10)

    /// A service's answer: its status and decoded JSON body (nil when not JSON).
    struct Answer: @unchecked Sendable {
        var status: Int
        var json: Any?

        var object: [String: Any] { json as? [String: Any] ?? [:] }
        var ok: Bool { (200..<300).contains(status) }
        /// The services' field errors (`{"error":{"fields":[{"field","reason"}]}}`) by field.
        var fieldErrors: [String: String] {
            let error = object["error"] as? [String: Any] ?? object
            var byField: [String: String] = [:]
            for field in error["fields"] as? [[String: Any]] ?? [] {
                if let name = field["field"] as? String, let reason = field["reason"] as? String { byField[name] = reason }
            }
            return byField
        }
        var message: String {
            let error = object["error"] as? [String: Any] ?? object
            return error["message"] as? String ?? "HTTP \(status)"
        }
    }

    func call(_ method: HTTPMethod, _ service: ServiceName, _ path: String, as staff: StaffAccount, body: [String: Any]? = nil) async throws -> Answer {
        guard let base = urls[service] else { throw ConsoleFailure.serviceUnavailable(service) }
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.headers.add(name: StaffDelegation.staffHeader.rawName, value: staff.name)
        request.headers.add(name: StaffDelegation.roleHeader.rawName, value: staff.role.rawValue)
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        }
        let answer: Answer
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: timeout)
            let bytes = try await response.body.collect(upTo: 8 << 20)
            let json = bytes.readableBytes == 0 ? nil : try? JSONSerialization.jsonObject(with: Data(buffer: bytes))
            answer = Answer(status: Int(response.status.code), json: json)
        } catch {
            logger.warning("service call failed", metadata: ["service": "\(service.rawValue)", "path": "\(path.prefix(120))", "error": "\(String(describing: error).prefix(200))"])
            throw ConsoleFailure.serviceUnavailable(service)
        }
        switch answer.status {
        case 401:
            logger.error("a service refused the console's token: is the console entry in its OMS_API_TOKENS?", metadata: ["service": "\(service.rawValue)"])
            throw ConsoleFailure.serviceUnavailable(service)
        case 403: throw ConsoleFailure.forbidden
        case 500...: throw ConsoleFailure.serviceUnavailable(service)
        default: return answer
        }
    }

    /// A read that must find something: 404 becomes the console's not-found page.
    func read(_ service: ServiceName, _ path: String, as staff: StaffAccount) async throws -> [String: Any] {
        let answer = try await call(.GET, service, path, as: staff)
        if answer.status == 404 { throw ConsoleFailure.notFound }
        guard answer.ok else { throw ConsoleFailure.notFound }
        return answer.object
    }

    /// One section of a page, from a service that may refuse the role (the section is then left
    /// out) or be down (the section says so, the page still shows).
    enum Section {
        case shown([String: Any])
        case hidden
        case unavailable
    }

    func section(_ service: ServiceName, _ path: String, as staff: StaffAccount) async -> Section {
        do {
            let answer = try await call(.GET, service, path, as: staff)
            return answer.ok ? .shown(answer.object) : .hidden
        } catch ConsoleFailure.forbidden {
            return .hidden
        } catch {
            return .unavailable
        }
    }
}
