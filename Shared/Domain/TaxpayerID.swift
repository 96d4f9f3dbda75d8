/// A Chinese taxpayer identification number (纳税人识别号) as invoices carry it. Since 2015 a
/// company's is its 18-character unified social credit code (统一社会信用代码, GB 32100-2015):
/// 17 characters from the code's 31-character alphabet (digits and capitals without I, O, S, V,
/// Z) and a check character, 31 minus the weighted sum of the first 17 modulo 31. Older numbers
/// (15 characters: region and organisation code; 20: an ID card number and two digits) have no
/// public check and are accepted by their shape. Invariant: pure.
public enum TaxpayerID {
    static let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
    static let weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

    /// The check character of a unified social credit code's first 17 characters, nil when one of
    /// them is outside the alphabet.
    public static func checkCharacter(_ first17: some StringProtocol) -> Character? {
        var sum = 0
        for (character, weight) in zip(first17, weights) {
            guard let value = alphabet.firstIndex(of: character) else { return nil }
            sum += value * weight
        }
        return alphabet[(31 - sum % 31) % 31]
    }

    /// Why `id` is not a taxpayer id an invoice can carry, nil when it is one.
    public static func problem(_ id: String) -> String? {
        switch id.count {
        case 18:
            guard let check = checkCharacter(id.prefix(17)) else {
                return "a unified social credit code uses digits and capitals except I, O, S, V, Z"
            }
            return check == id.last ? nil : "the check character does not match (GB 32100-2015): mistyped?"
        case 15, 20:
            return id.allSatisfy({ $0.isASCII && ($0.isNumber || $0.isUppercase) }) ? nil : "digits and capital letters only"
        default:
            return "18 characters (统一社会信用代码), or an older 15- or 20-character number"
        }
    }
}
