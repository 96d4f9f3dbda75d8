import OMSDomain
import OMSPlatform
import RiskService
import Testing

/// The stored risk policy: a missing key takes its default, a broken one stops the review loudly
/// instead of judging orders by defaults nobody chose (issue 22.13).
@Suite("Stored risk policy")
struct RiskPolicyStorageTests {
    @Test("a stored policy lacking keys (saved before they existed) keeps what it has and defaults the rest")
    func missingKeysDefault() throws {
        let policy = try StoredConfiguration.decode(RiskPolicy.self, json: #"{"holdScore": 45}"#, defaults: RiskPolicy(), name: "risk policy")
        #expect(policy.holdScore == 45)
        #expect(policy.rejectScore == RiskPolicy().rejectScore)
    }

    @Test("a stored policy that does not decode is an error the pipeline waits on, not a silent return to defaults",
          arguments: [#"{"holdScore": "thirty"}"#, #"[1, 2]"#, "not json"])
    func brokenPolicyIsLoud(json: String) {
        #expect(throws: StoredConfigurationUnreadable.self) {
            try StoredConfiguration.decode(RiskPolicy.self, json: json, defaults: RiskPolicy(), name: "risk policy")
        }
        #expect(FailureClass.classify(StoredConfigurationUnreadable(name: "risk policy", reason: "x")) == .transient)
    }
}
