import Foundation
import OMSDomain
import OMSPlatform

/// The console's settings, read once from the environment. Invariant: outside development mode
/// the console has its own `console` token (it cannot act for anyone without it) and sets the
/// Secure flag on its cookies (it is served over TLS, directly or behind the ingress).
public struct ConsoleConfiguration: Sendable {
    public var httpHost: String
    public var httpPort: Int
    public var database: DatabaseConfiguration
    public var logLevel: String
    /// Where each service's HTTP API is (`OMS_CONSOLE_<SERVICE>_URL`, default the local stack's ports).
    public var serviceURLs: [ServiceName: String]
    /// The tokens the console accepts on its own staff API (ops) and the one it presents to the
    /// services (`OMS_API_TOKENS`, the entry with role `console`).
    public var apiCredentials: APICredentials
    public var consoleToken: String?
    /// `OMS_CONSOLE_SECURE_COOKIES` (default true outside development mode).
    public var secureCookies: Bool
    /// A session unused this long is signed out (`OMS_CONSOLE_IDLE_MINUTES`, 30).
    public var idleTimeout: Duration
    /// A session ends this long after sign-in whatever happens (`OMS_CONSOLE_SESSION_HOURS`, 12).
    public var sessionLifetime: Duration
    public var throttle: SignInThrottle
    /// The bcrypt cost of new password hashes (`OMS_CONSOLE_BCRYPT_COST`, 12; 2^cost rounds).
    public var bcryptCost: Int
    public var developmentMode: Bool

    public static let defaultPort = 8080

    /// The variable naming each service's base URL.
    public static let urlVariables: [ServiceName: String] = [
        .intake: "OMS_CONSOLE_INTAKE_URL", .risk: "OMS_CONSOLE_RISK_URL", .inventory: "OMS_CONSOLE_INVENTORY_URL",
        .fulfillment: "OMS_CONSOLE_FULFILLMENT_URL", .logistics: "OMS_CONSOLE_LOGISTICS_URL", .aftersales: "OMS_CONSOLE_AFTERSALES_URL",
        .insights: "OMS_CONSOLE_INSIGHTS_URL", .integrations: "OMS_CONSOLE_INTEGRATIONS_URL",
    ]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let env = EnvironmentReader(environment)
        httpHost = env.string("OMS_HTTP_HOST", "127.0.0.1")
        httpPort = try env.integer("OMS_HTTP_PORT", Self.defaultPort, 0...65_535)
        let schema = env.string("OMS_DATABASE_SCHEMA", "console")
        database = try DatabaseConfiguration(url: env.string("OMS_DATABASE_URL", "postgres://oms:oms@127.0.0.1:5432/oms"), schema: schema)
        database.maximumConnections = try env.integer("OMS_DATABASE_POOL_SIZE", 4, 1...64)
        logLevel = env.string("OMS_LOG_LEVEL", "info")
        var urls: [ServiceName: String] = [:]
        for service in ServiceName.allCases {
            let key = Self.urlVariables[service] ?? "OMS_CONSOLE_\(service.rawValue.uppercased())_URL"
            let url = env.string(key, "http://127.0.0.1:\(ServiceConfiguration.defaultPort(for: service))")
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
                throw ConfigurationError(key: key, reason: "must be an http(s) URL")
            }
            urls[service] = url.hasSuffix("/") ? String(url.dropLast()) : url
        }
        serviceURLs = urls
        developmentMode = environment["OMS_DEVELOPMENT_MODE"] == "true"
        apiCredentials = try APICredentials(parsing: env.string(APICredentials.variable, ""))
        consoleToken = apiCredentials.token(for: .console)
        if consoleToken == nil, !developmentMode {
            throw ConfigurationError(key: APICredentials.variable, reason: "needs the console's own entry, e.g. console:console=<token> (the services accept the same entry)")
        }
        secureCookies = try env.bool("OMS_CONSOLE_SECURE_COOKIES", !developmentMode)
        idleTimeout = .seconds(60 * (try env.integer("OMS_CONSOLE_IDLE_MINUTES", 30, 1...24 * 60)))
        sessionLifetime = .seconds(3600 * (try env.integer("OMS_CONSOLE_SESSION_HOURS", 12, 1...24 * 7)))
        throttle = SignInThrottle(perAccount: try env.integer("OMS_CONSOLE_SIGNIN_FAILURES_PER_ACCOUNT", 5, 1...1_000),
                                  perAddress: try env.integer("OMS_CONSOLE_SIGNIN_FAILURES_PER_ADDRESS", 20, 1...10_000),
                                  window: .seconds(60 * (try env.integer("OMS_CONSOLE_SIGNIN_WINDOW_MINUTES", 15, 1...24 * 60))))
        bcryptCost = try env.integer("OMS_CONSOLE_BCRYPT_COST", 12, 4...15)
    }
}
