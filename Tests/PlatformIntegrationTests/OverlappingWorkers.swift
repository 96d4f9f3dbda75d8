import Foundation
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// Two workers of one service whose transactions overlap, as two consumers of one group holding
/// different partitions can: `first` runs its handler and keeps its transaction open; `second`
/// starts its own meanwhile and gets a second to finish (with the fixes under test it waits on a
/// lock instead); then `first` commits and both are awaited. `then` runs with the database after
/// both committed, while its pool still runs.
func withOverlappingWorkers(schema: String, service: ServiceName, logger: Logger,
                            first: @escaping @Sendable (TransactionContext) async throws -> Void,
                            second: @escaping @Sendable (TransactionContext) async throws -> Void,
                            then: @Sendable (ServiceDatabase) async throws -> Void = { _ in }) async throws {
    let client = try DatabaseConfiguration(url: try TestEnvironment.require().databaseURL, schema: schema).makeClient(logger: logger)
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await client.run() }
        let database = ServiceDatabase(client: client, service: service)
        let holding = AsyncStream<Void>.makeStream()
        let commit = AsyncStream<Void>.makeStream()
        let one = Task {
            try await database.transaction(logger: logger) { context in
                try await first(context)
                holding.continuation.yield()
                for await _ in commit.stream { break }
            }
        }
        for await _ in holding.stream { break }
        let two = Task { try await database.transaction(logger: logger) { context in try await second(context) } }
        try await Task.sleep(for: .seconds(1))
        commit.continuation.yield()
        try await one.value
        try await two.value
        try await then(database)
        group.cancelAll()
    }
}
