import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOPosix
import OMSPlatform

/// Sends an SMS through Aliyun SMS (`dysmsapi`, API version 2017-05-25, action `SendSms`): an RPC
/// call whose parameters are signed with HMAC-SHA1 (signature version 1.0) over
/// `POST&%2F&<percent-encoded canonical query>` with the key `AccessKeySecret&`; the text is the
/// shop's approved template (`TemplateCode`) with its variables as JSON (`TemplateParam`).
/// Invariant: every answer is a `ProviderAnswer`; Aliyun's codes are mapped by `classify`.
struct AliyunSMSGateway: Sendable {
    struct Configuration: Sendable {
        /// `OMS_SMS_ACCESS_KEY_ID`, `OMS_SMS_ACCESS_KEY_SECRET`: the RAM user's key.
        var accessKeyID: String
        var accessKeySecret: String
        /// `OMS_SMS_SIGN_NAME`: the approved signature shown as 【…】 before the text.
        var signName: String
        /// `OMS_SMS_ENDPOINT` (https://dysmsapi.aliyuncs.com/).
        var endpoint: String
        /// `OMS_SMS_REGION` (cn-hangzhou).
        var region: String
        var timeoutSeconds: Int
    }

    let configuration: Configuration

    /// The request's parameters, signed. `nonce` and `now` are the caller's so a test can
    /// reproduce a documented signature.
    static func signedParameters(phone: String, templateCode: String, templateParam: String, outID: String, configuration: Configuration,
                                 nonce: String, now: Date, method: String = "POST") -> [String: String] {
        var parameters = [
            "AccessKeyId": configuration.accessKeyID, "Action": "SendSms", "Format": "JSON", "PhoneNumbers": phone, "RegionId": configuration.region,
            "SignName": configuration.signName, "SignatureMethod": "HMAC-SHA1", "SignatureNonce": nonce, "SignatureVersion": "1.0",
            "TemplateCode": templateCode, "TemplateParam": templateParam, "Timestamp": timestamp(now), "Version": "2017-05-25",
        ]
        if !outID.isEmpty { parameters["OutId"] = outID }
        parameters["Signature"] = signature(parameters, secret: configuration.accessKeySecret, method: method)
        return parameters
    }

    /// Base64 HMAC-SHA1 of the string to sign (the `Signature` parameter itself excluded).
    static func signature(_ parameters: [String: String], secret: String, method: String) -> String {
        let canonical = parameters.filter { $0.key != "Signature" }.sorted { $0.key < $1.key }
            .map { percentEncode($0.key) + "=" + percentEncode($0.value) }.joined(separator: "&")
        let toSign = method + "&" + percentEncode("/") + "&" + percentEncode(canonical)
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Data(toSign.utf8), using: SymmetricKey(data: Data((secret + "&").utf8)))
        return Data(mac).base64EncodedString()
    }

    /// RFC 3986 percent-encoding, as Aliyun's signature is computed over it (`%20` for a space).
    static func percentEncode(_ text: String) -> String { FormEncoding.rfc3986(text) }

    /// ISO 8601 UTC to the second, as the `Timestamp` parameter.
    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    /// What Aliyun's `Code` means for the message: retried (throttling, the provider's own
    /// trouble, an account to top up), or given up (the number, template, signature or parameters
    /// are wrong, the key is not accepted: no repeat can succeed).
    static func classify(code: String, message: String) -> ProviderAnswer {
        switch code {
        case "OK":
            return .accepted(messageId: nil)
        case "isv.BUSINESS_LIMIT_CONTROL", "isv.DAY_LIMIT_CONTROL", "isv.AMOUNT_NOT_ENOUGH", "isv.OUT_OF_SERVICE", "Throttling", "Throttling.User", "Throttling.Api",
             "ServiceUnavailable", "InternalError":
            return .retry(code: code, message: message)
        default:
            if code.hasPrefix("isp.") || code.hasPrefix("Throttling") { return .retry(code: code, message: message) }
            return .rejected(code: code, message: message)
        }
    }

    func send(phone: String, templateCode: String, parameters: [String: String], outID: String) async -> ProviderAnswer {
        guard let paramJSON = try? JSONSerialization.data(withJSONObject: parameters, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return .rejected(code: "TEMPLATE_PARAM", message: "variables are not JSON")
        }
        let signed = Self.signedParameters(phone: phone, templateCode: templateCode, templateParam: String(decoding: paramJSON, as: UTF8.self), outID: outID,
                                           configuration: configuration, nonce: UUID().uuidString.lowercased(), now: Date())
        var request = HTTPClientRequest(url: configuration.endpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded;charset=utf-8")
        request.body = .bytes(ByteBuffer(string: signed.sorted { $0.key < $1.key }.map { Self.percentEncode($0.key) + "=" + Self.percentEncode($0.value) }.joined(separator: "&")))
        let response: HTTPClientResponse
        let text: String
        do {
            response = try await HTTPClient.shared.execute(request, timeout: .seconds(Int64(configuration.timeoutSeconds)))
            text = String(buffer: try await response.body.collect(upTo: 1 << 20))
        } catch {
            let reason = String(String(describing: error).prefix(200))
            return Self.neverConnected(error) ? .retry(code: "TRANSPORT", message: reason) : .unknown(code: "NO_ANSWER", message: reason)
        }
        guard let json = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any], let code = json["Code"] as? String else {
            // The provider's front answered without its JSON: a 5xx is its trouble (retried), anything else is not an answer we understand.
            return response.status.code >= 500 ? .retry(code: "HTTP_\(response.status.code)", message: "the SMS gateway answered \(response.status.code)")
                                                : .unknown(code: "MALFORMED_ANSWER", message: "HTTP \(response.status.code) without Aliyun's JSON")
        }
        let message = json["Message"] as? String ?? ""
        if case .accepted = Self.classify(code: code, message: message) { return .accepted(messageId: json["BizId"] as? String) }
        return Self.classify(code: code, message: message)
    }

    /// The request never reached the provider (no connection was made), so it cannot have been sent.
    static func neverConnected(_ error: any Error) -> Bool {
        if let client = error as? HTTPClientError, client == .connectTimeout { return true }
        if error is NIOConnectionError { return true }
        if let io = error as? IOError, io.errnoCode == ECONNREFUSED || io.errnoCode == ENETUNREACH || io.errnoCode == EHOSTUNREACH { return true }
        let text = String(describing: error)
        return text.contains("connectTimeout") || text.contains("Connection refused") || text.contains("connection refused")
    }
}
