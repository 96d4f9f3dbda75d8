/// A return (RMA) of some delivered lines. Invariant: returned quantity per line never exceeds
/// delivered minus already returned; one return is refunded at most once.
public struct ReturnAuthorization: Codable, Hashable, Sendable {
    /// Why the customer sends goods back. The reason decides the return window, whether approval
    /// is automatic, and who pays shipping.
    public enum Reason: String, Codable, Sendable, CaseIterable {
        case noReasonWithin7Days, qualityProblem, wrongItem, damagedInTransit, sizeOrFit
        /// A pickup order (门店自提) nobody collected in time: opened by the system, never by a
        /// customer; the goods never left the store, so everything paid goes back.
        case notCollected

        /// The merchant caused it: original shipping is refunded with the last units and the
        /// return postage is the merchant's. (An uncollected pickup is refunded whole the same way.)
        public var isMerchantFault: Bool { self == .qualityProblem || self == .wrongItem || self == .damagedInTransit || self == .notCollected }
    }

    public enum Status: String, Codable, Sendable, CaseIterable {
        case requested, approved, rejected, inTransit, received, refunded
    }

    /// Units of one delivered line sent back.
    public typealias Line = LineQuantity

    public var returnID: String
    public var orderID: String
    public var lines: [Line]
    public var reason: Reason
    public var status: Status

    public init(returnID: String, orderID: String, lines: [Line], reason: Reason, status: Status) {
        self.returnID = returnID
        self.orderID = orderID
        self.lines = lines
        self.reason = reason
        self.status = status
    }
}
