import Foundation
import Hummingbird
import OMSDomain
import OMSPlatform

/// The purchasing page (ops): the draft purchase orders the OMS proposed from replenishment
/// requests and backorders, each with its supplier, warehouse, lines at cost and total in ¥, to
/// correct a line's quantity, approve (inventory checks the supplier's minimum order; the integrations service e-mails it)
/// or cancel; the approved ones still expected; and the requests no supplier of the master sells.
/// Invariant: every decision is inventory's; a refusal is shown as inventory worded it.
struct PurchasingPages: Sendable {
    let gateway: ServiceGateway
    let view: ConsoleView

    func register(on router: Router<ConsoleRequestContext>) {
        router.get("/purchasing") { request, context in
            let session = try context.require(.purchasing)
            let done = request.uri.queryParameters["done"].flatMap { ["approvedPO", "cancelledPO", "changedPO"].contains($0) ? ConsoleText.text(String($0), context.language) : nil }
            return try await page(session: session, context: context, notice: done.map { "\($0) \(String((request.uri.queryParameters["po"] ?? "").prefix(40)))" })
        }
        router.post("/purchasing/:po/lines/:sku") { _, context in
            let session = try context.require(.purchasing)
            let po = String((context.parameters.get("po") ?? "").prefix(40)), sku = String((context.parameters.get("sku") ?? "").prefix(64))
            let quantity = Int(context.form.text("quantity").trimmingCharacters(in: .whitespaces)) ?? -1
            let answer = try await gateway.call(.PUT, .inventory, "/v1/inventory/purchase-orders/\(FormEncoding.rfc3986(po))/lines/\(FormEncoding.rfc3986(sku))",
                                                as: session.staff, body: ["quantity": quantity])
            if answer.ok { return ConsoleView.redirect("/purchasing?done=changedPO&po=\(FormEncoding.rfc3986(po))") }
            if answer.status == 404 { throw ConsoleFailure.notFound }
            let reason = answer.fieldErrors["quantity"].map { "\(ConsoleText.text("quantity", context.language)): \($0)" } ?? answer.message
            return try await page(session: session, context: context, problem: "\(po) \(sku): \(reason)", status: answer.status == 422 ? .unprocessableContent : .conflict)
        }
        for action in ["approve", "cancel"] {
            router.post("/purchasing/:po/\(action)") { _, context in
                let session = try context.require(.purchasing)
                let po = String((context.parameters.get("po") ?? "").prefix(40))
                let answer = try await gateway.call(.POST, .inventory, "/v1/inventory/purchase-orders/\(FormEncoding.rfc3986(po))/\(action)", as: session.staff)
                if answer.ok { return ConsoleView.redirect("/purchasing?done=\(action == "approve" ? "approvedPO" : "cancelledPO")&po=\(FormEncoding.rfc3986(po))") }
                if answer.status == 404 { throw ConsoleFailure.notFound }
                return try await page(session: session, context: context, problem: "\(po): \(answer.message)", status: .conflict)
            }
        }
    }

    /// A purchase order as the page shows it: money in ¥, the expected date in Beijing time.
    static func row(_ order: [String: Any]) -> [String: Any] {
        let lines = (order["lines"] as? [[String: Any]] ?? []).map { line -> String in
            let cost = (line["unitCostFen"] as? NSNumber).map { ConsoleFormat.yuan($0.int64Value) } ?? "-"
            return "\(OrderPages.text(line["sku"])) × \(OrderPages.text(line["quantityOrdered"])) @ \(cost)"
        }
        let items = (order["lines"] as? [[String: Any]] ?? []).map { line -> [String: Any] in
            ["sku": OrderPages.text(line["sku"]), "skuPath": FormEncoding.rfc3986(OrderPages.text(line["sku"])), "quantity": OrderPages.text(line["quantityOrdered"]),
             "cost": (line["unitCostFen"] as? NSNumber).map { ConsoleFormat.yuan($0.int64Value) } ?? "-"]
        }
        return ["poNumber": OrderPages.text(order["poNumber"]), "lineItems": items, "supplier": OrderPages.text(order["supplier"]), "supplierCode": OrderPages.text(order["supplierCode"]),
                "warehouseId": OrderPages.text(order["warehouseId"]), "lines": lines.joined(separator: "；"),
                "total": (order["totalFen"] as? NSNumber).map { ConsoleFormat.yuan($0.int64Value) } ?? "-",
                "expectedAt": ConsoleFormat.time(iso: order["expectedAt"] as? String), "approvedBy": OrderPages.text(order["approvedBy"])]
    }

    func page(session: StaffSession, context: ConsoleRequestContext, notice: String? = nil, problem: String? = nil,
              status: HTTPResponse.Status = .ok) async throws -> Response {
        async let drafts = gateway.section(.inventory, "/v1/inventory/purchase-orders?status=draft", as: session.staff)
        async let open = gateway.section(.inventory, "/v1/inventory/purchase-orders?status=open", as: session.staff)
        async let requests = gateway.section(.inventory, "/v1/inventory/replenishment-requests?status=open", as: session.staff)
        var data: [String: Any] = [:]
        if case .shown(let json) = await drafts {
            let rows = (json["purchaseOrders"] as? [[String: Any]] ?? []).map(Self.row)
            if !rows.isEmpty { data["drafts"] = rows }
        }
        if case .shown(let json) = await open {
            let rows = (json["purchaseOrders"] as? [[String: Any]] ?? []).map(Self.row)
            if !rows.isEmpty { data["open"] = rows }
        }
        if case .shown(let json) = await requests {
            let rows = (json["requests"] as? [[String: Any]] ?? []).map { request -> [String: Any] in
                ["sku": OrderPages.text(request["sku"]), "warehouseId": OrderPages.text(request["warehouseId"]), "quantity": OrderPages.text(request["suggestedQuantity"]),
                 "reason": ConsoleText.text("requestReason.\(OrderPages.text(request["reason"]))", context.language), "orderId": OrderPages.text(request["orderId"]),
                 "at": ConsoleFormat.time(iso: request["requestedAt"] as? String)]
            }
            if !rows.isEmpty { data["requests"] = rows }
        }
        // Mustache opens a section for a non-empty list once per element: the tables' frames hang on these.
        data["has"] = ["drafts": data["drafts"] != nil, "open": data["open"] != nil, "requests": data["requests"] != nil]
        if let notice { data["notice"] = notice }
        if let problem { data["problem"] = problem }
        return view.page("purchasing", title: ConsoleText.text("page.purchasing", context.language), context: context, data: data, status: status, current: .purchasing)
    }
}
