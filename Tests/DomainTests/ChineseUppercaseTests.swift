import OMSDomain
import Testing

/// 大写金额 as invoices print it (the rules of the People's Bank's 支付结算办法 for writing amounts).
@Suite("Money in Chinese financial numerals")
struct ChineseUppercaseTests {
    @Test("zeros, groups and 角/分", arguments: [
        (0, "零元整"), (5, "伍分"), (50, "伍角"), (1_000, "壹拾元整"), (19_800, "壹佰玖拾捌元整"), (140_950, "壹仟肆佰零玖元伍角"),
        (600_714, "陆仟零柒元壹角肆分"), (10_700_053, "壹拾万柒仟元伍角叁分"), (100_000_000, "壹佰万元整"), (10_000_000_100, "壹亿零壹元整"),
        (10_000_100_000, "壹亿零壹仟元整"), (101_000_000_000, "壹拾亿壹仟万元整"), (100_105, "壹仟零壹元零伍分"), (-2_000, "负贰拾元整"),
    ] as [(Int64, String)])
    func uppercase(fen: Int64, text: String) {
        #expect(Money.fen(fen).chineseUppercase == text)
    }
}
