import Foundation
import Hummingbird
import OMSDomain

/// The risk reviewer's pages (审核): the queue of held orders, oldest first with overdue ones
/// marked; one held order with its findings explained, the masked phone (the full number only
/// after "reveal", which risk records in its audit trail with the reviewer's name), contacts,
/// approve and reject.
struct ReviewPages: Sendable {
    let gateway: ServiceGateway
    let view: ConsoleView

    func register(on router: Router<ConsoleRequestContext>) {
        router.get("/review") { _, context in try await queue(context) }
        router.get("/review/:id") { request, context in
            let session = try context.require(.review)
            return try await reviewPage(try orderID(context), session: session, context: context, notice: request.uri.queryParameters["done"].map(String.init))
        }
        router.post("/review/:id/reveal") { _, context in
            let session = try context.require(.review)
            let id = try orderID(context)
            let answer = try await gateway.call(.POST, .risk, "/v1/review/orders/\(id)/reveal-phone", as: session.staff, body: [:])
            guard answer.ok else { return try await reviewPage(id, session: session, context: context, problem: answer.message, status: .conflict) }
            return try await reviewPage(id, session: session, context: context, fullPhone: answer.object["recipientPhone"] as? String)
        }
        router.post("/review/:id/approve") { _, context in try await decide(context, "approve") }
        router.post("/review/:id/reject") { _, context in try await decide(context, "reject") }
        router.post("/review/:id/contacts") { _, context in
            let session = try context.require(.review)
            let id = try orderID(context)
            let answer = try await gateway.call(.POST, .risk, "/v1/review/orders/\(id)/contacts", as: session.staff, body: ["note": context.form.text("note")])
            if answer.ok { return ConsoleView.redirect("/review/\(id)") }
            return try await reviewPage(id, session: session, context: context, problem: answer.fieldErrors.isEmpty ? answer.message : nil,
                                        fieldErrors: answer.fieldErrors, status: .unprocessableContent)
        }
    }

    func orderID(_ context: ConsoleRequestContext) throws -> String {
        let id = context.parameters.get("id") ?? ""
        guard (1...64).contains(id.count), id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_".contains($0)) }) else { throw ConsoleFailure.notFound }
        return id
    }

    func queue(_ context: ConsoleRequestContext) async throws -> Response {
        let session = try context.require(.review)
        let json = try await gateway.read(.risk, "/v1/review/queue", as: session.staff)
        let entries = (json["orders"] as? [[String: Any]] ?? []).map { entry -> [String: Any] in
            ["orderId": OrderPages.text(entry["orderId"]), "channel": OrderPages.text(entry["channel"]), "score": OrderPages.text(entry["score"]),
             "rules": (entry["rules"] as? [String] ?? []).joined(separator: ", "), "heldAt": ConsoleFormat.time(iso: entry["heldAt"] as? String),
             "age": OrderPages.text(entry["ageMinutes"]), "overdue": (entry["overdue"] as? Bool) == true]
        }
        return view.page("review-queue", title: ConsoleText.text("page.review", context.language), context: context,
                         data: ["entries": entries, "hasEntries": !entries.isEmpty], current: .review)
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
        let id = try orderID(context)
        let note = context.form.text("note")
        let answer = try await gateway.call(.POST, .risk, "/v1/review/orders/\(id)/\(decision)", as: session.staff, body: note.isEmpty ? [:] : ["note": note])
        if answer.ok { return ConsoleView.redirect("/review/\(id)?done=\(decision)") }
        if answer.status == 404 { throw ConsoleFailure.notFound }
        return try await reviewPage(id, session: session, context: context, problem: answer.message, status: answer.status == 409 ? .conflict : .unprocessableContent)
    }
}
