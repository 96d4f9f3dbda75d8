import Foundation
import OMSPlatform

/// Customer notification settings, read from the environment (README "Configuration").
/// Invariant: every value is in its range; without `OMS_SMS_ACCESS_KEY_ID` no SMS and without
/// `OMS_SMTP_HOST` no e-mail is planned or sent (the service says so when it starts).
struct NotificationConfiguration: Sendable {
    /// `OMS_NOTIFY_SHOP_NAME` (示例零售): `${shopName}`.
    var shopName: String
    /// `OMS_NOTIFY_LANGUAGE` (zh-CN | en): the language of the messages.
    var language: String
    /// `OMS_NOTIFY_RETURN_DAYS` (7): `${returnDays}` of the delivered message.
    var returnDays: Int
    /// `OMS_NOTIFY_QUIET_HOURS` (22:00-08:00, Asia/Shanghai, or `off`).
    var quietHours: QuietHours
    /// `OMS_NOTIFY_SMS_PER_RECIPIENT_PER_HOUR` (5; 0 = no limit).
    var smsPerRecipientPerHour: Int
    /// `OMS_NOTIFY_MAX_ATTEMPTS` (8), `OMS_NOTIFY_RETRY_BASE_MILLISECONDS` (60000, doubling).
    var retry: WebhookRetryPolicy
    /// `OMS_NOTIFY_POLL_MILLISECONDS` (500).
    var pollMilliseconds: Int
    /// `OMS_NOTIFY_CONCURRENCY` (16): sends in flight (a round claims four times as many).
    var concurrency: Int
    /// `OMS_NOTIFY_SETTLE_MILLISECONDS` (1000): a message waits this long after it is planned.
    var settleMilliseconds: Int
    /// `OMS_NOTIFY_TIMEOUT_SECONDS` (10): one provider call, one SMTP step.
    var timeoutSeconds: Int
    /// `OMS_NOTIFY_CONTACT_WAIT_SECONDS` (86400): how long a message waits for its order's receipt.
    var contactWaitSeconds: Int
    /// `OMS_NOTIFY_RETENTION_DAYS` (90): finished messages are kept this long.
    var retentionDays: Int
    var sms: AliyunSMSGateway.Configuration?
    var smtp: SMTPMailer.Configuration? { mailer?.configuration }
    /// The mail client (its TLS roots loaded at startup: a bad `OMS_SMTP_CA_FILE` stops the start).
    var mailer: SMTPMailer?
    /// The media with a provider configured.
    var media: Set<NotificationMedium> { Set((sms == nil ? [] : [.sms]) + (mailer == nil ? [] : [.email])) }
    /// Keyed hashes of recipients (opt-outs, rate limits), as every service hashes phones.
    var hasher: PIIHasher

    init(environment: [String: String]) throws {
        let reader = EnvironmentReader(environment)
        shopName = reader.string("OMS_NOTIFY_SHOP_NAME", "示例零售")
        guard !shopName.isEmpty, shopName.count <= 40, !shopName.contains(where: { $0.isNewline }) else {
            throw ConfigurationError(key: "OMS_NOTIFY_SHOP_NAME", reason: "1-40 characters on one line")
        }
        language = reader.string("OMS_NOTIFY_LANGUAGE", NotificationTemplate.defaultLanguage)
        guard NotificationTemplate.languages.contains(language) else {
            throw ConfigurationError(key: "OMS_NOTIFY_LANGUAGE", reason: "one of \(NotificationTemplate.languages.joined(separator: ", "))")
        }
        returnDays = try reader.integer("OMS_NOTIFY_RETURN_DAYS", 7, 0...365)
        guard let quiet = QuietHours(parsing: reader.string("OMS_NOTIFY_QUIET_HOURS", "22:00-08:00")) else {
            throw ConfigurationError(key: "OMS_NOTIFY_QUIET_HOURS", reason: "HH:MM-HH:MM in Asia/Shanghai, or off")
        }
        quietHours = quiet
        smsPerRecipientPerHour = try reader.integer("OMS_NOTIFY_SMS_PER_RECIPIENT_PER_HOUR", 5, 0...1_000)
        retry = WebhookRetryPolicy(maxAttempts: try reader.integer("OMS_NOTIFY_MAX_ATTEMPTS", 8, 1...50),
                                   baseMilliseconds: try reader.integer("OMS_NOTIFY_RETRY_BASE_MILLISECONDS", 60_000, 10...86_400_000))
        pollMilliseconds = try reader.integer("OMS_NOTIFY_POLL_MILLISECONDS", 500, 10...60_000)
        concurrency = try reader.integer("OMS_NOTIFY_CONCURRENCY", 16, 1...256)
        settleMilliseconds = try reader.integer("OMS_NOTIFY_SETTLE_MILLISECONDS", 1_000, 0...60_000)
        timeoutSeconds = try reader.integer("OMS_NOTIFY_TIMEOUT_SECONDS", 10, 1...120)
        contactWaitSeconds = try reader.integer("OMS_NOTIFY_CONTACT_WAIT_SECONDS", 86_400, 1...30 * 86_400)
        retentionDays = try reader.integer("OMS_NOTIFY_RETENTION_DAYS", 90, 1...3_650)
        hasher = PIIHasher.configured(reader).hasher

        func required(_ key: String, _ when: String) throws -> String {
            guard let value = environment[key], !value.isEmpty else { throw ConfigurationError(key: key, reason: "required when \(when) is set") }
            return value
        }
        if let key = environment["OMS_SMS_ACCESS_KEY_ID"], !key.isEmpty {
            sms = AliyunSMSGateway.Configuration(accessKeyID: key, accessKeySecret: try required("OMS_SMS_ACCESS_KEY_SECRET", "OMS_SMS_ACCESS_KEY_ID"),
                                                 signName: try required("OMS_SMS_SIGN_NAME", "OMS_SMS_ACCESS_KEY_ID"),
                                                 endpoint: reader.string("OMS_SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com/"),
                                                 region: reader.string("OMS_SMS_REGION", "cn-hangzhou"), timeoutSeconds: timeoutSeconds)
        }
        if let host = environment["OMS_SMTP_HOST"], !host.isEmpty {
            guard let tls = SMTPMailer.TLSMode(rawValue: reader.string("OMS_SMTP_TLS", "opportunistic")) else {
                throw ConfigurationError(key: "OMS_SMTP_TLS", reason: "one of \(SMTPMailer.TLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard let from = MailMessage.Address(parsing: try required("OMS_SMTP_FROM", "OMS_SMTP_HOST")) else {
                throw ConfigurationError(key: "OMS_SMTP_FROM", reason: "a sender address, e.g. 示例零售 <service@shop.example.cn>")
            }
            let username = reader.string("OMS_SMTP_USERNAME", "")
            mailer = try SMTPMailer(configuration: SMTPMailer.Configuration(host: host, port: try reader.integer("OMS_SMTP_PORT", 587, 1...65_535), username: username,
                                            password: username.isEmpty ? "" : try required("OMS_SMTP_PASSWORD", "OMS_SMTP_USERNAME"), tls: tls,
                                            caFile: environment["OMS_SMTP_CA_FILE"].flatMap { $0.isEmpty ? nil : $0 }, from: from,
                                            heloName: reader.string("OMS_SMTP_HELO_NAME", "oms.localdomain"), timeoutSeconds: timeoutSeconds))
        }
    }
}
