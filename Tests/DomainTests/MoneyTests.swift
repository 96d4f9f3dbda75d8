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
}
