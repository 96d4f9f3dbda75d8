import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import OMSPlatform

/// SF Express (顺丰) e-waybills through its open platform (丰桥, `https://bspgw.sf-express.com/std/service`):
/// a form POST of `partnerID`, `requestID`, `serviceCode`, `timestamp` (ms), `msgData` (the JSON
/// request) and `msgDigest` = Base64(MD5(URL-encoded(msgData + timestamp + checkWord))). The parcel
/// is booked with `EXP_RECE_CREATE_ORDER` (`orderId` = the shipment id, `isReturnRoutelabel=1` for the
/// label's routing data); SF refuses a second order with the same `orderId` (`8016` 重复下单), and the
/// existing waybill is then read with `EXP_RECE_SEARCH_ORDER_RESP`, so a retried or repeated booking
/// never makes a second waybill. The platform answers `apiResultCode` (`A1000` = taken; `A1005` flow
/// control and `A1099` system error are transient) and, inside `apiResultData`, the business
/// `success` / `errorCode`.
struct SFExpressWaybills: EWaybillCarrier {
    /// `OMS_SF_*` settings.
    struct Configuration: Sendable, Equatable {
        var gatewayURL: String
        var partnerID: String
        var checkWord: String
        /// 月结卡号: the shop's monthly-settlement account the parcels are billed to.
        var monthlyCard: String?
        var timeoutSeconds: Int64

        static func from(_ environment: [String: String]) throws -> Self? {
            guard let partner = environment["OMS_SF_PARTNER_ID"], !partner.isEmpty else { return nil }
            guard let checkWord = environment["OMS_SF_CHECKWORD"], !checkWord.isEmpty else {
                throw ConfigurationError(key: "OMS_SF_CHECKWORD", reason: "required when OMS_SF_PARTNER_ID is set: the check word SF issued with the partner id")
            }
            let reader = EnvironmentReader(environment)
            return Self(gatewayURL: reader.string("OMS_SF_GATEWAY_URL", "https://bspgw.sf-express.com/std/service"), partnerID: partner, checkWord: checkWord,
                        monthlyCard: environment["OMS_SF_MONTHLY_CARD"].flatMap { $0.isEmpty ? nil : $0 },
                        timeoutSeconds: Int64(try reader.integer("OMS_EWAYBILL_TIMEOUT_SECONDS", 10, 1...120)))
        }
    }

    static let transientCodes: Set<String> = ["A1005", "A1099"]
    let configuration: Configuration
    var company: String { "SF" }

    func book(_ request: WaybillRequest) async -> WaybillAnswer {
        var contacts: [[String: Any]] = []
        for (type, contact) in [(1, request.sender), (2, request.recipient)] {
            var entry: [String: Any] = ["contactType": type, "contact": contact.name, "country": "CN", "province": contact.province, "city": contact.city,
                                        "address": contact.address]
            if let district = contact.district { entry["county"] = district }
            if let phone = contact.phone { entry["mobile"] = phone }
            contacts.append(entry)
        }
        var order: [String: Any] = ["language": "zh-CN", "orderId": request.orderId, "expressTypeId": request.service == "SF-STANDARD" ? 2 : 1,
                                    "parcelQty": 1, "totalWeight": Double(request.weightGrams) / 1_000, "payMethod": 1, "isReturnRoutelabel": 1,
                                    "cargoDetails": [["name": String(request.cargo.prefix(60)), "count": 1]], "contactInfoList": contacts]
        if let card = configuration.monthlyCard { order["monthlyCard"] = card }
        if let value = request.declaredValueFen { order["serviceList"] = [["name": "INSURE", "value": Self.yuan(value)]] }
        if let cod = request.cashOnDeliveryFen {
            order["serviceList"] = ((order["serviceList"] as? [[String: String]]) ?? []) + [["name": "COD", "value": Self.yuan(cod), "value1": configuration.monthlyCard ?? ""]]
        }
        switch await call("EXP_RECE_CREATE_ORDER", order) {
        case .failure(let answer):
            return answer
        case .success(let result):
            if result.success { return Self.booked(result.msgData) ?? .retry(code: "NO_WAYBILL_NUMBER", message: "SF answered no waybill number") }
            guard result.errorCode == "8016" else { return Self.refusal(result) }
            // Booked before (a retry after an unanswered call, or a redelivered event): read it back.
            switch await call("EXP_RECE_SEARCH_ORDER_RESP", ["orderId": request.orderId, "searchType": "1", "language": "zh-CN"]) {
            case .failure(let answer): return answer
            case .success(let found):
                guard found.success else { return Self.refusal(found) }
                return Self.booked(found.msgData) ?? .retry(code: "NO_WAYBILL_NUMBER", message: "SF found the order but no waybill number")
            }
        }
    }

    /// A call answered with SF's business result, or ended with the answer to give.
    enum CallOutcome {
        case success(Result)
        case failure(WaybillAnswer)
    }

    /// The business result inside `apiResultData`.
    struct Result {
        var success: Bool
        var errorCode: String?
        var errorMessage: String?
        var msgData: [String: Any]
    }

    func call(_ serviceCode: String, _ data: [String: Any], now: Date = Date()) async -> CallOutcome {
        guard let json = try? JSONSerialization.data(withJSONObject: data, options: [.sortedKeys]) else {
            return .failure(.rejected(code: "UNENCODABLE", message: "the request could not be encoded"))
        }
        let msgData = String(decoding: json, as: UTF8.self)
        let timestamp = String(Int64(now.timeIntervalSince1970 * 1_000))
        let form = ["partnerID": configuration.partnerID, "requestID": UUID().uuidString, "serviceCode": serviceCode, "timestamp": timestamp,
                    "msgData": msgData, "msgDigest": Self.digest(msgData: msgData, timestamp: timestamp, checkWord: configuration.checkWord)]
        var http = HTTPClientRequest(url: configuration.gatewayURL)
        http.method = .POST
        http.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded;charset=UTF-8")
        http.body = .bytes(ByteBuffer(string: FormEncoding.body(form)))
        let text: String
        do {
            let response = try await HTTPClient.shared.execute(http, timeout: .seconds(configuration.timeoutSeconds))
            text = String(buffer: try await response.body.collect(upTo: 1 << 20))
            guard response.status.code == 200 else { return .failure(.retry(code: "HTTP_\(response.status.code)", message: "SF answered \(response.status.code)")) }
        } catch {
            return .failure(.retry(code: "TRANSPORT", message: String(String(describing: error).prefix(200))))
        }
        guard let envelope = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any], let code = envelope["apiResultCode"] as? String else {
            return .failure(.retry(code: "MALFORMED_ANSWER", message: "SF's answer is not its envelope"))
        }
        guard code == "A1000" else {
            let message = envelope["apiErrorMsg"] as? String ?? code
            return .failure(Self.transientCodes.contains(code) ? .retry(code: code, message: message) : .rejected(code: code, message: message))
        }
        guard let inner = (envelope["apiResultData"] as? String).flatMap({ try? JSONSerialization.jsonObject(with: Data($0.utf8)) }) as? [String: Any] else {
            return .failure(.retry(code: "MALFORMED_ANSWER", message: "no apiResultData"))
        }
        return .success(Result(success: inner["success"] as? Bool ?? false, errorCode: inner["errorCode"] as? String, errorMessage: inner["errorMsg"] as? String,
                               msgData: inner["msgData"] as? [String: Any] ?? [:]))
    }

    /// The number of the parcel's main waybill (`waybillType` 1) and its routing label data.
    static func booked(_ msgData: [String: Any]) -> WaybillAnswer? {
        let numbers = msgData["waybillNoInfoList"] as? [[String: Any]] ?? []
        guard let number = (numbers.first { "\($0["waybillType"] ?? "")" == "1" } ?? numbers.first)?["waybillNo"] as? String, !number.isEmpty else { return nil }
        var label: [String: String] = [:]
        if let info = (msgData["routeLabelInfo"] as? [[String: Any]])?.first, let data = info["routeLabelData"] as? [String: Any] {
            for key in ["destRouteLabel", "twoDimensionCode", "codingMapping", "codingMappingOut", "sourceTransferCode", "destTeamCode", "proCode"] {
                if let value = data[key] { label[key] = "\(value)" }
            }
        }
        return .booked(waybillNumber: number, label: label)
    }

    static func refusal(_ result: Result) -> WaybillAnswer {
        let code = result.errorCode ?? "NOT_SUCCESS"
        // SF's business codes starting with S (S0001…) are its system faults; the rest are the request's.
        return code.hasPrefix("S") && code != "S0000"
            ? .retry(code: code, message: result.errorMessage ?? code)
            : .rejected(code: code, message: result.errorMessage ?? code)
    }

    /// Base64(MD5(URL-encoded(msgData + timestamp + checkWord))), URL-encoding as Java's URLEncoder
    /// (space as `+`), which SF's documentation specifies.
    static func digest(msgData: String, timestamp: String, checkWord: String) -> String {
        Data(Insecure.MD5.hash(data: Array(FormEncoding.encode(msgData + timestamp + checkWord).utf8))).base64EncodedString()
    }

    static func yuan(_ fen: Int64) -> String {
        "\(fen / 100).\(String(format: "%02d", fen % 100))"
    }
}
