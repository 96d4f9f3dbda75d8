import Foundation
import HTTPTypes
import Hummingbird
import OMSDomain

/// Field checks shared by the services' HTTP routes; `check()` throws one 422 naming every problem.
/// Invariant: every problem names its field and rule; values are never echoed.
public struct RequestCheck {
    public private(set) var problems: [APIError.FieldError] = []

    public static let maxUnits = 1_000_000

    public init() {}

    public mutating func code(_ value: String, _ field: String) {
        let ok = !value.isEmpty && value.count <= 32 && value.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) && $0.isASCII || $0 == "-" || $0 == "_" }
        if !ok { problems.append(.init(field: field, reason: "1-32 ASCII letters, digits, '-' or '_'")) }
    }

    public mutating func sku(_ value: String, _ field: String) {
        if value.trimmingCharacters(in: .whitespaces).isEmpty || value.count > 64 { problems.append(.init(field: field, reason: "required, at most 64 characters")) }
    }

    public mutating func text(_ value: String, _ field: String, max: Int = 100) {
        if value.trimmingCharacters(in: .whitespaces).isEmpty || value.count > max { problems.append(.init(field: field, reason: "required, at most \(max) characters")) }
    }

    public mutating func units(_ value: Int, _ field: String, allowZero: Bool = false) {
        if value < (allowZero ? 0 : 1) || value > Self.maxUnits { problems.append(.init(field: field, reason: allowZero ? "0-\(Self.maxUnits)" : "1-\(Self.maxUnits)")) }
    }

    public mutating func fail(_ field: String, _ reason: String) {
        problems.append(.init(field: field, reason: reason))
    }

    public func check() throws {
        if !problems.isEmpty { throw APIError.validation(problems) }
    }
}

extension ServiceRuntime {
    /// A transaction retried (up to three times) when PostgreSQL aborts it for a deadlock or a
    /// serialization failure, which concurrent stock work can cause; other errors propagate.
    public func retryingTransaction<T: Sendable>(_ body: @Sendable (TransactionContext) async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await database.transaction(logger: logger, body)
            } catch {
                attempt += 1
                guard attempt < 3, !(error is APIError), FailureClass.classify(error) == .transient else { throw error }
                try await Task.sleep(for: .milliseconds(20 * attempt))
            }
        }
    }
}

extension Response {
    /// A JSON response marked as a replay of an earlier identical request.
    public static func replayed(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        try Response.json(value, status: status, headers: [HTTPField.Name("Idempotent-Replayed")!: "true"])
    }
}
