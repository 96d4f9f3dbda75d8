/// `application/x-www-form-urlencoded` bodies as the providers' gateways (Taobao TOP, JD JOS,
/// Alipay, SF Express) read them: UTF-8, every byte but ASCII letters, digits and `-_.*` written as
/// `%XX`, a space as `+` (Java's `URLEncoder`, which SF's signature is computed over too).
/// Invariant: the encoding of a text is unique, so a signature over it can be recomputed.
public enum FormEncoding {
    public static func encode(_ text: String) -> String {
        percentEncode(text, keeping: UInt8(ascii: "*"), spaceAsPlus: true)
    }

    /// RFC 3986 percent-encoding (as Aliyun's POP signature wants it): every byte but ASCII
    /// letters, digits and `-_.~` as `%XX`, a space `%20`.
    public static func rfc3986(_ text: String) -> String {
        percentEncode(text, keeping: UInt8(ascii: "~"), spaceAsPlus: false)
    }

    /// Letters, digits, `-_.` and `extra` kept; everything else `%XX` (a space `+` when asked).
    private static func percentEncode(_ text: String, keeping extra: UInt8, spaceAsPlus: Bool) -> String {
        var encoded = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), extra:
                encoded.unicodeScalars.append(UnicodeScalar(byte))
            case UInt8(ascii: " ") where spaceAsPlus:
                encoded += "+"
            default:
                encoded += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return encoded
    }

    /// `name=value&…` sorted by name, both encoded.
    public static func body(_ parameters: [String: String]) -> String {
        parameters.sorted { $0.key < $1.key }.map { "\(encode($0.key))=\(encode($0.value))" }.joined(separator: "&")
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
