import Foundation
import HTTPTypes
import Hummingbird
import NIOHTTP1
import OMSDomain
import OMSPlatform

/// Refunds as customer service and finance follow them, and the providers' result notifications:
/// - `GET /v1/aftersales/refunds?status=&orderId=&limit=`: newest first; `status` one of held,
///   requested, submitted, succeeded, failed, owed, voided;
/// - `GET /v1/aftersales/refunds/{id}`: one refund, its attempts and last error;
/// - `POST /v1/aftersales/refunds/{id}/retry`: a failed refund goes back in the queue under the
///   same refund id (the provider still pays it once);
/// - `POST /v1/aftersales/payment-notifications/wechatpay`: WeChat Pay's `REFUND.*` notification,
///   believed only when signed by the platform key and decrypted with the APIv3 key; answered as
///   WeChat Pay expects (204, or 4xx/5xx with `{"code":"FAIL","message":…}` so that it retries).
struct RefundRoutes: RouteGroup {
    let runtime: ServiceRuntime
    let wechatPay: WeChatPayRefunds.Configuration?

    static let endpoints: [Endpoint<Self>] = [
        .get("/v1/aftersales/refunds", [.customerService, .ops], "Refunds and their payment (?status, orderId, limit)", use: list),
        .get("/v1/aftersales/refunds/:id", [.customerService, .ops], "One refund's payment state", use: show),
        .post("/v1/aftersales/refunds/:id/retry", [.ops], "Queue a failed refund again (same refund id)", body: .none, use: retry),
        .post("/v1/aftersales/payment-notifications/wechatpay", .open, "WeChat Pay refund result notification (signed, encrypted)", use: wechatPayNotification),
    ]

    func list(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let query = request.queryDictionary
        var check = RequestCheck()
        if let status = query["status"], RefundPaymentStatus(rawValue: status) == nil {
            check.fail("status", "one of \(RefundPaymentStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let order = query["orderId"], order.isEmpty || order.count > 64 { check.fail("orderId", "1-64 characters") }
        let limit = query["limit"].flatMap(Int.init) ?? 100
        if let raw = query["limit"], Int(raw).map({ (1...1_000).contains($0) }) != true { check.fail("limit", "1-1000") }
        try check.check()
        let logger = runtime.logger
        let views = try await runtime.database.client.withConnection {
            try await RefundStore.list(status: query["status"], orderID: query["orderId"], limit: limit, connection: $0, logger: logger)
        }
        return try Response.json(RefundList(refunds: views))
    }

    func show(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        guard let view = try await view(id) else {
            throw APIError(.notFound, code: "refund_not_found", message: "no refund \(id)")
        }
        return try Response.json(view)
    }

    func retry(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        let requeued = try await runtime.retryingTransaction { tx in try await RefundStore.retry(id, now: Date(), connection: tx.connection, logger: tx.logger) }
        guard let view = try await view(id) else {
            throw APIError(.notFound, code: "refund_not_found", message: "no refund \(id)")
        }
        guard requeued else { throw APIError.conflict("not_failed", "refund \(id) is \(view.status); only a failed refund is retried") }
        runtime.logger.notice("failed refund queued again", metadata: ["refundId": "\(id)", "by": "\(context.actingUser ?? "-")"])
        return try Response.json(view, status: .accepted)
    }

    func wechatPayNotification(_ request: Request, _ context: OMSRequestContext) async throws -> Response {
        let body = String(buffer: try await request.body.collect(upTo: 64 * 1024))
        // Without the keys nothing can be authenticated (as a carrier webhook without its secret).
        guard let wechatPay else { return Self.wechatFailure(.unauthorized, "WeChat Pay is not configured: no key to verify the signature") }
        var headers = HTTPHeaders()
        for field in request.headers { headers.add(name: field.name.rawName, value: field.value) }
        let notification: WeChatPayNotification
        do { notification = try WeChatPayNotification.open(body: body, headers: headers, configuration: wechatPay) } catch {
            runtime.logger.warning("WeChat Pay notification refused", metadata: ["reason": "\(error)"])
            return error == .signature ? Self.wechatFailure(.unauthorized, "signature did not verify") : Self.wechatFailure(.badRequest, "\(error)")
        }
        let answer = notification.answer
        let known = try await runtime.retryingTransaction { tx -> Bool in
            switch answer {
            case .succeeded(let id):
                _ = try await RefundStore.settle(notification.outRefundNo, outcome: .succeeded, providerRefundId: id, reason: nil, onlyAttempt: nil, now: Date(), context: tx)
            case .rejected(let code, _):
                _ = try await RefundStore.settle(notification.outRefundNo, outcome: .failed, providerRefundId: notification.refundId, reason: code, onlyAttempt: nil, now: Date(), context: tx)
            case .processing, .retryable, .owed:
                break
            }
            return try await RefundStore.view(notification.outRefundNo, connection: tx.connection, logger: tx.logger) != nil
        }
        guard known else { return Self.wechatFailure(.notFound, "unknown out_refund_no") }
        return Response(status: .noContent)
    }

    struct RefundList: Codable, Sendable {
        var refunds: [RefundStore.View]
    }

    private func view(_ id: String) async throws -> RefundStore.View? {
        let logger = runtime.logger
        return try await runtime.database.client.withConnection { try await RefundStore.view(id, connection: $0, logger: logger) }
    }

    static func wechatFailure(_ status: HTTPResponse.Status, _ message: String) -> Response {
        let body = #"{"code":"FAIL","message":"\#(message.replacingOccurrences(of: "\"", with: "'"))"}"#
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
