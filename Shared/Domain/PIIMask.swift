/// Masks customer personal data for logs, metrics labels, dead-letter previews and waybills.
/// Invariant: the output never contains more than the first 3 and last 4 digits of a phone
/// number, the first character of a name, or more than the province/city of an address.
public enum PIIMask {
    /// "13812345678" -> "138****5678"; anything shorter than 7 characters becomes "***".
    public static func phone(_ phone: String) -> String {
        let chars = Array(phone)
        guard chars.count >= 7 else { return "***" }
        return String(chars.prefix(3)) + String(repeating: "*", count: chars.count - 7) + String(chars.suffix(4))
    }

    /// "张三丰" -> "张**".
    public static func name(_ name: String) -> String {
        guard let first = name.first else { return "" }
        return String(first) + String(repeating: "*", count: max(1, name.count - 1))
    }

    /// Keeps province and city only.
    public static func address(_ address: Address) -> String {
        "\(address.province) \(address.city) ***"
    }

    /// Replaces every run of 7 or more digits (phones, ids, card numbers) in free text with a masked
    /// form, so error messages and previews cannot leak them.
    public static func scrub(_ text: String) -> String {
        var output = ""
        var digits = ""
        func flush() {
            if digits.count >= 7 { output += phone(digits) } else { output += digits }
            digits = ""
        }
        for character in text {
            if character.isASCII, character.isNumber {
                digits.append(character)
            } else {
                flush()
                output.append(character)
            }
        }
        flush()
        return output
    }

    /// A JSON preview for ops: values of personal-data keys masked, other digit runs scrubbed,
    /// truncated to `limit` characters.
    public static func preview(json bytes: [UInt8], limit: Int = 600) -> String {
        var text = String(decoding: bytes.prefix(limit * 4), as: UTF8.self)
        let sensitiveKeys = ["name", "phone", "mobile", "receiverName", "receiverPhone", "customerName", "customerPhone", "street", "address", "receiverAddress", "detail", "email", "openid", "unionid", "buyerNick",
                             "receiver_name", "receiver_mobile", "receiver_address", "buyer_nick", "receiver_phone", "title"]
        for key in sensitiveKeys {
            text = maskJSONStringValues(of: key, in: text)
        }
        text = scrub(text)
        return text.count > limit ? String(text.prefix(limit)) + "…" : text
    }

    private static func maskJSONStringValues(of key: String, in text: String) -> String {
        let marker = "\"\(key)\""
        var result = ""
        var rest = Substring(text)
        while let range = rest.range(of: marker) {
            result += rest[..<range.upperBound]
            rest = rest[range.upperBound...]
            let afterColon = rest.drop { $0 == " " || $0 == ":" }
            guard afterColon.first == "\"" else { continue }
            result += rest[..<afterColon.startIndex] + "\"***\""
            var index = afterColon.index(after: afterColon.startIndex)
            var escaped = false
            while index < afterColon.endIndex {
                let c = afterColon[index]
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { break }
                index = afterColon.index(after: index)
            }
            rest = index < afterColon.endIndex ? afterColon[afterColon.index(after: index)...] : ""
        }
        return result + rest
    }
}
