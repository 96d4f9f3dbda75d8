import Logging
import OMSPlatform
import FulfillmentService

// Reads configuration from the environment (see README "Configuration") and runs the service
// until SIGTERM/SIGINT, then shuts down gracefully.
let configuration = try ServiceConfiguration(service: .fulfillment)
let fulfillment = try FulfillmentConfiguration(environment: configuration.environment.values)
JSONLogHandler.bootstrap(level: configuration.logLevel)
let logger = Logger(label: "oms.fulfillment")
let app = try buildApplication(service: FulfillmentService(configuration: fulfillment), configuration: configuration, logger: logger)
try await app.runService()
