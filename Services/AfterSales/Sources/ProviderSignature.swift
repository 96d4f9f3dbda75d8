import CryptoExtras
import Foundation

/// SHA256withRSA (PKCS#1 v1.5), base64, as WeChat Pay API v3 and Alipay's `RSA2` sign requests,
/// answers and notifications. Invariant: verification never throws; a malformed signature is false.
enum ProviderSignature {
    static func sign(_ message: String, with key: _RSA.Signing.PrivateKey) throws -> String {
        try key.signature(for: Array(message.utf8), padding: .insecurePKCS1v1_5).rawRepresentation.base64EncodedString()
    }

    static func verify(_ signature: String, of message: String, with key: _RSA.Signing.PublicKey) -> Bool {
        guard let raw = Data(base64Encoded: signature) else { return false }
        return key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: raw), for: Array(message.utf8), padding: .insecurePKCS1v1_5)
    }

    /// A PEM from the environment, where newlines may be written as `\n`.
    static func pem(_ text: String) -> String {
        text.replacingOccurrences(of: "\\n", with: "\n")
    }
}
