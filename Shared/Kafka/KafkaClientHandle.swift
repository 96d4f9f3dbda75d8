import CRdKafka
import Dispatch
import Logging
import NIOConcurrencyHelpers

/// Owns one `rd_kafka_t` and the dedicated serial queue on which every blocking librdkafka call
/// of that handle runs, so none of them ever occupies Swift's cooperative thread pool.
/// Invariant: `pointer` is valid until `destroy()` and is destroyed exactly once.
final class KafkaClientHandle: @unchecked Sendable {
    let pointer: OpaquePointer
    let queue: DispatchQueue
    let logger: Logger

    /// Creates a client of the given type from librdkafka properties.
    /// `configure` may install callbacks on the conf before the client is created.
    init(
        type: rd_kafka_type_t,
        properties: [String: String],
        logger: Logger,
        configure: (OpaquePointer) -> Void = { _ in }
    ) throws {
        guard let conf = rd_kafka_conf_new() else {
            throw KafkaError(kind: .configuration, message: "rd_kafka_conf_new failed")
        }
        var errorBuffer = [CChar](repeating: 0, count: 512)
        for (key, value) in properties.sorted(by: { $0.key < $1.key }) {
            let result = rd_kafka_conf_set(conf, key, value, &errorBuffer, errorBuffer.count)
            if result != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                throw KafkaError(kind: .configuration, message: "\(key): \(errorText(errorBuffer))")
            }
        }
        configure(conf)
        guard let handle = rd_kafka_new(type, conf, &errorBuffer, errorBuffer.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError(kind: .clientCreation, message: errorText(errorBuffer))
        }
        self.pointer = handle
        self.logger = logger
        self.queue = DispatchQueue(label: "oms.kafka.\(type == RD_KAFKA_PRODUCER ? "producer" : "consumer")")
    }

    /// Runs a blocking librdkafka call on this handle's own queue and resumes the caller afterwards.
    func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try body() })
            }
        }
    }

    /// Runs a blocking call like `blocking(_:)` but waits at most `limit`; returns whether the call
    /// finished in time. Past the limit the call keeps this handle's queue until librdkafka returns
    /// and the caller goes on without it. Only for closing and destroying, where a broker that never
    /// answers (a consumer group that never forms) must not hang a service's shutdown or a test.
    func blocking(abandoningAfter limit: Duration, _ body: @escaping @Sendable () -> Void) async -> Bool {
        let resumed = NIOLockedValueBox(false)
        let nanoseconds = limit.components.seconds * 1_000_000_000 + limit.components.attoseconds / 1_000_000_000
        return await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let finish: @Sendable (Bool) -> Void = { completed in
                let first = resumed.withLockedValue { done -> Bool in
                    defer { done = true }
                    return !done
                }
                if first { continuation.resume(returning: completed) }
            }
            queue.async {
                body()
                finish(true)
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(nanoseconds))) { finish(false) }
        }
    }

    func destroy() {
        rd_kafka_destroy(pointer)
    }

    /// The librdkafka version actually loaded at run time (the local stack needs >= 2.1).
    static var librdkafkaVersion: String { String(cString: rd_kafka_version_str()) }
}

public enum KafkaRuntime {
    /// The version string of the librdkafka shared library loaded by this process.
    public static var librdkafkaVersion: String { KafkaClientHandle.librdkafkaVersion }
}

extension Array where Element == KafkaHeader {
    /// Builds an `rd_kafka_headers_t`; the caller owns it until librdkafka takes it.
    func makeRdKafkaHeaders() -> OpaquePointer? {
        guard !isEmpty, let headers = rd_kafka_headers_new(count) else { return nil }
        for header in self {
            header.value.withUnsafeBytes { raw in
                _ = rd_kafka_header_add(headers, header.key, -1, raw.baseAddress, raw.count)
            }
        }
        return headers
    }
}

/// Copies the headers of a consumed message into Swift values.
func readHeaders(_ message: UnsafeMutablePointer<rd_kafka_message_t>) -> [KafkaHeader] {
    var headersPointer: OpaquePointer?
    guard rd_kafka_message_headers(message, &headersPointer) == RD_KAFKA_RESP_ERR_NO_ERROR, let headersPointer else {
        return []
    }
    var result: [KafkaHeader] = []
    var index = 0
    var name: UnsafePointer<CChar>?
    var value: UnsafeRawPointer?
    var size = 0
    while rd_kafka_header_get_all(headersPointer, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
        let key = name.map { String(cString: $0) } ?? ""
        let bytes = value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) } ?? []
        result.append(KafkaHeader(key: key, value: bytes))
        index += 1
    }
    return result
}

/// Reads librdkafka's NUL-terminated error buffer.
func errorText(_ buffer: [CChar]) -> String {
    let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    return String(decoding: bytes, as: UTF8.self)
}
