import Crypto
import Foundation
import OMSDomain

/// Keyed hashes of personal data (HMAC-SHA256 with a secret from `OMS_PII_HASH_KEY`), so orders can
/// be found by phone and customers recognised across orders without storing or logging the raw
/// value in an index. Invariant: the same key and input always give the same hash; without the key
/// a hash cannot be reversed by enumerating phone numbers.
public struct PIIHasher: Sendable {
    private let key: SymmetricKey

    /// Used when `OMS_PII_HASH_KEY` is unset (development only; services warn at start).
    public static let developmentKey = "oms-development-key-not-secret"
    public static let variable = "OMS_PII_HASH_KEY"

    /// The hasher of a process's configuration (`OMS_PII_HASH_KEY`, the same secret in intake and
    /// risk so lookups by phone agree), and whether the key was set (else the development key).
    public static func configured(_ environment: EnvironmentReader) -> (hasher: PIIHasher, keySet: Bool) {
        guard let secret = environment[variable], !secret.isEmpty else { return (PIIHasher(secret: developmentKey), false) }
        return (PIIHasher(secret: secret), true)
    }

    public init(secret: String) {
        key = SymmetricKey(data: Data(secret.utf8))
    }

    /// Hex HMAC of `value` under a purpose label ("phone", "customer"), so hashes of different
    /// kinds of data never collide by design.
    public func hash(_ value: String, purpose: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data((purpose + "\u{1F}" + value).utf8), using: key)
        return Self.hex(Array(mac))
    }

    public func phone(_ phone: String) -> String { hash(phone, purpose: "phone") }

    /// Hash of a delivery address, insensitive to spaces and letter case, so the same door
    /// written twice matches.
    public func address(_ address: Address) -> String {
        let normalized = [address.province, address.city, address.district, address.street].joined(separator: "|")
            .filter { !$0.isWhitespace }.lowercased()
        return hash(normalized, purpose: "address")
    }

    /// A stable pseudonymous customer key for a channel account, e.g. "c_3f9a…" (24 hex digits).
    public func customerKey(channel: String, account: String) -> String {
        "c_" + hash("\(channel):\(account)", purpose: "customer").prefix(24)
    }

    /// One person across channels: the keyed hash of a mainland mobile number (the same on a web
    /// order, a marketplace order and a phone order), else of a loyalty member number, else nil.
    public func personKey(phone: String?, memberNumber: String?) -> String? {
        if let phone, Customer.isMainlandMobile(phone) { return "p_" + hash("phone:\(phone)", purpose: "person").prefix(24) }
        if let memberNumber, !memberNumber.isEmpty { return "p_" + hash("member:\(memberNumber)", purpose: "person").prefix(24) }
        return nil
    }

    /// A fingerprint of a canonical payload, for idempotency comparisons.
    public static func fingerprint(_ bytes: [UInt8]) -> String {
        hex(Array(SHA256.hash(data: bytes)))
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
