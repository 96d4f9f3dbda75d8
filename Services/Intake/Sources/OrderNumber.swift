import Foundation

/// Order ids the edge hands out: "OMS" + the Shanghai date (yyMMdd) + 12 random Crockford base32
/// characters, e.g. "OMS261111-8K2Q4M7ZC1XR". Readable over the phone, sortable by day, and with 60
/// random bits no coordination between edge replicas is needed.
public enum OrderNumber {
    private static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    public static func generate(at instant: Date = Date()) -> String {
        let local = instant.addingTimeInterval(ShanghaiTime.offset)
        let day = Int(local.timeIntervalSince1970 / 86_400)
        let (year, month, dayOfMonth) = civilDate(daysSinceEpoch: day)
        var random = UInt64.random(in: 0...UInt64.max)
        var suffix = [UInt8]()
        for _ in 0..<12 {
            suffix.append(alphabet[Int(random & 31)])
            random >>= 5
        }
        let date = String(format: "%02d%02d%02d", year % 100, month, dayOfMonth)
        return "OMS\(date)-" + String(decoding: suffix, as: UTF8.self)
    }

    public static func isWellFormed(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 22, text.hasPrefix("OMS"), bytes[9] == UInt8(ascii: "-") else { return false }
        return bytes[3..<9].allSatisfy { $0 >= 48 && $0 <= 57 } && bytes[10...].allSatisfy { alphabet.contains($0) }
    }

    /// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar.
    static func civilDate(daysSinceEpoch days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
