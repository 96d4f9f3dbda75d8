import AsyncHTTPClient
import ConsoleService
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOHTTP1
import OMSPlatform
import PostgresNIO
import Testing

/// The console's sign-in and form security over real HTTP against a real PostgreSQL (its own
/// schema per test): CSRF, session fixation, cookie flags, throttling, idle expiry, escaping.
@Suite("Console security: sessions, CSRF, throttling, escaping", .serialized)
struct ConsoleSecurityTests {
    /// A browser: follows no redirects, keeps cookies by name.
    final class Browser: @unchecked Sendable {
        let base: String
        var cookies: [String: String] = [:]
        var setCookieLines: [String] = []
        static let http: HTTPClient = {
            var configuration = HTTPClient.Configuration()
            configuration.redirectConfiguration = .disallow
            return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        }()

        init(base: String) { self.base = base }

        struct Page { var status: Int; var location: String; var html: String }

        func send(_ method: HTTPMethod, _ path: String, form: [String: String]? = nil, headers: [String: String] = [:], json: String? = nil) async throws -> Page {
            var request = HTTPClientRequest(url: base + path)
            request.method = method
            if !cookies.isEmpty { request.headers.add(name: "Cookie", value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")) }
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            if let form {
                request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
                request.body = .bytes(ByteBuffer(string: FormEncoding.body(form)))
            } else if let json {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(string: json))
            }
            let response = try await Self.http.execute(request, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 4 << 20)
            setCookieLines = response.headers["Set-Cookie"]
            for line in setCookieLines {
                let pair = line.prefix { $0 != ";" }.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard pair.count == 2 else { continue }
                if line.contains("Max-Age=0") { cookies.removeValue(forKey: String(pair[0])) } else { cookies[String(pair[0])] = String(pair[1]) }
            }
            return Page(status: Int(response.status.code), location: response.headers.first(name: "Location") ?? "", html: String(buffer: body))
        }

        /// The value of a hidden field in the page.
        static func hidden(_ name: String, in html: String) -> String? {
            guard let range = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
            return String(html[range.upperBound...].prefix { $0 != "\"" })
        }

        func signIn(_ account: String, _ password: String) async throws -> Page {
            let form = try await send(.GET, "/login")
            let token = Self.hidden("_signin", in: form.html) ?? ""
            return try await send(.POST, "/login", form: ["_signin": token, "account": account, "password": password])
        }
    }

    /// Runs a console on its own schema with one account per test, created through the staff API.
    func withConsole(idle: Duration? = nil, secure: Bool = false, _ body: @Sendable (Browser, _ create: @Sendable (String, String, String) async throws -> String) async throws -> Void) async throws {
        let (databaseURL, _) = try TestEnvironment.require()
        let schema = "console_t\(UInt32.random(in: 0..<UInt32.max))"
        var environment = ["OMS_DATABASE_URL": databaseURL, "OMS_DATABASE_SCHEMA": schema, "OMS_API_TOKENS": TestCredentials.environmentValue,
                           "OMS_DEVELOPMENT_MODE": "true", "OMS_CONSOLE_BCRYPT_COST": "4", "OMS_HTTP_PORT": "0"]
        environment["OMS_CONSOLE_SECURE_COOKIES"] = secure ? "true" : "false"
        var configuration = try ConsoleConfiguration(environment: environment)
        if let idle { configuration.idleTimeout = idle }
        let app = try buildConsoleApplication(configuration: configuration, logger: Logger(label: "test.console"))
        try await app.test(.live) { client in
            let base = "http://127.0.0.1:\(client.port!)"
            let create: @Sendable (String, String, String) async throws -> String = { name, display, role in
                let answer = try await Browser(base: base).send(.POST, "/v1/console/staff", headers: ["Authorization": "Bearer \(TestCredentials.token(.ops))"],
                                                                json: #"{"name":"\#(name)","displayName":"\#(display)","role":"\#(role)"}"#)
                #expect(answer.status == 201, "\(answer.html)")
                let json = try JSONSerialization.jsonObject(with: Data(answer.html.utf8)) as? [String: Any]
                return json?["oneTimePassword"] as? String ?? ""
            }
            try await body(Browser(base: base), create)
        }
    }

    /// Signs in with the one-time password and replaces it; answers the new password.
    func firstSignIn(_ browser: Browser, _ account: String, _ oneTime: String) async throws -> String {
        let signedIn = try await browser.signIn(account, oneTime)
        #expect(signedIn.status == 303 && signedIn.location == "/password", "\(signedIn.status) \(signedIn.location)")
        let form = try await browser.send(.GET, "/password")
        let csrf = Browser.hidden("_csrf", in: form.html) ?? ""
        let password = "Green-Tea-2026-ok"
        let changed = try await browser.send(.POST, "/password", form: ["_csrf": csrf, "current": oneTime, "new": password, "repeat": password])
        #expect(changed.status == 303 && changed.location == "/", "\(changed.status) \(changed.html.prefix(300))")
        return password
    }

    @Test("a form without the session's CSRF token, or with another, is refused and changes nothing; the sign-in form needs its own token")
    func csrf() async throws {
        try await withConsole { browser, create in
            let password = try await firstSignIn(browser, "ops.lin", try await create("ops.lin", "林", "ops"))
            for form in [["name": "x1", "displayName": "X", "role": "risk"], ["_csrf": "forged-token-forged-token-forged-token-ab", "name": "x1", "displayName": "X", "role": "risk"]] {
                let refused = try await browser.send(.POST, "/staff", form: form)
                #expect(refused.status == 403 && refused.html.contains("表单已过期或来源不明"), "\(refused.status)")
            }
            let staff = try await browser.send(.GET, "/staff")
            #expect(staff.status == 200 && !staff.html.contains(">x1<"))
            let ok = try await browser.send(.POST, "/staff", form: ["_csrf": Browser.hidden("_csrf", in: staff.html) ?? "", "name": "x1", "displayName": "X", "role": "risk"])
            #expect(ok.status == 201 && ok.html.contains("one-time-password"))
            // Sign-out is a form too: without the token the session survives.
            #expect(try await browser.send(.POST, "/logout", form: [:]).status == 403)
            #expect(try await browser.send(.GET, "/staff").status == 200)
            // Sign-in without the token of its own form (a login CSRF) is refused even with the right password.
            let fresh = Browser(base: browser.base)
            let forged = try await fresh.send(.POST, "/login", form: ["account": "ops.lin", "password": password])
            #expect(forged.status == 403 && fresh.cookies["oms_console_session"] == nil)
        }
    }

    @Test("a session id planted before sign-in is never the signed-in one, and signing out ends the session on the server")
    func sessionFixation() async throws {
        try await withConsole { browser, create in
            let password = try await firstSignIn(browser, "cs.zhou", try await create("cs.zhou", "周", "customer-service"))
            let first = try #require(browser.cookies["oms_console_session"])
            // An id the attacker made up and planted in the victim's browser is replaced at sign-in.
            let victim = Browser(base: browser.base)
            let planted = String(repeating: "A", count: 43)
            victim.cookies["oms_console_session"] = planted
            #expect(try await victim.signIn("cs.zhou", password).status == 303)
            #expect(victim.cookies["oms_console_session"] != planted && victim.cookies["oms_console_session"] != nil)
            // An attacker's browser holding a stolen or planted id signs in afresh: it gets a new id.
            let attacker = Browser(base: browser.base)
            attacker.cookies["oms_console_session"] = first
            #expect(try await attacker.signIn("cs.zhou", password).status == 303)
            let second = try #require(attacker.cookies["oms_console_session"])
            #expect(second != first)
            // Signing in again from the same browser replaces its session too; the old id is dead.
            #expect(try await browser.signIn("cs.zhou", password).status == 303)
            let third = try #require(browser.cookies["oms_console_session"])
            #expect(third != first)
            let stale = Browser(base: browser.base)
            stale.cookies["oms_console_session"] = first
            #expect(try await stale.send(.GET, "/orders").location.hasPrefix("/login"))
            // Sign-out ends the session on the server: replaying the cookie afterwards finds nothing.
            let home = try await browser.send(.GET, "/")
            #expect(try await browser.send(.POST, "/logout", form: ["_csrf": Browser.hidden("_csrf", in: home.html) ?? ""]).status == 303)
            let replay = Browser(base: browser.base)
            replay.cookies["oms_console_session"] = third
            #expect(try await replay.send(.GET, "/").location.hasPrefix("/login"))
        }
    }

    @Test("session cookies are HttpOnly and SameSite=Strict, and Secure when served over TLS")
    func cookieFlags() async throws {
        for secure in [false, true] {
            try await withConsole(secure: secure) { browser, create in
                let oneTime = try await create("wh.sun", "孙", "warehouse")
                _ = try await browser.signIn("wh.sun", oneTime)
                let line = try #require(browser.setCookieLines.first { $0.hasPrefix("oms_console_session=") })
                #expect(line.contains("HttpOnly") && line.contains("SameSite=Strict") && line.contains("Path=/"), "\(line)")
                #expect(line.contains("Secure") == secure, "\(line)")
                let page = try await browser.send(.GET, "/password")
                #expect(page.html.contains("name=\"_csrf\""))
            }
        }
    }

    @Test("after five wrong passwords an account waits, even with the right one; a wrong account name costs the same")
    func throttling() async throws {
        try await withConsole { browser, create in
            let oneTime = try await create("risk.he", "何", "risk")
            for _ in 0..<5 {
                let wrong = try await browser.signIn("risk.he", "not-the-password-1")
                #expect(wrong.status == 401 && wrong.html.contains("账号或密码错误"))
            }
            let blocked = try await browser.signIn("risk.he", oneTime)
            #expect(blocked.status == 429 && blocked.html.contains("登录失败次数过多"), "\(blocked.status)")
            #expect(browser.cookies["oms_console_session"] == nil)
            let nobody = try await Browser(base: browser.base).signIn("no.such.person", "whatever-123")
            #expect(nobody.status == 401)
        }
    }

    @Test("an idle session ends; a page then asks to sign in again")
    func idleExpiry() async throws {
        try await withConsole(idle: .seconds(2)) { browser, create in
            _ = try await firstSignIn(browser, "an.qian", try await create("an.qian", "钱", "analyst"))
            #expect(try await browser.send(.GET, "/").status == 200)
            try await Task.sleep(for: .seconds(3))
            let expired = try await browser.send(.GET, "/")
            #expect(expired.status == 303 && expired.location == "/login?expired=1")
        }
    }

    @Test("what people typed renders as text: a display name holding a script tag is escaped on every page")
    func escaping() async throws {
        try await withConsole { browser, create in
            let name = "<script>alert('x')</script>"
            let oneTime = try await create("ops.xss", name, "ops")
            _ = try await firstSignIn(browser, "ops.xss", oneTime)
            for path in ["/", "/staff"] {
                let page = try await browser.send(.GET, path)
                #expect(page.status == 200)
                #expect(!page.html.contains(name), "\(path) renders the name unescaped")
                #expect(page.html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), "\(path)")
            }
        }
    }

    @Test("a role opens only its pages: 403 for the others, and no service is asked")
    func pageRoles() async throws {
        try await withConsole { browser, create in
            _ = try await firstSignIn(browser, "wh.wu", try await create("wh.wu", "吴", "warehouse"))
            for path in ["/orders", "/review", "/ops", "/staff", "/insights", "/orders/OMS1/cancel"] {
                let page = try await browser.send(path.hasSuffix("cancel") ? .POST : .GET, path,
                                                  form: path.hasSuffix("cancel") ? ["_csrf": Browser.hidden("_csrf", in: try await browser.send(.GET, "/").html) ?? ""] : nil)
                #expect(page.status == 403, "\(path): \(page.status)")
            }
            let home = try await browser.send(.GET, "/")
            #expect(home.html.contains("href=\"/warehouse\"") && !home.html.contains("href=\"/review\""))
            // The staff API takes an ops token only.
            let refused = try await browser.send(.POST, "/v1/console/staff", headers: ["Authorization": "Bearer \(TestCredentials.token(.customerService))"],
                                                 json: #"{"name":"y","role":"ops"}"#)
            #expect(refused.status == 403)
            let invalid = try await browser.send(.POST, "/v1/console/staff", headers: ["Authorization": "Bearer \(TestCredentials.token(.ops))"],
                                                 json: #"{"name":"bad name","role":"console"}"#)
            #expect(invalid.status == 422 && invalid.html.contains("\"field\":\"name\"") && invalid.html.contains("\"field\":\"role\""), "\(invalid.html)")
            // A malformed body is a JSON 400 naming the problem, not an HTML page.
            let malformed = try await browser.send(.POST, "/v1/console/staff", headers: ["Authorization": "Bearer \(TestCredentials.token(.ops))"],
                                                   json: #"{"name": 7"#)
            #expect(malformed.status == 400 && malformed.html.hasPrefix("{") && malformed.html.contains("malformed_body"), "\(malformed.html)")
            let missing = try await browser.send(.POST, "/v1/console/staff", headers: ["Authorization": "Bearer \(TestCredentials.token(.ops))"],
                                                 json: #"{"name":"z.one"}"#)
            #expect(missing.status == 400 && missing.html.contains("\"field\":\"role\""), "\(missing.html)")
        }
    }
}
