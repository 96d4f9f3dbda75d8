import Logging
import OMSPlatform
import RiskService

// Reads configuration from the environment (see README "Configuration") and runs the service
// until SIGTERM/SIGINT, then shuts down gracefully.
let configuration = try ServiceConfiguration(service: .risk)
JSONLogHandler.bootstrap(level: configuration.logLevel)
let logger = Logger(label: "oms.risk")
let app = try buildApplication(service: RiskService(), configuration: configuration, logger: logger)
try await app.runService()
