import Logging
import OMSPlatform
import LogisticsService

// Reads configuration from the environment (see README "Configuration") and runs the service
// until SIGTERM/SIGINT, then shuts down gracefully.
let configuration = try ServiceConfiguration(service: .logistics)
JSONLogHandler.bootstrap(level: configuration.logLevel)
let logger = Logger(label: "oms.logistics")
let app = try buildApplication(service: LogisticsService(), configuration: configuration, logger: logger)
try await app.runService()
