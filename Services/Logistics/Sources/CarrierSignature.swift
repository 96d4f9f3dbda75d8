import Crypto
import Foundation

/// How carriers sign tracking webhooks: `sha256=` + the hex HMAC-SHA256 of the raw request body
/// with the carrier's secret, in `X-Carrier-Signature`. Invariant: verification takes the same time
/// whichever byte differs.
public enum CarrierSignature {
    public static let header = "X-Carrier-Signature"

    public static func sign(_ body: [UInt8], secret: String) -> String {
        "sha256=" + HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8))).map { String(format: "%02x", $0) }.joined()
    }

    public static func verify(_ signature: String, body: [UInt8], secret: String) -> Bool {
        let given = Array(signature.utf8), wanted = Array(sign(body, secret: secret).utf8)
        guard given.count == wanted.count else { return false }
        return zip(given, wanted).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
