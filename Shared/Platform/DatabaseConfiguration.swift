import Foundation
import Logging
import PostgresNIO

/// Where a service's database is and which schema it owns. Connections open with
/// `search_path` set to that schema, so a service's SQL names its own tables unqualified.
public struct DatabaseConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var schema: String
    public var maximumConnections: Int = 8
    /// PostgreSQL's `statement_timeout` for every connection: no statement (an HTTP handler's or a
    /// consumer batch's) runs longer; it fails with SQLSTATE 57014 instead of holding a connection.
    public var statementTimeoutMilliseconds: Int = 60_000

    public init(host: String, port: Int, username: String, password: String?, database: String, schema: String) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.schema = schema
    }

    /// Parses `postgres://user:password@host:port/database`.
    public init(url: String, schema: String) throws {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme ?? ""),
              let host = components.host, let user = components.user else {
            throw ConfigurationError(key: "OMS_DATABASE_URL", reason: "expected postgres://user:password@host:port/database")
        }
        let database = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        self.init(host: host, port: components.port ?? 5432, username: user, password: components.password,
                  database: database.isEmpty ? user : database, schema: schema)
    }

    /// A pooled client whose connections use this schema. Run it as a service (`client.run()`).
    public func makeClient(logger: Logger) -> PostgresClient {
        var configuration = PostgresClient.Configuration(host: host, port: port, username: username, password: password, database: database, tls: .disable)
        configuration.options.additionalStartupParameters = [("search_path", schema), ("statement_timeout", String(statementTimeoutMilliseconds))]
        configuration.options.maximumConnections = maximumConnections
        configuration.options.minimumConnections = 1
        return PostgresClient(configuration: configuration, backgroundLogger: logger)
    }
}
