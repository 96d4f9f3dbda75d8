import ConsoleService
import Hummingbird
import Logging
import OMSPlatform

// Reads configuration from the environment (see README "Configuration") and serves the console
// until SIGTERM/SIGINT, then shuts down gracefully.
let configuration = try ConsoleConfiguration()
JSONLogHandler.bootstrap(level: configuration.logLevel)
let app = try buildConsoleApplication(configuration: configuration, logger: Logger(label: "oms.console"))
try await app.runService()
