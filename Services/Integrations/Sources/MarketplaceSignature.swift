import Crypto
import Foundation

/// The signatures of the marketplaces' open APIs over their sorted request parameters. Invariant:
/// the text signed is every parameter except `sign`, sorted by name (byte order), each written as
/// name then value with nothing between; the signature is uppercase hex.
enum MarketplaceSignature {
    /// The text both schemes sign.
    static func content(_ parameters: [String: String]) -> String {
        parameters.filter { $0.key != "sign" }.sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
            .map { $0.key + $0.value }.joined()
    }

    /// Taobao TOP `sign_method=md5` and JD JOS: MD5(secret + content + secret).
    static func md5(_ parameters: [String: String], secret: String) -> String {
        hex(Insecure.MD5.hash(data: Array((secret + content(parameters) + secret).utf8)))
    }

    /// Taobao TOP `sign_method=hmac-sha256`: HMAC-SHA256 keyed with the secret over the content.
    static func hmacSHA256(_ parameters: [String: String], secret: String) -> String {
        hex(HMAC<SHA256>.authenticationCode(for: Array(content(parameters).utf8), using: SymmetricKey(data: Array(secret.utf8))))
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { String(format: "%02X", $0) }.joined()
    }
}
