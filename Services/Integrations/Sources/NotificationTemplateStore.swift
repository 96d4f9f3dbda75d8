import Foundation
import Logging
import OMSPlatform
import PostgresNIO

/// SQL of ops' templates, media settings and customers' opt-outs. Invariant: a type and language
/// without a saved template uses the built-in one, a type without saved settings the defaults; a
/// template's version grows by one with each save.
enum NotificationTemplateStore {
    /// Saved templates by "type|language".
    static func templates(_ types: [NotificationMessageType], connection: PostgresConnection, logger: Logger) async throws -> [String: NotificationTemplate] {
        var found: [String: NotificationTemplate] = [:]
        for type in types {
            for language in NotificationTemplate.languages { found[type.rawValue + "|" + language] = .builtIn(type, language: language) }
        }
        guard !types.isEmpty else { return found }
        let rows = try await connection.query("""
            SELECT message_type, language, sms_template_code, sms_text, email_subject, email_text, email_html, version FROM notification_templates
            WHERE message_type = ANY(\(types.map(\.rawValue))::text[])
            """, logger: logger)
        for try await (type, language, code, sms, subject, text, html, version) in rows.decode((String, String, String, String, String, String, String, Int).self) {
            guard let messageType = NotificationMessageType(rawValue: type) else { continue }
            found[type + "|" + language] = NotificationTemplate(messageType: messageType, language: language, smsTemplateCode: code, smsText: sms, emailSubject: subject,
                                                                emailText: text, emailHTML: html, version: version)
        }
        return found
    }

    /// Saves a template (checked by the caller); answers it with its new version.
    static func save(_ template: NotificationTemplate, by user: String, connection: PostgresConnection, logger: Logger) async throws -> NotificationTemplate {
        let rows = try await connection.query("""
            INSERT INTO notification_templates (message_type, language, sms_template_code, sms_text, email_subject, email_text, email_html, version, updated_by)
            VALUES (\(template.messageType.rawValue), \(template.language), \(template.smsTemplateCode), \(template.smsText), \(template.emailSubject),
                    \(template.emailText), \(template.emailHTML), 1, \(user))
            ON CONFLICT (message_type, language) DO UPDATE SET sms_template_code = excluded.sms_template_code, sms_text = excluded.sms_text,
                email_subject = excluded.email_subject, email_text = excluded.email_text, email_html = excluded.email_html,
                version = notification_templates.version + 1, updated_by = excluded.updated_by, updated_at = now()
            RETURNING version
            """, logger: logger)
        var saved = template
        for try await version in rows.decode(Int.self) { saved.version = version }
        return saved
    }

    /// Drops ops' template: the built-in one applies again. False when there was none.
    static func reset(_ type: NotificationMessageType, language: String, connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.query("""
            DELETE FROM notification_templates WHERE message_type = \(type.rawValue) AND language = \(language) RETURNING version
            """, logger: logger)
        for try await _ in rows.decode(Int.self) { return true }
        return false
    }

    /// Every type's settings (saved, else the defaults).
    static func settings(connection: PostgresConnection, logger: Logger) async throws -> [NotificationMessageType: NotificationSetting] {
        var found = Dictionary(uniqueKeysWithValues: NotificationMessageType.allCases.map { ($0, NotificationSetting.builtIn($0)) })
        let rows = try await connection.query("SELECT message_type, sms, email, sales_channels FROM notification_settings", logger: logger)
        for try await (type, sms, email, channels) in rows.decode((String, Bool, Bool, [String]).self) {
            guard let messageType = NotificationMessageType(rawValue: type) else { continue }
            found[messageType] = NotificationSetting(messageType: messageType, sms: sms, email: email, salesChannels: channels, source: "edited")
        }
        return found
    }

    static func saveSetting(_ setting: NotificationSetting, by user: String, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO notification_settings (message_type, sms, email, sales_channels, updated_by)
            VALUES (\(setting.messageType.rawValue), \(setting.sms), \(setting.email), \(setting.salesChannels)::text[], \(user))
            ON CONFLICT (message_type) DO UPDATE SET sms = excluded.sms, email = excluded.email, sales_channels = excluded.sales_channels,
                updated_by = excluded.updated_by, updated_at = now()
            """, logger: logger)
    }

    // MARK: opt-outs

    /// One opt-out as customer service sees it.
    struct OptOut: Codable, Sendable {
        var recipient: String
        var medium: String
        var kind: String
        var createdBy: String
        var createdAt: Date
    }

    /// Records an opt-out; false when the recipient had opted out of that kind already.
    static func optOut(hash: String, kind: NotificationMessageType.Kind, medium: NotificationMedium, masked: String, by user: String,
                       connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.query("""
            INSERT INTO notification_opt_outs (recipient_hash, kind, medium, masked_recipient, created_by)
            VALUES (\(hash), \(kind.rawValue), \(medium.rawValue), \(masked), \(user)) ON CONFLICT DO NOTHING RETURNING kind
            """, logger: logger)
        for try await _ in rows.decode(String.self) { return true }
        return false
    }

    /// Removes an opt-out (the customer wants the messages again); false when there was none.
    static func optIn(hash: String, kind: NotificationMessageType.Kind, connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.query("""
            DELETE FROM notification_opt_outs WHERE recipient_hash = \(hash) AND kind = \(kind.rawValue) RETURNING kind
            """, logger: logger)
        for try await _ in rows.decode(String.self) { return true }
        return false
    }

    static func optOuts(hash: String, connection: PostgresConnection, logger: Logger) async throws -> [OptOut] {
        var found: [OptOut] = []
        for try await (masked, medium, kind, by, at) in try await connection.query("""
            SELECT masked_recipient, medium, kind, created_by, created_at FROM notification_opt_outs WHERE recipient_hash = \(hash) ORDER BY kind
            """, logger: logger).decode((String, String, String, String, Date).self) {
            found.append(OptOut(recipient: masked, medium: medium, kind: kind, createdBy: by, createdAt: at))
        }
        return found
    }
}
