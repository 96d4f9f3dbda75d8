import Foundation

/// Typed settings read from an environment (the process's, or a test's dictionary). Every refusal
/// is a `ConfigurationError` naming the variable and the rule, so a process with a bad setting
/// stops at start-up saying which one. Invariant: an unset variable gives the fallback; a set one
/// is used only if it parses and is in range.
public struct EnvironmentReader: Sendable {
    public let values: [String: String]

    public init(_ values: [String: String]) {
        self.values = values
    }

    public subscript(key: String) -> String? { values[key] }

    public func string(_ key: String, _ fallback: String) -> String {
        values[key] ?? fallback
    }

    public func integer(_ key: String, _ fallback: Int, _ range: ClosedRange<Int>) throws -> Int {
        guard let raw = values[key] else { return fallback }
        guard let value = Int(raw), range.contains(value) else {
            throw ConfigurationError(key: key, reason: "must be an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    /// An amount in fen (integer minor units, never a decimal).
    public func fen(_ key: String, _ fallback: Int64, _ range: ClosedRange<Int64> = 0...Int64(1_000_000_000)) throws -> Int64 {
        guard let raw = values[key] else { return fallback }
        guard let value = Int64(raw), range.contains(value) else {
            throw ConfigurationError(key: key, reason: "must be an integer number of fen in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    /// A duration given in whole seconds.
    public func seconds(_ key: String, _ fallback: Int, _ range: ClosedRange<Int>) throws -> Duration {
        .seconds(try integer(key, fallback, range))
    }

    /// `true`/`false` (also `1`/`0`, `yes`/`no`, any case).
    public func bool(_ key: String, _ fallback: Bool) throws -> Bool {
        guard let raw = values[key] else { return fallback }
        switch raw.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw ConfigurationError(key: key, reason: "must be true or false")
        }
    }

    /// Comma-separated items, trimmed, empty ones dropped.
    public func list(_ key: String) -> [String] {
        (values[key] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
