import AsyncHTTPClient
import Foundation
import OMSDemo
import Hummingbird
import HummingbirdTesting
import IntakeService
import OMSDomain
import OMSPlatform
import Testing

/// A promotion-peak burst: 10,000 orders through one edge, worked by a group of intake workers.
/// Not a benchmark (timings are printed for orientation only); the assertions are exactly-once.
@Suite("Intake burst: 10,000 orders, exactly once", .serialized)
struct IntakeBurstTests {
    static let orders = 10_000
    static let concurrency = 64

    @Test("every order of a 10,000-order burst is received exactly once", arguments: [2, 4])
    func burst(workers: Int) async throws {
        try await withIntakeWorld { world in
            let factory = DemoOrderFactory()
            let bodies = try (0..<Self.orders).map { try factory.webOrder(run: world.id, number: $0).body }
            let app = try world.application(role: .edge)
            try await app.test(.live) { client in
                let edge = EdgeClient(base: "http://127.0.0.1:\(client.port!)", http: EdgeClient.wide)
                try await world.withWorkers(workers) {
                    let started = ContinuousClock.now
                    let statuses = try await withThrowingTaskGroup(of: [Int: Int].self) { group in
                        for lane in 0..<Self.concurrency {
                            group.addTask {
                                var counts: [Int: Int] = [:]
                                for index in stride(from: lane, to: bodies.count, by: Self.concurrency) {
                                    counts[try await edge.send(.POST, "/v1/channels/web/orders", body: bodies[index]).status, default: 0] += 1
                                }
                                return counts
                            }
                        }
                        return try await group.reduce(into: [Int: Int]()) { $0.merge($1, uniquingKeysWith: +) }
                    }
                    let accepted = ContinuousClock.now - started
                    #expect(statuses == [202: Self.orders])
                    let done = try await world.eventually(timeout: .seconds(240)) {
                        try await world.count("SELECT count(*) FROM \(world.schema).orders") >= Self.orders
                    }
                    let finished = ContinuousClock.now - started
                    #expect(done)
                    print("burst with \(workers) workers: \(Self.orders) accepted in \(accepted), all received after \(finished)")
                }
            }
            #expect(try await world.count("SELECT count(*) FROM \(world.schema).submissions") == Self.orders)
            #expect(try await world.count("SELECT count(*) FROM \(world.schema).orders WHERE status = 'received'") == Self.orders)
            #expect(try await world.count("SELECT count(DISTINCT channel_order_id) FROM \(world.schema).orders") == Self.orders)
            // On the topic: one order.received per order, none twice (read on for a moment after the last).
            var seen: [String: Int] = [:]
            var lastGrowth = ContinuousClock.now
            let events = try await world.orderEvents(timeout: .seconds(120)) { events in
                if events.count > seen.values.reduce(0, +) {
                    for event in events.dropFirst(seen.values.reduce(0, +)) { seen[event.orderID, default: 0] += 1 }
                    lastGrowth = ContinuousClock.now
                }
                return seen.count >= Self.orders && ContinuousClock.now - lastGrowth > .seconds(2)
            }
            #expect(events.count == Self.orders)
            #expect(Set(events.map(\.orderID)).count == Self.orders)
            #expect(events.allSatisfy { $0.type == OrderReceived.eventType })
        }
    }
}
