import OMSPlatform
import Testing

@Suite("Relay wake-up signal")
struct RelaySignalTests {
    @Test("a signal given before the wait returns it at once and is used up")
    func pendingSignal() async {
        let signal = RelaySignal()
        signal.signal()
        #expect(signal.isSignalled)
        let clock = ContinuousClock()
        let first = await clock.measure { await signal.wait(upTo: .seconds(5)) }
        #expect(first < .seconds(1))
        #expect(!signal.isSignalled)
        let second = await clock.measure { await signal.wait(upTo: .milliseconds(200)) }
        #expect(second >= .milliseconds(200))
    }

    @Test("a signal during the wait ends it early")
    func signalWhileWaiting() async {
        let signal = RelaySignal()
        let clock = ContinuousClock()
        let elapsed = await clock.measure {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await signal.wait(upTo: .seconds(10)) }
                group.addTask {
                    try? await Task.sleep(for: .milliseconds(50))
                    signal.signal()
                }
                await group.waitForAll()
            }
        }
        #expect(elapsed < .seconds(5))
        #expect(!signal.isSignalled)
    }

    @Test("without a signal the wait lasts its timeout, and a cancelled wait returns")
    func timeoutAndCancellation() async {
        let signal = RelaySignal()
        let clock = ContinuousClock()
        let waited = await clock.measure { await signal.wait(upTo: .milliseconds(100)) }
        #expect(waited >= .milliseconds(100))
        #expect(waited < .seconds(5))
        let cancelled = await clock.measure {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await signal.wait(upTo: .seconds(30)) }
                try? await Task.sleep(for: .milliseconds(20))
                group.cancelAll()
            }
        }
        #expect(cancelled < .seconds(5))
    }

    @Test("many signals and waits in a row never lose a wake-up or hang")
    func manyRounds() async {
        let signal = RelaySignal()
        let clock = ContinuousClock()
        let elapsed = await clock.measure {
            for _ in 0..<500 {
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await signal.wait(upTo: .seconds(10)) }
                    group.addTask { signal.signal() }
                    await group.waitForAll()
                }
            }
        }
        // 500 rounds each waiting for its signal, never for the 10 s timeout.
        #expect(elapsed < .seconds(10))
    }
}
