import Foundation
import OMSDomain

/// The secrets a service needs outside development: API tokens and the PII key ring everywhere,
/// the PII hash key where phones and addresses are looked up (intake, risk; integrations keys
/// customers' opt-outs and per-number limits by it), the carriers' webhook
/// secrets in logistics. Invariant: outside `OMS_DEVELOPMENT_MODE=true` a process with any of them
/// missing, empty or still the `.env.example` placeholder (`CHANGE-ME`) refuses to start, naming
/// the variable, instead of running on public development keys.
public enum SecretsRequirement {
    public static let developmentModeVariable = "OMS_DEVELOPMENT_MODE"

    public static func variables(for service: ServiceName) -> [String] {
        var variables = ["OMS_API_TOKENS", "OMS_PII_KEYS"]
        if service == .intake || service == .risk || service == .integrations { variables.append("OMS_PII_HASH_KEY") }
        if service == .logistics { variables.append("OMS_CARRIER_SECRETS") }
        return variables
    }

    public static func check(service: ServiceName, environment: [String: String]) throws {
        for variable in variables(for: service) {
            let value = environment[variable]?.trimmingCharacters(in: .whitespaces) ?? ""
            if value.isEmpty {
                throw ConfigurationError(key: variable, reason: "required outside development (set \(developmentModeVariable)=true only on a developer's machine)")
            }
            if value.uppercased().contains("CHANGE-ME") {
                throw ConfigurationError(key: variable, reason: "still holds the .env.example placeholder CHANGE-ME")
            }
        }
    }
}
