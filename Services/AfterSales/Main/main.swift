import Logging
import OMSPlatform
import AfterSalesService

// Reads configuration from the environment (see README "Configuration") and runs the service
// until SIGTERM/SIGINT, then shuts down gracefully.
let configuration = try ServiceConfiguration(service: .aftersales)
JSONLogHandler.bootstrap(level: configuration.logLevel)
let logger = Logger(label: "oms.aftersales")
let app = try buildApplication(service: AfterSalesService(configuration: try AfterSalesConfiguration(environment: configuration.environment.values)), configuration: configuration, logger: logger)
try await app.runService()
