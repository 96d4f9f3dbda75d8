import Foundation

/// What one message type says in one language: the SMS (the provider's approved template code
/// and our copy of its text, in the provider's `${name}` syntax) and the e-mail (subject, plain
/// text, optional HTML). Invariant: a saved template uses only its type's variables, its subject
/// has no line breaks, and every part fits its limit (`problems` is empty).
struct NotificationTemplate: Codable, Sendable, Equatable {
    static let languages = ["zh-CN", "en"]
    static let defaultLanguage = "zh-CN"
    static let maxSMSCharacters = 500
    static let maxSubjectCharacters = 200
    static let maxBodyBytes = 32 * 1024

    var messageType: NotificationMessageType
    var language: String
    /// The SMS provider's approved template (Aliyun `SMS_` + digits); empty: no SMS in this language.
    var smsTemplateCode: String
    var smsText: String
    var emailSubject: String
    var emailText: String
    var emailHTML: String
    /// 0 for the built-in default; each save adds one.
    var version: Int

    /// What is wrong with the template, as (field, reason) pairs; empty when it can be saved.
    var problems: [(field: String, reason: String)] {
        var found: [(String, String)] = []
        let allowed = Set(messageType.variables)
        for (field, text) in [("smsText", smsText), ("emailSubject", emailSubject), ("emailText", emailText), ("emailHtml", emailHTML)] {
            switch Self.placeholders(in: text) {
            case .failure(let reason):
                found.append((field, reason.description))
            case .success(let names):
                let unknown = names.filter { !allowed.contains($0) }
                if !unknown.isEmpty {
                    found.append((field, "unknown variable \(unknown.map { "${\($0)}" }.joined(separator: ", ")); \(messageType.rawValue) may use \(messageType.variables.joined(separator: ", "))"))
                }
            }
        }
        if !smsTemplateCode.isEmpty && !Self.isProviderTemplateCode(smsTemplateCode) { found.append(("smsTemplateCode", "the provider's template code: SMS_ followed by digits")) }
        if !smsTemplateCode.isEmpty && smsText.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { found.append(("smsText", "required with an SMS template code")) }
        if smsText.count > Self.maxSMSCharacters { found.append(("smsText", "at most \(Self.maxSMSCharacters) characters")) }
        if emailSubject.trimmingCharacters(in: .whitespaces).isEmpty { found.append(("emailSubject", "required")) }
        if emailSubject.contains(where: { $0.isNewline || $0 == "\0" }) { found.append(("emailSubject", "must be one line (no CR, LF or NUL)")) }
        if emailSubject.count > Self.maxSubjectCharacters { found.append(("emailSubject", "at most \(Self.maxSubjectCharacters) characters")) }
        if emailText.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { found.append(("emailText", "required")) }
        if emailText.utf8.count > Self.maxBodyBytes { found.append(("emailText", "at most \(Self.maxBodyBytes) bytes")) }
        if emailHTML.utf8.count > Self.maxBodyBytes { found.append(("emailHtml", "at most \(Self.maxBodyBytes) bytes")) }
        if (smsText + emailText + emailHTML + emailSubject).contains("\0") { found.append(("template", "must not contain NUL")) }
        return found
    }

    static func isProviderTemplateCode(_ code: String) -> Bool {
        code.hasPrefix("SMS_") && code.count <= 32 && code.count > 4 && code.dropFirst(4).allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// The `${name}` placeholders of `text`, or what is malformed (an unclosed `${`, a bad name).
    static func placeholders(in text: String) -> Result<[String], PlaceholderError> {
        var names: [String] = []
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else { return .failure(PlaceholderError("unclosed ${ (write ${name})")) }
            let name = String(rest[start.upperBound..<end])
            guard !name.isEmpty, name.count <= 40, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
                return .failure(PlaceholderError("bad variable ${\(name.prefix(40))}: letters and digits only"))
            }
            names.append(name)
            rest = rest[rest.index(after: end)...]
        }
        return .success(names)
    }

    struct PlaceholderError: Error, Equatable, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// `text` with each `${name}` replaced by its value (missing: empty); `transform` escapes a
    /// value for its part (HTML), and every value loses line breaks (a value never adds a header).
    static func render(_ text: String, _ variables: [String: String], transform: (String) -> String = { $0 }) -> String {
        var out = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${"), let end = rest[start.upperBound...].firstIndex(of: "}") {
            out += rest[..<start.lowerBound]
            let value = variables[String(rest[start.upperBound..<end])] ?? ""
            out += transform(String(value.map { $0.isNewline || $0 == "\0" ? " " : $0 }))
            rest = rest[rest.index(after: end)...]
        }
        return out + rest
    }

    /// The variables the SMS text uses, as the provider's `TemplateParam` wants them.
    func smsParameters(_ variables: [String: String]) -> [String: String] {
        guard case .success(let names) = Self.placeholders(in: smsText) else { return [:] }
        var parameters: [String: String] = [:]
        for name in names { parameters[name] = variables[name] ?? "" }
        return parameters
    }

    static func escapeHTML(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}
