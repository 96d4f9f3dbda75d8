import Foundation
import OMSPlatform

/// A service executable of this build run as its own process against a test world (its schema,
/// its topic prefix, the test tokens), so that a test can SIGKILL it mid-work and start it again.
enum ChildService {
    static func launch(_ executable: String, world: IntakeWorld, schema: String, port: Int, environment: [String: String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(executable)
        process.environment = ProcessInfo.processInfo.environment.merging([
            "OMS_DATABASE_URL": world.environment.databaseURL, "OMS_KAFKA_BROKERS": world.environment.brokers, "OMS_TOPIC_PREFIX": world.prefix,
            "OMS_DATABASE_SCHEMA": schema, "OMS_HTTP_PORT": String(port), "OMS_KAFKA_SESSION_TIMEOUT_MS": "6000",
            APICredentials.variable: TestCredentials.environmentValue, SecretsRequirement.developmentModeVariable: "true", "OMS_LOG_LEVEL": "warning",
        ].merging(environment) { _, new in new }) { _, new in new }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Whether the process on `client` answers ready within a minute.
    static func ready(_ client: EdgeClient, world: IntakeWorld) async throws -> Bool {
        try await world.eventually(timeout: .seconds(60)) { (try? await client.send(.GET, "/health/ready", anonymous: true).status) == 200 }
    }
}
