import Foundation
import OMSDomain

/// One e-mail as it goes over SMTP: RFC 5322 headers (a UTF-8 subject and display name as RFC 2047
/// encoded words), and a `multipart/alternative` body with a plain-text and an HTML part, each
/// UTF-8 in base64. Invariant: `rendered` has CRLF line endings, lines of at most 78 characters,
/// only ASCII, and no header value carries a line break (so nothing a variable holds can add a
/// header or end the message early).
struct MailMessage: Sendable {
    var messageID: String
    var from: Address
    var to: String
    var subject: String
    var text: String
    var html: String
    var date: Date
    /// Files sent with the text (a purchase order's CSV); none for customer messages.
    var attachments: [Attachment] = []

    /// A file attached to the mail. Invariant: the file name is plain ASCII without quotes or
    /// line breaks (it goes into a header as it is); the content travels in base64.
    struct Attachment: Sendable {
        var fileName: String
        var contentType: String
        var content: Data

        init?(fileName: String, contentType: String, content: Data) {
            guard !fileName.isEmpty, fileName.count <= 100,
                  fileName.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }),
                  contentType.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "/-+.".contains($0)) }) else { return nil }
            self.fileName = fileName
            self.contentType = contentType
            self.content = content
        }
    }

    /// A mailbox with an optional display name.
    struct Address: Sendable, Equatable {
        var name: String
        var email: String

        /// `Name <a@b>` or `a@b`.
        init?(parsing text: String) {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if let open = trimmed.lastIndex(of: "<"), trimmed.hasSuffix(">") {
                name = trimmed[..<open].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                email = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
            } else {
                name = ""
                email = trimmed
            }
            guard EmailAddress.isDeliverable(email), !name.contains(where: { $0.isNewline }) else { return nil }
        }
    }

    /// `=?UTF-8?B?…?=` words (each at most 75 characters, split between characters), or the text
    /// itself when it is plain printable ASCII.
    static func encodedWords(_ text: String) -> String {
        let flat = String(text.map { $0.isNewline ? " " : $0 })
        if flat.allSatisfy({ $0.isASCII && ($0.asciiValue ?? 0) >= 32 && ($0.asciiValue ?? 0) < 127 }) && flat.count <= 60 && !flat.contains("=?") { return flat }
        var words: [String] = []
        var chunk = ""
        for character in flat {
            // 39 bytes of UTF-8 become 52 base64 characters: a word of 64, a header line under 78.
            if (chunk + String(character)).utf8.count > 39 {
                words.append("=?UTF-8?B?\(Data(chunk.utf8).base64EncodedString())?=")
                chunk = ""
            }
            chunk.append(character)
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?\(Data(chunk.utf8).base64EncodedString())?=") }
        return words.joined(separator: "\r\n ")
    }

    /// Base64 of UTF-8 text in lines of 76.
    static func base64Lines(_ text: String) -> String { base64Lines(Data(text.utf8)) }

    /// Base64 of bytes in lines of 76.
    static func base64Lines(_ data: Data) -> String {
        let encoded = data.base64EncodedString()
        var lines: [Substring] = []
        var index = encoded.startIndex
        while index < encoded.endIndex {
            let next = encoded.index(index, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
            lines.append(encoded[index..<next])
            index = next
        }
        return lines.joined(separator: "\r\n")
    }

    /// RFC 5322 date, e.g. `Mon, 07 Dec 2026 09:30:00 +0800` (Asia/Shanghai).
    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: date)
    }

    /// The message, ready for SMTP `DATA` (before dot-stuffing).
    var rendered: String {
        let boundary = "oms-alt-" + messageID.filter { $0.isLetter || $0.isNumber }
        let fromHeader = from.name.isEmpty ? "<\(from.email)>" : "\(Self.encodedWords(from.name)) <\(from.email)>"
        var headers = [
            "Date: \(Self.rfc5322Date(date))",
            "From: \(fromHeader)",
            "To: <\(to)>",
            "Subject: \(Self.encodedWords(subject))",
            "Message-ID: <\(messageID)>",
            "MIME-Version: 1.0",
        ]
        func part(_ type: String, _ body: String) -> String {
            "--\(boundary)\r\nContent-Type: \(type); charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n\(Self.base64Lines(body))\r\n"
        }
        let alternative = "Content-Type: multipart/alternative; boundary=\"\(boundary)\""
        let texts = part("text/plain", text) + part("text/html", html) + "--\(boundary)--\r\n"
        guard !attachments.isEmpty else {
            return (headers + [alternative]).joined(separator: "\r\n") + "\r\n\r\n" + texts
        }
        // multipart/mixed: the text (as above) first, then each file.
        let mixed = "oms-mix-" + messageID.filter { $0.isLetter || $0.isNumber }
        headers.append("Content-Type: multipart/mixed; boundary=\"\(mixed)\"")
        var body = "--\(mixed)\r\n\(alternative)\r\n\r\n" + texts
        for file in attachments {
            body += "--\(mixed)\r\nContent-Type: \(file.contentType); name=\"\(file.fileName)\"\r\nContent-Disposition: attachment; filename=\"\(file.fileName)\"\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n\(Self.base64Lines(file.content))\r\n"
        }
        return headers.joined(separator: "\r\n") + "\r\n\r\n" + body + "--\(mixed)--\r\n"
    }

    /// The HTML part made from plain text: escaped, paragraphs and line breaks kept.
    static func html(fromText text: String, language: String) -> String {
        let paragraphs = text.components(separatedBy: "\n\n").map { "<p>" + NotificationTemplate.escapeHTML($0).replacingOccurrences(of: "\n", with: "<br>") + "</p>" }
        return "<!DOCTYPE html><html lang=\"\(language)\"><head><meta charset=\"utf-8\"></head><body>" + paragraphs.joined() + "</body></html>"
    }
}
