import Foundation

/// A real SMTP server for tests: `Deploy/local/mail-sink.py` (aiosmtpd from the stack's Python
/// env) on loopback, offering STARTTLS with a certificate made for the test (openssl) and
/// requiring AUTH over TLS; it keeps every accepted mail as a file, which `mails` reads back and
/// parses (RFC 2047 subject, the MIME parts decoded) independently of the service's code.
final class MailSink: Sendable {
    static let user = "oms-mailer"
    static let password = "mail-password-for-tests"

    let port: Int
    let directory: URL
    let process: Process

    /// One mail as the recipient's client would show it.
    struct Mail: Sendable {
        var headers: [String: String]
        var subject: String
        var to: String
        var text: String
        var html: String
        var tls: Bool
        var authenticated: Bool
        var raw: String
        /// Attached files by name, decoded as UTF-8 text.
        var attachments: [String: String] = [:]
    }

    init(port: Int) throws {
        self.port = port
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mail-sink-\(port)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", directory.appendingPathComponent("key.pem").path,
                             "-out", directory.appendingPathComponent("cert.pem").path, "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
        openssl.standardOutput = FileHandle.nullDevice
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        guard openssl.terminationStatus == 0 else { throw SinkError("openssl could not make the test certificate") }
        let python = ProcessInfo.processInfo.environment["OMS_STACK_PYTHON"]
            ?? MailSink.repository.appendingPathComponent(".oms/venv/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw SinkError("no Python with aiosmtpd at \(python): run Deploy/local/oms-stack.sh infra (it installs it) and export its OMS_STACK_PYTHON")
        }
        process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [MailSink.repository.appendingPathComponent("Deploy/local/mail-sink.py").path, String(port), directory.appendingPathComponent("mail").path,
                             directory.appendingPathComponent("mail.log").path, "--tls", directory.appendingPathComponent("cert.pem").path,
                             directory.appendingPathComponent("key.pem").path, "--auth", "\(Self.user):\(Self.password)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
    }

    struct SinkError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The settings that send the service's mail here (STARTTLS required, the test CA trusted).
    var environment: [String: String] {
        ["OMS_SMTP_HOST": "127.0.0.1", "OMS_SMTP_PORT": String(port), "OMS_SMTP_TLS": "required", "OMS_SMTP_CA_FILE": directory.appendingPathComponent("cert.pem").path,
         "OMS_SMTP_USERNAME": Self.user, "OMS_SMTP_PASSWORD": Self.password, "OMS_SMTP_FROM": "示例零售 <service@shop.example.cn>"]
    }

    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Whether the server accepts connections.
    func ready() async -> Bool {
        for _ in 0..<100 {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("mail").path) {
                try? await Task.sleep(for: .milliseconds(500))
                return true
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// Every mail received so far, in arrival order.
    var mails: [Mail] {
        let folder = directory.appendingPathComponent("mail")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".eml") }.sorted()
        return names.compactMap { name in
            guard let raw = try? String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8) else { return nil }
            let meta = (try? JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent(name.replacingOccurrences(of: ".eml", with: ".json"))))) as? [String: Any]
            return Self.parse(raw, tls: meta?["tls"] as? Bool ?? false, authenticated: meta?["authenticated"] as? Bool ?? false)
        }
    }

    /// Headers (unfolded), the RFC 2047 subject decoded, and the text and HTML parts decoded.
    static func parse(_ raw: String, tls: Bool, authenticated: Bool) -> Mail {
        let normalized = raw.replacingOccurrences(of: "\r\n", with: "\n")
        let split = normalized.components(separatedBy: "\n\n")
        let head = split.first ?? "", body = split.dropFirst().joined(separator: "\n\n")
        let headers = headerFields(head)
        var parts: [String: String] = [:], files: [String: String] = [:]
        // A multipart body's parts, a nested multipart (the text of a mail with files) opened in turn.
        func walk(_ type: String?, _ body: String) {
            guard let type, let range = type.range(of: "boundary=\"") else { return }
            let boundary = String(type[range.upperBound...].prefix { $0 != "\"" })
            for chunk in body.components(separatedBy: "--" + boundary) {
                let pieces = chunk.trimmingCharacters(in: .newlines).components(separatedBy: "\n\n")
                guard pieces.count >= 2 else { continue }
                let partHeaders = headerFields(pieces[0])
                let content = pieces.dropFirst().joined(separator: "\n\n")
                if partHeaders["content-type"]?.hasPrefix("multipart/") == true { walk(partHeaders["content-type"], content); continue }
                let decoded = partHeaders["content-transfer-encoding"]?.lowercased() == "base64"
                    ? String(decoding: Data(base64Encoded: content.replacingOccurrences(of: "\n", with: "")) ?? Data(), as: UTF8.self) : content
                if let disposition = partHeaders["content-disposition"], let name = disposition.range(of: "filename=\"") {
                    files[String(disposition[name.upperBound...].prefix { $0 != "\"" })] = decoded
                } else if let partType = partHeaders["content-type"]?.split(separator: ";").first.map(String.init) {
                    parts[partType] = decoded
                }
            }
        }
        walk(headers["content-type"], body)
        return Mail(headers: headers, subject: decodeWords(headers["subject"] ?? ""), to: headers["to"] ?? "", text: parts["text/plain"] ?? "",
                    html: parts["text/html"] ?? "", tls: tls, authenticated: authenticated, raw: raw, attachments: files)
    }

    static func headerFields(_ block: String) -> [String: String] {
        var fields: [String: String] = [:]
        var last: String?
        for line in block.components(separatedBy: "\n") {
            if line.hasPrefix(" ") || line.hasPrefix("\t"), let key = last {
                fields[key, default: ""] += line
            } else if let colon = line.firstIndex(of: ":") {
                let key = line[..<colon].lowercased()
                fields[key] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                last = key
            }
        }
        return fields
    }

    /// `=?UTF-8?B?…?=` words (adjacent words joined without the space between them).
    static func decodeWords(_ text: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let start = rest.range(of: "=?UTF-8?B?", options: .caseInsensitive), let end = rest[start.upperBound...].range(of: "?=") {
            let between = rest[..<start.lowerBound]
            if !between.allSatisfy({ $0 == " " || $0 == "\t" }) || out.isEmpty { out += between }
            out += String(decoding: Data(base64Encoded: String(rest[start.upperBound..<end.lowerBound])) ?? Data(), as: UTF8.self)
            rest = rest[end.upperBound...]
        }
        return out + rest
    }
}
