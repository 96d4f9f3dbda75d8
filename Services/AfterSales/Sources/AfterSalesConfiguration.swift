import Foundation
import OMSDomain
import OMSPlatform

/// After-sales' own settings, read from the environment (README "Configuration").
/// Invariant: every reason has a window; every severity has an SLA.
public struct AfterSalesConfiguration: Sendable {
    /// `OMS_RETURN_WINDOW_DAYS`: `reason=days,...` overriding the defaults (no-reason 7, size/fit 15,
    /// quality 30, wrong item 30, damaged in transit 7), counted from delivery.
    public var returnWindowDays: [ReturnAuthorization.Reason: Int]
    /// `OMS_RETURN_AUTO_APPROVE` (default `noReasonWithin7Days,sizeOrFit`): reasons approved without a
    /// reviewer; the others wait for `POST /v1/aftersales/returns/{id}/decision`.
    public var autoApprovedReasons: Set<ReturnAuthorization.Reason>
    /// `OMS_EXCHANGE_WINDOW_DAYS` (default 15): how long after delivery a size/colour swap is possible.
    public var exchangeWindowDays: Int
    /// `OMS_COMPLAINT_SLA_SECONDS`: `severity=seconds,...` to resolve a complaint before it is escalated
    /// (defaults critical 4 h, high 24 h, medium 48 h, low 72 h); each escalation grants the same time again.
    public var complaintSLASeconds: [Complaint.Severity: Int]
    /// `OMS_ESCALATION_CHECK_SECONDS` (default 60): how often overdue complaints are looked for.
    public var escalationCheckSeconds: Int
    /// `OMS_REFUND_CHECK_SECONDS` (default 5): how often due refunds are submitted to their providers.
    public var refundCheckSeconds: Int
    /// `OMS_CANCELLATION_REFUND_HOLD_SECONDS` (default 30): how long a cancellation's refund waits
    /// for a warehouse to refuse the cancellation (already packed) before it is paid.
    public var cancellationRefundHoldSeconds: Int
    /// `OMS_REFUND_MAX_FAILURES` (8), `OMS_REFUND_RETRY_BASE_SECONDS` (30, doubling, at most an hour),
    /// `OMS_REFUND_RECHECK_SECONDS` (300: a refund under way is asked about again).
    var refundPolicy: RefundRetryPolicy
    /// `OMS_WECHATPAY_*`, `OMS_ALIPAY_*`: the payment providers that pay refunds back; unset, their
    /// refunds are recorded as owed (paid by hand).
    var wechatPay: WeChatPayRefunds.Configuration?
    var alipay: AlipayRefunds.Configuration?
    /// `OMS_INVOICE_SELLER_NAME`, `OMS_INVOICE_SELLER_TAX_ID`: the retailer as its invoices name
    /// it (销售方); the tax id must pass the unified social credit code's check.
    public var invoiceSeller: InvoiceSeller
    /// `OMS_INVOICE_CHECK_SECONDS` (default 5): how often shipped orders and settled refunds are invoiced.
    public var invoiceCheckSeconds: Int
    /// `OMS_NUONUO_APP_KEY`, `OMS_NUONUO_APP_SECRET`, `OMS_NUONUO_ACCESS_TOKEN`, `OMS_NUONUO_URL`: the
    /// e-invoice platform; unset, invoices are issued in the OMS only (`offline`).
    var nuonuo: NuonuoInvoicing.Configuration?
    /// `OMS_EINVOICE_RETRY_BASE_SECONDS` (30, doubling up to an hour), `OMS_EINVOICE_MAX_ATTEMPTS` (10).
    var eInvoiceRetryBaseSeconds: Int
    var eInvoiceMaxAttempts: Int

    public init(environment: [String: String]) throws {
        func pairs(_ key: String) throws -> [(String, Int)] {
            try (environment[key] ?? "").split(separator: ",").map { pair in
                let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, let value = Int(parts[1]), value >= 0 else {
                    throw ConfigurationError(key: key, reason: "must be name=integer pairs separated by commas")
                }
                return (parts[0], value)
            }
        }
        var windows: [ReturnAuthorization.Reason: Int] = [.noReasonWithin7Days: 7, .sizeOrFit: 15, .qualityProblem: 30, .wrongItem: 30, .damagedInTransit: 7]
        for (name, days) in try pairs("OMS_RETURN_WINDOW_DAYS") {
            guard let reason = ReturnAuthorization.Reason(rawValue: name), days <= 3_650 else {
                throw ConfigurationError(key: "OMS_RETURN_WINDOW_DAYS", reason: "reasons are \(ReturnAuthorization.Reason.allCases.map(\.rawValue).joined(separator: ", ")); days 0-3650")
            }
            windows[reason] = days
        }
        returnWindowDays = windows
        var auto = Set<ReturnAuthorization.Reason>()
        for name in (environment["OMS_RETURN_AUTO_APPROVE"] ?? "noReasonWithin7Days,sizeOrFit").split(separator: ",") {
            guard let reason = ReturnAuthorization.Reason(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                throw ConfigurationError(key: "OMS_RETURN_AUTO_APPROVE", reason: "unknown reason \(name)")
            }
            auto.insert(reason)
        }
        autoApprovedReasons = auto
        var sla: [Complaint.Severity: Int] = [.critical: 4 * 3_600, .high: 24 * 3_600, .medium: 48 * 3_600, .low: 72 * 3_600]
        for (name, seconds) in try pairs("OMS_COMPLAINT_SLA_SECONDS") {
            guard let severity = Complaint.Severity(rawValue: name), seconds >= 1 else {
                throw ConfigurationError(key: "OMS_COMPLAINT_SLA_SECONDS", reason: "severities are low, medium, high, critical; seconds at least 1")
            }
            sla[severity] = seconds
        }
        complaintSLASeconds = sla
        let env = EnvironmentReader(environment)
        exchangeWindowDays = try env.integer("OMS_EXCHANGE_WINDOW_DAYS", 15, 0...365)
        escalationCheckSeconds = try env.integer("OMS_ESCALATION_CHECK_SECONDS", 60, 1...3_600)
        refundCheckSeconds = try env.integer("OMS_REFUND_CHECK_SECONDS", 5, 1...3_600)
        cancellationRefundHoldSeconds = try env.integer("OMS_CANCELLATION_REFUND_HOLD_SECONDS", 30, 0...86_400)
        refundPolicy = RefundRetryPolicy(maxFailures: try env.integer("OMS_REFUND_MAX_FAILURES", 8, 1...100),
                                         baseDelaySeconds: try env.integer("OMS_REFUND_RETRY_BASE_SECONDS", 30, 1...86_400),
                                         maxDelaySeconds: 3_600, recheckSeconds: try env.integer("OMS_REFUND_RECHECK_SECONDS", 300, 1...86_400))
        wechatPay = try WeChatPayRefunds.Configuration.from(environment)
        alipay = try AlipayRefunds.Configuration.from(environment)
        let sellerName = environment["OMS_INVOICE_SELLER_NAME"] ?? "示例零售有限公司"
        let sellerTaxID = environment["OMS_INVOICE_SELLER_TAX_ID"] ?? "91350100M000100Y43"
        guard (1...100).contains(sellerName.count) else { throw ConfigurationError(key: "OMS_INVOICE_SELLER_NAME", reason: "1-100 characters") }
        if let problem = TaxpayerID.problem(sellerTaxID) { throw ConfigurationError(key: "OMS_INVOICE_SELLER_TAX_ID", reason: problem) }
        invoiceSeller = InvoiceSeller(name: sellerName, taxId: sellerTaxID)
        invoiceCheckSeconds = try env.integer("OMS_INVOICE_CHECK_SECONDS", 5, 1...3_600)
        nuonuo = try NuonuoInvoicing.Configuration.from(environment)
        eInvoiceRetryBaseSeconds = try env.integer("OMS_EINVOICE_RETRY_BASE_SECONDS", 30, 1...86_400)
        eInvoiceMaxAttempts = try env.integer("OMS_EINVOICE_MAX_ATTEMPTS", 10, 1...100)
    }
}
