import AsyncHTTPClient
import Foundation
import Hummingbird
import OMSDomain

/// The ops pages: every service's readiness (its open `/health/ready`), consumer lag and outbox
/// backlog (`/v1/ops/pipeline`), asked concurrently with short timeouts so one hung service cannot
/// hold the page; a service's dead letters and their redrive, which always shows the dry run
/// (what would be sent back) before the real one.
struct OpsPages: Sendable {
    let urls: [ServiceName: String]
    let gateway: ServiceGateway
    let view: ConsoleView

    func register(on router: Router<ConsoleRequestContext>) {
        router.get("/ops") { _, context in
            let session = try context.require(.ops)
            let rows = await withTaskGroup(of: (Int, ServiceRow).self) { group in
                for (index, service) in ServiceName.allCases.enumerated() {
                    group.addTask { (index, await row(service, staff: session.staff)) }
                }
                var rows: [(Int, ServiceRow)] = []
                for await row in group { rows.append(row) }
                return rows.sorted { $0.0 < $1.0 }.map(\.1)
            }
            let services = rows.map { row -> [String: Any] in
                ["name": row.name, "ready": row.ready, "detail": row.detail, "lag": row.lag, "groups": row.groups, "outbox": row.outbox, "deadLetters": row.deadLetters]
            }
            return view.page("ops", title: ConsoleText.text("page.ops", context.language), context: context, data: ["services": services], current: .ops)
        }
        router.get("/ops/dead-letters/:service") { _, context in
            let session = try context.require(.ops)
            return try await deadLetterPage(try service(context), session: session, context: context)
        }
        router.post("/ops/dead-letters/:service/dry-run") { _, context in
            let session = try context.require(.ops)
            let service = try service(context)
            let ids = selectedIDs(context.form)
            let answer = try await gateway.call(.POST, service, "/v1/ops/dead-letters/redrive?dryRun=true", as: session.staff, body: ids.isEmpty ? [:] : ["ids": ids])
            guard answer.ok else { return try await deadLetterPage(service, session: session, context: context, problem: answer.message, status: .unprocessableContent) }
            return try await deadLetterPage(service, session: session, context: context, dryRun: answer.object["result"] as? [String: Any] ?? [:], ids: ids)
        }
        router.post("/ops/dead-letters/:service/redrive") { _, context in
            let session = try context.require(.ops)
            let service = try service(context)
            let ids = selectedIDs(context.form)
            guard !ids.isEmpty else { return try await deadLetterPage(service, session: session, context: context, problem: ConsoleText.text("chooseEntries", context.language), status: .unprocessableContent) }
            let answer = try await gateway.call(.POST, service, "/v1/ops/dead-letters/redrive", as: session.staff, body: ["ids": ids])
            guard answer.ok else { return try await deadLetterPage(service, session: session, context: context, problem: answer.message, status: .unprocessableContent) }
            let result = answer.object["result"] as? [String: Any] ?? [:]
            return try await deadLetterPage(service, session: session, context: context,
                                            notice: "\(ConsoleText.text("redriven", context.language)) \((result["redriven"] as? [String] ?? []).joined(separator: ", "))")
        }
    }

    func service(_ context: ConsoleRequestContext) throws -> ServiceName {
        guard let service = context.parameters.get("service").flatMap(ServiceName.init(rawValue:)) else { throw ConsoleFailure.notFound }
        return service
    }

    /// The ids of the entries ticked in the form (`id` given once per tick), or one `ids` list.
    func selectedIDs(_ form: ConsoleForm) -> [String] {
        form.text("ids").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && $0.count <= 40 }
    }

    struct ServiceRow: Sendable {
        var name: String
        var ready: Bool
        var detail: String
        var lag: String = "?"
        var groups: String = ""
        var outbox: String = "?"
        var deadLetters: String = ""
    }

    func row(_ service: ServiceName, staff: StaffAccount) async -> ServiceRow {
        var row = ServiceRow(name: service.rawValue, ready: false, detail: "")
        if let base = urls[service] {
            do {
                let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: base + "/health/ready"), timeout: .seconds(3))
                let body = try await response.body.collect(upTo: 64 * 1024)
                row.ready = response.status.code == 200
                row.detail = "\(response.status.code) \(String(buffer: body).prefix(200))"
            } catch {
                row.detail = String(String(describing: error).prefix(200))
            }
        }
        if case .shown(let pipeline) = await gateway.section(service, "/v1/ops/pipeline", as: staff) {
            let groups = pipeline["groups"] as? [[String: Any]] ?? []
            let lags = groups.map { ($0["lag"] as? NSNumber)?.int64Value }
            row.lag = lags.contains(where: { $0 == nil }) ? "?" : String(lags.reduce(Int64(0)) { $0 + ($1 ?? 0) })
            row.groups = groups.map { "\(OrderPages.text($0["group"])) (\(OrderPages.text($0["members"])))" }.joined(separator: ", ")
            row.outbox = "\(OrderPages.text(pipeline["outboxPending"])) / \(OrderPages.text(pipeline["outboxQuarantined"]))"
        }
        return row
    }

    /// A redrive dry run (`DeadLetterDesk.RedriveResult` as JSON) as the page shows it. Mustache
    /// shows a section for an empty string too, so only lists that have entries are given.
    static func dryRunView(_ dryRun: [String: Any]) -> [String: Any] {
        let wouldGo = dryRun["redriven"] as? [String] ?? []
        var result: [String: Any] = ["wouldRedrive": wouldGo.joined(separator: ", "), "ids": wouldGo.joined(separator: ","), "any": !wouldGo.isEmpty]
        if let quarantined = dryRun["quarantined"] as? [String], !quarantined.isEmpty { result["quarantined"] = quarantined.joined(separator: ", ") }
        if let already = dryRun["alreadyRedriven"] as? [String], !already.isEmpty { result["already"] = already.joined(separator: ", ") }
        return result
    }

    func deadLetterPage(_ service: ServiceName, session: StaffSession, context: ConsoleRequestContext, dryRun: [String: Any]? = nil, ids: [String] = [],
                        notice: String? = nil, problem: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let json = try await gateway.read(service, "/v1/ops/dead-letters", as: session.staff)
        let entries = (json["deadLetters"] as? [[String: Any]] ?? []).map { entry -> [String: Any] in
            ["id": OrderPages.text(entry["id"]), "eventType": OrderPages.text(entry["eventType"]), "orderKey": OrderPages.text(entry["orderKey"]),
             "reason": OrderPages.text(entry["reason"]), "attempts": OrderPages.text(entry["attempts"]), "state": OrderPages.text(entry["state"]),
             "open": (entry["state"] as? String) == "open", "failedAt": ConsoleFormat.time(iso: entry["failedAt"] as? String),
             "origin": "\(OrderPages.text(entry["originalTopic"]))[\(OrderPages.text(entry["originalPartition"]))]@\(OrderPages.text(entry["originalOffset"]))",
             "preview": OrderPages.text(entry["preview"])]
        }
        var data: [String: Any] = ["service": service.rawValue, "entries": entries, "hasEntries": !entries.isEmpty]
        let openIDs = entries.filter { ($0["open"] as? Bool) == true }.compactMap { $0["id"] as? String }
        if !openIDs.isEmpty { data["openIDs"] = openIDs.joined(separator: ",") }
        if let dryRun { data["dryRun"] = Self.dryRunView(dryRun) }
        if let notice { data["notice"] = notice }
        if let problem { data["problem"] = problem }
        return view.page("dead-letters", title: "\(ConsoleText.text("deadLetters", context.language)) · \(service.rawValue)", context: context, data: data, status: status, current: .ops)
    }
}
