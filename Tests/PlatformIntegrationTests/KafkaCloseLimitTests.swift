import CRdKafka
import Foundation
import Logging
@testable import OMSKafka
import Testing

/// Closing a client must not hang a service's shutdown when librdkafka never returns (a broker that
/// never completes a group leave): the wait is bounded and the caller goes on.
@Suite("Kafka close and destroy are bounded")
struct KafkaCloseLimitTests {
    let handle: KafkaClientHandle

    init() throws {
        // No broker needed: librdkafka connects lazily; the port is closed on purpose.
        handle = try KafkaClientHandle(type: RD_KAFKA_PRODUCER, properties: ["bootstrap.servers": "127.0.0.1:1"], logger: Logger(label: "test"))
    }

    @Test("a call that outlives its limit is abandoned at the limit; the handle's queue finishes it later")
    func abandoned() async throws {
        let finished = NIOLockedValueBoxBool()
        let started = ContinuousClock.now
        let inTime = await handle.blocking(abandoningAfter: .milliseconds(200)) {
            Thread.sleep(forTimeInterval: 2)
            _ = finished.exchange(true)
        }
        let waited = ContinuousClock.now - started
        #expect(!inTime)
        #expect(waited >= .milliseconds(200) && waited < .seconds(1))
        #expect(!finished.value)
        // The abandoned call still owns the queue; the next call runs after it.
        let next = try await handle.blocking { finished.value }
        #expect(next)
        handle.destroy()
    }

    @Test("a call that finishes within its limit reports so, without waiting for the limit")
    func inTime() async {
        let started = ContinuousClock.now
        let handle = self.handle
        let inTime = await handle.blocking(abandoningAfter: .seconds(5)) { handle.destroy() }
        #expect(inTime)
        #expect(ContinuousClock.now - started < .seconds(2))
    }
}
