import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import OMSPlatform

/// `omsctl staff add|list|reset-password|disable`: the console's staff accounts, over its staff
/// API with an ops token from `OMS_API_TOKENS`. A new account or a reset prints a one-time
/// password, which its owner replaces at first sign-in.
struct Staff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Console staff accounts: add one (prints its one-time password), list, reset a password, disable.",
        subcommands: [Add.self, List.self, ResetPassword.self, Disable.self]
    )

    struct Connection: ParsableArguments {
        @Option(help: "The console (default: $OMS_CONSOLE_URL or http://127.0.0.1:8080).")
        var url: String = ProcessInfo.processInfo.environment["OMS_CONSOLE_URL"] ?? "http://127.0.0.1:8080"

        /// Sends the request with an ops token; prints the JSON answer, exits 1 on a non-2xx.
        func call(_ method: HTTPMethod, _ path: String, body: [String: String]? = nil) async throws {
            let credentials = try APICredentials(environment: ProcessInfo.processInfo.environment)
            guard let token = credentials.token(for: .ops) else { throw ValidationError("no ops token in OMS_API_TOKENS") }
            var request = HTTPClientRequest(url: url + path)
            request.method = method
            request.headers.add(name: "authorization", value: "Bearer \(token)")
            if let body {
                request.headers.add(name: "content-type", value: "application/json")
                request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
            }
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            let answer = try await response.body.collect(upTo: 1 << 20)
            print(String(buffer: answer))
            guard (200..<300).contains(Int(response.status.code)) else { throw ExitCode(1) }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a staff account; prints its one-time password.")
        @OptionGroup var connection: Connection
        @Argument(help: "Account name: 1-64 letters, digits, '.', '_' or '-' (what audit trails record).") var name: String
        @Option(help: "customer-service, risk, warehouse, ops or analyst.") var role: String
        @Option(name: .customLong("display-name"), help: "The person's name as shown (default: the account name).") var displayName: String?
        func run() async throws {
            try await connection.call(.POST, "/v1/console/staff", body: ["name": name, "role": role, "displayName": displayName ?? name])
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every staff account with its role.")
        @OptionGroup var connection: Connection
        func run() async throws { try await connection.call(.GET, "/v1/console/staff") }
    }

    struct ResetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "reset-password", abstract: "A new one-time password; the account's sessions end.")
        @OptionGroup var connection: Connection
        @Argument var name: String
        func run() async throws { try await connection.call(.POST, "/v1/console/staff/\(name)/reset-password") }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop an account signing in; its sessions end.")
        @OptionGroup var connection: Connection
        @Argument var name: String
        func run() async throws { try await connection.call(.POST, "/v1/console/staff/\(name)/disable") }
    }
}
