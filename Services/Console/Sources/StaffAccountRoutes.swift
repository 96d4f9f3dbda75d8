import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdBcrypt
import NIOPosix
import OMSPlatform

/// Staff accounts, two ways in: the ops staff API (`/v1/console/staff`, an ops bearer token, as
/// `omsctl staff add` uses) and the ops page `/staff` of the console. A new account or a reset
/// gets a one-time password, answered once and never stored in clear; its owner must replace it
/// at first sign-in.
struct StaffAccountRoutes: Sendable {
    let staff: StaffStore
    let sessions: SessionStore
    let view: ConsoleView
    let credentials: APICredentials
    let bcryptCost: Int

    func register(on router: Router<ConsoleRequestContext>) {
        router.get("/staff") { _, context in try await staffPage(context) }
        router.post("/staff") { _, context in
            let session = try context.require(.staff)
            let form = context.form
            let name = form.text("name"), display = form.text("displayName"), role = form.text("role")
            let problems = StaffAccount.problems(name: name, displayName: display, role: role)
            guard problems.isEmpty else {
                return try await staffPage(context, data: ["fieldErrors": Dictionary(problems.map { ($0.field, $0.reason) }, uniquingKeysWith: { a, _ in a }),
                                                           "form": ["name": name, "displayName": display]], status: .unprocessableContent)
            }
            guard let password = try await create(name: name, displayName: display, role: AccessRole(rawValue: role)!, by: session.staff.name) else {
                return try await staffPage(context, data: ["fieldErrors": ["name": "taken"], "form": ["name": name, "displayName": display]], status: .conflict)
            }
            return try await staffPage(context, data: ["created": ["name": name, "password": password]], status: .created)
        }
        router.post("/v1/console/staff") { request, context in
            let principal = try ops(request)
            struct Body: Decodable { var name: String; var displayName: String?; var role: String }
            let body = try await request.decodeJSON(as: Body.self, context: context)
            let display = body.displayName ?? body.name
            let problems = StaffAccount.problems(name: body.name, displayName: display, role: body.role)
            guard problems.isEmpty else { throw APIError.validation(problems) }
            guard let password = try await create(name: body.name, displayName: display, role: AccessRole(rawValue: body.role)!, by: principal.name) else {
                throw APIError.conflict("account_exists", "a staff account named \(body.name) exists; reset its password instead")
            }
            return try Response.json(["name": body.name, "role": body.role, "oneTimePassword": password], status: .created)
        }
        router.get("/v1/console/staff") { request, _ in
            _ = try ops(request)
            let accounts = try await staff.accounts().map { ["name": $0.name, "displayName": $0.displayName, "role": $0.role.rawValue, "active": $0.active ? "true" : "false"] }
            return try Response.json(["staff": accounts])
        }
        router.post("/v1/console/staff/:name/reset-password") { request, context in
            let principal = try ops(request)
            let name = context.parameters.get("name") ?? ""
            guard try await staff.account(named: name) != nil else { throw APIError.notFound("staff account") }
            let password = SecureToken.oneTimePassword()
            let cost = bcryptCost
            let hash = try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: UInt8(cost)) }
            try await staff.setPassword(name, passwordHash: hash, mustChange: true)
            try await sessions.endAll(staff: name)
            await staff.audit(principal.name, "password reset", detail: name)
            return try Response.json(["name": name, "oneTimePassword": password])
        }
        router.post("/v1/console/staff/:name/disable") { request, context in
            let principal = try ops(request)
            let name = context.parameters.get("name") ?? ""
            guard try await staff.setActive(name, false) else { throw APIError.notFound("staff account") }
            try await sessions.endAll(staff: name)
            await staff.audit(principal.name, "account disabled", detail: name)
            return try Response.json(["name": name, "active": "false"])
        }
    }

    /// The ops principal of a staff-API request (401 without a valid token, 403 for other roles).
    func ops(_ request: Request) throws -> Principal {
        let token = request.headers[.authorization].flatMap { $0.lowercased().hasPrefix("bearer ") ? String($0.dropFirst(7)) : nil }
        guard let principal = token.flatMap(credentials.principal(forToken:)) else { throw AccessRefusal.unauthenticated.error }
        guard principal.role == .ops else { throw AccessRefusal.roleNotAllowed(principal.role, allowed: [.ops]).error }
        return principal
    }

    /// Creates the account with a one-time password and answers the password; nil when the name is taken.
    func create(name: String, displayName: String, role: AccessRole, by creator: String) async throws -> String? {
        let password = SecureToken.oneTimePassword()
        let cost = bcryptCost
        let hash = try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: UInt8(cost)) }
        guard try await staff.create(StaffAccount(name: name, displayName: displayName, role: role), passwordHash: hash, createdBy: creator) else { return nil }
        await staff.audit(creator, "account created", detail: "\(name) (\(role.rawValue))")
        return password
    }

    func staffPage(_ context: ConsoleRequestContext, data: [String: Any] = [:], status: HTTPResponse.Status = .ok) async throws -> Response {
        _ = try context.require(.staff)
        let language = context.language
        var values = data
        values["accounts"] = try await staff.accounts().map {
            ["name": $0.name, "displayName": $0.displayName, "roleLabel": ConsoleView.roleLabel($0.role, language),
             "active": ConsoleText.text($0.active ? "yes" : "no", language)]
        }
        values["roles"] = AccessRole.staffRoles.map { ["code": $0.rawValue, "label": ConsoleView.roleLabel($0, language)] }
        values["audit"] = try await staff.auditEntries(limit: 50).map { ["at": ConsoleFormat.time($0.at), "staff": $0.staff, "action": $0.action, "detail": $0.detail] }
        return view.page("staff", title: ConsoleText.text("page.staff", language), context: context, data: values, status: status, current: .staff)
    }
}
