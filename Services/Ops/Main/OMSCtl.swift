import ArgumentParser
import Foundation
import Logging
import OMSDomain
import OMSKafka
import OMSOps
import OMSPlatform
import PostgresNIO

/// `omsctl`: the operators' tool: `status`, `replay`, `dlq list|show|redrive`, `trace`,
/// `topics ensure|list`. Flags follow `kafka-consumer-groups --reset-offsets` where they overlap.
@main
struct OMSCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "omsctl",
        abstract: "Operate the retail OMS: topics, offsets, dead letters.",
        subcommands: [Status.self, Replay.self, DeadLetters.self, Trace.self, Demo.self, Load.self, Topics.self, Probe.self, Webhooks.self, Staff.self]
    )
}

struct BrokerOptions: ParsableArguments {
    @Option(name: .customLong("bootstrap-server"), help: "Kafka bootstrap servers (default: $OMS_KAFKA_BROKERS or 127.0.0.1:9092).")
    var bootstrapServer: String = ProcessInfo.processInfo.environment["OMS_KAFKA_BROKERS"] ?? "127.0.0.1:9092"

    @Option(name: .customLong("topic-prefix"), help: "Prefix of every topic name (default: $OMS_TOPIC_PREFIX or none).")
    var topicPrefix: String = ProcessInfo.processInfo.environment["OMS_TOPIC_PREFIX"] ?? ""

    var namespace: TopicNamespace { TopicNamespace(prefix: topicPrefix) }

    func admin() throws -> KafkaAdmin {
        try KafkaAdmin(client: KafkaClientConfiguration(bootstrapServers: bootstrapServer, clientID: "omsctl"), logger: logger)
    }

    var logger: Logger {
        var logger = Logger(label: "omsctl")
        logger.logLevel = .warning
        return logger
    }

    func parseService(_ name: String) throws -> ServiceName {
        guard let service = ServiceName(rawValue: name) else {
            throw ValidationError("unknown service \(name); one of \(ServiceName.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return service
    }
}

struct Topics: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Topics of the catalogue.", subcommands: [Ensure.self, List.self])

    struct Ensure: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create every catalogue topic that is missing, with its partition count.")
        @OptionGroup var broker: BrokerOptions

        func run() async throws {
            let admin = try broker.admin()
            let namespace = broker.namespace
            let created = try await admin.createTopics(TopicCatalogue.all.map { (namespace.physical($0.name), $0.partitions) })
            let counts = try await admin.partitionCounts(topics: TopicCatalogue.all.map { namespace.physical($0.name) })
            await admin.close()
            var mismatched: [String] = []
            for spec in TopicCatalogue.all {
                let name = namespace.physical(spec.name)
                let actual = counts[name]
                let mark = created.contains(name) ? "created" : (actual == nil ? "MISSING" : "exists")
                print("\(name.padding(toLength: 28, withPad: " ", startingAt: 0)) partitions \(actual.map(String.init) ?? "-")/\(spec.partitions)  \(mark)")
                if actual != spec.partitions { mismatched.append(name) }
            }
            if !mismatched.isEmpty {
                throw ValidationError("topics missing or with a different partition count: \(mismatched.joined(separator: ", "))")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the topic catalogue: partitions, producers, consumers.")
        func run() async throws {
            for spec in TopicCatalogue.all {
                print("\(spec.name)\t\(spec.partitions)\t\(spec.producers.map(\.rawValue).joined(separator: ","))\t\(spec.consumers.map(\.rawValue).joined(separator: ","))")
            }
        }
    }
}

/// `omsctl trace <order id>`: every event of one order across all stages, in order, with which
/// services handled it and how long after the event (from intake's timeline and every inbox).
struct Trace: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Every event of one order across all stages, with who handled it and when.")

    @Argument(help: "The order id (as intake returned it).")
    var orderId: String

    @Option(name: .customLong("database-url"), help: "PostgreSQL holding the services' schemas (default: $OMS_DATABASE_URL).")
    var databaseURL: String = ProcessInfo.processInfo.environment["OMS_DATABASE_URL"] ?? "postgres://oms:oms@127.0.0.1:54329/oms"

    @Option(name: .customLong("schema-template"), help: "Schema name per service, {service} replaced (default: {service}).")
    var schemaTemplate: String = "{service}"

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() async throws {
        var logger = Logger(label: "omsctl")
        logger.logLevel = .warning
        let client = try DatabaseConfiguration(url: databaseURL, schema: "public").makeClient(logger: logger)
        let template = schemaTemplate
        let trace = try await withThrowingTaskGroup(of: Void.self) { tasks -> OrderTrace in
            tasks.addTask { await client.run() }
            defer { tasks.cancelAll() }
            do {
                return try await OrderTrace.load(orderID: orderId, client: client, schema: { template.replacingOccurrences(of: "{service}", with: $0.rawValue) }, logger: logger)
            } catch let error as PSQLError {
                throw OpsFailure("cannot read \(template.replacingOccurrences(of: "{service}", with: "intake")).order_timeline: \(error.serverInfo?[.message] ?? "\(error.code)")")
            }
        }
        guard !trace.steps.isEmpty else { throw OpsFailure("no events for order \(orderId) in \(template.replacingOccurrences(of: "{service}", with: "intake")).order_timeline") }
        print(json ? String(decoding: try EventCoding.encode(trace), as: UTF8.self) : trace.table())
    }
}
