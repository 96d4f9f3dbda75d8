import Foundation
import Logging
import NIOConcurrencyHelpers
import OMSDomain
import OMSKafka
import OMSPlatform

/// Sends the customers' messages every `OMS_NOTIFY_POLL_MILLISECONDS`: claims due messages (a
/// lease, in its own transaction), decides at send time (the order's channel and the customer's
/// media, an opt-out, quiet hours, the recipient's hourly limit), opens the recipient from the
/// vault, renders the template current now, hands the message to the SMS provider or the mail
/// server outside any transaction (a few at once) and records the outcome. Invariant: a message
/// goes out until the provider takes or refuses it; a send whose outcome is unknown (no answer,
/// or the process died during it) is repeated once, and a second unknown fails it, so a customer
/// gets a message at most twice; a failure is counted, logged (recipient masked) and dead-lettered.
struct NotificationSender: Sendable {
    let runtime: ServiceRuntime
    /// Each medium has its own sender, so a slow mail server never holds the SMS back.
    let medium: NotificationMedium
    let settings: NotificationConfiguration
    let sms: AliyunSMSGateway?
    let mailer: SMTPMailer?
    var batchSize: Int { 4 * concurrency }
    var concurrency: Int { settings.concurrency }

    func job() -> PeriodicJob {
        PeriodicJob(name: "customer-notifications-\(medium.rawValue)", every: .milliseconds(settings.pollMilliseconds), runtime: runtime) {
            while try await sweep() == batchSize {}
        }
    }

    /// One round: claims, sends (a few at once), then records every outcome in one transaction
    /// (one commit per round, not per message); returns how many messages were claimed.
    @discardableResult
    func sweep() async throws -> Int {
        let lease = 4 * settings.timeoutSeconds + 10
        let claims = try await runtime.retryingTransaction { tx in
            try await NotificationStore.claimDue(medium: medium, limit: batchSize, leaseSeconds: lease, connection: tx.connection, logger: tx.logger)
        }
        guard !claims.isEmpty else { return 0 }
        let outcomes = NIOLockedValueBox([(NotificationStore.Claim, NotificationStore.Outcome)]())
        try await forEachConcurrently(claims, limit: concurrency) { claim in
            let outcome = await attempt(claim, now: Date())
            outcomes.withLockedValue { $0.append((claim, outcome)) }
        }
        try await record(outcomes.withLockedValue { $0 })
        return claims.count
    }

    /// Records the outcomes (and the dead letters of failures) in one transaction, then counts and logs them.
    func record(_ outcomes: [(NotificationStore.Claim, NotificationStore.Outcome)]) async throws {
        try await runtime.retryingTransaction { tx in
            for (claim, outcome) in outcomes {
                try await NotificationStore.apply(outcome, to: claim.notificationId, connection: tx.connection, logger: tx.logger)
                if case .failed(let code, let message, let masked) = outcome {
                    tx.enqueue(try Self.deadLetter(claim, code: code, message: message, recipient: masked))
                }
            }
        }
        for (claim, outcome) in outcomes { report(claim, outcome) }
    }

    func report(_ claim: NotificationStore.Claim, _ outcome: NotificationStore.Outcome) {
        let labels = [("type", claim.type.rawValue), ("medium", claim.medium.rawValue)]
        let metadata: Logger.Metadata = ["notificationId": "\(claim.notificationId)", "orderId": "\(claim.orderId)", "type": "\(claim.type.rawValue)",
                                         "medium": "\(claim.medium.rawValue)", "attempt": "\(claim.attempt)"]
        switch outcome {
        case .sent:
            runtime.metrics.count("oms_integrations_notifications_sent_total", labels)
            runtime.logger.info("customer notified", metadata: metadata)
        case .retry(_, let code, _, let unknown):
            runtime.metrics.count("oms_integrations_notification_retries_total", labels)
            runtime.logger.warning(unknown ? "notification outcome unknown; sending once more" : "notification not taken yet; retrying",
                                   metadata: metadata.merging(["code": "\(code)"]) { $1 })
        case .failed(let code, let message, let masked):
            runtime.metrics.count("oms_integrations_notifications_failed_total", labels)
            runtime.logger.error("notification failed", metadata: metadata.merging(["code": "\(code)", "recipient": "\(masked ?? "-")",
                                                                                      "reason": "\(PIIMask.scrub(message).prefix(200))"]) { $1 })
        case .suppressed(let reason, _), .skipped(let reason):
            runtime.metrics.count("oms_integrations_notifications_skipped_total", labels + [("reason", reason)])
        case .deferred(let until, let reason):
            runtime.logger.info("notification deferred", metadata: metadata.merging(["reason": "\(reason)", "until": "\(Timestamps.format(until))"]) { $1 })
        }
    }

    /// What becomes of one claimed message now.
    func attempt(_ claim: NotificationStore.Claim, now: Date) async -> NotificationStore.Outcome {
        guard let contact = claim.contact else {
            // The order's receipt is not recorded (yet): it comes from another topic.
            if now.timeIntervalSince(claim.createdAt) > Double(settings.contactWaitSeconds) {
                return .failed(code: "no_contact", message: "the order's customer was never recorded (no order.received)", recipientMasked: nil)
            }
            return .retry(afterMilliseconds: 5_000, code: "no_contact_yet", message: "waiting for the order's order.received", unknown: false)
        }
        guard claim.setting.media(for: contact.salesChannel).contains(claim.medium) else { return .skipped(reason: "not_for_channel") }
        guard !contact.sealedRecipient.isEmpty else { return .skipped(reason: claim.medium == .sms ? "no_phone" : "no_email") }
        let recipient: String
        do {
            recipient = try runtime.database.vault.open(contact.sealedRecipient, context: NotificationStore.sealContext(claim.orderId, claim.medium == .sms ? "phone" : "email"))
        } catch {
            return .failed(code: "recipient_unreadable", message: "the recipient cannot be opened with the key ring", recipientMasked: nil)
        }
        let masked = claim.medium == .sms ? PIIMask.phone(recipient) : Self.maskEmail(recipient)
        switch NotificationGate(quietHours: settings.quietHours, smsPerRecipientPerHour: settings.smsPerRecipientPerHour)
            .decide(medium: claim.medium, deliveryDay: claim.deliveryDay, optedOut: claim.optedOut, recentSends: claim.recentSends, now: now) {
        case .suppress(let reason):
            return .suppressed(reason: reason, recipientMasked: masked)
        case .deferUntil(let until, let reason):
            return .deferred(until: until, reason: reason)
        case .send:
            break
        }
        // A send whose outcome was never known went once already; a second unknown one ends it.
        if claim.unknownOutcomes >= 2 {
            return .failed(code: "outcome_unknown", message: "two sends ended without an answer; not sending a third (the customer may have it)", recipientMasked: masked)
        }
        guard let variables = claim.variables else {
            return .failed(code: "variables_unreadable", message: "the stored variables are not a JSON object of strings", recipientMasked: masked)
        }
        guard let template = claim.template else { return .failed(code: "no_template", message: "no template for \(claim.type.rawValue)", recipientMasked: masked) }
        let answer: ProviderAnswer
        switch claim.medium {
        case .sms:
            guard Customer.isMainlandMobile(recipient) else { return .failed(code: "invalid_recipient", message: "not a mainland mobile number", recipientMasked: masked) }
            guard !template.smsTemplateCode.isEmpty else { return .skipped(reason: "no_sms_template") }
            guard let sms else { return .retry(afterMilliseconds: 60_000, code: "sms_not_configured", message: "OMS_SMS_* is not set", unknown: false) }
            answer = await sms.send(phone: recipient, templateCode: template.smsTemplateCode, parameters: template.smsParameters(variables),
                                    outID: claim.notificationId.uuidString.lowercased())
        case .email:
            guard EmailAddress.isDeliverable(recipient) else { return .failed(code: "invalid_recipient", message: "not a deliverable e-mail address", recipientMasked: masked) }
            guard let mailer else { return .retry(afterMilliseconds: 60_000, code: "smtp_not_configured", message: "OMS_SMTP_HOST is not set", unknown: false) }
            let text = NotificationTemplate.render(template.emailText, variables)
            let html = template.emailHTML.isEmpty ? MailMessage.html(fromText: text, language: template.language)
                                                  : NotificationTemplate.render(template.emailHTML, variables, transform: NotificationTemplate.escapeHTML)
            answer = await mailer.send(MailMessage(messageID: "\(claim.notificationId.uuidString.lowercased())@oms", from: mailer.configuration.from, to: recipient,
                                                   subject: NotificationTemplate.render(template.emailSubject, variables), text: text, html: html, date: now))
        }
        switch answer {
        case .accepted(let id):
            return .sent(providerMessageId: id, recipientMasked: masked, recipientHash: contact.recipientHash, templateVersion: template.version)
        case .rejected(let code, let message):
            return .failed(code: code, message: message, recipientMasked: masked)
        case .retry(let code, let message), .unknown(let code, let message):
            let unknown = { if case .unknown = answer { return true } else { return false } }()
            guard case .retry(let wait) = settings.retry.step(after: .unreachable(code), attempt: claim.attempt) else {
                return .failed(code: code, message: "attempts used up: \(message)", recipientMasked: masked)
            }
            return .retry(afterMilliseconds: wait, code: code, message: message, unknown: unknown)
        }
    }

    /// `w***@example.cn`.
    static func maskEmail(_ email: String) -> String {
        guard let at = email.firstIndex(of: "@") else { return "***" }
        return String(email.prefix(1)) + "***" + email[at...]
    }

    /// The dead letter of a failed message: what failed and why, the recipient masked.
    static func deadLetter(_ claim: NotificationStore.Claim, code: String, message: String, recipient: String?, now: Date = Date()) throws -> OutboxMessage {
        let body: [String: String] = ["notificationId": claim.notificationId.uuidString.lowercased(), "orderId": claim.orderId, "messageType": claim.type.rawValue,
                                      "medium": claim.medium.rawValue, "recipient": recipient ?? "", "code": code, "reason": String(PIIMask.scrub(message).prefix(300)),
                                      "attempts": "\(claim.attempt)"]
        let id = UUID()
        let headers = [
            KafkaHeader(key: EventHeader.eventID, text: id.uuidString.lowercased()),
            KafkaHeader(key: EventHeader.eventType, text: "integrations.notification-failed"),
            KafkaHeader(key: EventHeader.dlqError, text: String(PIIMask.scrub("\(claim.medium.rawValue) \(claim.type.rawValue) failed: \(code) \(message)").prefix(500))),
            KafkaHeader(key: EventHeader.dlqAttempts, text: String(claim.attempt)),
            KafkaHeader(key: EventHeader.dlqService, text: ServiceName.integrations.rawValue),
            KafkaHeader(key: EventHeader.dlqFailedAt, text: Timestamps.format(now)),
        ]
        return OutboxMessage(eventID: id, topic: ServiceName.integrations.deadLetterTopic, key: Array(claim.orderId.utf8), headers: headers,
                             payload: Array(try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])))
    }
}
