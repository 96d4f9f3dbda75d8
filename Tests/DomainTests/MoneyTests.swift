import Foundation
import OMSDomain
import Testing

@Suite("Money in integer fen")
struct MoneyTests {
    @Test("decimal yuan strings parse exactly", arguments: [
        ("299.00", 29_900), ("12.5", 1_250), ("0.01", 1), ("7", 700), ("-3.20", -320), ("100000000.99", 10_000_000_099),
    ])
    func parsesYuan(text: String, fen: Int64) {
        #expect(Money(yuanString: text)?.minorUnits == fen)
    }

    @Test("malformed yuan strings are refused", arguments: ["", "1.234", "abc", "1,00", "1.", ".5", "1e3", "--1", "１２"])
    func refusesMalformed(text: String) {
        #expect(Money(yuanString: text) == nil)
    }

    @Test("allocation always sums to the whole and follows the weights")
    func allocationSumsExactly() {
        let discount = Money.fen(5_000)
        let parts = discount.allocate(proportionalTo: [19_900, 9_900, 200])
        #expect(parts.map(\.minorUnits).reduce(0, +) == 5_000)
        #expect(parts.map(\.minorUnits) == [3_317, 1_650, 33])
    }

    @Test("allocation of an indivisible amount gives the remainder to the largest fractions")
    func allocationRemainders() {
        let parts = Money.fen(100).allocate(proportionalTo: [1, 1, 1])
        #expect(parts.map(\.minorUnits) == [34, 33, 33])
        let negative = Money.fen(-100).allocate(proportionalTo: [1, 1, 1])
        #expect(negative.map(\.minorUnits) == [-34, -33, -33])
    }

    @Test("allocation over zero weights puts everything on the first part")
    func allocationZeroWeights() {
        #expect(Money.fen(10).allocate(proportionalTo: [0, 0]).map(\.minorUnits) == [10, 0])
        #expect(Money.fen(10).allocate(proportionalTo: []).isEmpty)
    }

    @Test func displaysWithTwoDecimals() {
        #expect(Money.fen(12_345).description == "123.45 CNY")
        #expect(Money.fen(-5).description == "-0.05 CNY")
    }

    @Test("amounts from the wire: another currency or an amount near Int64.max does not decode (it would trap later)", arguments: [
        #"{"minorUnits": 100, "currency": "USD"}"#,
        #"{"minorUnits": 9223372036854775807, "currency": "CNY"}"#,
        #"{"minorUnits": -9223372036854775808, "currency": "CNY"}"#,
        #"{"minorUnits": 10000000000001, "currency": "CNY"}"#,
    ])
    func refusesHostileAmounts(json: String) {
        #expect(throws: EventDecodingError.self) { try EventCoding.decode(Money.self, from: Array(json.utf8)) }
    }

    @Test("amounts within the wire limit round-trip unchanged")
    func amountsRoundTrip() throws {
        for value: Int64 in [0, 1, -1, Money.wireLimit, -Money.wireLimit] {
            let decoded = try EventCoding.decode(Money.self, from: try EventCoding.encode(Money.fen(value)))
            #expect(decoded == .fen(value))
        }
    }

    @Test("an order whose lines would overflow its total does not decode; one at the limits does, with exact totals")
    func orderTotalsCannotOverflow() throws {
        func order(lines: Int, price: Int64, quantity: Int) -> Order {
            Order(orderID: "O1", channel: .web, channelOrderID: "W1", customer: Customer(customerKey: "c1", name: "n", phone: "13812345678"), deliveryAddress: nil,
                  lines: (1...lines).map { OrderLine(lineNumber: $0, sku: "S", quantity: quantity, unitPrice: .fen(price)) }, shippingFee: .zero,
                  payment: Payment(method: .card, reference: "p", paidAmount: .zero, paidAt: nil), placedAt: Date(timeIntervalSince1970: 0))
        }
        // Each amount and quantity is within its own limit, but the total is not: decoding used to
        // succeed and `total` then trapped, crash-looping the consumer.
        let hostile = try EventCoding.encode(order(lines: 3, price: Money.wireLimit, quantity: OrderLine.wireQuantityLimit))
        #expect(throws: EventDecodingError.self) { try EventCoding.decode(Order.self, from: hostile) }
        let quantity = #"{"lineNumber":1,"sku":"S","quantity":0,"unitPrice":{"minorUnits":1,"currency":"CNY"},"allocatedDiscount":{"minorUnits":0,"currency":"CNY"},"isGift":false}"#
        #expect(throws: EventDecodingError.self) { try EventCoding.decode(OrderLine.self, from: Array(quantity.utf8)) }

        let large = order(lines: 10, price: 100_000_000, quantity: 999)
        let decoded = try EventCoding.decode(Order.self, from: try EventCoding.encode(large))
        #expect(decoded == large)
        #expect(decoded.total == .fen(999_000_000_000))
    }
}
