import Crypto
import Foundation

/// How a delivery is signed and how a receiver checks it: HMAC-SHA256 with the subscription's
/// secret over `"<timestamp>.<body>"`, sent as `OMS-Webhook-Signature: v1=<hex>` next to
/// `OMS-Webhook-Timestamp: <unix seconds>`. Invariant: a signature binds the exact body bytes to
/// the instant of the attempt, so a receiver refusing timestamps older than its tolerance refuses
/// replays, and one without the secret cannot forge a delivery (see docs/integrations.md).
public enum WebhookSignature {
    public static let signatureHeader = "OMS-Webhook-Signature"
    public static let timestampHeader = "OMS-Webhook-Timestamp"
    public static let eventIdHeader = "OMS-Webhook-Id"
    public static let eventTypeHeader = "OMS-Webhook-Event"
    public static let attemptHeader = "OMS-Webhook-Attempt"
    public static let subscriptionHeader = "OMS-Webhook-Subscription"

    /// `v1=<hex of HMAC-SHA256(secret, timestamp + "." + body)>`.
    public static func sign(body: [UInt8], timestamp: Int64, secret: String) -> String {
        var message = Array("\(timestamp).".utf8)
        message.append(contentsOf: body)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Array(secret.utf8)))
        return "v1=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    /// What a receiver does: true when one of the header's `v1=` signatures matches and the
    /// timestamp is within `tolerance` seconds of `now`. Compares in constant time.
    public static func verify(body: [UInt8], timestamp: String, signature: String, secret: String, now: Date = Date(), tolerance: Int64 = 300) -> Bool {
        guard let instant = Int64(timestamp), abs(Int64(now.timeIntervalSince1970) - instant) <= tolerance else { return false }
        let expected = Array(sign(body: body, timestamp: instant, secret: secret).utf8)
        return signature.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.contains { candidate in
            let given = Array(candidate.utf8)
            guard given.count == expected.count else { return false }
            return zip(given, expected).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
        }
    }

    /// A new secret: `whsec_` and 32 random bytes, base64url.
    public static func newSecret() -> String {
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        return "whsec_" + bytes.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
