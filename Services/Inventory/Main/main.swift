import Logging
import OMSPlatform
import InventoryService

// Reads configuration from the environment (see README "Configuration") and runs the service
// until SIGTERM/SIGINT, then shuts down gracefully.
let configuration = try ServiceConfiguration(service: .inventory)
JSONLogHandler.bootstrap(level: configuration.logLevel)
let logger = Logger(label: "oms.inventory")
let app = try buildApplication(service: InventoryService(), configuration: configuration, logger: logger)
try await app.runService()
