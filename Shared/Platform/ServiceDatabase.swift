import Logging
import OMSDomain
import PostgresNIO

/// A service's pooled database access. `transaction` is the one way state changes are made:
/// the body's writes and the events it emits commit atomically, then the relay is woken.
/// Invariant: errors thrown by the body reach the caller unchanged (after a rollback).
public struct ServiceDatabase: Sendable {
    public let client: PostgresClient
    public let service: ServiceName
    /// The schema the pool's connections use (normally `service.schema`).
    public let schema: String
    /// Topic names emitted in transactions are logical; this maps them onto the cluster.
    public let topics: TopicNamespace
    /// Seals and opens customers' personal data in the rows this service stores (from
    /// `OMS_PII_KEYS`, parsed once by `ServiceConfiguration`); handed to every transaction.
    public let vault: PIIVault
    let relaySignal: RelaySignal?

    public init(client: PostgresClient, service: ServiceName, schema: String? = nil, topics: TopicNamespace = .none, vault: PIIVault = .development, relaySignal: RelaySignal? = nil) {
        self.client = client
        self.vault = vault
        self.service = service
        self.schema = schema ?? service.schema
        self.topics = topics
        self.relaySignal = relaySignal
    }

    public func transaction<T: Sendable>(logger: Logger, _ body: @Sendable (TransactionContext) async throws -> T) async throws -> T {
        var relayNeeded = false
        let result = try await client.withConnection { connection in
            try await Self.transaction(on: connection, service: service, topics: topics, vault: vault, logger: logger, relayNeeded: &relayNeeded, body)
        }
        // Rows the caller publishes directly are held from the relay: no need to wake it for them.
        if relayNeeded { relaySignal?.signal() }
        return result
    }

    static func transaction<T>(on connection: PostgresConnection, service: ServiceName, topics: TopicNamespace, vault: PIIVault, logger: Logger, _ body: (TransactionContext) async throws -> T) async throws -> T {
        var relayNeeded = false
        return try await transaction(on: connection, service: service, topics: topics, vault: vault, logger: logger, relayNeeded: &relayNeeded, body)
    }

    static func transaction<T>(on connection: PostgresConnection, service: ServiceName, topics: TopicNamespace, vault: PIIVault, logger: Logger, relayNeeded: inout Bool, _ body: (TransactionContext) async throws -> T) async throws -> T {
        try await connection.query("BEGIN", logger: logger)
        do {
            let context = TransactionContext(connection: connection, logger: logger, service: service, topics: topics, vault: vault)
            let value = try await body(context)
            let outgoing = context.drainOutgoing()
            try await Outbox.append(outgoing, on: connection, logger: logger)
            relayNeeded = outgoing.contains { !$0.publishedDirectly }
            try await connection.query("COMMIT", logger: logger)
            return value
        } catch {
            await connection.endFailedTransaction(after: error, logger: logger)
            throw error
        }
    }
}
