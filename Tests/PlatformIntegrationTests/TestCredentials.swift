import Foundation
import HTTPTypes
import OMSDomain
import OMSOps
import OMSPlatform

/// API tokens for the test worlds: one principal per staff role and one per sales channel, with
/// tokens made fresh for each test process (never written anywhere). Services under test accept
/// them through `OMS_API_TOKENS`; `EdgeClient` presents the token of a principal the services'
/// own access rules allow for each request, so tests exercise the real rules.
enum TestCredentials {
    /// Staff principals; the first of each role is the one chosen when a request names none.
    static let staff: [(name: String, role: AccessRole)] = [
        ("cs-agent-1", .customerService), ("cs-lead", .customerService), ("risk-1", .risk), ("warehouse-1", .warehouse),
        ("ops-1", .ops), ("analyst-1", .analyst),
    ]

    /// `name:role=token` entries, the format of `OMS_API_TOKENS`.
    static let environmentValue: String = {
        var entries: [String] = []
        for (name, role) in staff { entries.append("\(name):\(role.rawValue)=\(freshToken())") }
        for channel in Channel.allCases { entries.append("channel-\(channel.rawValue):channel/\(channel.rawValue)=\(freshToken())") }
        entries.append("oms-console:console=\(freshToken())")
        return entries.joined(separator: ",")
    }()

    static let credentials: APICredentials = try! APICredentials(parsing: environmentValue)

    /// The access rules of all seven services together (their paths do not overlap).
    static var policy: AccessPolicy { SuiteAccess.policy }

    static func freshToken() -> String {
        (0..<40).map { _ in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".randomElement()! }.map(String.init).joined()
    }

    static func token(_ role: AccessRole, channel: String? = nil) -> String {
        credentials.token(for: role, channel: channel)!
    }

    /// A token allowed to make this request: the principal named `preferred` if it may, else
    /// the first allowed role (see `APICredentials.token(allowedBy:…)`).
    static func token(method: HTTPRequest.Method, path: String, preferred: String? = nil) -> String? {
        if let preferred, let role = staff.first(where: { $0.name == preferred })?.role,
           policy.allowedRoles(method: method, path: String(path.prefix { $0 != "?" })).contains(role) {
            return credentials.token(named: preferred)
        }
        return credentials.token(allowedBy: policy, method: method, path: path)
    }
}
