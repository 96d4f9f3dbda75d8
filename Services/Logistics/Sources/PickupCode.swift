import Crypto
import Foundation

/// The code a customer shows to collect a pickup order (取件码): six digits, random, stored only
/// as a hash bound to its pickup. Pure. Invariant: verification compares hashes in constant time,
/// and a pickup's code never opens another pickup.
enum PickupCode {
    /// Wrong codes a pickup tolerates before staff must check the customer's order another way.
    static let maxFailedAttempts = 5

    static func generate<R: RandomNumberGenerator>(using generator: inout R) -> String {
        String(format: "%06d", Int.random(in: 0..<1_000_000, using: &generator))
    }

    static func generate() -> String {
        var system = SystemRandomNumberGenerator()
        return generate(using: &system)
    }

    /// Hex SHA-256 of the pickup id and the code.
    static func hash(_ code: String, pickupID: String) -> String {
        SHA256.hash(data: Array("\(pickupID):\(code)".utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func matches(_ code: String, pickupID: String, hash stored: String) -> Bool {
        let computed = Array(hash(code, pickupID: pickupID).utf8), expected = Array(stored.utf8)
        guard computed.count == expected.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(computed, expected) { difference |= a ^ b }
        return difference == 0
    }
}
