import Foundation
import OMSDomain
import OMSPlatform
import Testing
@testable import IntakeService

/// The checks of a line cancellation request against what each line has left.
struct LineCancellationRuleTests {
    let order = Order(orderID: "O-1", channel: .web, channelOrderID: "W-1", customer: Customer(customerKey: "k", name: "张三", phone: "13800138000"),
                      deliveryAddress: Address(province: "上海市", city: "上海市", district: "浦东新区", street: "世纪大道 1 号"),
                      lines: [OrderLine(lineNumber: 1, sku: "A", quantity: 3, unitPrice: .fen(1_000)), OrderLine(lineNumber: 2, sku: "B", quantity: 1, unitPrice: .fen(500))],
                      shippingFee: .zero, payment: Payment(method: .card, reference: "p", paidAmount: .fen(3_500), paidAt: Date()), placedAt: Date())

    func request(_ lines: [(Int, Int)], reason: String = "客户要求") -> LineCancellation {
        LineCancellation(lines: lines.map { .init(lineNumber: $0.0, quantity: $0.1) }, reason: reason)
    }

    @Test("a valid request goes ahead and its event lines carry the SKUs in line order")
    func accepted() {
        let cancellation = request([(2, 1), (1, 2)])
        #expect(cancellation.problems(order: order, cancelled: [:]).isEmpty)
        #expect(cancellation.eventLines(order: order) == [LineQuantity(lineNumber: 1, sku: "A", quantity: 2), LineQuantity(lineNumber: 2, sku: "B", quantity: 1)])
    }

    @Test("each wrong line is named: unknown, twice, zero, more than left, and earlier cancellations count")
    func fields() {
        let issues = request([(9, 1), (1, 0), (2, 2), (2, 1)]).problems(order: order, cancelled: [:]).map(\.field)
        #expect(issues == ["lines[0].lineNumber", "lines[1].quantity", "lines[2].quantity", "lines[3].lineNumber"])
        let left = request([(1, 2)]).problems(order: order, cancelled: [1: 2])
        #expect(left.map(\.field) == ["lines[0].quantity"] && left[0].reason.contains("at most 1"))
        #expect(request([(1, 1)], reason: "  ").problems(order: order, cancelled: [:]).map(\.field) == ["reason"])
        #expect(request([]).problems(order: order, cancelled: [:]).map(\.field) == ["lines"])
    }

    @Test("taking every unit left is the order's cancellation, not a line's")
    func everything() {
        let issues = request([(1, 1), (2, 1)]).problems(order: order, cancelled: [1: 2])
        #expect(issues.map(\.field) == ["lines"] && issues[0].reason.contains("cancel the order instead"))
    }
}
