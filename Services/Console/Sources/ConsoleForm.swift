import Foundation
import NIOCore

/// A posted HTML form (`application/x-www-form-urlencoded`), decoded once by the session
/// middleware. Invariant: keys and values are percent-decoded UTF-8 (`+` is a space); a key given
/// twice keeps its first value; malformed escapes are kept as typed rather than failing the form.
struct ConsoleForm: Sendable {
    var values: [String: String]

    subscript(_ key: String) -> String? { values[key] }

    /// A field trimmed of surrounding white space ("" when absent).
    func text(_ key: String) -> String { (values[key] ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }

    init(values: [String: String] = [:]) { self.values = values }

    init(buffer: ByteBuffer) {
        var values: [String: String] = [:]
        let body = String(buffer: buffer)
        for pair in body.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = Self.decode(parts[0])
            if values[key] == nil { values[key] = parts.count > 1 ? Self.decode(parts[1]) : "" }
        }
        self.values = values
    }

    static func decode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "+") { bytes.append(UInt8(ascii: " ")); continue }
            if byte == UInt8(ascii: "%"), utf8.count >= 2, let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
                continue
            }
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
