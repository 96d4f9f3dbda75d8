import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import OMSPlatform

/// Hands e-mail to an SMTP server (RFC 5321): EHLO, STARTTLS when the server offers it (or
/// always, `required`), AUTH PLAIN when a user is configured (only over TLS unless TLS is off),
/// MAIL FROM, RCPT TO, DATA with dot-stuffing, QUIT. One connection per message, each step under
/// the timeout. Invariant: every outcome is a `ProviderAnswer`; once the final `.` was written and
/// no reply came, the answer is `unknown` (the server may have queued the mail); a 5xx to RCPT is
/// `rejected`, a 4xx anywhere `retry`.
struct SMTPMailer: Sendable {
    enum TLSMode: String, Sendable, CaseIterable {
        /// STARTTLS when the server offers it, plain text otherwise.
        case opportunistic
        /// STARTTLS or no mail.
        case required
        /// Never (a local relay on loopback).
        case off
    }

    struct Configuration: Sendable {
        /// `OMS_SMTP_HOST`, `OMS_SMTP_PORT` (587).
        var host: String
        var port: Int
        /// `OMS_SMTP_USERNAME`, `OMS_SMTP_PASSWORD` (no AUTH when the user is empty).
        var username: String
        var password: String
        /// `OMS_SMTP_TLS` (opportunistic | required | off).
        var tls: TLSMode
        /// `OMS_SMTP_CA_FILE`: PEM roots to trust instead of the system's (a private relay).
        var caFile: String?
        /// `OMS_SMTP_FROM`: `Name <address>`.
        var from: MailMessage.Address
        /// `OMS_SMTP_HELO_NAME` (oms.localdomain).
        var heloName: String
        var timeoutSeconds: Int
    }

    let configuration: Configuration
    let tlsContext: NIOSSLContext?

    init(configuration: Configuration) throws {
        self.configuration = configuration
        guard configuration.tls != .off else { tlsContext = nil; return }
        var tls = TLSConfiguration.makeClientConfiguration()
        if let file = configuration.caFile { tls.trustRoots = .file(file) }
        do { tlsContext = try NIOSSLContext(configuration: tls) } catch {
            throw ConfigurationError(key: "OMS_SMTP_CA_FILE", reason: "cannot load the TLS roots: \(error)")
        }
    }

    struct Reply: Sendable {
        var code: Int
        var lines: [String]
        var text: String { lines.joined(separator: " ") }
    }

    /// Thrown inside a conversation: the answer it ends with.
    struct Stop: Error {
        var answer: ProviderAnswer
    }

    func send(_ message: MailMessage) async -> ProviderAnswer {
        let handedOver = NIOLockedValueBox(false)
        let timeout = configuration.timeoutSeconds
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(Int64(timeout)))
                .connect(host: configuration.host, port: configuration.port) { channel in
                    channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
                }
            return try await withThrowingTaskGroup(of: ProviderAnswer.self) { group in
                group.addTask {
                    try await channel.executeThenClose { inbound, outbound in
                        var conversation = Conversation(iterator: inbound.makeAsyncIterator(), outbound: outbound, channel: channel.channel)
                        return try await converse(&conversation, message, handedOver: handedOver)
                    }
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(4 * timeout))
                    channel.channel.close(promise: nil)
                    throw Stop(answer: .retry(code: "TIMEOUT", message: "no answer from the mail server within \(4 * timeout) s"))
                }
                defer { group.cancelAll() }
                return try await group.next()!
            }
        } catch let stop as Stop {
            if handedOver.withLockedValue({ $0 }), case .retry(let code, let text) = stop.answer { return .unknown(code: code, message: text) }
            return stop.answer
        } catch {
            let reason = String(String(describing: error).prefix(200))
            return handedOver.withLockedValue { $0 } ? .unknown(code: "NO_ANSWER", message: reason) : .retry(code: "TRANSPORT", message: reason)
        }
    }

    private func converse(_ c: inout Conversation, _ message: MailMessage, handedOver: NIOLockedValueBox<Bool>) async throws -> ProviderAnswer {
        try Self.expect(try await c.reply(), 220, "greeting")
        var ehlo = try await c.command("EHLO \(configuration.heloName)")
        try Self.expect(ehlo, 250, "EHLO")
        var secure = false
        let offersTLS = ehlo.lines.dropFirst().contains { $0.uppercased().hasPrefix("STARTTLS") }
        if configuration.tls != .off {
            if offersTLS, let tlsContext {
                try Self.expect(try await c.command("STARTTLS"), 220, "STARTTLS")
                let host = configuration.host
                let isAddress = (try? SocketAddress(ipAddress: host, port: 0)) != nil
                let handler = try NIOSSLClientHandler(context: tlsContext, serverHostname: isAddress ? nil : host)
                try await c.channel.pipeline.addHandler(handler, position: .first).get()
                secure = true
                ehlo = try await c.command("EHLO \(configuration.heloName)")
                try Self.expect(ehlo, 250, "EHLO after STARTTLS")
            } else if configuration.tls == .required {
                throw Stop(answer: .retry(code: "TLS_UNAVAILABLE", message: "the mail server offers no STARTTLS and OMS_SMTP_TLS=required"))
            }
        }
        if !configuration.username.isEmpty {
            guard secure || configuration.tls == .off else {
                throw Stop(answer: .retry(code: "AUTH_WITHOUT_TLS", message: "refusing to send the SMTP password without TLS"))
            }
            let token = Data(("\0" + configuration.username + "\0" + configuration.password).utf8).base64EncodedString()
            let auth = try await c.command("AUTH PLAIN \(token)")
            guard auth.code == 235 else { throw Stop(answer: .retry(code: "SMTP_AUTH_\(auth.code)", message: "the mail server refused our login: \(auth.text.prefix(200))")) }
        }
        try Self.expect(try await c.command("MAIL FROM:<\(configuration.from.email)>"), 250, "MAIL FROM")
        let rcpt = try await c.command("RCPT TO:<\(message.to)>")
        if rcpt.code >= 500 { throw Stop(answer: .rejected(code: "SMTP_\(rcpt.code)", message: "recipient refused: \(rcpt.text.prefix(200))")) }
        guard rcpt.code == 250 || rcpt.code == 251 else { throw Stop(answer: .retry(code: "SMTP_\(rcpt.code)", message: "RCPT: \(rcpt.text.prefix(200))")) }
        try Self.expect(try await c.command("DATA"), 354, "DATA")
        let stuffed = message.rendered.components(separatedBy: "\r\n").map { $0.hasPrefix(".") ? "." + $0 : $0 }.joined(separator: "\r\n")
        handedOver.withLockedValue { $0 = true }
        try await c.outbound.write(ByteBuffer(string: stuffed + (stuffed.hasSuffix("\r\n") ? "" : "\r\n") + ".\r\n"))
        let done = try await c.reply()
        handedOver.withLockedValue { $0 = false }
        if done.code >= 500 { return .rejected(code: "SMTP_\(done.code)", message: "message refused: \(done.text.prefix(200))") }
        guard done.code == 250 else { return .retry(code: "SMTP_\(done.code)", message: "message not taken: \(done.text.prefix(200))") }
        _ = try? await c.command("QUIT")
        return .accepted(messageId: String(done.text.prefix(200)))
    }

    /// A 4xx is temporary; any other unexpected code at these steps is a server or setup problem,
    /// retried too (a message cannot be wrong before its recipient is named).
    private static func expect(_ reply: Reply, _ code: Int, _ step: String) throws {
        guard reply.code == code else {
            throw Stop(answer: .retry(code: "SMTP_\(reply.code)", message: "\(step): \(reply.text.prefix(200))"))
        }
    }

    /// The reading and writing ends of one connection.
    struct Conversation {
        var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
        let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
        let channel: Channel
        var pending: [UInt8] = []

        mutating func command(_ line: String) async throws -> Reply {
            try await outbound.write(ByteBuffer(string: line + "\r\n"))
            return try await reply()
        }

        /// One reply: `ddd-text` lines, then a `ddd text` line.
        mutating func reply() async throws -> Reply {
            var lines: [String] = []
            while true {
                while let end = Self.lineEnd(pending) {
                    let line = String(decoding: pending[..<end], as: UTF8.self)
                    pending.removeFirst(end + 2)
                    let bytes = Array(line.utf8)
                    guard bytes.count >= 3, let code = Int(String(decoding: bytes[0..<3], as: UTF8.self)) else {
                        throw Stop(answer: .retry(code: "SMTP_MALFORMED", message: "unreadable reply from the mail server"))
                    }
                    lines.append(bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : "")
                    if bytes.count == 3 || bytes[3] == UInt8(ascii: " ") { return Reply(code: code, lines: lines) }
                }
                guard pending.count < 65_536, let buffer = try await iterator.next() else {
                    throw Stop(answer: .retry(code: "SMTP_CLOSED", message: "the mail server closed the connection"))
                }
                pending.append(contentsOf: buffer.readableBytesView)
            }
        }

        static func lineEnd(_ bytes: [UInt8]) -> Int? {
            guard bytes.count >= 2 else { return nil }
            for index in 0..<(bytes.count - 1) where bytes[index] == 13 && bytes[index + 1] == 10 { return index }
            return nil
        }
    }
}
