import Foundation
import OMSDomain
import OMSPlatform

/// The receipt of a till sale, as printed: store, till and receipt number. A till return or a
/// till invoice names its sale by it. Invariant: it names at most one sale, the POS order whose
/// channel order id is `store:till:receipt`.
struct SaleReceipt: Codable, Sendable {
    var storeId: String
    var tillId: String
    var receiptNo: String

    /// The POS channel order id intake gave the sale.
    var channelOrderID: String { "\(storeId):\(tillId):\(receiptNo)" }

    func check(_ check: inout RequestCheck, prefix: String = "receipt") {
        check.code(storeId, "\(prefix).storeId")
        check.code(tillId, "\(prefix).tillId")
        check.code(receiptNo, "\(prefix).receiptNo")
    }

    /// The sale's order id; 404 `receipt_not_found` when after-sales knows no such sale.
    func orderID(tx: TransactionContext) async throws -> String {
        guard let id = try await ReturnStore.tillSale(channelOrderID: channelOrderID, connection: tx.connection, logger: tx.logger) else {
            throw APIError(.notFound, code: "receipt_not_found", message: "no till sale with receipt \(receiptNo) at store \(storeId) till \(tillId)",
                           fields: [.init(field: "receipt", reason: "unknown receipt")])
        }
        return id
    }

    /// Staff, or the POS channel's own tills: another channel's token is refused (403).
    static func requireStaffOrTill(_ context: OMSRequestContext) throws {
        if let principal = context.principal, principal.role == .channel, principal.channel != Channel.pos.rawValue {
            throw APIError(.forbidden, code: "channel_not_permitted", message: "only the POS channel's tills act on till sales",
                           fields: [.init(field: "channel", reason: "not the pos channel")])
        }
    }
}
