import ArgumentParser
import Foundation
import OMSDomain
import OMSOps
import OMSPlatform

/// `omsctl status [--json] [--verbose]`: health, consumer lag per group (and per partition with
/// --verbose), dead letters and outbox backlog of every service. Exit code 0 always; `--check`
/// exits 3 unless everything is drained (zero lag, no dead letters, empty outboxes).
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Per service: health, consumer-group lag, dead letters, outbox backlog.")

    @OptionGroup var broker: BrokerOptions

    @Option(name: .customLong("database-url"), help: "PostgreSQL holding the services' schemas (default: $OMS_DATABASE_URL).")
    var databaseURL: String = ProcessInfo.processInfo.environment["OMS_DATABASE_URL"] ?? "postgres://oms:oms@127.0.0.1:54329/oms"

    @Option(name: .customLong("schema-template"), help: "Schema name per service, {service} replaced (default: {service}).")
    var schemaTemplate: String = "{service}"

    @Option(name: .customLong("health-url-template"), help: "Readiness URL per service; {port} is 8081..8088, {service} its name, e.g. http://{service}:8080/health/ready inside a compose network (default: http://127.0.0.1:{port}/health/ready).")
    var healthTemplate: String = "http://127.0.0.1:{port}/health/ready"

    @Flag(help: "Print JSON instead of a table.") var json = false
    @Flag(help: "Show every partition with lag.") var verbose = false
    @Flag(help: "Exit 3 unless lag is zero, there are no dead letters and outboxes are empty.") var check = false

    func run() async throws {
        let admin = try broker.admin()
        let logger = broker.logger
        let client = try DatabaseConfiguration(url: databaseURL, schema: "public").makeClient(logger: logger)
        let (template, health) = (schemaTemplate, healthTemplate)
        let desk = DeadLetterDesk(brokers: broker.bootstrapServer, namespace: broker.namespace, logger: logger)
        let report = await withTaskGroup(of: Void.self) { tasks -> StatusReport in
            tasks.addTask { await client.run() }
            defer { tasks.cancelAll() }
            return await StatusReport.gather(services: ServiceName.allCases, admin: admin, namespace: broker.namespace, desk: desk, database: client,
                                             schema: { template.replacingOccurrences(of: "{service}", with: $0.rawValue) },
                                             healthURL: { health.replacingOccurrences(of: "{port}", with: String(ServiceConfiguration.defaultPort(for: $0)))
                                                 .replacingOccurrences(of: "{service}", with: $0.rawValue) }, logger: logger)
        }
        await admin.close()
        print(json ? String(decoding: try EventCoding.encode(report), as: UTF8.self) : report.table(verbose: verbose))
        if check && !report.isDrained { throw ExitCode(3) }
    }
}
