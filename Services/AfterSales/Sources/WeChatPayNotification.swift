import Crypto
import Foundation
import NIOHTTP1

/// A WeChat Pay `REFUND.SUCCESS`, `REFUND.ABNORMAL` or `REFUND.CLOSED` notification: signed with
/// the platform key like an answer, its `resource` encrypted with AEAD_AES_256_GCM under the APIv3
/// key. Invariant: a notification is believed only when its signature verifies, it is fresh (five
/// minutes) and its resource decrypts.
struct WeChatPayNotification: Sendable, Equatable {
    var eventId: String
    var outRefundNo: String
    var refundId: String?
    var refundStatus: String
    var refundFen: Int64?

    enum Failure: Error, Equatable {
        case signature, malformed(String), decryption
    }

    struct Envelope: Codable {
        struct Resource: Codable { var algorithm: String; var ciphertext: String; var associated_data: String?; var nonce: String }
        var id: String
        var event_type: String
        var resource: Resource
    }
    struct Refund: Codable {
        struct Amount: Codable { var refund: Int64? }
        var out_refund_no: String
        var refund_id: String?
        var refund_status: String
        var amount: Amount?
    }

    static func open(body: String, headers: HTTPHeaders, configuration: WeChatPayRefunds.Configuration, now: Date = Date()) throws(Failure) -> WeChatPayNotification {
        guard WeChatPayRefunds(configuration: configuration).verify(answer: body, headers: headers, now: now) else { throw .signature }
        guard let envelope = try? JSONDecoder().decode(Envelope.self, from: Data(body.utf8)) else { throw .malformed("not a WeChat Pay notification") }
        guard envelope.event_type.hasPrefix("REFUND."), envelope.resource.algorithm == "AEAD_AES_256_GCM" else {
            throw .malformed("event_type \(envelope.event_type) / \(envelope.resource.algorithm) is not a refund notification")
        }
        guard let sealed = Data(base64Encoded: envelope.resource.ciphertext), sealed.count > 16,
              let nonce = try? AES.GCM.Nonce(data: Array(envelope.resource.nonce.utf8)),
              let box = try? AES.GCM.SealedBox(nonce: nonce, ciphertext: sealed.prefix(sealed.count - 16), tag: sealed.suffix(16)),
              let plain = try? AES.GCM.open(box, using: configuration.apiV3Key, authenticating: Array((envelope.resource.associated_data ?? "").utf8))
        else { throw .decryption }
        guard let refund = try? JSONDecoder().decode(Refund.self, from: plain) else { throw .malformed("the decrypted resource is not a refund") }
        return WeChatPayNotification(eventId: envelope.id, outRefundNo: refund.out_refund_no, refundId: refund.refund_id,
                                     refundStatus: refund.refund_status, refundFen: refund.amount?.refund)
    }

    /// The notification as the refund's next answer.
    var answer: ProviderAnswer { WeChatPayRefunds.answer(status: refundStatus, refundId: refundId) }
}
