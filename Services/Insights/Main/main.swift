import Logging
import OMSPlatform
import InsightsService

// Reads configuration from the environment (see README "Configuration") and runs the service
// until SIGTERM/SIGINT, then shuts down gracefully.
let configuration = try ServiceConfiguration(service: .insights)
JSONLogHandler.bootstrap(level: configuration.logLevel)
let logger = Logger(label: "oms.insights")
let app = try buildApplication(service: InsightsService(configuration: try InsightsConfiguration(environment: configuration.environment.values)), configuration: configuration, logger: logger)
try await app.runService()
