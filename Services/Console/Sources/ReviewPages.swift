import Foundation
import Hummingbird
import OMSDomain
import OMSPlatform

/// The risk reviewer's pages (审核): the queue of held orders, oldest first with overdue ones
/// marked; one held order with its findings explained, the masked phone (the full number only
/// after "reveal", which risk records in its audit trail with the reviewer's name), contacts,
/// approve and reject.
struct ReviewPages: Sendable {
    let gateway: ServiceGateway
    let view: ConsoleView

    func register(on router: Router<ConsoleRequestContext>) {
        router.get("/review") { request, context in try await queue(request, context) }
        router.get("/review/:id") { request, context in
            let session = try context.require(.review)
            return try await reviewPage(try context.identifier("id"), session: session, context: context, notice: request.uri.queryParameters["done"].map(String.init))
        }
        router.post("/review/:id/reveal") { _, context in
            let session = try context.require(.review)
            let id = try context.identifier("id")
            let answer = try await gateway.call(.POST, .risk, "/v1/review/orders/\(id)/reveal-phone", as: session.staff, body: [:])
            guard answer.ok else { return try await reviewPage(id, session: session, context: context, problem: answer.message, status: .conflict) }
            return try await reviewPage(id, session: session, context: context, fullPhone: answer.object["recipientPhone"] as? String)
        }
        router.post("/review/:id/approve") { _, context in try await decide(context, "approve") }
        router.post("/review/:id/reject") { _, context in try await decide(context, "reject") }
        router.post("/review/:id/contacts") { _, context in
            let session = try context.require(.review)
            let id = try context.identifier("id")
            let answer = try await gateway.call(.POST, .risk, "/v1/review/orders/\(id)/contacts", as: session.staff, body: Self.contactBody(context.form))
            if answer.ok { return ConsoleView.redirect("/review/\(id)") }
            return try await reviewPage(id, session: session, context: context, problem: answer.fieldErrors.isEmpty ? answer.message : nil,
                                        fieldErrors: answer.fieldErrors, status: .unprocessableContent)
        }
    }

    /// The contact form as risk's JSON: the note, and what the call corrected (recipient, phone,
    /// the whole address when its street is given).
    static func contactBody(_ form: ConsoleForm) -> [String: Any] {
        var body: [String: Any] = ["note": form.text("note")]
        if !form.text("recipientName").isEmpty { body["recipientName"] = form.text("recipientName") }
        if !form.text("recipientPhone").isEmpty { body["recipientPhone"] = form.text("recipientPhone") }
        if !form.text("street").isEmpty {
            body["deliveryAddress"] = ["province": form.text("province"), "city": form.text("city"), "district": form.text("district"),
                                       "street": form.text("street"), "postalCode": form.text("postalCode")]
        }
        return body
    }

    func queue(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        let session = try context.require(.review)
        let rule = String(request.uri.queryParameters["rule"] ?? ""), channel = String(request.uri.queryParameters["channel"] ?? "")
        let overdue = request.uri.queryParameters["overdue"] == "true"
        var filters: [String] = []
        if !rule.isEmpty { filters.append("rule=\(FormEncoding.rfc3986(rule))") }
        if !channel.isEmpty { filters.append("channel=\(FormEncoding.rfc3986(channel))") }
        if overdue { filters.append("overdue=true") }
        let json = try await gateway.read(.risk, "/v1/review/queue" + (filters.isEmpty ? "" : "?" + filters.joined(separator: "&")), as: session.staff)
        let entries = (json["orders"] as? [[String: Any]] ?? []).map { entry -> [String: Any] in
            ["orderId": OrderPages.text(entry["orderId"]), "channel": OrderPages.text(entry["channel"]), "score": OrderPages.text(entry["score"]),
             "rules": (entry["rules"] as? [String] ?? []).joined(separator: ", "), "heldAt": ConsoleFormat.time(iso: entry["heldAt"] as? String),
             "age": OrderPages.text(entry["ageMinutes"]), "overdue": (entry["overdue"] as? Bool) == true]
        }
        return view.page("review-queue", title: ConsoleText.text("page.review", context.language), context: context,
                         data: ["entries": entries, "hasEntries": !entries.isEmpty, "overdueOnly": overdue,
                                // The rules the queue holds (risk's policy is data; no list is kept here).
                                "rules": Set(entries.flatMap { ($0["rules"] as? String ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } + (rule.isEmpty ? [] : [rule]))
                                    .filter { !$0.isEmpty }.sorted().map { ["code": $0, "selected": $0 == rule] },
                                "channels": OMSDomain.Channel.allCases.map { ["code": $0.rawValue, "selected": $0.rawValue == channel] }], current: .review)
    }

    func reviewPage(_ id: String, session: StaffSession, context: ConsoleRequestContext, notice: String? = nil, problem: String? = nil,
                    fieldErrors: [String: String] = [:], fullPhone: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        var review = try await gateway.read(.risk, "/v1/review/orders/\(id)", as: session.staff)
        review["total"] = OrderPages.money(review["totalFen"])
        review["statusLabel"] = ConsoleText.status(OrderPages.text(review["status"]), context.language)
        for key in ["heldAt", "decidedAt"] { review[key] = ConsoleFormat.time(iso: review[key] as? String) }
        review["contacts"] = (review["contacts"] as? [[String: Any]] ?? []).map { contact -> [String: Any] in
            var contact = contact
            contact["at"] = ConsoleFormat.time(iso: contact["at"] as? String)
            return contact
        }
        var data: [String: Any] = ["review": review, "held": (review["status"] as? String) == "held", "fieldErrors": fieldErrors]
        if let fullPhone { data["fullPhone"] = fullPhone }
        if let notice, ["approve", "reject"].contains(notice) { data["notice"] = ConsoleText.text("decided", context.language) + ConsoleText.text(notice, context.language) }
        if let problem { data["problem"] = problem }
        return view.page("review", title: "\(ConsoleText.text("page.review", context.language)) · \(id)", context: context, data: data, status: status, current: .review)
    }

    func decide(_ context: ConsoleRequestContext, _ decision: String) async throws -> Response {
        let session = try context.require(.review)
        let id = try context.identifier("id")
        let note = context.form.text("note")
        let answer = try await gateway.call(.POST, .risk, "/v1/review/orders/\(id)/\(decision)", as: session.staff, body: note.isEmpty ? [:] : ["note": note])
        if answer.ok { return ConsoleView.redirect("/review/\(id)?done=\(decision)") }
        if answer.status == 404 { throw ConsoleFailure.notFound }
        return try await reviewPage(id, session: session, context: context, problem: answer.message, status: answer.status == 409 ? .conflict : .unprocessableContent)
    }
}
