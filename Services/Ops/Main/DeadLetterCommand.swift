import ArgumentParser
import Foundation
import OMSDomain
import OMSOps
import OMSPlatform

/// `omsctl dlq list [--service S] | show --service S <id> | redrive --service S (--id ID ... | --reason-contains TEXT | --all)`.
struct DeadLetters: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dlq", abstract: "Dead-lettered events: list, show, redrive to their service only.",
                                                    subcommands: [List.self, Show.self, Redrive.self])

    struct Common: ParsableArguments {
        @OptionGroup var broker: BrokerOptions
        @Option(help: "Redrives after which an entry is quarantined instead of redriven again.")
        var maxRedrives = 3

        func desk() -> DeadLetterDesk {
            DeadLetterDesk(brokers: broker.bootstrapServer, namespace: broker.namespace, maxRedrives: maxRedrives, logger: broker.logger)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Dead letters with reason, original topic/partition/offset, attempts and state (PII masked).")
        @OptionGroup var common: Common
        @Option(help: "Only this service (default: all).") var service: String?
        @Flag(help: "Include entries already redriven.") var all = false
        @Flag(help: "Print JSON instead of a table.") var json = false

        func run() async throws {
            let services = try service.map { [try common.broker.parseService($0)] } ?? ServiceName.allCases
            let entries = try await common.desk().entries(of: services).filter { all || $0.state != .redriven }
            if json { print(String(decoding: try EventCoding.encode(entries), as: UTF8.self)); return }
            print("SERVICE      ID        STATE        ATTEMPTS REDRIVES ORIGINAL                              TYPE                      REASON")
            for entry in entries {
                let origin = "\(entry.originalTopic)[\(entry.originalPartition)]@\(entry.originalOffset)"
                print("\(entry.service.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)) \(entry.id.padding(toLength: 9, withPad: " ", startingAt: 0)) \(entry.state.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)) \(String(entry.attempts).padding(toLength: 8, withPad: " ", startingAt: 0)) \(String(entry.redriveCount).padding(toLength: 8, withPad: " ", startingAt: 0)) \(origin.padding(toLength: 37, withPad: " ", startingAt: 0)) \((entry.eventType ?? "?").padding(toLength: 25, withPad: " ", startingAt: 0)) \(entry.reason.prefix(120))")
            }
            print("\(entries.count) entr\(entries.count == 1 ? "y" : "ies")")
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One dead letter in full (masked preview).")
        @OptionGroup var common: Common
        @Option(help: "The service whose dead-letter topic holds it.") var service: String
        @Argument(help: "The entry id <partition>:<offset> from `dlq list`.") var id: String

        func run() async throws {
            let service = try common.broker.parseService(service)
            guard let entry = try await common.desk().entries(of: [service]).first(where: { $0.id == id }) else {
                throw OpsFailure("no dead letter \(id) for \(service.rawValue); `omsctl dlq list --service \(service.rawValue) --all` lists them")
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(entry), as: UTF8.self))
        }
    }

    struct Redrive: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send open dead letters back to their service only (its redrive topic).")
        @OptionGroup var common: Common
        @Option(help: "The service to redrive to.") var service: String
        @Option(name: .customLong("id"), help: "An entry id (repeatable).") var ids: [String] = []
        @Option(name: .customLong("reason-contains"), help: "Every open entry whose reason contains this text.") var reasonContains: String?
        @Option(name: .customLong("event-type"), help: "Every open entry of this event type.") var eventType: String?
        @Flag(help: "Every open entry.") var all = false

        func validate() throws {
            guard !ids.isEmpty || reasonContains != nil || eventType != nil || all else {
                throw ValidationError("choose what to redrive: --id, --reason-contains, --event-type or --all")
            }
        }

        func run() async throws {
            let service = try common.broker.parseService(service)
            let (ids, reason, type, all) = (Set(self.ids), reasonContains, eventType, self.all)
            let result = try await common.desk().redrive(service: service) { entry in
                all || ids.contains(entry.id) || (reason.map { entry.reason.contains($0) } ?? false) || (type.map { entry.eventType == $0 } ?? false)
            }
            print("redriven to \(common.broker.namespace.physical(service.redriveTopic)): \(result.redriven.count) \(result.redriven.joined(separator: " "))")
            if !result.quarantined.isEmpty { print("quarantined (redriven \(common.maxRedrives) times already, not sent): \(result.quarantined.joined(separator: " "))") }
            if !result.alreadyRedriven.isEmpty { print("already redriven: \(result.alreadyRedriven.joined(separator: " "))") }
        }
    }
}
