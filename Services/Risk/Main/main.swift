import Foundation
import Logging
import OMSPlatform
import RiskService

// Reads configuration from the environment (see README "Configuration") and runs the service
// until SIGTERM/SIGINT, then shuts down gracefully.
let configuration = try ServiceConfiguration(service: .risk)
JSONLogHandler.bootstrap(level: configuration.logLevel)
let logger = Logger(label: "oms.risk")
if !configuration.piiHashKeyConfigured {
    logger.warning("OMS_PII_HASH_KEY is not set: using the development key; set the same secret as intake's in production")
}
let app = try buildApplication(service: RiskService(hasher: configuration.piiHasher, configuration: RiskConfiguration(configuration.environment)),
                                configuration: configuration, logger: logger)
try await app.runService()
