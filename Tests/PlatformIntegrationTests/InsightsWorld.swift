import AsyncHTTPClient
import Foundation
import Hummingbird
import InsightsService
import OMSPlatform
import PostgresNIO

/// Insights processes on an `IntakeWorld`'s topics: generation 1 in `t_<id>_insights`, and a
/// rebuild generation in its own schema and consumer group, read from the earliest offsets.
extension IntakeWorld {
    func insightsSchema(generation: Int) -> String { generation == 1 ? "t_\(id)_insights" : "t_\(id)_insights_g\(generation)" }

    func insightsApplication(port: Int, generation: Int = 1) throws -> some ApplicationProtocol {
        let configuration = try InsightsConfiguration(environment: ["OMS_INSIGHTS_GENERATION": String(generation)])
        return try serviceApplication(InsightsService(configuration: configuration), schema: insightsSchema(generation: generation), batchSize: 200, poolSize: 6, port: port)
    }

    /// An insights process (generation 1) on a port of its own and the client that reaches it.
    func liveInsights() throws -> (app: some ApplicationProtocol, client: EdgeClient) {
        let port = TestPorts.block()
        return (try insightsApplication(port: port), EdgeClient(base: "http://127.0.0.1:\(port)", http: HTTPClient.shared))
    }

    /// Rows of a query as strings, for reconciling with a source service's tables.
    func strings(_ sql: String) async throws -> [[String]] {
        var result: [[String]] = []
        for try await row in try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger) {
            result.append(row.map { cell in (try? cell.decode(String.self)) ?? "" })
        }
        return result
    }
}
