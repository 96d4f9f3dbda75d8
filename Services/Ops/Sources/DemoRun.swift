import AsyncHTTPClient
import Crypto
import Foundation
import OMSDemo
import NIOCore
import NIOHTTP1
import OMSDomain
import HTTPTypes
import OMSPlatform

/// `omsctl demo`: what a newcomer sees first. Against a running suite it sets up three warehouses
/// with stock, submits the documented example order of every channel (the phone order's two SKUs sit
/// in different warehouses, so it ships as two parcels) plus a cash-on-delivery phone order over
/// the limit (risk holds it) and a mini-program order sent before its payment (it awaits it until
/// the demo plays the payment callback), and prints each order's journey as it progresses; then
/// the web order is delivered (a signed carrier scan), returned and refunded.
/// Invariant: re-running is harmless: set-up uses idempotent ids, orders get a fresh run suffix.
public struct DemoRun: Sendable {
    public struct Endpoints: Sendable {
        public var host: String
        public func url(_ service: ServiceName, _ path: String) -> String {
            "http://\(host):\(ServiceConfiguration.defaultPort(for: service))\(path)"
        }
        public init(host: String) { self.host = host }
    }

    struct Tracked {
        var label: String
        var channel: String
        var orderID: String
        var status = "submitted"
        var details = ""
    }

    let endpoints: Endpoints
    let examples: URL
    let carrierSecrets: [String: String]
    let timeout: Duration
    let print: @Sendable (String) -> Void
    let http = HTTPClient.shared
    /// The tokens the demo presents: it acts as each channel, ops, the warehouse, customer service
    /// and risk in turn, so it needs one of each.
    let credentials: APICredentials

    public init(endpoints: Endpoints, examples: URL, carrierSecrets: [String: String], credentials: APICredentials, timeout: Duration, print: @escaping @Sendable (String) -> Void) {
        self.endpoints = endpoints
        self.credentials = credentials
        self.examples = examples
        self.carrierSecrets = carrierSecrets
        self.timeout = timeout
        self.print = print
    }

    /// Each channel's idempotency field in its documented example.
    static let idFields = ["web": "orderNumber", "marketplace": "tid", "miniprogram": "outTradeNo", "phone": "ticketId", "pos": "receiptNo"]
    static let warehouses = [("SH1", "上海市", "上海市", 800), ("HZ1", "浙江省", "杭州市", 600), ("GZ1", "广东省", "广州市", 500)]

    /// Only the idempotent set-up (warehouses, dispatch origins, stock, a supplier), for drills and load runs;
    /// `topUp` units of every SKU more in each of the three warehouses (a fresh receipt each call).
    public func setUpOnly(topUp: Int = 0) async throws {
        try await setUp()
        guard topUp > 0 else { return }
        let receipt = "TOPUP-\(Int(Date().timeIntervalSince1970))"
        for (code, _, _, _) in Self.warehouses {
            let lines = DemoCatalog.products.map { ["sku": $0.sku, "quantity": topUp] as [String: Any] }
            try await send(.POST, .inventory, "/v1/inventory/receipts", ["receiptId": "\(receipt)-\(code)", "warehouseId": code, "lines": lines])
        }
        print("Received \(topUp) more of each of \(DemoCatalog.products.count) SKUs in each of \(Self.warehouses.count) warehouses.")
    }

    public func run() async throws {
        let started = ContinuousClock.now
        try await setUp()
        let runID = String(Int(Date().timeIntervalSince1970) % 1_000_000)
        var orders: [Tracked] = []
        for channel in ["web", "marketplace", "miniprogram", "pos"] {
            orders.append(try await submit(channel, label: channel == "pos" ? "pos sale at the till" : "\(channel) example", runID: runID))
        }
        // The phone example's charger and cable are in different warehouses: two parcels.
        orders.append(try await submit("phone", label: "phone, split SH1+GZ1", runID: runID))
        orders.append(try await submit("phone", label: "phone COD 3999 (risk)", runID: runID + "H") { payload in
            payload["lines"] = [["sku": "ELE-PHONE-1", "quantity": 1]]
        })
        // A mini-program order sent at checkout, before its payment: it awaits it, then the
        // channel's payment callback lets it go on.
        var checkout = ""
        var unpaid = try await submit("miniprogram", label: "mini-program, pays later", runID: runID + "P") { payload in
            var pay = payload["wechatPay"] as? [String: Any] ?? [:]
            pay["trade_state"] = "NOTPAY"
            pay.removeValue(forKey: "transaction_id")
            pay.removeValue(forKey: "time_end")
            payload["wechatPay"] = pay
            checkout = "\(payload["appid"] ?? ""):\(payload["outTradeNo"] ?? "")"
        }
        var waiting = [unpaid]
        try await follow(&waiting, started: started) { $0.status == "awaitingPayment" }
        let view = try? await send(.GET, .intake, "/v1/orders/\(unpaid.orderID)", nil)
        let due = (view?["totals"] as? [String: Any])?["totalFen"] as? Int ?? 0
        print("  the customer pays \(unpaid.orderID) (WeChat Pay callback, \(Money.fen(Int64(due))))")
        _ = try await send(.POST, .intake, "/v1/channels/miniprogram/orders/\(checkout)/payment",
                           ["status": "paid", "reference": "42000\(runID)\(runID)", "amountFen": due, "paidAt": Timestamps.format(Date())])
        unpaid.status = waiting[0].status
        orders.append(unpaid)
        print("\nJourneys (intake's status, as each order moves):")
        let settled: Set<String> = ["shipped", "inTransit", "delivered", "held", "rejected", "cancelled", "partiallyRefunded", "refunded"]
        // A till sale is complete once verified: the customer carried it out.
        try await follow(&orders, started: started) { tracked in settled.contains(tracked.status) || (tracked.channel == "pos" && tracked.status == "verified") }

        if let web = orders.first(where: { $0.channel == "web" }), ["shipped", "inTransit"].contains(web.status) {
            print("\nThe web order is delivered, one line is returned for size and refunded:")
            try await deliverReturnAndRefund(web.orderID)
            var webOnly = [web]
            try await follow(&webOnly, started: started) { ["partiallyRefunded", "refunded"].contains($0.status) }
            if let index = orders.firstIndex(where: { $0.orderID == web.orderID }) { orders[index] = webOnly[0] }
        }
        for index in orders.indices {
            let shipments = (try? await send(.GET, .logistics, "/v1/logistics/shipments?orderId=\(orders[index].orderID)", nil))?["shipments"] as? [[String: Any]] ?? []
            if !shipments.isEmpty {
                orders[index].details = shipments.map { "\($0["warehouseId"] ?? "?")->\($0["carrier"] ?? "?") \($0["trackingNumber"] ?? "?") (\($0["status"] ?? "?"))" }.joined(separator: ", ")
            }
        }
        print("\n" + table(orders))
        print("\nNext: omsctl trace <order id>   omsctl status   omsctl dlq list")
    }

    // MARK: set-up

    private func setUp() async throws {
        print("Setting up warehouses, carriers' origins and stock (idempotent)...")
        for (code, province, city, cost) in Self.warehouses {
            try await send(.PUT, .inventory, "/v1/inventory/warehouses/\(code)", ["name": "\(code) DC", "province": province, "city": city, "costPerParcelFen": cost])
            try await send(.PUT, .logistics, "/v1/logistics/warehouses/\(code)", ["name": "\(code) DC", "province": province, "city": city, "address": "物流园 1 号"])
        }
        try await send(.PUT, .inventory, "/v1/inventory/warehouses/SH-0021", ["name": "上海南京路店", "province": "上海市", "city": "上海市", "costPerParcelFen": 0, "kind": "store"])
        // The chargers and cables the warehouses lack come from one supplier: a backorder of them
        // drafts a purchase order for ops to approve on the console's purchasing page.
        try await send(.PUT, .inventory, "/v1/inventory/suppliers/SUP-ELEC",
                       ["name": "华东电子配件有限公司", "email": "orders@elec-supplier.example.cn", "phone": "+86 21 6000 0001", "leadTimeDays": 5,
                        "minimumOrderFen": 100_000, "shipsToWarehouseId": "SH1",
                        "items": [["sku": "ELE-CHARGER-1", "unitCostFen": 8_900, "minimumOrderQuantity": 20], ["sku": "ELE-CABLE-1", "unitCostFen": 900, "minimumOrderQuantity": 100]]])
        // SH1 lacks chargers, GZ1 lacks cables: an order of both ships from two warehouses.
        for (code, missing) in [("SH1", "ELE-CHARGER-1"), ("GZ1", "ELE-CABLE-1"), ("SH-0021", "")] {
            let lines = DemoCatalog.products.filter { $0.sku != missing }.map { ["sku": $0.sku, "quantity": 50] as [String: Any] }
            try await send(.POST, .inventory, "/v1/inventory/receipts", ["receiptId": "DEMO-STOCK-\(code)", "warehouseId": code, "lines": lines])
        }
    }

    // MARK: orders

    private func submit(_ channel: String, label: String, runID: String, edit: (inout [String: Any]) -> Void = { _ in }) async throws -> Tracked {
        let data = try Data(contentsOf: examples.appendingPathComponent("\(channel).json"))
        guard var payload = try JSONSerialization.jsonObject(with: data) as? [String: Any], let field = Self.idFields[channel], let id = payload[field] as? String else {
            throw OpsFailure("cannot read the \(channel) example in \(examples.path)")
        }
        payload[field] = "\(id)-D\(runID)"
        payload = Self.freshCustomer(payload, runID: runID) as? [String: Any] ?? payload
        edit(&payload)
        let reply = try await send(.POST, .intake, "/v1/channels/\(channel)/orders", payload, expect: [202, 200])
        guard let orderID = reply["orderId"] as? String else { throw OpsFailure("intake accepted the \(channel) order without an order id") }
        print("  submitted \(label.padding(toLength: 24, withPad: " ", startingAt: 0)) -> \(orderID)")
        return Tracked(label: label, channel: channel, orderID: orderID)
    }

    /// Keys that identify a shopper to risk's velocity rules: a fresh value per run, so a second
    /// demo run is not held as the same customer ordering again.
    static let shopperKeys: Set<String> = ["phone", "receiver_mobile", "accountId", "buyer_nick", "openid", "unionid", "deviceId", "street", "detail", "receiver_address", "memberCard"]

    static func freshCustomer(_ value: Any, runID: String) -> Any {
        if let object = value as? [String: Any] {
            var copy = object
            for (key, inner) in object {
                if shopperKeys.contains(key), let text = inner as? String {
                    if Customer.isMainlandMobile(text) {
                        copy[key] = "139" + String(format: "%08d", (abs(text.hashValue) ^ (Int(runID.filter(\.isNumber)) ?? 0)) % 100_000_000)
                    } else {
                        copy[key] = key == "memberCard" ? text : text + " \(runID)"
                    }
                } else {
                    copy[key] = freshCustomer(inner, runID: runID)
                }
            }
            return copy
        }
        if let array = value as? [Any] { return array.map { freshCustomer($0, runID: runID) } }
        return value
    }

    private func follow(_ orders: inout [Tracked], started: ContinuousClock.Instant, until done: (Tracked) -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline, !orders.allSatisfy(done) {
            for index in orders.indices where !done(orders[index]) {
                guard let view = try? await send(.GET, .intake, "/v1/orders/\(orders[index].orderID)", nil) else { continue }
                let status = view["status"] as? String ?? "?"
                let details = (view["details"] as? [String: Any] ?? [:]).filter { ["warehouseId", "carrier", "trackingNumber", "reasonCode"].contains($0.key) }
                    .sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                if status != orders[index].status {
                    let elapsed = Double((ContinuousClock.now - started).components.attoseconds / 10_000_000_000_000_000) / 100 + Double((ContinuousClock.now - started).components.seconds)
                    print(String(format: "  +%6.1fs  %@  %@ -> %@  %@", elapsed, orders[index].label.padding(toLength: 24, withPad: " ", startingAt: 0), orders[index].status, status, details))
                    orders[index].status = status
                }
                orders[index].details = details
            }
            try await Task.sleep(for: .milliseconds(500))
        }
    }

    private func deliverReturnAndRefund(_ orderID: String) async throws {
        let shipments = try await send(.GET, .logistics, "/v1/logistics/shipments?orderId=\(orderID)", nil)["shipments"] as? [[String: Any]] ?? []
        for shipment in shipments {
            guard let carrier = shipment["carrier"] as? String, let tracking = shipment["trackingNumber"] as? String else { continue }
            guard let secret = carrierSecrets[carrier] else { throw OpsFailure("no webhook secret for carrier \(carrier): pass --carrier-secrets or set OMS_CARRIER_SECRETS") }
            let scan: [String: Any] = ["eventId": "DEMO-\(tracking)-delivered", "trackingNumber": tracking, "type": "delivered", "occurredAt": Timestamps.format(Date()),
                                       "location": "上海市", "signedBy": "本人"]
            let body = try JSONSerialization.data(withJSONObject: scan)
            let signature = "sha256=" + HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8))).map { String(format: "%02x", $0) }.joined()
            _ = try await send(.POST, .logistics, "/v1/logistics/carriers/\(carrier)/tracking-events", raw: Array(body), headers: ["X-Carrier-Signature": signature])
            print("  carrier \(carrier) scanned \(tracking) delivered")
        }
        // After-sales hears the delivery a moment later.
        var opened: [String: Any] = [:]
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let reply = try? await send(.POST, .aftersales, "/v1/aftersales/returns",
                                           ["orderId": orderID, "reason": "sizeOrFit", "lines": [["lineNumber": 1, "quantity": 1]], "requestId": "demo"], expect: [201, 200]) {
                opened = reply
                break
            }
            try await Task.sleep(for: .milliseconds(500))
        }
        guard let returnID = opened["returnId"] as? String else { throw OpsFailure("after-sales did not accept the demo return (is the order delivered?)") }
        print("  return \(returnID) \(opened["status"] as? String ?? "?") (size/fit: approved automatically)")
        let received = try await send(.POST, .aftersales, "/v1/aftersales/returns/\(returnID)/receipt",
                                      ["warehouseId": "SH1", "items": [["lineNumber": 1, "quantity": 1, "condition": "resellable"]]], expect: [200, 409])
        if let refund = received["refund"] as? [String: Any], let amount = refund["amount"] as? [String: Any] {
            print("  received resellable in SH1; refund \(refund["refundId"] ?? "") of \(Money.fen(Int64(amount["minorUnits"] as? Int ?? 0)))")
        }
    }

    private func table(_ orders: [Tracked]) -> String {
        var lines = ["ORDER                          WHAT                      STATUS        DETAILS"]
        for order in orders {
            lines.append("\(order.orderID.padding(toLength: 30, withPad: " ", startingAt: 0)) \(order.label.padding(toLength: 25, withPad: " ", startingAt: 0)) \(order.status.padding(toLength: 13, withPad: " ", startingAt: 0)) \(order.details)")
        }
        return lines.joined(separator: "\n")
    }

    // MARK: HTTP

    @discardableResult
    private func send(_ method: HTTPMethod, _ service: ServiceName, _ path: String, _ json: [String: Any]?, expect: Set<UInt> = [200, 201, 202]) async throws -> [String: Any] {
        try await send(method, service, path, raw: try json.map { Array(try JSONSerialization.data(withJSONObject: $0)) }, expect: expect)
    }

    private func send(_ method: HTTPMethod, _ service: ServiceName, _ path: String, raw: [UInt8]?, headers: [String: String] = [:], expect: Set<UInt> = [200, 201, 202]) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: endpoints.url(service, path))
        request.method = method
        request.headers.add(name: "content-type", value: "application/json")
        if let token = credentials.token(allowedBy: SuiteAccess.policy, method: HTTPRequest.Method(rawValue: method.rawValue) ?? .get, path: path) {
            request.headers.add(name: "authorization", value: "Bearer \(token)")
        }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let raw { request.body = .bytes(ByteBuffer(bytes: raw)) }
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: .seconds(30))
        } catch {
            throw OpsFailure("\(service.rawValue) is not answering at \(endpoints.url(service, "")); start the suite with `Deploy/local/oms-stack.sh up`")
        }
        let body = try await response.body.collect(upTo: 4 << 20)
        let object = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
        guard expect.contains(response.status.code) else {
            throw OpsFailure("\(method.rawValue) \(path) answered \(response.status.code): \(String(buffer: body).prefix(300))")
        }
        return object
    }
}
