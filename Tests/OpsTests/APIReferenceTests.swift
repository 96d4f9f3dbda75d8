import Foundation
import OMSOps
import Testing

@Suite("docs/api.md is the services' route declarations")
struct APIReferenceTests {
    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/api.md")

    @Test("the committed API reference equals the one rendered from the declarations (OMS_WRITE_API_DOC=1 rewrites it)")
    func referenceIsCurrent() throws {
        let rendered = APIReference.markdown()
        if ProcessInfo.processInfo.environment["OMS_WRITE_API_DOC"] == "1" {
            try rendered.write(to: Self.file, atomically: true, encoding: .utf8)
        }
        let committed = try String(contentsOf: Self.file, encoding: .utf8)
        #expect(committed == rendered, "docs/api.md is stale: run OMS_WRITE_API_DOC=1 swift test --filter APIReferenceTests")
        #expect(rendered.contains("| POST | `/v1/channels/{channel}/orders` | channel (own `channel` only) | json |"))
    }
}
