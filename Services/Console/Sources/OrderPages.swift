import Foundation
import Hummingbird
import OMSDomain
import OMSPlatform

/// The orders pages (customer service, risk, ops): search by order id, channel order id or phone
/// (intake matches the phone by its keyed hash, never in clear), and one order with everything the
/// services know of it, each section from its own service; cancel and record a complaint.
struct OrderPages: Sendable {
    let gateway: ServiceGateway
    let view: ConsoleView

    func register(on router: Router<ConsoleRequestContext>) {
        router.get("/orders") { request, context in try await search(request, context) }
        router.get("/orders/:id") { request, context in
            let session = try context.require(.orders)
            return try await orderPage(try context.identifier("id"), session: session, context: context, notice: request.uri.queryParameters["done"].map(String.init))
        }
        router.post("/orders/:id/cancel") { _, context in try await cancel(context) }
        router.post("/orders/:id/amend") { _, context in try await amend(context) }
        router.post("/orders/:id/cancel-lines") { _, context in try await cancelLines(context) }
        router.post("/orders/:id/substitute") { _, context in try await substitute(context) }
        router.post("/orders/:id/complaints") { _, context in try await complain(context) }
        router.post("/orders/:id/returns") { _, context in
            try await afterSalesAction(context, path: "/v1/aftersales/returns", done: "returnOpened") { form, id in
                ["orderId": id, "reason": form.text("reason"), "note": form.text("note"), "requestId": form.text("requestId"),
                 "lines": [["lineNumber": Int(form.text("lineNumber")) ?? 0, "quantity": Int(form.text("quantity")) ?? 0]]]
            }
        }
        router.post("/orders/:id/exchanges") { _, context in
            try await afterSalesAction(context, path: "/v1/aftersales/exchanges", done: "exchangeOpened") { form, id in
                ["orderId": id, "lineNumber": Int(form.text("lineNumber")) ?? 0, "quantity": Int(form.text("quantity")) ?? 0,
                 "replacementSku": form.text("replacementSku"), "requestId": form.text("requestId")]
            }
        }
        router.post("/orders/:id/feedback") { _, context in
            let id = try context.identifier("id")
            return try await afterSalesAction(context, path: "/v1/aftersales/orders/\(id)/feedback", done: "feedbackRecorded") { form, _ in
                let comment = form.text("comment")
                return comment.isEmpty ? ["rating": Int(form.text("rating")) ?? 0] : ["rating": Int(form.text("rating")) ?? 0, "comment": comment]
            }
        }
    }

    /// A customer-service action of after-sales on this order: the form becomes the service's JSON
    /// (with the id the page made, so a double submission opens one return), success goes back to
    /// the order, the service's field errors are shown on the order page.
    func afterSalesAction(_ context: ConsoleRequestContext, path: String, done: String,
                          body: (ConsoleForm, String) -> [String: Any]) async throws -> Response {
        let session = try context.require(.orders)
        let id = try context.identifier("id")
        let answer = try await gateway.call(.POST, .aftersales, path, as: session.staff, body: body(context.form, id))
        if answer.ok { return ConsoleView.redirect("/orders/\(id)?done=\(done)") }
        if answer.status == 404 { throw ConsoleFailure.notFound }
        var errors = answer.fieldErrors
        for (wire, field) in [("lines[0].quantity", "quantity"), ("lines[0].lineNumber", "lineNumber"), ("lines", "lineNumber")] {
            if let reason = errors.removeValue(forKey: wire) { errors[field] = reason }
        }
        return try await orderPage(id, session: session, context: context, problem: answer.message, fieldErrors: errors,
                                   status: answer.status == 409 ? .conflict : .unprocessableContent)
    }

    func search(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        let session = try context.require(.orders)
        let parameters = request.uri.queryParameters
        func parameter(_ name: String) -> String { String((parameters[Substring(name)] ?? "").prefix(100)).trimmingCharacters(in: .whitespaces) }
        let query = parameter("q"), channel = parameter("channel"), status = parameter("status"), from = parameter("from"), to = parameter("to")
        var data: [String: Any] = [
            "query": query, "from": from, "to": to,
            "channels": OMSDomain.Channel.allCases.map { ["code": $0.rawValue, "selected": $0.rawValue == channel] },
            "statuses": OrderStatus.allCases.map { ["code": $0.rawValue, "label": ConsoleText.status($0.rawValue, context.language), "selected": $0.rawValue == status] },
        ]
        let title = ConsoleText.text("page.orders", context.language)
        var path: String
        if query.count == 11, query.allSatisfy(\.isNumber) {
            path = "/v1/orders?phone=\(query)"
        } else if !query.isEmpty, !channel.isEmpty {
            path = "/v1/orders?channel=\(FormEncoding.rfc3986(channel))&channelOrderId=\(FormEncoding.rfc3986(query))"
        } else if !query.isEmpty {
            // An order id: straight to its page when intake knows it.
            let answer = try await gateway.call(.GET, .intake, "/v1/orders/\(FormEncoding.rfc3986(query))", as: session.staff)
            if answer.ok { return ConsoleView.redirect("/orders/\(FormEncoding.rfc3986(query))") }
            data["searched"] = true
            data["results"] = [[String: Any]]()
            return view.page("orders", title: title, context: context, data: data, current: .orders)
        } else if !(channel + status + from + to).isEmpty {
            let filters = [("channel", channel), ("status", status), ("from", from), ("to", to)].filter { !$0.1.isEmpty }
            path = "/v1/orders?" + filters.map { "\($0.0)=\(FormEncoding.rfc3986($0.1))" }.joined(separator: "&")
        } else {
            return view.page("orders", title: title, context: context, data: data, current: .orders)
        }
        let answer = try await gateway.call(.GET, .intake, path, as: session.staff)
        data["searched"] = true
        if !answer.ok {
            var fields = answer.fieldErrors
            let q = fields.removeValue(forKey: "phone") ?? fields.removeValue(forKey: "channelOrderId")
            if let q { fields["q"] = q }
            if fields.isEmpty { fields["q"] = answer.message }
            data["fieldErrors"] = fields
            data["results"] = [[String: Any]]()
            return view.page("orders", title: title, context: context, data: data, status: .unprocessableContent, current: .orders)
        }
        let results = (answer.object["orders"] as? [[String: Any]] ?? []).map { order -> [String: Any] in
            ["orderId": order["orderId"] ?? "", "channel": order["channel"] ?? "", "channelOrderId": order["channelOrderId"] ?? "",
             "status": ConsoleText.status(Self.text(order["status"]), context.language), "total": Self.money(order["totalFen"]),
             "receivedAt": ConsoleFormat.time(iso: order["receivedAt"] as? String)]
        }
        data["results"] = results
        data["hasResults"] = !results.isEmpty
        return view.page("orders", title: title, context: context, data: data, current: .orders)
    }

    func orderPage(_ id: String, session: StaffSession, context: ConsoleRequestContext, notice: String? = nil, problem: String? = nil,
                   fieldErrors: [String: String] = [:], status: HTTPResponse.Status = .ok) async throws -> Response {
        let staff = session.staff
        let order = try await gateway.read(.intake, "/v1/orders/\(id)", as: staff)
        async let stock = gateway.section(.inventory, "/v1/inventory/orders/\(id)", as: staff)
        async let parcels = gateway.section(.logistics, "/v1/logistics/shipments?orderId=\(id)", as: staff)
        async let afterSales = gateway.section(.aftersales, "/v1/aftersales/orders/\(id)", as: staff)
        async let refunds = gateway.section(.aftersales, "/v1/aftersales/refunds?orderId=\(id)", as: staff)
        async let invoices = gateway.section(.aftersales, "/v1/aftersales/orders/\(id)/invoices", as: staff)
        async let review = staff.role == .risk ? gateway.section(.risk, "/v1/review/orders/\(id)", as: staff) : .hidden
        let language = context.language
        var sections: [[String: Any]] = []
        func add(_ id: String, _ titleKey: String, _ section: ServiceGateway.Section, columns: [String], rows: ([String: Any]) -> [[String]]) {
            switch section {
            case .hidden: return
            case .unavailable: sections.append(["id": id, "title": ConsoleText.text(titleKey, language), "unavailable": true])
            case .shown(let json):
                let cells = rows(json)
                sections.append(["id": id, "title": ConsoleText.text(titleKey, language), "columns": columns.map { ConsoleText.text($0, language) },
                                 "rows": cells.map { ["cells": $0] }, "hasRows": !cells.isEmpty])
            }
        }
        add("stock", "reservations", await stock, columns: ["sku", "warehouse", "quantity", "status"]) { json in
            (json["reservations"] as? [[String: Any]] ?? []).map { [Self.text($0["sku"]), Self.text($0["warehouseId"]), Self.text($0["quantity"]), Self.text($0["status"])] }
                + (json["backorders"] as? [[String: Any]] ?? []).map { [Self.text($0["sku"]), ConsoleText.text("backorders", language), Self.text($0["openQuantity"]), Self.text($0["status"])] }
        }
        let parcelSection = await parcels
        add("parcels", "parcels", parcelSection, columns: ["carrier", "tracking", "status", "warehouse", "estimatedDelivery"]) { json in
            (json["shipments"] as? [[String: Any]] ?? []).map {
                [Self.text($0["carrier"]), Self.text($0["trackingNumber"]), Self.text($0["status"]) + (($0["delayed"] as? Bool) == true ? " ⚠" : ""),
                 Self.text($0["warehouseId"]), ConsoleFormat.time(iso: $0["estimatedDelivery"] as? String)]
            }
        }
        if case .shown(let json) = parcelSection {
            var scans: [[String]] = []
            for shipment in (json["shipments"] as? [[String: Any]] ?? []).prefix(10) {
                let tracking = Self.text(shipment["trackingNumber"])
                guard case .shown(let detail) = await gateway.section(.logistics, "/v1/logistics/shipments/\(FormEncoding.rfc3986(tracking))", as: staff) else { continue }
                for scan in detail["scans"] as? [[String: Any]] ?? [] {
                    scans.append([ConsoleFormat.time(iso: scan["occurredAt"] as? String), tracking, Self.text(scan["type"]), Self.text(scan["location"])])
                }
            }
            add("scans", "carrierScans", .shown(["rows": scans]), columns: ["at", "tracking", "event", "place"]) { $0["rows"] as? [[String]] ?? [] }
        }
        let afterSalesRecord = await afterSales
        if case .shown(let record) = afterSalesRecord {
            let rows = await afterSalesRows(record, staff: staff)
            add("aftersales", "afterSales", .shown(["rows": rows]), columns: ["event", "status", "detail", "at"]) { $0["rows"] as? [[String]] ?? [] }
        } else {
            add("aftersales", "afterSales", afterSalesRecord, columns: []) { _ in [] }
        }
        add("refunds", "refunds", await refunds, columns: ["status", "total", "payment", "at"]) { json in
            (json["refunds"] as? [[String: Any]] ?? []).map {
                [Self.text($0["status"]), Self.money($0["amountFen"]), "\(Self.text($0["paymentMethod"])) · \(Self.text($0["provider"]))",
                 ConsoleFormat.time(iso: ($0["settledAt"] ?? $0["issuedAt"]) as? String)]
            }
        }
        add("invoices", "invoices", await invoices, columns: ["invoiceNumber", "invoiceKind", "invoiceBuyer", "total", "taxAmount", "at"]) { json in
            (json["invoices"] as? [[String: Any]] ?? []).map {
                let buyer = $0["buyer"] as? [String: Any] ?? [:]
                return [Self.text($0["invoiceNumber"]), ConsoleText.text(($0["kind"] as? String) == "red" ? "redInvoice" : "blueInvoice", language),
                        Self.text(buyer["title"]) + (buyer["taxId"].map { " · \(Self.text($0))" } ?? ""),
                        Self.money($0["totalFen"]), Self.money($0["taxFen"]), ConsoleFormat.time(iso: $0["issuedAt"] as? String)]
            }
        }
        add("risk", "risk", await review, columns: ["rules", "detail"]) { json in
            (json["findings"] as? [[String: Any]] ?? []).map { [Self.text($0["rule"]), Self.text($0["reason"])] }
        }
        let orderStatus = order["status"] as? String ?? ""
        var data: [String: Any] = [
            "order": Self.orderView(order, language: language), "sections": sections, "fieldErrors": fieldErrors,
            // One id per rendered form: a double submit is answered as the first, never done twice.
            "formRequestId": UUID().uuidString,
            "canCancel": [AccessRole.customerService, .ops].contains(staff.role) && !["cancelled", "rejected", "shipped", "readyForPickup", "inTransit", "delivered", "packed"].contains(orderStatus),
            "canAmend": [AccessRole.customerService, .ops].contains(staff.role) && Self.amendable(orderStatus),
            "canCancelLines": [AccessRole.customerService, .ops].contains(staff.role) && Self.amendable(orderStatus)
                && orderStatus != OrderStatus.awaitingPayment.rawValue && orderStatus != OrderStatus.awaitingBalance.rawValue,
            "canSubstitute": [AccessRole.customerService, .ops].contains(staff.role) && orderStatus == OrderStatus.backordered.rawValue,
            "canComplain": staff.role == .customerService,
            "complaintCategories": Complaint.Category.allCases.map(\.rawValue),
        ]
        data["canAfterSales"] = staff.role == .customerService
        data["lineNumbers"] = (order["lines"] as? [[String: Any]] ?? []).map { ["number": Self.text($0["lineNumber"]), "sku": Self.text($0["sku"])] }
        data["returnReasons"] = ReturnAuthorization.Reason.allCases.map(\.rawValue)
        data["requestId"] = "console-\(SecureToken.random(bytes: 12))"
        if let notice, ["cancelled", "amended", "linesCancelled", "substituted", "complaintRecorded", "returnOpened", "exchangeOpened", "feedbackRecorded"].contains(notice) {
            data["notice"] = ConsoleText.text(notice, language)
        }
        if let problem { data["problem"] = problem }
        return view.page("order", title: "\(ConsoleText.text("orderId", language)) \(id)", context: context, data: data, status: status, current: .orders)
    }

    /// The order's returns, exchanges and complaints, each read from after-sales (the order record
    /// lists their ids), at most 20 of each, newest last.
    func afterSalesRows(_ record: [String: Any], staff: StaffAccount) async -> [[String]] {
        let kinds: [(key: String, path: String, label: String)] = [("returns", "returns", "return"), ("exchanges", "exchanges", "exchange"), ("complaints", "complaints", "complaint")]
        var rows: [[String]] = []
        for kind in kinds {
            for id in (record[kind.key] as? [String] ?? []).prefix(20) {
                guard case .shown(let item) = await gateway.section(.aftersales, "/v1/aftersales/\(kind.path)/\(FormEncoding.rfc3986(id))", as: staff) else {
                    rows.append(["\(kind.label) \(id)", "", "", ""])
                    continue
                }
                let detail = [item["category"], item["reason"], item["description"]].compactMap { $0 }.map(Self.text).filter { !$0.isEmpty }.joined(separator: " · ")
                rows.append(["\(kind.label) \(id)", Self.text(item["status"]), detail, ConsoleFormat.time(iso: (item["createdAt"] ?? item["requestedAt"]) as? String)])
            }
        }
        if let feedback = record["feedback"] as? [String: Any] {
            rows.append(["feedback", "★\(Self.text(feedback["rating"]))", Self.text(feedback["comment"]), ConsoleFormat.time(iso: feedback["createdAt"] as? String)])
        }
        if let refunded = record["refunded"] as? [String: Any], let fen = refunded["minorUnits"] as? NSNumber, fen.int64Value > 0 {
            rows.append(["refunded", "", ConsoleFormat.yuan(fen.int64Value), ""])
        }
        return rows
    }

    /// Intake's order JSON as the order template reads it: money as ¥, times in Beijing time.
    static func orderView(_ order: [String: Any], language: ConsoleLanguage) -> [String: Any] {
        var view = order
        view["status"] = ConsoleText.status(text(order["status"]), language)
        view["receivedAt"] = ConsoleFormat.time(iso: order["receivedAt"] as? String)
        view["deposit"] = order["depositFen"].map { money($0) }
        view["paymentDue"] = (order["paymentDueAt"] as? String).map { ConsoleFormat.time(iso: $0) }
        view["lines"] = (order["lines"] as? [[String: Any]] ?? []).map { line -> [String: Any] in
            var line = line
            for key in ["unitPrice", "discount", "paid"] { line[key] = money(line["\(key)Fen"]) }
            if let cancelled = line["cancelledQuantity"] as? Int, cancelled > 0 { line["cancelled"] = cancelled } else { line["cancelled"] = nil }
            if let substituted = line["substitutedQuantity"] as? Int, substituted > 0 { line["substituted"] = substituted } else { line["substituted"] = nil }
            return line
        }
        if let totals = order["totals"] as? [String: Any] {
            view["totals"] = ["goods": money(totals["goodsFen"]), "discount": money(totals["discountFen"]), "shipping": money(totals["shippingFen"]), "total": money(totals["totalFen"])]
        }
        let promotions = (order["appliedPromotions"] as? [[String: Any]] ?? []).map { promotion -> String in
            let amount = (promotion["amount"] as? [String: Any])?["minorUnits"]
            return "\(text(promotion["description"])) −\(money(amount))"
        }
        view["promotions"] = promotions
        view["hasPromotions"] = !promotions.isEmpty
        view["timeline"] = (order["timeline"] as? [[String: Any]] ?? []).map { entry -> [String: Any] in
            // Instants in a detail (an estimated delivery) in Beijing time too.
            let detail = (entry["detail"] as? [String: Any] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\(ConsoleFormat.time(iso: text($0.value)))" }.joined(separator: " ")
            var row: [String: Any] = ["at": ConsoleFormat.time(iso: entry["at"] as? String), "eventType": text(entry["eventType"]), "detail": detail]
            if (entry["statusChanged"] as? Bool) == true { row["status"] = ConsoleText.status(text(entry["status"]), language) }
            return row
        }
        return view
    }

    static func money(_ value: Any?) -> String {
        (value as? NSNumber).map { ConsoleFormat.yuan($0.int64Value) } ?? ""
    }

    static func text(_ value: Any?) -> String {
        switch value {
        case nil, is NSNull: ""
        case let string as String: string
        case let number as NSNumber: number.stringValue
        case let some?: "\(some)"
        }
    }

    func cancel(_ context: ConsoleRequestContext) async throws -> Response {
        let session = try context.require(.orders)
        let id = try context.identifier("id")
        let answer = try await gateway.call(.POST, .intake, "/v1/orders/\(id)/cancel", as: session.staff, body: Self.cancellation(context.form))
        if answer.ok { return ConsoleView.redirect("/orders/\(id)?done=cancelled") }
        if answer.status == 404 { throw ConsoleFailure.notFound }
        return try await orderPage(id, session: session, context: context, problem: answer.fieldErrors.isEmpty ? answer.message : nil,
                                   fieldErrors: answer.fieldErrors, status: answer.status == 409 ? .conflict : .unprocessableContent)
    }

    /// Statuses before packing: the delivery details may still be corrected (intake decides).
    static func amendable(_ status: String) -> Bool {
        guard let status = OrderStatus(rawValue: status) else { return false }
        return status != .rejected && status != .cancelled && status.rank < OrderStatus.packed.rank
    }

    /// The amendment form as intake's request: only the fields filled in; the address when any of
    /// its parts is (intake then names each part missing).
    static func amendment(_ form: ConsoleForm) -> [String: Any] {
        var body: [String: Any] = [:]
        for key in ["recipientName", "recipientPhone", "shippingService"] where !form.text(key).isEmpty { body[key] = form.text(key) }
        let parts = ["province", "city", "district", "street"]
        if parts.contains(where: { !form.text($0).isEmpty }) || !form.text("postalCode").isEmpty {
            var address: [String: Any] = Dictionary(uniqueKeysWithValues: parts.map { ($0, form.text($0)) })
            if !form.text("postalCode").isEmpty { address["postalCode"] = form.text("postalCode") }
            body["deliveryAddress"] = address
        }
        return body
    }

    func amend(_ context: ConsoleRequestContext) async throws -> Response {
        let session = try context.require(.orders)
        let id = try context.identifier("id")
        let answer = try await gateway.call(.POST, .intake, "/v1/orders/\(id)/amendments", as: session.staff, body: Self.amendment(context.form))
        if answer.ok { return ConsoleView.redirect("/orders/\(id)?done=amended") }
        if answer.status == 404 { throw ConsoleFailure.notFound }
        // The address's parts are one field on the form.
        var fields: [String: String] = [:]
        for (field, reason) in answer.fieldErrors {
            if field == "deliveryAddress" { fields["address", default: ""] += reason + " " }
            else if field.hasPrefix("deliveryAddress.") { fields["address", default: ""] += "\(field.dropFirst("deliveryAddress.".count)): \(reason) " }
            else { fields[field] = reason }
        }
        return try await orderPage(id, session: session, context: context, problem: fields.isEmpty ? answer.message : nil,
                                   fieldErrors: fields, status: answer.status == 409 ? .conflict : .unprocessableContent)
    }

    /// The cancellation form as intake's request: who asked decides a presale deposit (the
    /// customer forfeits it, the merchant refunds it); anything else counts as the merchant.
    static func cancellation(_ form: ConsoleForm) -> [String: String] {
        ["reason": form.text("reason"), "requestedBy": form.text("requestedBy") == "customer" ? "customer" : "customer-service"]
    }

    /// The line cancellation form (one line at a time) as intake's request; what is not a number
    /// goes as 0, so intake names the field.
    static func lineCancellation(_ form: ConsoleForm) -> [String: Any] {
        var body: [String: Any] = ["lines": [["lineNumber": Int(form.text("lineNumber")) ?? 0, "quantity": Int(form.text("quantity")) ?? 0]], "reason": form.text("reason")]
        if !form.text("requestId").isEmpty { body["requestId"] = form.text("requestId") }
        return body
    }

    func cancelLines(_ context: ConsoleRequestContext) async throws -> Response {
        let session = try context.require(.orders)
        let id = try context.identifier("id")
        let answer = try await gateway.call(.POST, .intake, "/v1/orders/\(id)/line-cancellations", as: session.staff, body: Self.lineCancellation(context.form))
        if answer.ok { return ConsoleView.redirect("/orders/\(id)?done=linesCancelled") }
        if answer.status == 404 { throw ConsoleFailure.notFound }
        // Intake names lines[0].quantity, lines[0].lineNumber, lines or reason: the form's fields.
        var fields: [String: String] = [:]
        for (field, reason) in answer.fieldErrors {
            let key = field.hasSuffix(".quantity") ? "cancelQuantity" : field == "reason" ? "cancelLinesReason" : "cancelLine"
            fields[key, default: ""] += reason + " "
        }
        return try await orderPage(id, session: session, context: context, problem: fields.isEmpty ? answer.message : nil,
                                   fieldErrors: fields, status: answer.status == 409 ? .conflict : .unprocessableContent)
    }

    /// The substitution form as intake's request; what is not a number goes as 0, so intake names the field.
    static func substitution(_ form: ConsoleForm) -> [String: Any] {
        var body: [String: Any] = ["lineNumber": Int(form.text("lineNumber")) ?? 0, "quantity": Int(form.text("quantity")) ?? 0, "sku": form.text("sku"),
                                   "reason": form.text("reason"), "waiveDifference": form.text("waiveDifference") == "on"]
        if !form.text("requestId").isEmpty { body["requestId"] = form.text("requestId") }
        return body
    }

    func substitute(_ context: ConsoleRequestContext) async throws -> Response {
        let session = try context.require(.orders)
        let id = try context.identifier("id")
        let answer = try await gateway.call(.POST, .intake, "/v1/orders/\(id)/substitutions", as: session.staff, body: Self.substitution(context.form))
        if answer.ok { return ConsoleView.redirect("/orders/\(id)?done=substituted") }
        if answer.status == 404 { throw ConsoleFailure.notFound }
        var fields: [String: String] = [:]
        for (field, reason) in answer.fieldErrors { fields["substitute" + field.prefix(1).uppercased() + field.dropFirst(), default: ""] += reason + " " }
        return try await orderPage(id, session: session, context: context, problem: fields.isEmpty ? answer.message : nil,
                                   fieldErrors: fields, status: answer.status == 409 ? .conflict : .unprocessableContent)
    }

    func complain(_ context: ConsoleRequestContext) async throws -> Response {
        let session = try context.require(.orders)
        let id = try context.identifier("id")
        let body: [String: Any] = ["orderId": id, "category": context.form.text("category"), "severity": "medium",
                                   "description": context.form.text("description"), "requestId": "console-\(SecureToken.random(bytes: 12))"]
        let answer = try await gateway.call(.POST, .aftersales, "/v1/aftersales/complaints", as: session.staff, body: body)
        if answer.ok { return ConsoleView.redirect("/orders/\(id)?done=complaintRecorded") }
        return try await orderPage(id, session: session, context: context, problem: answer.fieldErrors.isEmpty ? answer.message : nil,
                                   fieldErrors: answer.fieldErrors, status: .unprocessableContent)
    }
}
