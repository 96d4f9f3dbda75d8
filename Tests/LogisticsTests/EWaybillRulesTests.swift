import Foundation
import OMSPlatform
import Testing
@testable import LogisticsService

/// The pure parts of e-waybills: SF's digest and how its answers are read.
@Suite("E-waybill rules: SF's digest and answers")
struct EWaybillRulesTests {
    @Test("SF's msgDigest: Base64(MD5(Java-URL-encoded msgData + timestamp + checkWord)); form encoding as Java's URLEncoder (vector computed with Python's urllib and hashlib)")
    func digest() {
        let msgData = #"{"contact":"王小明 ~x","orderId":"SHP-1"}"#
        #expect(FormEncoding.encode(msgData + "1765000000000cw")
                == "%7B%22contact%22%3A%22%E7%8E%8B%E5%B0%8F%E6%98%8E+%7Ex%22%2C%22orderId%22%3A%22SHP-1%22%7D1765000000000cw")
        #expect(SFExpressWaybills.digest(msgData: msgData, timestamp: "1765000000000", checkWord: "cw") == "2tBDRtSIFGWzo/jC4tgtcA==")
        #expect(SFExpressWaybills.digest(msgData: msgData, timestamp: "1765000000001", checkWord: "cw") != "2tBDRtSIFGWzo/jC4tgtcA==")
    }

    @Test("SF's answers: the main waybill number and its routing label; S-codes are SF's faults (retried), others refusals")
    func answers() {
        let booked = SFExpressWaybills.booked(["waybillNoInfoList": [["waybillType": 2, "waybillNo": "SF000CHILD"], ["waybillType": 1, "waybillNo": "SF1234567890123"]],
                                               "routeLabelInfo": [["code": "1000", "routeLabelData": ["destRouteLabel": "755WE-571A3", "ignored": "x"]]]])
        #expect(booked == .booked(waybillNumber: "SF1234567890123", label: ["destRouteLabel": "755WE-571A3"]))
        #expect(SFExpressWaybills.booked(["waybillNoInfoList": []]) == nil)
        #expect(SFExpressWaybills.refusal(.init(success: false, errorCode: "S0001", errorMessage: "系统异常", msgData: [:])) == .retry(code: "S0001", message: "系统异常"))
        #expect(SFExpressWaybills.refusal(.init(success: false, errorCode: "8019", errorMessage: "寄件地址不在服务范围", msgData: [:]))
                == .rejected(code: "8019", message: "寄件地址不在服务范围"))
    }

    @Test("booking retries double from the base, capped at ten minutes, jitter only lengthens")
    func retryWaits() {
        #expect(WaybillBooker.wait(afterAttempt: 1, base: 2_000, jitter: 0) == 2_000)
        #expect(WaybillBooker.wait(afterAttempt: 4, base: 2_000, jitter: 0) == 16_000)
        #expect(WaybillBooker.wait(afterAttempt: 4, base: 2_000, jitter: 1) == 20_000)
        #expect(WaybillBooker.wait(afterAttempt: 30, base: 2_000, jitter: 0) == 600_000)
    }

    @Test("SF is configured only with its check word; without a partner id its numbers stay local")
    func settings() throws {
        #expect(try SFExpressWaybills.Configuration.from([:]) == nil)
        #expect(throws: (any Error).self) { try SFExpressWaybills.Configuration.from(["OMS_SF_PARTNER_ID": "P"]) }
        let sf = try #require(try SFExpressWaybills.Configuration.from(["OMS_SF_PARTNER_ID": "P", "OMS_SF_CHECKWORD": "cw"]))
        #expect(sf.gatewayURL == "https://bspgw.sf-express.com/std/service" && sf.monthlyCard == nil)
        #expect(try LogisticsConfiguration(environment: ["OMS_SF_PARTNER_ID": "P", "OMS_SF_CHECKWORD": "cw"]).waybillCarriers.keys.sorted() == ["SF"])
        #expect(try LogisticsConfiguration(environment: [:]).waybillCarriers.isEmpty)
    }
}
