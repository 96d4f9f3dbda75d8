import Foundation
import OMSDomain

/// What the database knows around an order: counts within the policy's window (this order
/// included) and deny-list hits. Gathered by the review handler, judged by `RiskEvaluator`.
public struct RiskSignals: Sendable, Hashable {
    public var ordersFromPhone = 1
    public var ordersToAddress = 1
    public var ordersFromAccount = 1
    /// 0 when the channel sent no device.
    public var ordersFromDevice = 0
    /// Other accounts that used a coupon with this order's phone or address in the window.
    public var otherCouponAccountsInHousehold = 0
    public var phoneDenied = false
    public var addressDenied = false

    public init(ordersFromPhone: Int = 1, ordersToAddress: Int = 1, ordersFromAccount: Int = 1, ordersFromDevice: Int = 0, otherCouponAccountsInHousehold: Int = 0,
                phoneDenied: Bool = false, addressDenied: Bool = false) {
        self.ordersFromPhone = ordersFromPhone
        self.ordersFromDevice = ordersFromDevice
        self.ordersToAddress = ordersToAddress
        self.ordersFromAccount = ordersFromAccount
        self.otherCouponAccountsInHousehold = otherCouponAccountsInHousehold
        self.phoneDenied = phoneDenied
        self.addressDenied = addressDenied
    }
}

/// The automatic review: every rule contributes findings with scores; the total decides.
/// Pure and deterministic, so a decision can always be explained and re-derived.
public struct RiskEvaluator: Sendable {
    public enum Outcome: String, Codable, Sendable {
        case verified, held, rejected
    }

    public struct Decision: Sendable, Hashable {
        public var outcome: Outcome
        public var score: Int
        public var findings: [RiskFinding]
    }

    public var policy: RiskPolicy

    public init(policy: RiskPolicy) {
        self.policy = policy
    }

    public func evaluate(_ order: Order, couponCode: String?, signals: RiskSignals) -> Decision {
        var findings: [RiskFinding] = []
        func fire(_ rule: String, _ score: Int, _ reason: String) { findings.append(RiskFinding(rule: rule, score: score, reason: reason)) }

        // Completeness: only orders that travel to a customer need a deliverable address.
        if let address = order.deliveryAddress {
            if order.customer.name.trimmingCharacters(in: .whitespaces).isEmpty { fire("incomplete_recipient", policy.incompleteScore, "recipient name missing") }
            if !Customer.isMainlandMobile(order.customer.phone) { fire("invalid_phone", policy.incompleteScore, "recipient phone is not a mainland mobile number") }
            let parts = [address.province, address.city, address.district, address.street]
            if parts.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
                fire("incomplete_address", policy.incompleteScore, "province, city, district and street are all required")
            } else if address.street.filter({ !$0.isWhitespace }).count < policy.minStreetLength || !address.street.contains(where: { $0.isNumber }) {
                fire("vague_address", policy.vagueAddressScore, "street has no house number or is shorter than \(policy.minStreetLength) characters")
            }
            if !address.hasValidPostalCode { fire("invalid_postal_code", policy.incompleteScore / 2, "postal code is not six digits") }
        }

        // Payment.
        if order.payment.method == .cashOnDelivery {
            if !policy.codChannels.contains(order.channel) {
                fire("cod_not_allowed", policy.rejectScore, "cash on delivery is not offered on channel \(order.channel.rawValue)")
            } else if order.total.minorUnits > policy.codMaxFen {
                fire("cod_over_limit", policy.codOverLimitScore, "cash on delivery above \(Money.fen(policy.codMaxFen))")
            }
        } else if order.payment.isAwaiting {
            // Sent before its payment: nothing is paid yet. Intake takes the payment only for the
            // order's exact total, with its reference, and the warehouse picks nothing until then.
        } else {
            if order.payment.method.carriesReference, (order.payment.reference ?? "").isEmpty {
                fire("missing_payment_reference", policy.rejectScore, "paid order without a payment reference")
            }
            if order.payment.paidAmount != order.total { fire("payment_mismatch", policy.rejectScore, "paid \(order.payment.paidAmount) but the order totals \(order.total)") }
            if order.payment.method == .cashAtTill, order.total.minorUnits >= policy.tillCashMaxFen {
                fire("till_cash_over_limit", policy.tillCashOverLimitScore, "cash at the till at or above \(Money.fen(policy.tillCashMaxFen))")
            }
        }

        // Amount and quantity limits. A carry-out sale at a till was seen by the cashier and its
        // goods have left: it is not held for its value (large cash is, above).
        if order.channel != .pos, order.total.minorUnits >= policy.highValueFen {
            fire("high_value", policy.highValueScore, "order total at or above \(Money.fen(policy.highValueFen))")
        }
        let units = order.lines.reduce(0) { $0 + $1.quantity }
        if order.lines.contains(where: { $0.quantity > policy.maxLineQuantity }) || units > policy.maxOrderUnits {
            fire("unusual_quantity", policy.unusualQuantityScore, "more than \(policy.maxLineQuantity) of one item or \(policy.maxOrderUnits) units in all")
        }

        // Velocity (brushing).
        let window = "\(policy.velocityWindowMinutes) min"
        if signals.ordersFromPhone > policy.maxOrdersPerPhone { fire("velocity_phone", policy.velocityScore, "\(signals.ordersFromPhone) orders from one phone within \(window)") }
        if signals.ordersToAddress > policy.maxOrdersPerAddress { fire("velocity_address", policy.velocityScore, "\(signals.ordersToAddress) orders to one address within \(window)") }
        if signals.ordersFromDevice > policy.maxOrdersPerDevice { fire("velocity_device", policy.velocityScore, "\(signals.ordersFromDevice) orders from one device within \(window)") }
        if signals.ordersFromAccount > policy.maxOrdersPerAccount { fire("velocity_account", policy.velocityScore, "\(signals.ordersFromAccount) orders from one account within \(window)") }

        // Promotion abuse.
        if couponCode != nil, signals.otherCouponAccountsInHousehold >= policy.maxCouponAccountsPerHousehold {
            fire("coupon_sharing", policy.couponSharingScore, "\(signals.otherCouponAccountsInHousehold) other accounts used coupons with this phone, address or device within \(window)")
        }
        let goods = order.goodsTotal.minorUnits
        if goods > 0, order.discountTotal.minorUnits * 100 >= goods * Int64(policy.farmingMinDiscountPercent),
           goods - order.discountTotal.minorUnits <= policy.farmingMaxPaidFen {
            fire("promotion_farming", policy.farmingScore, "discounts cover \(policy.farmingMinDiscountPercent)% or more of the goods")
        }

        // Deny lists.
        if signals.phoneDenied { fire("denied_phone", policy.rejectScore, "phone is on the deny list") }
        if signals.addressDenied { fire("denied_address", policy.rejectScore, "address is on the deny list") }

        let score = findings.reduce(0) { $0 + $1.score }
        let outcome: Outcome = score >= policy.rejectScore ? .rejected : score >= policy.holdScore ? .held : .verified
        return Decision(outcome: outcome, score: score, findings: findings)
    }
}
