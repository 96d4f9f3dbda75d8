import ArgumentParser
import Foundation
import OMSOps
import OMSPlatform

/// `omsctl demo`: sample orders from every channel through the running suite, each order's journey
/// printed as it moves (see `DemoRun`).
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Submit sample orders from every channel to the running suite and print their journeys.")

    @Option(help: "Host the services listen on (ports 8081-8087).") var host = "127.0.0.1"
    @Option(help: "Directory of the documented channel examples.") var examples = "docs/intake/examples"
    @Option(name: .customLong("carrier-secrets"), help: "CODE=secret,... the carriers sign webhooks with (default: $OMS_CARRIER_SECRETS or .oms/carrier-secrets).")
    var carrierSecrets: String?
    @Option(help: "Seconds to follow the orders.") var timeout = 120
    @Flag(name: .customLong("setup-only"), help: "Only set up warehouses, dispatch origins and stock (idempotent), for drills and load runs.")
    var setupOnly = false
    @Option(name: .customLong("top-up"), help: "With --setup-only: receive this many more units of every SKU in each warehouse.")
    var topUp = 0

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let text = carrierSecrets ?? environment["OMS_CARRIER_SECRETS"]
            ?? (try? String(contentsOfFile: (environment["OMS_STACK_DIR"] ?? ".oms") + "/carrier-secrets", encoding: .utf8)) ?? ""
        var secrets: [String: String] = [:]
        for pair in text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { secrets[parts[0]] = parts[1] }
        }
        let demo = DemoRun(endpoints: .init(host: host), examples: URL(fileURLWithPath: examples), carrierSecrets: secrets, credentials: try APICredentials(environment: environment), timeout: .seconds(timeout)) { Swift.print($0) }
        if setupOnly { try await demo.setUpOnly(topUp: topUp) } else { try await demo.run() }
    }
}
