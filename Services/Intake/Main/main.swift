import Logging
import OMSPlatform
import IntakeService

// Reads configuration from the environment (see README "Configuration") and runs the service
// until SIGTERM/SIGINT, then shuts down gracefully.
let configuration = try ServiceConfiguration(service: .intake)
JSONLogHandler.bootstrap(level: configuration.logLevel)
let logger = Logger(label: "oms.intake")
let app = try buildApplication(service: IntakeService(), configuration: configuration, logger: logger)
try await app.runService()
