import Foundation
import Hummingbird
import OMSDomain
import OMSPlatform

/// The stock page (customer service, warehouse, ops, as inventory allows): one SKU's availability
/// per warehouse and its latest movements; warehouse staff and ops also adjust stock (count,
/// damage, loss, with a reason) and receive goods, each with an id made here so a double
/// submission is applied once (inventory dedups adjustments and receipts by id).
struct StockPages: Sendable {
    let gateway: ServiceGateway
    let view: ConsoleView

    static let reasonCodes = ["cycle_count", "found", "lost", "damaged", "scrapped", "correction"]

    func register(on router: Router<ConsoleRequestContext>) {
        router.get("/stock") { request, context in
            let session = try context.require(.stock)
            let sku = String((request.uri.queryParameters["sku"] ?? "").prefix(64)).trimmingCharacters(in: .whitespaces)
            return try await stockPage(sku, session: session, context: context,
                                       notice: request.uri.queryParameters["done"].flatMap { ["adjusted", "received"].contains($0) ? ConsoleText.text(String($0), context.language) : nil })
        }
        router.post("/stock/adjustments") { _, context in
            let session = try context.require(.stock)
            let form = context.form
            let sku = form.text("sku"), reason = form.text("reasonCode")
            var body: [String: Any] = ["adjustmentId": form.text("requestId"), "warehouseId": form.text("warehouseId"), "sku": sku, "reasonCode": reason]
            let quantity = Int(form.text("quantity"))
            if reason == "cycle_count" { body["countedQuantity"] = quantity ?? -1 } else { body["quantity"] = quantity ?? 0 }
            if !form.text("note").isEmpty { body["note"] = form.text("note") }
            let answer = try await gateway.call(.POST, .inventory, "/v1/inventory/adjustments", as: session.staff, body: body)
            if answer.ok { return ConsoleView.redirect("/stock?sku=\(FormEncoding.rfc3986(sku))&done=adjusted") }
            var errors = answer.fieldErrors
            if let counted = errors.removeValue(forKey: "countedQuantity") { errors["quantity"] = counted }
            return try await stockPage(sku, session: session, context: context, problem: errors.isEmpty ? answer.message : nil, fieldErrors: errors, status: .unprocessableContent)
        }
        router.post("/stock/receipts") { _, context in
            let session = try context.require(.stock)
            let form = context.form
            let sku = form.text("sku")
            let answer = try await gateway.call(.POST, .inventory, "/v1/inventory/receipts", as: session.staff,
                                                body: ["receiptId": form.text("requestId"), "warehouseId": form.text("warehouseId"),
                                                       "lines": [["sku": sku, "quantity": Int(form.text("quantity")) ?? 0]]])
            if answer.ok { return ConsoleView.redirect("/stock?sku=\(FormEncoding.rfc3986(sku))&done=received") }
            var errors = answer.fieldErrors
            if let quantity = errors.removeValue(forKey: "lines[0].quantity") { errors["receiptQuantity"] = quantity }
            return try await stockPage(sku, session: session, context: context, problem: errors.isEmpty ? answer.message : nil, fieldErrors: errors, status: .unprocessableContent)
        }
    }

    func stockPage(_ sku: String, session: StaffSession, context: ConsoleRequestContext, notice: String? = nil, problem: String? = nil,
                   fieldErrors: [String: String] = [:], status: HTTPResponse.Status = .ok) async throws -> Response {
        var data: [String: Any] = ["sku": sku, "fieldErrors": fieldErrors, "canChange": [AccessRole.warehouse, .ops].contains(session.staff.role),
                                   "requestId": "console-\(SecureToken.random(bytes: 12))", "reasonCodes": Self.reasonCodes]
        if let notice { data["notice"] = notice }
        if let problem { data["problem"] = problem }
        let title = ConsoleText.text("page.stock", context.language)
        guard !sku.isEmpty else { return view.page("stock", title: title, context: context, data: data, status: status, current: .stock) }
        let answer = try await gateway.call(.GET, .inventory, "/v1/inventory/stock/\(FormEncoding.rfc3986(sku))", as: session.staff)
        guard answer.ok else {
            data["fieldErrors"] = fieldErrors.merging(["sku": ConsoleText.text("error.404", context.language)]) { a, _ in a }
            return view.page("stock", title: title, context: context, data: data, status: answer.status == 404 ? .notFound : .unprocessableContent, current: .stock)
        }
        let stock = answer.object
        let numbers = ["onHand", "reserved", "availableToSell", "quarantined", "inTransit", "safetyStock", "reorderPoint"]
        data["stock"] = ["onHand": OrderPages.text(stock["onHand"]), "availableToSell": OrderPages.text(stock["availableToSell"]),
                         "reserved": OrderPages.text(stock["reserved"]), "openBackorders": OrderPages.text(stock["openBackorders"])]
        let warehouses = (stock["warehouses"] as? [[String: Any]] ?? []).map { warehouse -> [String: Any] in
            var row: [String: Any] = ["warehouseId": OrderPages.text(warehouse["warehouseId"])]
            for key in numbers { row[key] = OrderPages.text(warehouse[key]) }
            return row
        }
        data["warehouses"] = warehouses
        data["warehouseCodes"] = warehouses.map { ["code": $0["warehouseId"] ?? ""] }
        if case .shown(let json) = await gateway.section(.inventory, "/v1/inventory/stock/\(FormEncoding.rfc3986(sku))/movements?limit=20", as: session.staff) {
            data["movements"] = (json["movements"] as? [[String: Any]] ?? []).map { movement -> [String: Any] in
                ["at": ConsoleFormat.time(iso: movement["occurredAt"] as? String), "warehouseId": OrderPages.text(movement["warehouseId"]),
                 "kind": OrderPages.text(movement["kind"]), "cause": "\(OrderPages.text(movement["causeType"])) \(OrderPages.text(movement["causeId"]))",
                 "onHand": Self.signed(movement["onHandDelta"]), "reserved": Self.signed(movement["reservedDelta"])]
            }
        }
        return view.page("stock", title: "\(title) · \(sku)", context: context, data: data, status: status, current: .stock)
    }

    static func signed(_ value: Any?) -> String {
        guard let number = (value as? NSNumber)?.intValue else { return "" }
        return number > 0 ? "+\(number)" : number == 0 ? "0" : "\(number)"
    }
}
