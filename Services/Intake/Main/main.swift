import Logging
import OMSPlatform
import IntakeService

// Reads configuration from the environment (see README "Configuration") and runs the service
// until SIGTERM/SIGINT, then shuts down gracefully.
let configuration = try ServiceConfiguration(service: .intake)
let intake = try IntakeConfiguration(environment: configuration.environment.values)
JSONLogHandler.bootstrap(level: configuration.logLevel)
let logger = Logger(label: "oms.intake")
if !configuration.piiHashKeyConfigured {
    logger.warning("OMS_PII_HASH_KEY is not set: using the development key; set a secret in production")
}
let app = try buildApplication(service: IntakeService(configuration: intake, hasher: configuration.piiHasher), configuration: configuration, logger: logger)
try await app.runService()
