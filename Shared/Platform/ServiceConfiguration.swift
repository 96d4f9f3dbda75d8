import Foundation
import OMSDomain
import OMSKafka

/// Everything a service process reads from its environment, with documented defaults
/// (see README "Configuration"). Invariant: built once at start-up; secrets only come from here.
public struct ServiceConfiguration: Sendable {
    public var service: ServiceName
    /// `OMS_HTTP_HOST` / `OMS_HTTP_PORT`.
    public var httpHost: String
    public var httpPort: Int
    /// `OMS_DATABASE_URL`, e.g. `postgres://oms:oms@127.0.0.1:5432/oms`; `OMS_DATABASE_SCHEMA`
    /// overrides the service's schema (default its name), e.g. for a rebuild into a fresh one.
    public var database: DatabaseConfiguration
    /// `OMS_KAFKA_BROKERS` plus any `OMS_KAFKA_PROPERTY_<name>` pass-through (dots as `_`).
    public var kafka: KafkaClientConfiguration
    /// `OMS_KAFKA_SESSION_TIMEOUT_MS` (default 10000).
    public var sessionTimeoutMilliseconds: Int
    /// `OMS_BATCH_SIZE`: records per poll batch and per database transaction (default 500).
    public var batchSize: Int
    /// `OMS_CONSUMERS_PER_GROUP`: consumers of each group in this process (default 1). More than
    /// one overlaps the database and broker round trips of different partitions' batches.
    public var consumersPerGroup: Int
    /// `OMS_MAX_HANDLER_ATTEMPTS`: non-transient failures of one event before it is dead-lettered (default 3).
    public var maxHandlerAttempts: Int
    /// `OMS_PIPELINE_STALL_SECONDS` (default 120): a consumer batch running longer than this makes
    /// the process exit for its supervisor to restart (`PipelineWatchdog`).
    public var pipelineStallSeconds: Int
    /// `OMS_RELAY_BATCH_SIZE` (default 1000) and `OMS_RELAY_IDLE_MS` (default 250).
    public var relayBatchSize: Int
    public var relayIdleMilliseconds: Int
    /// `OMS_TOPIC_PREFIX`: prepended to every topic name, so several environments can share one
    /// cluster (default empty).
    public var topics: TopicNamespace
    /// `OMS_LOG_LEVEL` (default info).
    public var logLevel: String
    /// `OMS_INSTANCE_ID`: distinguishes replicas in logs and client ids (default host name + pid).
    public var instanceID: String
    /// `OMS_FAULT_CRASH_AT=<point>:<probability>` (fault drill only, never in production): the
    /// process kills itself at that runtime point with that probability, e.g.
    /// `relayAfterPublishBeforeMark:0.2` or `pipelineAfterDatabaseCommit:0.2`.
    public var crashAt: (point: FaultInjector.Point, probability: Double)?
    /// The API tokens this service accepts (`OMS_API_TOKENS`, see `APICredentials`). Without any,
    /// every route but health, metrics and signed webhooks answers 401.
    public var apiCredentials: APICredentials
    /// The key ring sealing customers' personal data at rest (`OMS_PII_KEYS`), parsed once here and
    /// handed to every transaction (`TransactionContext.vault`); the public development ring when
    /// unset (allowed only in development mode, see `SecretsRequirement`).
    public var piiVault: PIIVault
    /// Whether `OMS_PII_KEYS` was set (the runtime warns when it was not).
    public var piiKeysConfigured: Bool
    /// The environment this configuration was read from, for the service's own settings
    /// (`RiskConfiguration(configuration.environment)`), so `main` reads the environment once.
    public let environment: EnvironmentReader
    /// `OMS_DEVELOPMENT_MODE=true` (the local stack and tests only): secrets may be missing or
    /// left at the example placeholders (public development keys are used). Without it a process
    /// refuses to start unless every secret it needs is set (`SecretsRequirement`).
    public var developmentMode: Bool

    public init(service: ServiceName, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let env = EnvironmentReader(environment)
        self.environment = env
        func int(_ key: String, _ fallback: Int) throws -> Int { try env.integer(key, fallback, 1...Int.max) }
        self.service = service
        self.httpHost = environment["OMS_HTTP_HOST"] ?? "127.0.0.1"
        self.httpPort = try int("OMS_HTTP_PORT", ServiceConfiguration.defaultPort(for: service))
        let schema = environment["OMS_DATABASE_SCHEMA"] ?? service.schema
        guard let first = schema.first, first.isASCII, first.isLowercase, schema.count <= 63,
              schema.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }) else {
            throw ConfigurationError(key: "OMS_DATABASE_SCHEMA", reason: "1-63 lowercase letters, digits or '_', starting with a letter")
        }
        self.database = try DatabaseConfiguration(url: environment["OMS_DATABASE_URL"] ?? "postgres://oms:oms@127.0.0.1:5432/oms", schema: schema)
        self.database.maximumConnections = try int("OMS_DATABASE_POOL_SIZE", 8)
        self.database.statementTimeoutMilliseconds = try int("OMS_DATABASE_STATEMENT_TIMEOUT_MS", 60_000)
        self.instanceID = environment["OMS_INSTANCE_ID"] ?? "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
        var properties: [String: String] = [:]
        for (key, value) in environment where key.hasPrefix("OMS_KAFKA_PROPERTY_") {
            let name = key.dropFirst("OMS_KAFKA_PROPERTY_".count).lowercased().replacingOccurrences(of: "_", with: ".")
            properties[name] = value
        }
        self.kafka = KafkaClientConfiguration(
            bootstrapServers: environment["OMS_KAFKA_BROKERS"] ?? "127.0.0.1:9092",
            clientID: "oms-\(service.rawValue)-\(instanceID)",
            properties: properties
        )
        self.sessionTimeoutMilliseconds = try int("OMS_KAFKA_SESSION_TIMEOUT_MS", 10_000)
        self.batchSize = try int("OMS_BATCH_SIZE", 500)
        self.maxHandlerAttempts = try int("OMS_MAX_HANDLER_ATTEMPTS", 3)
        self.consumersPerGroup = try int("OMS_CONSUMERS_PER_GROUP", 1)
        self.pipelineStallSeconds = try int("OMS_PIPELINE_STALL_SECONDS", 120)
        self.relayBatchSize = try int("OMS_RELAY_BATCH_SIZE", 1_000)
        self.relayIdleMilliseconds = try int("OMS_RELAY_IDLE_MS", 250)
        self.logLevel = environment["OMS_LOG_LEVEL"] ?? "info"
        let prefix = environment["OMS_TOPIC_PREFIX"] ?? ""
        guard prefix.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-") }) else {
            throw ConfigurationError(key: "OMS_TOPIC_PREFIX", reason: "may only contain letters, digits, '.', '_' and '-'")
        }
        self.topics = TopicNamespace(prefix: prefix)
        self.developmentMode = environment[SecretsRequirement.developmentModeVariable] == "true"
        if !developmentMode { try SecretsRequirement.check(service: service, environment: environment) }
        self.apiCredentials = try APICredentials(parsing: environment["OMS_API_TOKENS"] ?? "")
        if let keys = environment[PIIVault.variable], !keys.isEmpty {
            self.piiVault = try PIIVault(parsing: keys)
            self.piiKeysConfigured = true
        } else {
            self.piiVault = .development
            self.piiKeysConfigured = false
        }
        if let crash = environment["OMS_FAULT_CRASH_AT"] {
            let parts = crash.split(separator: ":").map(String.init)
            guard parts.count == 2, let point = FaultInjector.Point(rawValue: parts[0]), let probability = Double(parts[1]), (0...1).contains(probability) else {
                throw ConfigurationError(key: "OMS_FAULT_CRASH_AT", reason: "<point>:<probability 0-1>, points: \(FaultInjector.Point.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            self.crashAt = (point, probability)
        }
    }

    /// Default HTTP ports: 8081 intake ... 8087 insights.
    public static func defaultPort(for service: ServiceName) -> Int {
        8081 + (ServiceName.allCases.firstIndex(of: service) ?? 0)
    }
}

/// A configuration value that cannot be used; the process refuses to start and names it.
public struct ConfigurationError: Error, CustomStringConvertible {
    public var key: String
    public var reason: String
    public init(key: String, reason: String) {
        self.key = key
        self.reason = reason
    }
    public var description: String { "configuration \(key): \(reason)" }
}
