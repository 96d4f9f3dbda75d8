import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore

/// `omsctl probe <url>`: the container health check (the runtime image carries no curl). Exits 0
/// when the URL answers 2xx within the timeout, 1 otherwise, printing why.
struct Probe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Exit 0 if an HTTP endpoint answers 2xx (container health checks).")

    @Argument(help: "URL to GET, e.g. http://127.0.0.1:8080/health/ready")
    var url: String = "http://127.0.0.1:8080/health/ready"

    @Option(help: "Seconds to wait for the answer.")
    var timeout: Int = 3

    func run() async throws {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(Int64(timeout)))
            guard (200..<300).contains(response.status.code) else {
                print("\(url): \(response.status.code)")
                throw ExitCode(1)
            }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            print("\(url): \(error)")
            throw ExitCode(1)
        }
    }
}
