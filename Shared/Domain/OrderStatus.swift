/// The customer-facing lifecycle of an order. Invariant: `rank` only increases along the happy
/// path, so a late or duplicated event never moves an order's status backwards; terminal
/// states (`rejected`, `cancelled`, `refunded`) are never left. `partiallyRefunded`: some of what
/// was paid went back, the rest (other lines or parcels) stands; `refunded`: everything paid went back.
/// `awaitingPayment`: the channel sent the order before its payment succeeded; it holds its stock
/// and waits (verification and allocation go on, picking does not) until paid, or is cancelled.
/// `readyForPickup`: a pickup order (门店自提) waits at its store for the customer, who collects it
/// (`delivered`) with its pickup code, or it expires and is refunded.
/// `awaitingBalance`: a presale (预售) order whose deposit is paid; intake keeps it until the
/// balance is paid (then `order.received` starts it downstream) or its deadline passes.
public enum OrderStatus: String, Codable, Sendable, CaseIterable {
    case received, awaitingPayment, awaitingBalance, verified, held, rejected, allocated, backordered, packed, shipped, readyForPickup, inTransit, delayed, delivered, returnRequested, partiallyRefunded, refunded, cancelled

    /// Position on the lifecycle; a transition to a lower rank is ignored.
    public var rank: Int {
        switch self {
        case .received, .awaitingPayment, .awaitingBalance: 0
        case .held: 1
        case .verified: 2
        case .backordered: 3
        case .allocated: 4
        case .packed: 5
        case .shipped, .readyForPickup: 6
        case .inTransit, .delayed: 7
        case .delivered: 8
        case .returnRequested: 9
        case .partiallyRefunded: 10
        case .refunded: 11
        case .rejected, .cancelled: 100
        }
    }

    public var isTerminal: Bool { self == .rejected || self == .cancelled || self == .refunded }

    /// Whether moving from `self` to `next` is a forward step.
    public func canAdvance(to next: OrderStatus) -> Bool {
        if isTerminal { return false }
        if next == .delayed || next == .inTransit { return rank <= next.rank && self != .delivered }
        return next.rank > rank
    }
}
