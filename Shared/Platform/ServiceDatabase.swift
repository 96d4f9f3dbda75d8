import Logging
import OMSDomain
import PostgresNIO

/// A service's pooled database access. `transaction` is the one way state changes are made:
/// the body's writes and the events it emits commit atomically, then the relay is woken.
/// Invariant: errors thrown by the body reach the caller unchanged (after a rollback).
public struct ServiceDatabase: Sendable {
    public let client: PostgresClient
    public let service: ServiceName
    let relaySignal: RelaySignal?

    public init(client: PostgresClient, service: ServiceName, relaySignal: RelaySignal? = nil) {
        self.client = client
        self.service = service
        self.relaySignal = relaySignal
    }

    public func transaction<T: Sendable>(logger: Logger, _ body: @Sendable (TransactionContext) async throws -> T) async throws -> T {
        let result = try await client.withConnection { connection in
            try await Self.transaction(on: connection, service: service, logger: logger, body)
        }
        relaySignal?.signal()
        return result
    }

    static func transaction<T>(on connection: PostgresConnection, service: ServiceName, logger: Logger, _ body: (TransactionContext) async throws -> T) async throws -> T {
        try await connection.query("BEGIN", logger: logger)
        do {
            let context = TransactionContext(connection: connection, logger: logger, service: service)
            let value = try await body(context)
            try await Outbox.append(context.drainOutgoing(), on: connection, logger: logger)
            try await connection.query("COMMIT", logger: logger)
            return value
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }
}
