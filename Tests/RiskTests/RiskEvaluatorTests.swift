import Foundation
import OMSDomain
import RiskService
import Testing

@Suite("Risk rules: each fires when it should and stays quiet otherwise")
struct RiskEvaluatorTests {
    let evaluator = RiskEvaluator(policy: RiskPolicy())

    /// A clean, paid web order of 345.10 yuan delivered to a precise address.
    func order(_ edit: (inout Order) -> Void = { _ in }) -> Order {
        var order = Order(
            orderID: "OMS261111-RISKTEST0001", channel: .web, channelOrderID: "W1",
            customer: Customer(customerKey: "c_1", name: "李雷", phone: "13912345678"),
            deliveryAddress: Address(province: "上海市", city: "上海市", district: "浦东新区", street: "世纪大道 100 号", postalCode: "200120"),
            lines: [OrderLine(lineNumber: 1, sku: "A", quantity: 1, unitPrice: .fen(34_510))], shippingFee: .zero,
            payment: Payment(method: .card, reference: "pi_1", paidAmount: .fen(34_510), paidAt: Date()), placedAt: Date())
        edit(&order)
        return order
    }

    func rules(_ order: Order, coupon: String? = nil, _ signals: RiskSignals = RiskSignals()) -> [String] {
        evaluator.evaluate(order, couponCode: coupon, signals: signals).findings.map(\.rule)
    }

    @Test("a clean order is verified with no findings")
    func clean() {
        let decision = evaluator.evaluate(order(), couponCode: nil, signals: RiskSignals())
        #expect(decision.outcome == .verified && decision.score == 0 && decision.findings.isEmpty)
    }

    @Test("completeness: name, phone, address parts, vague street, postal code")
    func completeness() {
        #expect(rules(order { $0.customer.name = " " }) == ["incomplete_recipient"])
        #expect(rules(order { $0.customer.phone = "12345678901" }) == ["invalid_phone"])
        #expect(rules(order { $0.deliveryAddress?.district = "" }) == ["incomplete_address"])
        #expect(rules(order { $0.deliveryAddress?.street = "小区门口附近" }) == ["vague_address"])
        #expect(rules(order { $0.deliveryAddress?.street = "1号" }) == ["vague_address"])
        #expect(rules(order { $0.deliveryAddress?.postalCode = "2001" }) == ["invalid_postal_code"])
        // Carry-out sales need no address, name or phone.
        #expect(rules(order { $0.deliveryAddress = nil; $0.customer.name = ""; $0.customer.phone = "" }) == [])
        #expect(evaluator.evaluate(order { $0.deliveryAddress?.street = "附近" }, couponCode: nil, signals: RiskSignals()).outcome == .held)
    }

    @Test("payment: reference and amount for paid orders; cash on delivery by channel and limit")
    func payment() {
        #expect(rules(order { $0.payment.reference = nil }) == ["missing_payment_reference"])
        #expect(rules(order { $0.payment.paidAmount = .fen(34_509) }) == ["payment_mismatch"])
        let cod = Payment(method: .cashOnDelivery, reference: nil, paidAmount: .zero, paidAt: nil)
        #expect(rules(order { $0.payment = cod }) == ["cod_not_allowed"])
        #expect(evaluator.evaluate(order { $0.payment = cod }, couponCode: nil, signals: RiskSignals()).outcome == .rejected)
        #expect(rules(order { $0.payment = cod; $0.channel = .phone }) == [])
        #expect(rules(order {
            $0.payment = cod; $0.channel = .phone
            $0.lines = [OrderLine(lineNumber: 1, sku: "A", quantity: 1, unitPrice: .fen(200_001))]
        }) == ["cod_over_limit"])
    }

    @Test("an order sent before its payment (pending or failed) has neither reference nor amount yet: no payment finding; a paid one still needs both")
    func awaitingPayment() {
        for status in [PaymentStatus.pending, .failed] {
            let waiting = order { $0.payment = Payment(method: .wechatPay, reference: nil, paidAmount: .zero, paidAt: nil, status: status) }
            #expect(rules(waiting) == [], "\(status)")
        }
        #expect(rules(order { $0.payment = Payment(method: .wechatPay, reference: nil, paidAmount: .zero, paidAt: nil, status: .paid) }) == ["missing_payment_reference", "payment_mismatch"])
    }

    /// A walk-in sale at a store till: no address, no customer details, paid in cash.
    func tillSale(totalFen: Int64, method: PaymentMethod = .cashAtTill, reference: String? = nil) -> Order {
        order {
            $0.channel = .pos; $0.deliveryAddress = nil; $0.customer = Customer(customerKey: "", name: "", phone: "")
            $0.lines = [OrderLine(lineNumber: 1, sku: "A", quantity: 1, unitPrice: .fen(totalFen))]
            $0.payment = Payment(method: method, reference: reference, paidAmount: .fen(totalFen), paidAt: Date())
        }
    }

    @Test("a cash sale at the till is a paid tender without a reference: verified; large cash (at the reporting threshold) is held; card at the till still needs its reference")
    func cashAtTheTill() {
        let sale = evaluator.evaluate(tillSale(totalFen: 34_510), couponCode: nil, signals: RiskSignals())
        #expect(sale.outcome == .verified && sale.findings.isEmpty, "\(sale.findings.map(\.rule))")
        // The goods left with the customer: a big card sale at the till is not held as "high value".
        #expect(rules(tillSale(totalFen: 800_000, method: .card, reference: "auth-1")) == [])
        #expect(rules(tillSale(totalFen: 800_000, method: .card)) == ["missing_payment_reference"])
        let policy = RiskPolicy()
        #expect(rules(tillSale(totalFen: policy.tillCashMaxFen - 1)) == [])
        #expect(rules(tillSale(totalFen: policy.tillCashMaxFen)) == ["till_cash_over_limit"])
        #expect(evaluator.evaluate(tillSale(totalFen: policy.tillCashMaxFen), couponCode: nil, signals: RiskSignals()).outcome == .held)
        #expect(rules(order { $0.payment.method = .cashAtTill; $0.payment.reference = nil }) == [], "cash needs no reference on any channel that takes it")
    }

    @Test("high value at the threshold exactly, not one fen below; unusual quantities")
    func limits() {
        func priced(_ fen: Int64) -> Order { order { $0.lines = [OrderLine(lineNumber: 1, sku: "A", quantity: 1, unitPrice: .fen(fen))]; $0.payment.paidAmount = .fen(fen) } }
        #expect(rules(priced(500_000)) == ["high_value"])
        #expect(rules(priced(499_999)) == [])
        #expect(rules(order { $0.lines = [OrderLine(lineNumber: 1, sku: "A", quantity: 21, unitPrice: .fen(1))]; $0.payment.paidAmount = .fen(21) }) == ["unusual_quantity"])
        #expect(rules(order { $0.lines = [OrderLine(lineNumber: 1, sku: "A", quantity: 20, unitPrice: .fen(1))]; $0.payment.paidAmount = .fen(20) }) == [])
    }

    @Test("velocity: more than the limit from one phone, address or account holds the order")
    func velocity() {
        #expect(rules(order(), RiskSignals(ordersFromPhone: 5)) == [])
        #expect(rules(order(), RiskSignals(ordersFromPhone: 6)) == ["velocity_phone"])
        #expect(rules(order(), RiskSignals(ordersToAddress: 9)) == ["velocity_address"])
        #expect(rules(order(), RiskSignals(ordersFromAccount: 11)) == ["velocity_account"])
        #expect(rules(order(), RiskSignals(ordersFromDevice: 8)) == [])
        #expect(rules(order(), RiskSignals(ordersFromDevice: 9)) == ["velocity_device"])
        #expect(evaluator.evaluate(order(), couponCode: nil, signals: RiskSignals(ordersFromPhone: 6)).outcome == .held)
    }

    @Test("promotion abuse: coupons shared across accounts of one household; farming orders")
    func promotionAbuse() {
        #expect(rules(order(), coupon: "C1", RiskSignals(otherCouponAccountsInHousehold: 2)) == ["coupon_sharing"])
        #expect(rules(order(), coupon: "C1", RiskSignals(otherCouponAccountsInHousehold: 1)) == [])
        #expect(rules(order(), coupon: nil, RiskSignals(otherCouponAccountsInHousehold: 5)) == [])
        let farmed = order {
            $0.lines = [OrderLine(lineNumber: 1, sku: "A", quantity: 1, unitPrice: .fen(1_000), allocatedDiscount: .fen(990))]
            $0.payment.paidAmount = .fen(10)
        }
        #expect(rules(farmed) == ["promotion_farming"])
    }

    @Test("deny lists reject, and the decision explains itself")
    func denyList() {
        let decision = evaluator.evaluate(order(), couponCode: nil, signals: RiskSignals(phoneDenied: true, addressDenied: true))
        #expect(decision.outcome == .rejected)
        #expect(decision.findings.map(\.rule) == ["denied_phone", "denied_address"])
        #expect(decision.score == 200)
        #expect(decision.findings.allSatisfy { !$0.reason.contains("13912345678") })
    }

    @Test("the policy is data: thresholds change outcomes without code")
    func policyIsData() {
        var strict = RiskPolicy()
        strict.highValueFen = 10_000
        strict.highValueScore = 100
        #expect(RiskEvaluator(policy: strict).evaluate(order(), couponCode: nil, signals: RiskSignals()).outcome == .rejected)
    }
}
