/// The amount in Chinese financial numerals (大写金额), as invoices and cheques print it next to
/// the figures: 壹佰玖拾捌元整, 壹仟肆佰零玖元伍角, 壹拾万柒仟元伍角叁分, 负贰拾元整. Invariant: one 零 for each
/// run of zeros between non-zero digits (across 万 and 亿 groups too), none at the end; 整 when
/// there are no 角 or 分; 零 before 分 when there are yuan but no 角.
extension Money {
    public var chineseUppercase: String {
        let numerals = Array("零壹贰叁肆伍陆柒捌玖").map(String.init)
        let magnitude = minorUnits.magnitude
        let yuan = magnitude / 100, jiao = Int(magnitude / 10 % 10), fen = Int(magnitude % 10)
        var text = minorUnits < 0 ? "负" : ""
        if yuan > 0 { text += Self.uppercaseInteger(yuan, numerals: numerals) + "元" }
        switch (jiao, fen) {
        case (0, 0): text += yuan > 0 ? "整" : "零元整"
        case (0, _): text += (yuan > 0 ? "零" : "") + numerals[fen] + "分"
        case (_, 0): text += numerals[jiao] + "角"
        default: text += numerals[jiao] + "角" + numerals[fen] + "分"
        }
        return text
    }

    private static func uppercaseInteger(_ value: UInt64, numerals: [String]) -> String {
        let places = ["", "拾", "佰", "仟"], groupNames = ["", "万", "亿", "万亿", "亿亿"]
        var groups: [Int] = []
        var rest = value
        while rest > 0 {
            groups.append(Int(rest % 10_000))
            rest /= 10_000
        }
        var text = ""
        var zeroPending = false
        for (index, group) in groups.enumerated().reversed() {
            if group == 0 {
                zeroPending = !text.isEmpty
                continue
            }
            if !text.isEmpty, group < 1_000 { zeroPending = true }
            var divisor = 1_000
            for place in stride(from: 3, through: 0, by: -1) {
                let digit = group / divisor % 10
                divisor /= 10
                if digit == 0 {
                    if !text.isEmpty { zeroPending = true }
                    continue
                }
                if zeroPending { text += "零" }
                zeroPending = false
                text += numerals[digit] + places[place]
            }
            text += groupNames[index]
            zeroPending = false
        }
        return text
    }
}
