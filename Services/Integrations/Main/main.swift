import Logging
import OMSPlatform
import IntegrationsService

// Reads configuration from the environment (see README "Configuration") and runs the service
// until SIGTERM/SIGINT, then shuts down gracefully.
let configuration = try ServiceConfiguration(service: .integrations)
JSONLogHandler.bootstrap(level: configuration.logLevel)
let logger = Logger(label: "oms.integrations")
let app = try buildApplication(service: IntegrationsService(configuration: try IntegrationsConfiguration(environment: configuration.environment.values)),
                               configuration: configuration, logger: logger)
try await app.runService()
