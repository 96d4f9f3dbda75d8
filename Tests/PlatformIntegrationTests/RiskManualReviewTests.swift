import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import IntakeService
import OMSDomain
import OMSPlatform
import RiskService
import ServiceLifecycle
import Testing

@Suite("Risk manual review over HTTP, with intake showing the outcome", .serialized)
struct RiskManualReviewTests {
    @Test("held orders: contact amends the address (reaches the order view), approve and reject are final and idempotent")
    func approveRejectAmend() async throws {
        try await withIntakeWorld { world in
            try await world.withIntakeAndRisk { intakeEdge, review in
                // Two web orders whose street is too vague to deliver to: risk holds them.
                var ids: [String] = []
                for number in ["W-VAGUE-1", "W-VAGUE-2"] {
                    var web = try JSONSerialization.jsonObject(with: Data(try IntakeEndToEndTests.example("web"))) as! [String: Any]
                    web["orderNumber"] = number
                    var address = web["shippingAddress"] as! [String: Any]
                    address["street"] = "小区门口"
                    web["shippingAddress"] = address
                    let reply = try await intakeEdge.send(.POST, "/v1/channels/web/orders", body: Array(try JSONSerialization.data(withJSONObject: web)))
                    #expect(reply.status == 202)
                    ids.append(reply.json["orderId"] as? String ?? "")
                }
                #expect(try await world.eventually {
                    try await world.count("SELECT count(*) FROM \(world.riskSchema).decisions WHERE status = 'held'") == 2
                })
                let queue = try await review.send(.GET, "/v1/review/queue")
                #expect(queue.status == 200, "\(queue.text)")
                let entries = (queue.json["orders"] as? [[String: Any]]) ?? []
                #expect(Set(entries.compactMap { $0["orderId"] as? String }) == Set(ids))
                #expect(entries.allSatisfy { ($0["rules"] as? [String]) == ["vague_address"] })
                #expect(((try await review.send(.GET, "/v1/review/queue?rule=velocity_phone").json["orders"] as? [Any]) ?? [1]).isEmpty)
                #expect(((try await review.send(.GET, "/v1/review/queue?overdue=true").json["orders"] as? [Any]) ?? [1]).isEmpty)
                #expect(try await review.send(.GET, "/v1/review/queue?channel=fax").status == 422)
                #expect(try await review.send(.GET, "/metrics").text.contains(#"oms_review_queue_depth{service="risk"} 2"#))

                let (a, b) = (ids[0], ids[1])
                let amend = #"{"reviewerId":"cs-7","note":"called customer, address corrected","deliveryAddress":{"province":"江苏省","city":"南京市","district":"鼓楼区","street":"中山路 321 号 5 楼","postalCode":"210008"}}"#
                #expect(try await review.send(.POST, "/v1/review/orders/\(a)/contacts", body: Array(amend.utf8)).status == 201)
                let badPhone = try await review.send(.POST, "/v1/review/orders/\(a)/contacts", body: Array(#"{"reviewerId":"cs-7","note":"x","recipientPhone":"123"}"#.utf8))
                #expect(badPhone.status == 422)
                let approved = try await review.send(.POST, "/v1/review/orders/\(a)/approve", body: Array(#"{"reviewerId":"risk-1","note":"ok after call"}"#.utf8))
                #expect(approved.status == 200)
                #expect(approved.json["status"] as? String == "verified")
                #expect((approved.json["contacts"] as? [Any])?.count == 1)
                #expect(try await review.send(.POST, "/v1/review/orders/\(a)/approve", body: Array(#"{"reviewerId":"risk-1"}"#.utf8)).status == 200)
                #expect(try await review.send(.POST, "/v1/review/orders/\(a)/reject", body: Array(#"{"reviewerId":"risk-2"}"#.utf8)).status == 409)
                #expect(try await review.send(.POST, "/v1/review/orders/\(b)/reject", body: Array(#"{"reviewerId":"risk-1","note":"no answer"}"#.utf8)).status == 200)
                #expect(try await review.send(.POST, "/v1/review/orders/\(b)/approve", body: Array(#"{"reviewerId":"risk-1"}"#.utf8)).status == 409)
                #expect(try await review.send(.POST, "/v1/review/orders/\(b)/approve", body: Array(#"{"note":"x"}"#.utf8)).status == 409)
                #expect(try await review.send(.GET, "/v1/review/orders/OMS000000-NOSUCHORDER0").status == 404)

                let decisions = try await world.events(on: TopicCatalogue.riskDecisions) { $0.filter { ids.contains($0.orderID) }.count >= 5 }
                    .filter { ids.contains($0.orderID) }
                #expect(decisions.map(\.type).sorted() == ["order.amended", "order.held", "order.held", "order.rejected", "order.verified"])
                let verified = try decisions.first { $0.type == OrderVerified.eventType }.map { try $0.decode(OrderVerified.self) }
                #expect(verified?.order.deliveryAddress?.city == "南京市" && verified?.decidedBy == "risk-1")

                // A denied phone (stored as a keyed hash) rejects the next order from it.
                let deny = #"{"kind":"phone","phone":"13912345678","reason":"chargeback fraud"}"#
                #expect(try await review.send(.POST, "/v1/risk/deny-list", body: Array(deny.utf8)).status == 201)
                #expect(try await review.send(.POST, "/v1/risk/deny-list", body: Array(#"{"kind":"phone","phone":"1","reason":"x"}"#.utf8)).status == 422)
                var web = try JSONSerialization.jsonObject(with: Data(try IntakeEndToEndTests.example("web"))) as! [String: Any]
                web["orderNumber"] = "W-DENIED"
                let denied = try await intakeEdge.send(.POST, "/v1/channels/web/orders", body: Array(try JSONSerialization.data(withJSONObject: web)))
                let deniedID = denied.json["orderId"] as? String ?? ""
                #expect(try await world.eventually {
                    try await world.count("SELECT count(*) FROM \(world.riskSchema).decisions WHERE order_id = '\(deniedID)' AND status = 'rejected' AND findings @> '[{\"rule\":\"denied_phone\"}]'") == 1
                })
                #expect(!(try await world.count("SELECT count(*) FROM \(world.riskSchema).deny_list WHERE value_hash LIKE '%13912345678%'") > 0))

                // Intake's order view shows the decisions and the corrected address.
                #expect(try await world.eventually {
                    let viewA = try await intakeEdge.send(.GET, "/v1/orders/\(a)").json
                    let viewB = try await intakeEdge.send(.GET, "/v1/orders/\(b)").json
                    return viewA["status"] as? String == "verified" && viewA["deliveryRegion"] as? String == "江苏省 南京市" && viewB["status"] as? String == "rejected"
                })
            }
        }
    }
}
