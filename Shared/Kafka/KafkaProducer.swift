import CRdKafka
import Foundation
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle

/// An idempotent Kafka producer. `send` returns only once the broker acknowledged every message
/// (the delivery report) or throws a `KafkaError`. A dedicated thread serves delivery reports;
/// `run()` keeps it alive for a `ServiceGroup` and flushes on graceful shutdown.
/// Invariant: after `shutdown()` returns, every message enqueued before it was delivered or failed.
public final class KafkaProducer: Service, Sendable {
    private let handle: KafkaClientHandle
    private let state = NIOLockedValueBox(State())
    private let logger: Logger

    private struct State {
        var closed = false
        var pollThreadStopped = false
    }

    public init(configuration: KafkaProducerConfiguration, logger: Logger) throws {
        self.logger = logger
        self.handle = try KafkaClientHandle(type: RD_KAFKA_PRODUCER, properties: configuration.librdkafkaProperties(), logger: logger) { conf in
            rd_kafka_conf_set_dr_msg_cb(conf) { _, message, _ in
                guard let message, let opaque = message.pointee._private else { return }
                let slot = Unmanaged<DeliverySlot>.fromOpaque(opaque).takeRetainedValue()
                let error = message.pointee.err
                if error == RD_KAFKA_RESP_ERR_NO_ERROR {
                    let topic = message.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
                    slot.complete(.success(KafkaDeliveryReport(topic: topic, partition: message.pointee.partition, offset: message.pointee.offset)))
                } else {
                    slot.complete(.failure(KafkaError(kind: .delivery, rdkafka: error, context: "delivery failed")))
                }
            }
        }
        startPollThread()
    }

    private func startPollThread() {
        let handle = self.handle
        let state = self.state
        let thread = Thread {
            while !state.withLockedValue({ $0.closed }) {
                rd_kafka_poll(handle.pointer, 50)
            }
            state.withLockedValue { $0.pollThreadStopped = true }
        }
        thread.name = "oms.kafka.producer.poll"
        thread.start()
    }

    /// Publishes one message and waits for the broker's acknowledgement.
    @discardableResult
    public func send(_ message: KafkaOutgoingMessage) async throws -> KafkaDeliveryReport {
        let results = try await send(batch: [message])
        return try results[0].get()
    }

    /// Enqueues every message at once (so librdkafka batches them) and waits for all delivery reports.
    /// Results are in input order; per-partition order follows input order. Enqueuing stops at the
    /// first message librdkafka refuses: that one carries its error and every later one a
    /// `notEnqueued` error, so a caller that retries the failed suffix never sees a later message
    /// of the same key overtake an earlier one. The enqueue loop (which may wait out a full local
    /// queue for up to 3 s) runs on this client's own queue, never on Swift's cooperative pool.
    public func send(batch messages: [KafkaOutgoingMessage]) async throws -> [Result<KafkaDeliveryReport, KafkaError>] {
        guard !messages.isEmpty else { return [] }
        if state.withLockedValue({ $0.closed }) {
            throw KafkaError(kind: .closed, message: "producer is shut down")
        }
        let handle = self.handle
        return await withCheckedContinuation { continuation in
            let tracker = DeliveryTracker(count: messages.count, continuation: continuation)
            handle.queue.async {
                var refused = false
                for (index, message) in messages.enumerated() {
                    let slot = DeliverySlot(tracker: tracker, index: index)
                    if refused {
                        slot.complete(.failure(KafkaError(kind: .delivery, code: KafkaError.notEnqueuedCode, message: "not enqueued: an earlier message of the batch was refused")))
                    } else if let error = Self.enqueue(message, slot: slot, handle: handle) {
                        refused = true
                        slot.complete(.failure(error))
                    }
                }
            }
        }
    }

    /// Hands one message to librdkafka, waiting out a full local queue. Returns an error if it could
    /// not. Blocks its thread: called only on the handle's queue.
    private static func enqueue(_ message: KafkaOutgoingMessage, slot: DeliverySlot, handle: KafkaClientHandle) -> KafkaError? {
        let opaque = Unmanaged.passRetained(slot).toOpaque()
        var attempts = 0
        while true {
            let headers = message.headers.makeRdKafkaHeaders()
            let error: rd_kafka_resp_err_t = message.key.withUnsafeBytes { key in
                message.value.withUnsafeBytes { value in
                    oms_rdk_produce(handle.pointer, message.topic, key.baseAddress, key.count, value.baseAddress, value.count, headers, message.timestampMilliseconds ?? 0, opaque)
                }
            }
            if error == RD_KAFKA_RESP_ERR_NO_ERROR { return nil }
            if let headers { rd_kafka_headers_destroy(headers) }
            if error == RD_KAFKA_RESP_ERR__QUEUE_FULL, attempts < 600 {
                attempts += 1
                // The local queue drains as the poll thread serves delivery reports.
                usleep(5_000)
                continue
            }
            Unmanaged<DeliverySlot>.fromOpaque(opaque).release()
            return KafkaError(kind: .delivery, rdkafka: error, context: "enqueue to \(message.topic)")
        }
    }

    /// Waits until all enqueued messages are delivered or `timeout` passes.
    public func flush(timeout: Duration = .seconds(10)) async throws {
        let handle = self.handle
        let milliseconds = Int32(timeout.components.seconds * 1000)
        let error = try await handle.blocking { rd_kafka_flush(handle.pointer, milliseconds) }
        if error != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(kind: .timeout, rdkafka: error, context: "flush")
        }
    }

    /// Flushes, stops the delivery thread and destroys the client. Safe to call more than once.
    public func shutdown() async {
        let alreadyClosed = state.withLockedValue { state -> Bool in
            defer { state.closed = true }
            return state.closed
        }
        if alreadyClosed { return }
        do {
            try await flush()
        } catch {
            logger.warning("producer flush on shutdown incomplete", metadata: ["error": "\(error)"])
        }
        while !state.withLockedValue({ $0.pollThreadStopped }) {
            try? await Task.sleep(for: .milliseconds(10))
        }
        let handle = self.handle
        if await !handle.blocking(abandoningAfter: .seconds(15), { handle.destroy() }) {
            logger.error("producer destroy did not finish in 15 s; abandoned")
        }
    }

    /// Service entry point: keeps the producer open until graceful shutdown, then flushes and closes.
    public func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }
}
