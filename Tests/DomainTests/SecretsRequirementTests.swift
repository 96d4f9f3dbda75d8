import OMSDomain
import OMSPlatform
import Testing

/// Outside development a service refuses to start on missing or placeholder secrets (issue 22.10).
@Suite("Secrets required outside development")
struct SecretsRequirementTests {
    static let complete = [
        "OMS_API_TOKENS": "web-shop:channel/web=0123456789abcdefghijklmnopqrstuvwxyz",
        "OMS_PII_KEYS": "k1:YV5T5/Fx8fGvf9sq9bYPY5fZiqYalyGXBn9YGAbG1JI=",
        "OMS_PII_HASH_KEY": "a-long-random-hash-key-of-32-characters",
        "OMS_CARRIER_SECRETS": "SF=0123456789abcdef",
    ]

    @Test("a missing, empty or placeholder secret stops the process and names the variable", arguments: [
        (ServiceName.intake, "OMS_PII_HASH_KEY", nil), (.intake, "OMS_PII_KEYS", ""), (.risk, "OMS_API_TOKENS", "web-shop:channel/web=CHANGE-ME-32-CHARS"),
        (.logistics, "OMS_CARRIER_SECRETS", "SF=CHANGE-ME-16-CHARS"), (.inventory, "OMS_PII_KEYS", "k1:CHANGE-ME"),
    ] as [(ServiceName, String, String?)])
    func refuses(service: ServiceName, variable: String, value: String?) {
        var environment = Self.complete
        environment[variable] = value
        #expect { try ServiceConfiguration(service: service, environment: environment) } throws: { error in
            (error as? ConfigurationError)?.key == variable
        }
    }

    @Test("every secret set, or development mode on a developer's machine: the process starts")
    func starts() throws {
        for service in ServiceName.allCases {
            #expect(try ServiceConfiguration(service: service, environment: Self.complete).developmentMode == false)
            #expect(try ServiceConfiguration(service: service, environment: [SecretsRequirement.developmentModeVariable: "true"]).developmentMode)
        }
    }
}
