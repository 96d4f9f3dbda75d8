import Foundation
import OMSDomain

/// One refund as a payment provider is asked for it. Invariant: `refundId` is the provider's
/// idempotency key (WeChat Pay `out_refund_no`, Alipay `out_request_no`): however often it is
/// submitted, the customer is paid once.
struct RefundSubmission: Sendable, Equatable {
    var refundId: String
    var orderID: String
    /// The provider's id of the original payment (`Payment.reference`).
    var transactionId: String?
    var amount: Money
    /// What the original payment was, which WeChat Pay asks for alongside the refund.
    var paidTotal: Money
    var reason: String
    var method: PaymentMethod
}

/// The port through which after-sales pays refunds back. Adapters answer every failure as a
/// `ProviderAnswer` (never throw): a timeout or a transport fault is `retryable`.
protocol PaymentProvider: Sendable {
    /// `wechatpay`, `alipay` or `offline`: stored on the refund and in `aftersales.refund-settled`.
    var name: String { get }
    func refund(_ submission: RefundSubmission) async -> ProviderAnswer
}

/// Which adapter pays a payment method back. Invariant: every method has exactly one route;
/// methods no adapter pays (cash, cards and wallets settled by an acquirer, marketplace payments
/// the marketplace refunds itself) go to `offline` and end `owed`.
struct PaymentProviders: Sendable {
    var wechatPay: WeChatPayRefunds?
    var alipay: AlipayRefunds?
    var offline = OfflineRefunds()

    static func providerName(for method: PaymentMethod) -> String {
        switch method {
        case .wechatPay: "wechatpay"
        case .alipay: "alipay"
        case .card, .wallet, .cashAtTill, .cashOnDelivery, .marketplace: "offline"
        }
    }

    /// The adapter for `provider`; an unconfigured provider's refunds are owed, with the reason.
    func adapter(named provider: String) -> any PaymentProvider {
        switch provider {
        case "wechatpay": wechatPay.map { $0 as any PaymentProvider } ?? OfflineRefunds(reason: "wechatpay_not_configured")
        case "alipay": alipay.map { $0 as any PaymentProvider } ?? OfflineRefunds(reason: "alipay_not_configured")
        default: offline
        }
    }
}

/// Refunds no provider can pay: cash handed back at the till or by the courier, an acquirer or a
/// marketplace settling it outside the OMS. The refund is recorded as owed, with why.
struct OfflineRefunds: PaymentProvider {
    var reason: String?
    var name: String { "offline" }

    init(reason: String? = nil) {
        self.reason = reason
    }

    func refund(_ submission: RefundSubmission) async -> ProviderAnswer {
        .owed(reason: reason ?? "\(submission.method.rawValue)_paid_back_by_staff")
    }
}
