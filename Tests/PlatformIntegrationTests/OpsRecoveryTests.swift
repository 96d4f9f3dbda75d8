import Foundation
import OMSDomain
import OMSKafka
import OMSOps
import OMSPlatform
import Testing

/// `omsctl replay` and `omsctl dlq` (through the OMSOps library the CLI runs) against real services,
/// PostgreSQL and the broker.
@Suite("Ops: replay a stage by time, redrive dead letters to their service only", .serialized)
struct OpsRecoveryTests {
    func orders(_ prefix: String, _ count: Int) throws -> [(EventEnvelope, String)] {
        try (0..<count).map { try AfterSalesFlowTests.received(InventoryFixtures.order("\(prefix)-\($0)", lines: [("CLO-TEE-BLK-M", 1, 9_900)])) }
    }

    @Test("--to-datetime re-delivers every event at or after the time, refuses while the group runs, and re-applying changes nothing")
    func replayByTime() async throws {
        try await withIntakeWorld { world in
            let namespace = TopicNamespace(prefix: world.prefix)
            let planner = ReplayPlanner(admin: world.admin, namespace: namespace)
            let group = ConsumerGroup.groups(of: .aftersales)[0]
            let since = try await world.withStages(afterSales: [:]) { _ async throws -> Date in
                try await world.publish(try orders("O-EARLY", 40))
                try await Task.sleep(for: .milliseconds(1_500))
                let since = Date()
                try await Task.sleep(for: .milliseconds(100))
                try await world.publish(try orders("O-LATE", 60))
                #expect(try await world.eventually { try await world.count("SELECT count(*) FROM \(world.afterSalesSchema).orders") == 100 })
                #expect(try await world.eventually {
                    let moves = try await planner.plan(group: group, topics: [TopicCatalogue.orders], partitions: [], target: .earliest).moves
                    return moves.allSatisfy { ($0.current ?? -1) >= $0.high }
                })
                // While the service runs the plan is printed but not executed.
                let running = try await planner.execute(try await planner.plan(group: group, topics: [TopicCatalogue.orders], partitions: [], target: .datetime(since)))
                #expect(!running.executed && running.activeMembers >= 1 && running.table().contains("NOT EXECUTED"))
                return since
            }

            // Stopped: every late order is re-delivered (a coarse time index may add early ones, never lose late ones).
            let plan = try await planner.plan(group: group, topics: [TopicCatalogue.orders], partitions: [], target: .datetime(since))
            #expect(plan.activeMembers == 0)
            #expect(plan.totalReprocess >= 60 && plan.totalReprocess <= 100)
            #expect(plan.moves.allSatisfy { $0.topic == world.topic(TopicCatalogue.orders) && $0.target <= ($0.current ?? 0) })
            let limited = try await planner.plan(group: group, topics: [TopicCatalogue.orders], partitions: [0], target: .shift(-1))
            #expect(limited.moves.map(\.partition) == [0] && limited.totalReprocess == min(1, limited.moves[0].current ?? 0))
            let done = try await planner.execute(plan)
            #expect(done.executed && done.overwritten.isEmpty)
            let after = try await planner.plan(group: group, topics: [TopicCatalogue.orders], partitions: [], target: .earliest)
            #expect(after.moves.map { $0.current ?? -1 } == plan.moves.map(\.target))

            // Restarted, the service reads them again: its inbox skips them, the state is identical.
            try await world.withStages(afterSales: [:]) { clients async throws -> Void in
                #expect(try await world.eventually {
                    try await planner.plan(group: group, topics: [TopicCatalogue.orders], partitions: [], target: .earliest).moves.allSatisfy { ($0.current ?? -1) >= $0.high }
                })
                #expect(try await world.count("SELECT count(*) FROM \(world.afterSalesSchema).orders") == 100)
                #expect(try await world.count("SELECT count(*) FROM \(world.afterSalesSchema).inbox") == 100)
                // ... and it did read them: every re-delivered event counted as a duplicate.
                let metrics = try await clients.afterSales!.send(.GET, "/metrics").text
                let duplicates = metrics.split(separator: "\n").filter { $0.hasPrefix("oms_events_duplicate_total") }.compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
                #expect(Int64(duplicates) == plan.totalReprocess)
            }
        }
    }

    @Test("a parcel from an unset warehouse is dead-lettered, fixed and redriven to logistics only; garbage is quarantined after the redrive limit")
    func deadLetterRedrive() async throws {
        try await withIntakeWorld { world in
            let namespace = TopicNamespace(prefix: world.prefix)
            let desk = DeadLetterDesk(brokers: world.environment.brokers, namespace: namespace, maxRedrives: 2, logger: world.logger)
            try await world.withStages(logistics: LogisticsFlowTests.signingEnvironment) { clients in
                let logistics = try #require(clients.logistics)
                try await LogisticsFlowTests.setUpOrigins(logistics)
                let order = FulfillmentFixtures.order("O-NOWHERE", province: "北京市", city: "北京市", [("HOM-TOWEL-1", 1)])
                try await world.publish([try LogisticsFlowTests.packed(order, from: "XX9")])
                var configuration = KafkaProducerConfiguration(client: KafkaClientConfiguration(bootstrapServers: world.environment.brokers, clientID: "test-garbage"))
                configuration.lingerMilliseconds = 1
                let producer = try KafkaProducer(configuration: configuration, logger: world.logger)
                _ = try await producer.send(KafkaOutgoingMessage(topic: world.topic(TopicCatalogue.fulfillmentEvents), key: Array("O-GARBAGE".utf8),
                                                                 value: Array(#"{"phone":"13912345678"}"#.utf8)))
                await producer.shutdown()

                var entries: [DeadLetterEntry] = []
                #expect(try await world.eventually(timeout: .seconds(60)) {
                    entries = try await desk.entries(of: [.logistics]).filter { $0.state == .open }
                    return entries.count == 2
                })
                let parcel = try #require(entries.first { $0.reason.contains("XX9") })
                #expect(parcel.originalTopic == world.topic(TopicCatalogue.fulfillmentEvents) && parcel.eventType == FulfillmentPacked.eventType && parcel.orderKey == "O-NOWHERE")
                let garbage = try #require(entries.first { $0.orderKey == "O-GARBAGE" })
                #expect(!garbage.preview.contains("13912345678") && garbage.reason.contains("oms-event-id"))

                // Redriven before the fix: both fail again, as new entries that remember the redrive.
                let first = try await desk.redrive(service: .logistics) { _ in true }
                #expect(Set(first.redriven) == Set(entries.map(\.id)))
                #expect(try await world.eventually(timeout: .seconds(60)) {
                    let open = try await desk.entries(of: [.logistics]).filter { $0.state == .open }
                    return open.count == 2 && open.allSatisfy { $0.redriveCount == 1 }
                })
                #expect(try await desk.redrive(service: .logistics) { entries.map(\.id).contains($0.id) }.alreadyRedriven.count == 2)

                // Fixed, redriven again: the parcel ships; the garbage reaches the limit and is quarantined.
                let origin = #"{"name":"XX9 DC","province":"河北省","city":"廊坊市","address":"物流园 9 号"}"#
                #expect(try await logistics.send(.PUT, "/v1/logistics/warehouses/XX9", body: Array(origin.utf8)).status == 200)
                let second = try await desk.redrive(service: .logistics) { _ in true }
                #expect(second.redriven.count == 2)
                #expect(try await world.eventually { try await world.count("SELECT count(*) FROM \(world.logisticsSchema).shipments WHERE order_id = 'O-NOWHERE'") == 1 })
                var final: [DeadLetterEntry] = []
                #expect(try await world.eventually(timeout: .seconds(60)) {
                    final = try await desk.entries(of: [.logistics]).filter { $0.state != .redriven }
                    return final.count == 1 && final[0].state == .quarantined
                })
                #expect(final.first?.orderKey == "O-GARBAGE" && final.first?.redriveCount == 2)
                #expect(try await desk.redrive(service: .logistics) { _ in true }.quarantined.count == 1)

                // Every redrive went to logistics' own redrive topic, none to another service's.
                let records = try await TopicReader(brokers: world.environment.brokers, logger: world.logger).readAll(ServiceName.allCases.map { world.topic($0.redriveTopic) })
                #expect(records.filter { $0.topic == world.topic(ServiceName.logistics.redriveTopic) }.count == 4)
                #expect(records.allSatisfy { $0.topic == world.topic(ServiceName.logistics.redriveTopic) })
            }
        }
    }
}
