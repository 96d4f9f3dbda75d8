import Foundation
import Testing
@testable import IntegrationsService

/// The pure rules of marketplace ship-back and the stock feed: how a parcel is reported, how the
/// platforms' requests are signed and how their errors are read.
@Suite("Marketplace rules: parcel plans, signatures, platform errors")
struct MarketplaceRulesTests {
    typealias Line = ShipBackPlan.OrderLine
    typealias Parcel = ShipBackPlan.ParcelLine

    @Test("a parcel with the whole order is a plain ship; partial parcels name their sub-orders; without sub-order ids only the first is told; a replacement is a resend; JD takes one number")
    func parcelPlans() {
        let order = [Line(sku: "A", quantity: 2, subOrderId: "O1"), Line(sku: "B", quantity: 1, subOrderId: "O2")]
        #expect(ShipBackPlan.decide(order: order, parcel: [Parcel(sku: "A", quantity: 2), Parcel(sku: "B", quantity: 1)], earlierParcels: 0, replacement: false,
                                    splitSupported: true, resendSupported: true) == .send(operation: .ship, subOrderIds: [], isSplit: false))
        #expect(ShipBackPlan.decide(order: order, parcel: [Parcel(sku: "A", quantity: 2)], earlierParcels: 0, replacement: false,
                                    splitSupported: true, resendSupported: true) == .send(operation: .ship, subOrderIds: ["O1"], isSplit: true))
        // The second parcel of a split order, even when it holds everything left.
        #expect(ShipBackPlan.decide(order: order, parcel: [Parcel(sku: "B", quantity: 1)], earlierParcels: 1, replacement: false,
                                    splitSupported: true, resendSupported: true) == .send(operation: .ship, subOrderIds: ["O2"], isSplit: true))
        // One SKU split over two parcels: both name the same sub-order.
        #expect(ShipBackPlan.decide(order: order, parcel: [Parcel(sku: "A", quantity: 1)], earlierParcels: 1, replacement: false,
                                    splitSupported: true, resendSupported: true) == .send(operation: .ship, subOrderIds: ["O1"], isSplit: true))
        let unnamed = [Line(sku: "A", quantity: 1, subOrderId: nil), Line(sku: "B", quantity: 1, subOrderId: nil)]
        #expect(ShipBackPlan.decide(order: unnamed, parcel: [Parcel(sku: "A", quantity: 1)], earlierParcels: 0, replacement: false,
                                    splitSupported: true, resendSupported: true) == .send(operation: .ship, subOrderIds: [], isSplit: false))
        guard case .skip(let reason) = ShipBackPlan.decide(order: unnamed, parcel: [Parcel(sku: "B", quantity: 1)], earlierParcels: 1, replacement: false,
                                                           splitSupported: true, resendSupported: true) else {
            Issue.record("a later unnamed parcel cannot be told")
            return
        }
        #expect(reason.hasPrefix("no_sub_order_ids"))
        #expect(ShipBackPlan.decide(order: unnamed, parcel: [Parcel(sku: "A", quantity: 1), Parcel(sku: "B", quantity: 1)], earlierParcels: 1, replacement: true,
                                    splitSupported: true, resendSupported: true) == .send(operation: .resend, subOrderIds: [], isSplit: false))
        #expect(ShipBackPlan.decide(order: order, parcel: [Parcel(sku: "B", quantity: 1)], earlierParcels: 2, replacement: true,
                                    splitSupported: true, resendSupported: true) == .send(operation: .resend, subOrderIds: ["O2"], isSplit: true))
        // JD: the first parcel tells the order's number; nothing after it can be told.
        #expect(ShipBackPlan.decide(order: order, parcel: [Parcel(sku: "A", quantity: 2)], earlierParcels: 0, replacement: false,
                                    splitSupported: false, resendSupported: false) == .send(operation: .ship, subOrderIds: [], isSplit: false))
        if case .send = ShipBackPlan.decide(order: order, parcel: [Parcel(sku: "B", quantity: 1)], earlierParcels: 1, replacement: false, splitSupported: false, resendSupported: false) {
            Issue.record("JD takes one waybill through its ship call")
        }
        if case .send = ShipBackPlan.decide(order: order, parcel: [Parcel(sku: "A", quantity: 2)], earlierParcels: 1, replacement: true, splitSupported: false, resendSupported: false) {
            Issue.record("JD's replacement number cannot be told")
        }
    }

    @Test("TOP and JOS signatures: every parameter but sign, sorted by name, name then value; MD5 wrapped in the secret or HMAC-SHA256 keyed by it; uppercase hex (vectors computed with Python's hashlib)")
    func signatures() {
        let parameters = ["method": "taobao.logistics.offline.send", "app_key": "12345678", "timestamp": "2026-12-06 20:00:00", "tid": "T1", "out_sid": "SF1",
                          "company_code": "SF", "sign_method": "md5", "format": "json", "v": "2.0", "session": "s", "360buy_param_json": #"{"a":1}"#]
        #expect(MarketplaceSignature.md5(parameters, secret: "secret") == "3EE380B4AFF95EC926698A720C78C6E9")
        #expect(MarketplaceSignature.md5(parameters.merging(["sign": "ignored"]) { $1 }, secret: "secret") == "3EE380B4AFF95EC926698A720C78C6E9")
        #expect(MarketplaceSignature.hmacSHA256(parameters, secret: "secret") == "01490D21AFC42F5E94A155C7832A7915AF284499299F6633F2D0A74D96467C31")
        #expect(MarketplaceSignature.md5(parameters, secret: "other") != "3EE380B4AFF95EC926698A720C78C6E9")
    }

    @Test("TOP errors: the call limit and isp.* are retried, isv.* and session or signature errors are refusals, named code:sub_code")
    func topErrors() {
        #expect(TaobaoGateway.classify(["code": 7, "msg": "App Call Limited", "sub_code": "accesscontrol.limited-by-app-access-count"])
                == .retry(code: "7:accesscontrol.limited-by-app-access-count", message: "App Call Limited"))
        #expect(TaobaoGateway.classify(["code": 15, "msg": "Remote service error", "sub_code": "isp.top-remote-connection-timeout", "sub_msg": "超时"])
                == .retry(code: "15:isp.top-remote-connection-timeout", message: "超时"))
        #expect(TaobaoGateway.classify(["code": 15, "sub_code": "isv.logistics-offline-service-error:B04", "sub_msg": "订单状态不允许发货"])
                == .rejected(code: "15:isv.logistics-offline-service-error:B04", message: "订单状态不允许发货"))
        #expect(TaobaoGateway.classify(["code": 27, "msg": "Invalid session"]) == .rejected(code: "27", message: "Invalid session"))
        #expect(TaobaoGateway.classify(["code": "25", "msg": "Invalid signature"]) == .rejected(code: "25", message: "Invalid signature"))
    }

    @Test("JOS results: success false anywhere in the result is a refusal with JD's error code")
    func josResults() {
        #expect(JDGateway.refusal(in: ["code": "0", "sopjosshipment_result": ["success": true, "errorCode": ""]]) == nil)
        #expect(JDGateway.refusal(in: ["code": "0", "sopjosshipment_result": ["success": false, "errorCode": "10400001", "chineseErrCode": "订单已出库"]])
                == .rejected(code: "10400001", message: "订单已出库"))
        #expect(JDGateway.refusal(in: ["code": "0", "success": false]) == .rejected(code: "NOT_SUCCESS", message: "the platform refused"))
    }

    @Test("platform settings: a platform is configured only with all its secrets; carrier codes have defaults and overrides")
    func settings() throws {
        let none = try MarketplaceGateways.Configuration(environment: [:])
        #expect(none.taobao == nil && none.jd == nil && none.taobaoCarrierCodes["SF"] == "SF" && none.jdCarrierIds["SF"] == "467")
        #expect(throws: (any Error).self) { try MarketplaceGateways.Configuration(environment: ["OMS_TAOBAO_APP_KEY": "k"]) }
        #expect(throws: (any Error).self) { try MarketplaceGateways.Configuration(environment: ["OMS_JD_CARRIER_IDS": "SF"]) }
        let configured = try MarketplaceGateways.Configuration(environment: ["OMS_TAOBAO_APP_KEY": "k", "OMS_TAOBAO_APP_SECRET": "s", "OMS_TAOBAO_SESSION": "x",
                                                                           "OMS_JD_CARRIER_IDS": "SF=999, DADA=1"])
        #expect(configured.taobao?.gatewayURL == "https://eco.taobao.com/router/rest" && configured.taobao?.signMethod == "md5")
        #expect(configured.jdCarrierIds["SF"] == "999" && configured.jdCarrierIds["DADA"] == "1" && configured.jdCarrierIds["ZTO"] == "1499")
        let gateways = MarketplaceGateways(configuration: configured)
        #expect(gateways.gateway(for: "tmall") != nil && gateways.gateway(for: "jd") == nil && gateways.gateway(for: "pdd") == nil)
        #expect(gateways.companyCode(carrier: "DADA", platform: "tmall") == nil)
    }
}
