import ArgumentParser
import Foundation
import OMSDomain
import OMSKafka
import OMSOps
import OMSPlatform

/// `omsctl replay --service S [--group workers|status|events] [--topic T ...] [--partitions 0,3]
/// (--to-earliest | --to-offset N | --shift-by N | --to-datetime T | --by-duration PnDTnHnMnS) [--execute]`:
/// prints the plan (old -> new offset per partition, messages to reprocess) and commits it only
/// with `--execute`, and only while the service's group has no active members.
struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Reset one service's consumer group to re-read a topic (dry run unless --execute).")

    @OptionGroup var broker: BrokerOptions

    @Option(help: "The service whose consumer group moves (intake, risk, inventory, fulfillment, logistics, aftersales, insights, integrations).")
    var service: String

    @Option(help: "The group's suffix when the service has several (intake: workers or status).")
    var group: String?

    @Option(name: .customLong("topic"), help: "A topic of the group to move (repeatable; default: all its topics).")
    var topics: [String] = []

    @Option(help: "Only these partitions, comma-separated (default: all).")
    var partitions: String?

    @Flag(name: .customLong("to-earliest")) var toEarliest = false
    @Option(name: .customLong("to-offset")) var toOffset: Int64?
    @Option(name: .customLong("shift-by")) var shiftBy: Int64?
    @Option(name: .customLong("to-datetime"), help: "YYYY-MM-DDTHH:mm:SS[.sss][Z|±hh:mm], UTC when no zone is given.")
    var toDatetime: String?
    @Option(name: .customLong("by-duration"), help: "ISO-8601 duration back from now, e.g. PT30M.")
    var byDuration: String?

    @Flag(help: "Commit the new offsets (otherwise only print the plan).")
    var execute = false

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func validate() throws {
        let chosen = [toEarliest, toOffset != nil, shiftBy != nil, toDatetime != nil, byDuration != nil].filter { $0 }.count
        guard chosen == 1 else { throw ValidationError("choose exactly one of --to-earliest, --to-offset, --shift-by, --to-datetime, --by-duration") }
    }

    func run() async throws {
        let service = try broker.parseService(service)
        let groups = ConsumerGroup.groups(of: service)
        let chosen: ConsumerGroup
        if let group {
            guard let match = groups.first(where: { $0.suffix == group }) else {
                throw ValidationError("\(service.rawValue) has the groups \(groups.map(\.suffix).joined(separator: ", "))")
            }
            chosen = match
        } else {
            guard groups.count == 1 else { throw ValidationError("\(service.rawValue) has several groups; choose one with --group \(groups.map(\.suffix).joined(separator: "|"))") }
            chosen = groups[0]
        }
        let target: ReplayTarget
        if toEarliest { target = .earliest }
        else if let toOffset { target = .offset(toOffset) }
        else if let shiftBy { target = .shift(shiftBy) }
        else if let toDatetime { target = .datetime(try ReplayTarget.parseDatetime(toDatetime)) }
        else { target = .duration(try ReplayTarget.parseDuration(byDuration!)) }
        var partitionSet = Set<Int32>()
        for part in (partitions ?? "").split(separator: ",") {
            guard let number = Int32(part.trimmingCharacters(in: .whitespaces)), number >= 0 else { throw ValidationError("--partitions wants numbers like 0,3,5") }
            partitionSet.insert(number)
        }
        let admin = try broker.admin()
        let planner = ReplayPlanner(admin: admin, namespace: broker.namespace)
        var plan = try await planner.plan(group: chosen, topics: topics, partitions: partitionSet, target: target)
        if execute { plan = try await planner.execute(plan) }
        await admin.close()
        print(json ? String(decoding: try EventCoding.encode(plan), as: UTF8.self) : plan.table())
        if execute && (!plan.executed || !plan.overwritten.isEmpty) { throw ExitCode(2) }
    }
}
