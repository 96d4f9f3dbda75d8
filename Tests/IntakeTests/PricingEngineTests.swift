import IntakeService
import OMSDomain
import Testing

@Suite("Pricing engine: deterministic fen, explained, allocated to lines")
struct PricingEngineTests {
    let noShipping = ShippingRule(fee: .fen(1_000), freeOver: .fen(9_900))

    func line(_ sku: String, _ category: String, _ quantity: Int, _ price: Int64, member: Int64? = nil) -> PricingEngine.LineInput {
        PricingEngine.LineInput(sku: sku, category: category, quantity: quantity, listPrice: .fen(price), memberPrice: member.map { .fen($0) })
    }

    func threshold(_ id: String = "m300", _ threshold: Int64 = 30_000, _ reduction: Int64 = 5_000, repeating: Bool = false, exclusive: Bool = false, priority: Int = 100) -> Promotion {
        Promotion(id: id, name: id, kind: .spendThreshold(threshold: .fen(threshold), reduction: .fen(reduction), repeating: repeating, scope: .allItems), exclusive: exclusive, priority: priority)
    }

    @Test("member price only for members")
    func memberPrice() {
        let engine = PricingEngine(promotions: [], shipping: noShipping)
        let lines = [line("A", "clothing", 2, 10_000, member: 9_000)]
        #expect(engine.price(lines: lines, channel: .web, isMember: true, coupon: nil).goodsTotal == .fen(18_000))
        #expect(engine.price(lines: lines, channel: .web, isMember: false, coupon: nil).goodsTotal == .fen(20_000))
    }

    @Test("满300减50 applies when the threshold is exactly met and not one fen below")
    func thresholdExactlyMet() {
        let engine = PricingEngine(promotions: [threshold()], shipping: noShipping)
        let met = engine.price(lines: [line("A", "c", 1, 20_000), line("B", "c", 1, 10_000)], channel: .web, isMember: false, coupon: nil)
        #expect(met.discountTotal == .fen(5_000))
        #expect(met.total == .fen(25_000))
        // After-sales needs the terms and each line's share to claw the discount back on a partial return.
        let applied = met.applied.first
        #expect(applied?.threshold == .fen(30_000) && applied?.reductionPerThreshold == nil)
        #expect(applied?.shares == [.fen(3_333), .fen(1_667)])
        let below = engine.price(lines: [line("A", "c", 1, 20_000), line("B", "c", 1, 9_999)], channel: .web, isMember: false, coupon: nil)
        #expect(below.discountTotal == .zero)
    }

    @Test("每满300减50 applies once per full 300")
    func repeatingThreshold() {
        let engine = PricingEngine(promotions: [threshold(repeating: true)], shipping: noShipping)
        let result = engine.price(lines: [line("A", "c", 1, 65_000)], channel: .web, isMember: false, coupon: nil)
        #expect(result.discountTotal == .fen(10_000))
        #expect(result.applied.first?.description.contains("x2") == true)
        #expect(result.applied.first?.reductionPerThreshold == .fen(5_000))
    }

    @Test("a repeating threshold whose reductions would overflow Int64 takes the whole eligible basket, never traps (fuzzing finding)")
    func repeatingThresholdOverflow() {
        let promotion = Promotion(id: "t", name: "t", kind: .spendThreshold(threshold: .fen(1), reduction: .fen(1_000_000_000), repeating: true, scope: .allItems))
        let engine = PricingEngine(promotions: [promotion], shipping: noShipping)
        let result = engine.price(lines: [line("A", "c", 999, 1_000_000_000), line("B", "c", 999, 1_000_000_000)], channel: .web, isMember: false, coupon: nil)
        #expect(result.discountTotal == .fen(1_998_000_000_000))
        #expect(result.total.minorUnits >= 0)
    }

    @Test("percentages round half up to the fen; the best percentage per line wins")
    func percentageRounding() {
        let engine = PricingEngine(promotions: [
            Promotion(id: "p10", name: "p10", kind: .percentageOff(percent: 10, scope: .categories(["cosmetics"]))),
            Promotion(id: "p15", name: "p15", kind: .percentageOff(percent: 15, scope: .skus(["LIP"]))),
        ], shipping: noShipping)
        let result = engine.price(lines: [line("CREAM", "cosmetics", 1, 1_005), line("LIP", "cosmetics", 1, 1_000)], channel: .web, isMember: false, coupon: nil)
        #expect(result.lines[0].allocatedDiscount == .fen(101))  // 100.5 -> 101
        #expect(result.lines[1].allocatedDiscount == .fen(150))  // 15% beats 10%
        #expect(Set(result.applied.map(\.promotionID)) == ["p10", "p15"])
    }

    @Test("stacking order: the threshold is checked after line percentages")
    func stackingOrder() {
        let engine = PricingEngine(promotions: [
            Promotion(id: "p10", name: "p10", kind: .percentageOff(percent: 10, scope: .allItems)),
            threshold(),
        ], shipping: noShipping)
        let result = engine.price(lines: [line("A", "c", 2, 16_000)], channel: .web, isMember: false, coupon: nil)
        // 32,000 - 10% = 28,800 < 30,000: no 满减.
        #expect(result.discountTotal == .fen(3_200))
        #expect(!result.applied.contains { $0.promotionID == "m300" })
    }

    @Test("an exclusive promotion blocks later thresholds and the coupon")
    func exclusivity() {
        let engine = PricingEngine(promotions: [threshold("big", exclusive: true, priority: 1), threshold("small", 10_000, 1_000, priority: 2)], shipping: noShipping)
        let coupon = Coupon(code: "C1", value: .amountOff(.fen(2_000)))
        let result = engine.price(lines: [line("A", "c", 1, 40_000)], channel: .web, isMember: false, coupon: coupon)
        #expect(result.applied.map(\.promotionID) == ["big"])
        #expect(result.discountTotal == .fen(5_000))
    }

    @Test("coupons: minimum spend, percent off, and non-stackable coupons yield to order-level promotions")
    func coupons() {
        let plain = PricingEngine(promotions: [], shipping: noShipping)
        let minimum = Coupon(code: "MIN", value: .amountOff(.fen(1_000)), minimumSpend: .fen(5_000))
        #expect(plain.price(lines: [line("A", "c", 1, 4_999)], channel: .web, isMember: false, coupon: minimum).discountTotal == .zero)
        #expect(plain.price(lines: [line("A", "c", 1, 5_000)], channel: .web, isMember: false, coupon: minimum).discountTotal == .fen(1_000))
        let percent = Coupon(code: "P", value: .percentOff(5))
        #expect(plain.price(lines: [line("A", "c", 1, 1_010)], channel: .web, isMember: false, coupon: percent).discountTotal == .fen(51))

        let withThreshold = PricingEngine(promotions: [threshold()], shipping: noShipping)
        let solo = Coupon(code: "SOLO", value: .amountOff(.fen(1_000)), stackable: false)
        let result = withThreshold.price(lines: [line("A", "c", 1, 30_000)], channel: .web, isMember: false, coupon: solo)
        #expect(result.applied.map(\.promotionID) == ["m300"])
    }

    @Test("order-level discounts are allocated to lines exactly, never above a line's total")
    func allocation() {
        let engine = PricingEngine(promotions: [threshold()], shipping: noShipping)
        let result = engine.price(lines: [line("A", "c", 1, 19_900), line("B", "c", 1, 9_900), line("C", "c", 1, 1_001)], channel: .web, isMember: false,
                                  coupon: Coupon(code: "X", value: .amountOff(.fen(333))))
        #expect(result.discountTotal == .fen(5_333))
        #expect(result.applied.map(\.amount.minorUnits).reduce(0, +) == 5_333)
        for line in result.lines { #expect(line.allocatedDiscount <= line.lineTotal && line.allocatedDiscount >= .zero) }
        #expect(result.total == .fen(30_801 - 5_333))
    }

    @Test("buy 2 get 1: a zero-price gift line per full multiple")
    func gifts() {
        let engine = PricingEngine(promotions: [Promotion(id: "b2g1", name: "b2g1", kind: .buyXGetY(sku: "SOCK", buyQuantity: 2, giftSKU: "SOCK-GIFT", giftQuantity: 1))], shipping: noShipping)
        let result = engine.price(lines: [line("SOCK", "clothing", 5, 1_500)], channel: .web, isMember: false, coupon: nil)
        #expect(result.lines.count == 2)
        #expect(result.lines[1].sku == "SOCK-GIFT" && result.lines[1].quantity == 2 && result.lines[1].isGift && result.lines[1].lineTotal == .zero)
    }

    @Test("shipping is free when the discounted goods total reaches the threshold exactly")
    func shipping() {
        let engine = PricingEngine(promotions: [], shipping: ShippingRule(fee: .fen(1_000), freeOver: .fen(9_900)))
        #expect(engine.price(lines: [line("A", "c", 1, 9_900)], channel: .web, isMember: false, coupon: nil).shippingFee == .zero)
        #expect(engine.price(lines: [line("A", "c", 1, 9_899)], channel: .web, isMember: false, coupon: nil).shippingFee == .fen(1_000))
    }

    @Test("promotions limited to channels apply only there")
    func channelScoped() {
        let engine = PricingEngine(promotions: [Promotion(id: "app", name: "app", kind: .percentageOff(percent: 20, scope: .allItems), channels: [.miniprogram])], shipping: noShipping)
        #expect(engine.price(lines: [line("A", "c", 1, 10_000)], channel: .miniprogram, isMember: false, coupon: nil).discountTotal == .fen(2_000))
        #expect(engine.price(lines: [line("A", "c", 1, 10_000)], channel: .pos, isMember: false, coupon: nil).discountTotal == .zero)
    }
}
