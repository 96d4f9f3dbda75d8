import Foundation
import Logging
import NIOSSL
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
    /// TLS to the server, from the URL's `sslmode` (and `sslrootcert`), as libpq names them.
    public var tls: TLSMode = .disable

    /// How the connection to PostgreSQL is protected. `require` encrypts without checking the
    /// server's certificate (as libpq's); `verifyCA` checks it against the CA; `verifyFull` also
    /// checks the host name. `caFile` is a PEM file (`sslrootcert`); without it the system's roots.
    public enum TLSMode: Sendable, Equatable {
        case disable
        case prefer
        case require
        case verifyCA(caFile: String?)
        case verifyFull(caFile: String?)
    }

    public init(host: String, port: Int, username: String, password: String?, database: String, schema: String) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.schema = schema
    }

    /// Parses `postgres://user:password@host:port/database[?sslmode=...&sslrootcert=/path/ca.pem]`
    /// (`sslmode`: disable (default), prefer, require, verify-ca, verify-full).
    public init(url: String, schema: String) throws {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme ?? ""),
              let host = components.host, let user = components.user else {
            throw ConfigurationError(key: "OMS_DATABASE_URL", reason: "expected postgres://user:password@host:port/database")
        }
        let database = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        self.init(host: host, port: components.port ?? 5432, username: user, password: components.password,
                  database: database.isEmpty ? user : database, schema: schema)
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { _, last in last })
        let caFile = query["sslrootcert"].flatMap { $0.isEmpty ? nil : $0 }
        switch query["sslmode"] ?? "disable" {
        case "disable": tls = .disable
        case "prefer", "allow": tls = .prefer
        case "require": tls = .require
        case "verify-ca": tls = .verifyCA(caFile: caFile)
        case "verify-full": tls = .verifyFull(caFile: caFile)
        default: throw ConfigurationError(key: "OMS_DATABASE_URL", reason: "sslmode must be disable, prefer, require, verify-ca or verify-full")
        }
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            throw ConfigurationError(key: "OMS_DATABASE_URL", reason: "sslrootcert \(caFile) is not a readable file")
        }
        // A CA file that is not PEM certificates stops the process here, naming it, not at connect.
        do {
            _ = try postgresTLS()
        } catch {
            throw ConfigurationError(key: "OMS_DATABASE_URL", reason: "sslrootcert \(caFile ?? "") does not hold PEM certificates")
        }
    }

    /// PostgresNIO's TLS setting for `tls`.
    func postgresTLS() throws -> PostgresClient.Configuration.TLS {
        func configuration(verification: CertificateVerification, caFile: String?) throws -> TLSConfiguration {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.certificateVerification = verification
            if let caFile { tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile)) }
            return tls
        }
        switch tls {
        case .disable: return .disable
        case .prefer: return .prefer(try configuration(verification: .none, caFile: nil))
        case .require: return .require(try configuration(verification: .none, caFile: nil))
        case .verifyCA(let caFile): return .require(try configuration(verification: .noHostnameVerification, caFile: caFile))
        case .verifyFull(let caFile): return .require(try configuration(verification: .fullVerification, caFile: caFile))
        }
    }

    /// A pooled client whose connections use this schema. Run it as a service (`client.run()`).
    public func makeClient(logger: Logger) -> PostgresClient {
        // `init(url:)` already built this setting once and refused a CA file that does not parse;
        // should the file change since, the fallback is the system roots with full verification,
        // which fails closed at connect.
        let tls = (try? postgresTLS()) ?? (self.tls == .disable ? .disable : .require(.makeClientConfiguration()))
        var configuration = PostgresClient.Configuration(host: host, port: port, username: username, password: password, database: database, tls: tls)
        configuration.options.additionalStartupParameters = [("search_path", schema), ("statement_timeout", String(statementTimeoutMilliseconds))]
        configuration.options.maximumConnections = maximumConnections
        configuration.options.minimumConnections = 1
        return PostgresClient(configuration: configuration, backgroundLogger: logger)
    }
}
