import Logging
import OMSPlatform
import LogisticsService

// Reads configuration from the environment (see README "Configuration") and runs the service
// until SIGTERM/SIGINT, then shuts down gracefully.
let configuration = try ServiceConfiguration(service: .logistics)
let logistics = try LogisticsConfiguration(environment: configuration.environment.values)
JSONLogHandler.bootstrap(level: configuration.logLevel)
let logger = Logger(label: "oms.logistics")
if logistics.carrierSecrets.isEmpty {
    logger.warning("OMS_CARRIER_SECRETS is not set: carriers cannot post tracking events")
}
let app = try buildApplication(service: LogisticsService(configuration: logistics), configuration: configuration, logger: logger)
try await app.runService()
