import ArgumentParser
import Foundation
import Logging
import OMSDomain
import OMSKafka

/// `omsctl`: the operators' tool. This release has `topics ensure` and `topics list`; replay,
/// dead-letter redrive, status and trace follow (issue 9).
@main
struct OMSCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "omsctl",
        abstract: "Operate the retail OMS: topics, offsets, dead letters.",
        subcommands: [Topics.self]
    )
}

struct BrokerOptions: ParsableArguments {
    @Option(name: .customLong("bootstrap-server"), help: "Kafka bootstrap servers (default: $OMS_KAFKA_BROKERS or 127.0.0.1:9092).")
    var bootstrapServer: String = ProcessInfo.processInfo.environment["OMS_KAFKA_BROKERS"] ?? "127.0.0.1:9092"

    @Option(name: .customLong("topic-prefix"), help: "Prefix of every topic name (default: $OMS_TOPIC_PREFIX or none).")
    var topicPrefix: String = ProcessInfo.processInfo.environment["OMS_TOPIC_PREFIX"] ?? ""

    var namespace: TopicNamespace { TopicNamespace(prefix: topicPrefix) }

    func admin() throws -> KafkaAdmin {
        var logger = Logger(label: "omsctl")
        logger.logLevel = .warning
        return try KafkaAdmin(client: KafkaClientConfiguration(bootstrapServers: bootstrapServer, clientID: "omsctl"), logger: logger)
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
