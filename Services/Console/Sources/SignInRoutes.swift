import Foundation
import HummingbirdBcrypt
import Hummingbird
import NIOPosix
import OMSPlatform

/// Sign-in, sign-out and changing one's password. A sign-in always starts a new session (the id a
/// browser had before is ended, so a planted id gains nothing), failures are counted per account
/// name and per address (`SignInThrottle`), and a wrong account name costs the same bcrypt work as
/// a wrong password.
struct SignInRoutes: Sendable {
    let staff: StaffStore
    let sessions: SessionStore
    let view: ConsoleView
    let throttle: SignInThrottle
    let bcryptCost: Int
    let secureCookies: Bool
    let metrics: PlatformMetrics

    /// Verified against when the account does not exist, so both answers take as long.
    static let decoyHash = Bcrypt.hash("decoy password, never valid", cost: 12)

    func register(on router: Router<ConsoleRequestContext>) {
        router.get("/login") { request, context in try await showSignIn(request, context) }
        router.post("/login") { request, context in try await signIn(request, context) }
        router.post("/logout") { request, context in try await signOut(request, context) }
        router.get("/password") { _, context in
            _ = try context.requireSession()
            return view.page("password", title: ConsoleText.text("changePassword", context.language), context: context,
                             data: context.session!.staff.mustChangePassword ? ["notice": ConsoleText.text("mustChangePassword", context.language)] : [:])
        }
        router.post("/password") { request, context in try await changePassword(request, context) }
    }

    func showSignIn(_ request: Request, _ context: ConsoleRequestContext, problem: String? = nil, status: HTTPResponse.Status = .ok, account: String = "") async throws -> Response {
        let token = SecureToken.random()
        var data: [String: Any] = ["signInToken": token, "account": account]
        if let problem { data["problem"] = problem }
        if request.uri.queryParameters["expired"] != nil { data["notice"] = ConsoleText.text("sessionExpired", context.language) }
        if request.uri.queryParameters["out"] != nil { data["notice"] = ConsoleText.text("signedOut", context.language) }
        var signInContext = context
        signInContext.session = nil
        var response = view.page("signin", title: ConsoleText.text("signIn", context.language), context: signInContext, data: data, status: status)
        response.setCookie(Cookie(name: ConsoleSessionMiddleware.signInCookie, value: token, maxAge: 3600, path: "/login", secure: secureCookies, httpOnly: true, sameSite: .strict))
        return response
    }

    func signIn(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        let account = String(context.form.text("account").prefix(64))
        let password = context.form["password"] ?? ""
        let failures = try await staff.recentFailures(account: account, address: context.clientAddress, window: throttle.window)
        guard throttle.allows(accountFailures: failures.account, addressFailures: failures.address) else {
            await staff.audit(account, "sign-in throttled", address: context.clientAddress)
            metrics.count("oms_console_signins_total", [("outcome", "throttled")])
            return try await showSignIn(request, context, problem: ConsoleText.text("throttled", context.language), status: .tooManyRequests, account: account)
        }
        let found = StaffDelegation.isValidStaffName(account) ? try await staff.account(named: account) : nil
        let hash = found?.passwordHash ?? Self.decoyHash
        let matches = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
        guard let found, matches, found.account.active, !password.isEmpty else {
            try await staff.recordFailure(account: account, address: context.clientAddress)
            metrics.count("oms_console_signins_total", [("outcome", "failed")])
            await staff.audit(StaffDelegation.isValidStaffName(account) ? account : "?", "sign-in failed", address: context.clientAddress)
            return try await showSignIn(request, context, problem: ConsoleText.text("wrongPassword", context.language), status: .unauthorized, account: account)
        }
        if let previous = context.session { try await sessions.end(idHash: previous.idHash) }
        let started = try await sessions.start(staff: found.account.name)
        await staff.audit(found.account.name, "signed in", address: context.clientAddress)
        metrics.count("oms_console_signins_total", [("outcome", "signed_in")])
        var response = ConsoleView.redirect(found.account.mustChangePassword ? "/password" : "/")
        response.setCookie(sessionCookie(started.id))
        response.setCookie(Cookie(name: ConsoleSessionMiddleware.signInCookie, value: "", maxAge: 0, path: "/login", secure: secureCookies, httpOnly: true, sameSite: .strict))
        return response
    }

    func signOut(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        let session = try context.requireSession()
        try await sessions.end(idHash: session.idHash)
        await staff.audit(session.staff.name, "signed out", address: context.clientAddress)
        var response = ConsoleView.redirect("/login?out=1")
        response.setCookie(Cookie(name: ConsoleSessionMiddleware.sessionCookie, value: "", maxAge: 0, path: "/", secure: secureCookies, httpOnly: true, sameSite: .strict))
        return response
    }

    func changePassword(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        let session = try context.requireSession()
        let form = context.form
        let language = context.language
        func again(_ problem: String, field: String? = nil) -> Response {
            view.page("password", title: ConsoleText.text("changePassword", language), context: context,
                      data: field.map { ["fieldErrors": [$0: problem]] } ?? ["problem": problem], status: .unprocessableContent)
        }
        guard let stored = try await staff.account(named: session.staff.name) else { throw ConsoleFailure.signInRequired }
        let current = form["current"] ?? "", new = form["new"] ?? ""
        let matches = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(current, hash: stored.passwordHash) }
        guard matches else {
            try await staff.recordFailure(account: session.staff.name, address: context.clientAddress)
            return again(ConsoleText.text("wrongPassword", language))
        }
        guard new == (form["repeat"] ?? "") else { return again(ConsoleText.text("passwordsDiffer", language), field: "new") }
        if let problem = StaffAccount.passwordProblem(new, name: session.staff.name) { return again(problem, field: "new") }
        let cost = bcryptCost
        let hash = try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(new, cost: UInt8(cost)) }
        try await staff.setPassword(session.staff.name, passwordHash: hash, mustChange: false)
        try await sessions.endAll(staff: session.staff.name, keeping: session.idHash)
        await staff.audit(session.staff.name, "password changed", address: context.clientAddress)
        return ConsoleView.redirect("/")
    }

    func sessionCookie(_ id: String) -> Cookie {
        Cookie(name: ConsoleSessionMiddleware.sessionCookie, value: id, path: "/", secure: secureCookies, httpOnly: true, sameSite: .strict)
    }
}
