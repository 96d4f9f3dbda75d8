import Foundation

/// JD (京东) through the JOS router (`https://api.jd.com/routerjson`): a form POST of `method`,
/// `app_key`, `access_token`, `timestamp` (Asia/Shanghai), `v=2.0` and the call's own parameters as
/// one JSON text in `360buy_param_json`, signed MD5(secret + sorted name-value pairs + secret).
/// Ship-back is `jingdong.pop.order.shipment` (`order_id`, `logistics_id`: JD's numeric carrier
/// id, `waybill`); the stock feed is `jingdong.stock.write.updateSkuStock` (`skuId`, `stockNum`).
/// JD takes one waybill per order through this call: later parcels and replacement numbers are not
/// sent (the ship-back says why). JOS answers `<method>_responce` (JD's spelling) with `code` "0"
/// and the call's result, whose `success` false is a refusal; router errors are `error_response`
/// with `code` and `zh_desc`: its throttling and time-out codes are transient, the rest refusals.
struct JDGateway: MarketplaceGateway {
    /// `OMS_JD_*` settings.
    struct Configuration: Sendable, Equatable {
        var gatewayURL: String
        var appKey: String
        var appSecret: String
        var accessToken: String
        var timeoutSeconds: Int64
    }

    /// The router's own faults: its back end timed out or was unavailable, or the call limit was hit.
    static let transientCodes: Set<String> = ["66", "67", "85"]

    let configuration: Configuration

    func shipBack(_ shipBack: ShipBack, companyCode: String) async -> MarketplaceAnswer {
        await call("jingdong.pop.order.shipment", ["order_id": shipBack.platformOrderId, "logistics_id": companyCode, "waybill": shipBack.trackingNumber])
    }

    func pushQuantity(_ push: StockPush) async -> MarketplaceAnswer {
        await call("jingdong.stock.write.updateSkuStock", ["skuId": push.platformSkuId ?? push.itemId, "stockNum": String(push.quantity)])
    }

    /// Not asked of JD here (its order query is not wired): a refusal after a lost answer stays failed.
    func showsShipped(_ shipBack: ShipBack) async -> Bool? { nil }

    func call(_ method: String, _ own: [String: String], now: Date = Date()) async -> MarketplaceAnswer {
        let parameters = signed(method: method, own, now: now)
        let text: String
        switch await Self.postForm(parameters, to: configuration.gatewayURL, timeoutSeconds: configuration.timeoutSeconds) {
        case .success(let body): text = body
        case .failure(let failure): return failure.answer
        }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else {
            return .retry(code: "MALFORMED_ANSWER", message: "the answer is not JSON")
        }
        if let error = object["error_response"] as? [String: Any] {
            let code = "\(error["code"] ?? "")"
            let message = (error["zh_desc"] as? String) ?? (error["en_desc"] as? String) ?? "error \(code)"
            return Self.transientCodes.contains(code) ? .retry(code: code, message: message) : .rejected(code: code, message: message)
        }
        let stem = method.replacingOccurrences(of: ".", with: "_")
        guard let answer = (object[stem + "_responce"] ?? object[stem + "_response"]) as? [String: Any] else {
            return .retry(code: "MALFORMED_ANSWER", message: "no \(stem)_responce in the answer")
        }
        guard "\(answer["code"] ?? "")" == "0" else { return .rejected(code: "\(answer["code"] ?? "")", message: "the call was not successful") }
        if let refusal = Self.refusal(in: answer) { return refusal }
        return .accepted
    }

    /// A `success: false` anywhere in the call's result, with its `errorCode` and message.
    static func refusal(in object: [String: Any]) -> MarketplaceAnswer? {
        if object["success"] as? Bool == false {
            let code = "\(object["errorCode"] ?? object["resultCode"] ?? "NOT_SUCCESS")"
            let message = (object["chineseErrCode"] as? String) ?? (object["englishErrCode"] as? String) ?? "the platform refused"
            return .rejected(code: code.isEmpty ? "NOT_SUCCESS" : code, message: message)
        }
        for value in object.values {
            if let nested = value as? [String: Any], let refusal = refusal(in: nested) { return refusal }
        }
        return nil
    }

    func signed(method: String, _ own: [String: String], now: Date) -> [String: String] {
        let json = (try? JSONSerialization.data(withJSONObject: own, options: [.sortedKeys])).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        var parameters = ["method": method, "app_key": configuration.appKey, "access_token": configuration.accessToken,
                          "timestamp": Self.shanghaiTimestamp(now), "v": "2.0", "360buy_param_json": json]
        parameters["sign"] = MarketplaceSignature.md5(parameters, secret: configuration.appSecret)
        return parameters
    }
}
