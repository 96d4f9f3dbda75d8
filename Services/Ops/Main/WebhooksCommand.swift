import ArgumentParser
import AsyncHTTPClient
import Foundation
import HTTPTypes
import OMSOps
import OMSPlatform

/// `omsctl webhooks list|deliveries|redeliver`: the integrations service's subscriptions, their
/// delivery log and redelivery, over its HTTP API with an ops token from `OMS_API_TOKENS`.
struct Webhooks: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Webhook subscriptions: list them with their backlog, read a delivery log, redeliver.",
        subcommands: [List.self, Deliveries.self, Redeliver.self]
    )

    struct Connection: ParsableArguments {
        @Option(help: "The integrations service (default: http://127.0.0.1:8088).")
        var url: String = "http://127.0.0.1:8088"

        /// GET or POST `path` with the ops token; prints the JSON answer, exits 1 on a non-2xx.
        func call(_ method: HTTPRequest.Method, _ path: String) async throws {
            let credentials = try APICredentials(environment: ProcessInfo.processInfo.environment)
            guard let token = credentials.token(allowedBy: SuiteAccess.policy, method: method, path: path) else {
                throw ValidationError("no token in OMS_API_TOKENS may call \(method.rawValue) \(path) (an ops token is needed)")
            }
            var request = HTTPClientRequest(url: url + path)
            request.method = .init(rawValue: method.rawValue)
            request.headers.add(name: "authorization", value: "Bearer \(token)")
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 8 << 20)
            print(String(buffer: body))
            guard (200..<300).contains(Int(response.status.code)) else { throw ExitCode(1) }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Subscriptions with status, pending deliveries, oldest pending age, failed deliveries.")
        @OptionGroup var connection: Connection
        func run() async throws { try await connection.call(.get, "/v1/integrations/webhooks") }
    }

    struct Deliveries: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A subscription's delivery log, newest first.")
        @OptionGroup var connection: Connection
        @Argument(help: "Subscription id (wh_...).") var subscription: String
        @Option(help: "pending, delivered, failed, gone or skipped.") var status: String?
        @Option(help: "Only this order's deliveries.") var order: String?
        @Option(help: "At most this many (1-1000).") var limit = 50
        func run() async throws {
            var query = ["limit=\(limit)"]
            if let status { query.append("status=\(status)") }
            if let order { query.append("orderId=\(order.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? order)") }
            try await connection.call(.get, "/v1/integrations/webhooks/\(subscription)/deliveries?" + query.joined(separator: "&"))
        }
    }

    struct Redeliver: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send one delivery again, or every failed delivery of a subscription since an instant.")
        @OptionGroup var connection: Connection
        @Option(help: "One delivery id.") var delivery: Int64?
        @Option(help: "A subscription id, with --failed-since.") var subscription: String?
        @Option(help: "UTC instant, e.g. 2026-12-06T08:00:00Z.") var failedSince: String?
        func run() async throws {
            if let delivery {
                try await connection.call(.post, "/v1/integrations/deliveries/\(delivery)/redeliver")
            } else if let subscription, let failedSince {
                try await connection.call(.post, "/v1/integrations/webhooks/\(subscription)/redeliver?failedSince=\(failedSince)")
            } else {
                throw ValidationError("give --delivery ID, or --subscription ID with --failed-since INSTANT")
            }
        }
    }
}
