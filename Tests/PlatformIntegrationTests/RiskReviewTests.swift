import Foundation
import Hummingbird
import HummingbirdTesting
import OMSDomain
import OMSPlatform
import PostgresNIO
import RiskService
import Testing

@Suite("Risk review on real PostgreSQL and broker", .serialized)
struct RiskReviewTests {
    func received(_ n: Int, phone: String, street: String, account: String) throws -> EventEnvelope {
        let id = "OMS261111-RISK\(String(format: "%08d", n))"
        let order = Order(
            orderID: id, channel: .web, channelOrderID: "W-\(n)",
            customer: Customer(customerKey: account, name: "顾客", phone: phone),
            deliveryAddress: Address(province: "上海市", city: "上海市", district: "浦东新区", street: street, postalCode: "200120"),
            lines: [OrderLine(lineNumber: 1, sku: "CLO-TEE-BLK-M", quantity: 1, unitPrice: .fen(9_900))], shippingFee: .fen(1_000),
            payment: Payment(method: .card, reference: "pay-\(n)", paidAmount: .fen(10_900), paidAt: Date()),
            placedAt: Date().addingTimeInterval(Double(n)))
        return try EventEnvelope.make(OrderReceived(order: order, appliedPromotions: [], couponCode: nil, receivedAt: Date()), orderID: id, producer: .intake)
    }

    @Test("two risk workers reviewing one phone's orders at once count each other's: the sixth in the window is held, never passed by both")
    func concurrentWorkersShareVelocity() async throws {
        try await withIntakeWorld { world in
            try await world.riskApplication().test(.live) { _ in }  // migrates the schema
            let five = try (0..<5).map { try received($0, phone: "13700000002", street: "并发路 \(200 + $0) 号", account: "c_conc_\($0)") }
            let sixth = try received(5, phone: "13700000002", street: "并发路 205 号", account: "c_conc_5")
            let handler = OrderReviewHandler(hasher: PIIHasher(secret: "test"))
            // Worker one has reviewed five orders from the phone (the limit) and not yet committed;
            // worker two reviews the sixth meanwhile (a partition of its own).
            try await withOverlappingWorkers(schema: world.riskSchema, service: .risk, logger: world.logger,
                                             first: { try await handler.handle(batch: five, context: $0) },
                                             second: { try await handler.handle(batch: [sixth], context: $0) })
            #expect(try await world.count("SELECT count(*) FROM \(world.riskSchema).decisions WHERE status = 'held'") == 1)
            #expect(try await world.count("SELECT count(*) FROM \(world.riskSchema).decisions WHERE status = 'held' AND order_id = '\(sixth.orderID)'") == 1)
        }
    }

    @Test("a brushing burst from one phone is held while normal traffic passes; cancel empties the queue; a replay decides nothing twice")
    func brushingBurst() async throws {
        try await withIntakeWorld { world in
            // 10 orders from one phone to one door from 10 accounts, 20 ordinary orders.
            var built: [EventEnvelope] = []
            for n in 0..<10 { built.append(try received(n, phone: "13700000001", street: "刷单路 \(n + 100) 号", account: "c_brush_\(n)")) }
            for n in 10..<30 { built.append(try received(n, phone: "139\(String(format: "%08d", n))", street: "世纪大道 \(n) 号", account: "c_\(n)")) }
            let events = built
            try await world.publish(events.map { ($0, TopicCatalogue.orders) })
            let app = try world.riskApplication()
            try await app.test(.live) { _ in
                let decisions = try await world.events(on: TopicCatalogue.riskDecisions) { $0.count >= 30 }
                #expect(decisions.count == 30)
                let byOrder = Dictionary(decisions.map { ($0.orderID, $0.type) }, uniquingKeysWith: { first, _ in first })
                let brushing = events.prefix(10).map { byOrder[$0.orderID] }
                // Five from the phone pass (limit 5 per hour); every one reviewed after them is held.
                #expect(brushing.filter { $0 == OrderVerified.eventType }.count == 5)
                #expect(brushing.filter { $0 == OrderHeld.eventType }.count == 5)
                #expect(events.suffix(20).allSatisfy { byOrder[$0.orderID] == OrderVerified.eventType })
                let held = try decisions.filter { $0.type == OrderHeld.eventType }.map { try $0.decode(OrderHeld.self) }
                #expect(held.allSatisfy { $0.findings.map(\.rule) == ["velocity_phone"] })

                // One held order is cancelled; the first order's event is replayed.
                let cancelledID = held[0].orderID
                let cancel = try EventEnvelope.make(OrderCancelled(orderID: cancelledID, requestedBy: "customer", reason: "changed my mind", previousStatus: .held, cancelledAt: Date()),
                                                    orderID: cancelledID, producer: .intake)
                // A replay of the same event, and the same order under a new event id: no second decision.
                var replayed = events[12]
                replayed.eventID = UUID()
                try await world.publish([(cancel, TopicCatalogue.orders), (events[12], TopicCatalogue.orders), (replayed, TopicCatalogue.orders)])
                #expect(try await world.eventually {
                    try await world.count("SELECT count(*) FROM \(world.riskSchema).decisions WHERE status = 'cancelled'") == 1
                })
                #expect(try await world.count("SELECT count(*) FROM \(world.riskSchema).decisions WHERE status = 'held'") == 4)
                #expect(try await world.count("SELECT count(*) FROM \(world.riskSchema).decisions") == 30)
                // The replay under a new id was taken in (its id is in risk's inbox), so whatever
                // risk made of it is committed: still one decision about that order, 30 in all.
                #expect(try await world.eventually {
                    try await world.count("SELECT count(*) FROM \(world.riskSchema).inbox WHERE event_id = '\(replayed.eventID.uuidString.lowercased())'") == 1
                })
                #expect(try await world.committedEvents(schema: world.riskSchema, key: events[12].orderID) == 1)
                #expect(try await world.count("SELECT count(*) FROM \(world.riskSchema).outbox WHERE topic = '\(world.topic(TopicCatalogue.riskDecisions))'") == 30)

                // Customer service corrects a held order's address at intake: the reviewer sees it (and
                // its release will carry it). A verified order's record stays as it was decided.
                let beijing = Address(province: "北京市", city: "北京市", district: "朝阳区", street: "建国路 1 号", postalCode: "100020")
                let verifiedID = events[12].orderID
                let amendments = try [held[1].orderID, verifiedID].map { id in
                    (try EventEnvelope.make(OrderAmended(orderID: id, recipientName: "韩梅梅", recipientPhone: nil, deliveryAddress: beijing, amendedBy: "customerService:cs-1",
                                                         amendedAt: Date()), orderID: id, producer: .intake), TopicCatalogue.orders)
                }
                try await world.publish(amendments)
                #expect(try await world.eventually {
                    try await world.count("SELECT count(*) FROM \(world.riskSchema).decisions WHERE order_id = '\(held[1].orderID)' AND order_body->'deliveryAddress'->>'province' = '北京市'") == 1
                })
                #expect(try await world.eventually {
                    try await world.count("SELECT count(*) FROM \(world.riskSchema).inbox WHERE event_id = '\(amendments[1].0.eventID.uuidString.lowercased())'") == 1
                })
                #expect(try await world.count("SELECT count(*) FROM \(world.riskSchema).decisions WHERE order_id = '\(verifiedID)' AND order_body->'deliveryAddress'->>'province' = '上海市'") == 1)
            }
        }
    }
}
