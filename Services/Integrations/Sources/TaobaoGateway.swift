import Foundation

/// Taobao/Tmall through the TOP router (`https://eco.taobao.com/router/rest`): every call is a form
/// POST of the system parameters (`method`, `app_key`, `session`, `timestamp` in Asia/Shanghai,
/// `format=json`, `v=2.0`, `sign_method`) plus the call's own, signed over all of them sorted
/// (`MarketplaceSignature`). Ship-back is `taobao.logistics.offline.send` (`tid`, `out_sid`,
/// `company_code`, and `is_split=1` with `sub_tid` for a partial parcel); a replacement parcel is
/// `taobao.logistics.consign.resend`; the stock feed is `taobao.item.quantity.update` (`num_iid`,
/// `sku_id`, `quantity`, `type=1`: a full update). TOP answers errors as `error_response` with a
/// `code` and a `sub_code`: code 7 (call limit) and `isp.*` sub-codes (the platform's own faults)
/// are transient; everything else (`isv.*`: the request or the trade's state) is a refusal.
struct TaobaoGateway: MarketplaceGateway {
    /// `OMS_TAOBAO_*` settings.
    struct Configuration: Sendable, Equatable {
        var gatewayURL: String
        var appKey: String
        var appSecret: String
        /// The seller's authorisation (TOP `session`).
        var session: String
        /// `md5` or `hmac-sha256`.
        var signMethod: String
        var timeoutSeconds: Int64
    }

    /// TOP's top-level codes for throttling and platform faults: retry with the same request.
    static let transientCodes: Set<Int> = [7, 520, 521, 522, 523, 524]

    let configuration: Configuration

    func shipBack(_ shipBack: ShipBack, companyCode: String) async -> MarketplaceAnswer {
        var parameters = ["tid": shipBack.platformOrderId, "out_sid": shipBack.trackingNumber, "company_code": companyCode]
        if shipBack.isSplit && !shipBack.subOrderIds.isEmpty {
            parameters["is_split"] = "1"
            parameters["sub_tid"] = shipBack.subOrderIds.joined(separator: ",")
        }
        let method = shipBack.operation == .ship ? "taobao.logistics.offline.send" : "taobao.logistics.consign.resend"
        return await call(method, parameters) { answer in
            // Both answer {"shipping": {"is_success": true}}.
            guard let shipping = answer["shipping"] as? [String: Any], shipping["is_success"] as? Bool == true else {
                return .rejected(code: "NOT_SUCCESS", message: "the platform did not confirm the shipment")
            }
            return .accepted
        }
    }

    func pushQuantity(_ push: StockPush) async -> MarketplaceAnswer {
        var parameters = ["num_iid": push.itemId, "quantity": String(push.quantity), "type": "1"]
        if let sku = push.platformSkuId { parameters["sku_id"] = sku }
        return await call("taobao.item.quantity.update", parameters) { answer in
            answer["item"] is [String: Any] ? .accepted : .rejected(code: "NOT_SUCCESS", message: "the platform answered no item")
        }
    }

    /// `taobao.trade.get` (`fields=tid,status`): a whole-order ship shows as shipped once the trade
    /// waits for the buyer's confirmation or is past it. Split parcels and resends cannot be told
    /// apart by the trade's status: nil.
    func showsShipped(_ shipBack: ShipBack) async -> Bool? {
        guard shipBack.operation == .ship, !shipBack.isSplit else { return nil }
        var status: String?
        let answer = await call("taobao.trade.get", ["tid": shipBack.platformOrderId, "fields": "tid,status"]) { answer in
            status = (answer["trade"] as? [String: Any])?["status"] as? String
            return status == nil ? .retry(code: "NO_STATUS", message: "the trade has no status") : .accepted
        }
        guard answer == .accepted, let status else { return nil }
        return Self.shippedStatuses.contains(status)
    }

    /// Trade statuses after the seller shipped.
    static let shippedStatuses: Set<String> = ["WAIT_BUYER_CONFIRM_GOODS", "TRADE_BUYER_SIGNED", "TRADE_FINISHED"]

    /// One TOP call: the signed form, the answer's `<method without taobao.>_response` object
    /// judged by `judge`, or the `error_response` classified.
    func call(_ method: String, _ own: [String: String], now: Date = Date(), judge: ([String: Any]) -> MarketplaceAnswer) async -> MarketplaceAnswer {
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
            return Self.classify(error)
        }
        let key = method.replacingOccurrences(of: "taobao.", with: "").replacingOccurrences(of: ".", with: "_") + "_response"
        guard let answer = object[key] as? [String: Any] else { return .retry(code: "MALFORMED_ANSWER", message: "no \(key) in the answer") }
        return judge(answer)
    }

    /// The form to send: system parameters, the call's own, and `sign`.
    func signed(method: String, _ own: [String: String], now: Date) -> [String: String] {
        var parameters = own
        parameters["method"] = method
        parameters["app_key"] = configuration.appKey
        parameters["session"] = configuration.session
        parameters["timestamp"] = Self.shanghaiTimestamp(now)
        parameters["format"] = "json"
        parameters["v"] = "2.0"
        parameters["sign_method"] = configuration.signMethod
        parameters["sign"] = configuration.signMethod == "hmac-sha256"
            ? MarketplaceSignature.hmacSHA256(parameters, secret: configuration.appSecret)
            : MarketplaceSignature.md5(parameters, secret: configuration.appSecret)
        return parameters
    }

    /// A TOP `error_response`: `code` (number), `msg`, `sub_code`, `sub_msg`.
    static func classify(_ error: [String: Any]) -> MarketplaceAnswer {
        let code = (error["code"] as? Int) ?? Int("\(error["code"] ?? "")") ?? 0
        let subCode = error["sub_code"] as? String
        let message = (error["sub_msg"] as? String) ?? (error["msg"] as? String) ?? "error \(code)"
        let named = subCode.map { "\(code):\($0)" } ?? String(code)
        if transientCodes.contains(code) || subCode?.hasPrefix("isp.") == true {
            return .retry(code: named, message: message)
        }
        return .rejected(code: named, message: message)
    }
}
