/// Who a caller of the HTTP APIs is, in the retailer's organisation. Invariant: every token maps to
/// exactly one role; a `channel` role is always tied to one sales channel.
public enum AccessRole: String, CaseIterable, Sendable, Hashable {
    /// A sales channel's system (POS, web shop, marketplace connector, mini-program, call centre):
    /// submits orders for its own channel only.
    case channel
    /// Customer service: looks orders up, cancels them, handles returns, exchanges and complaints.
    case customerService = "customer-service"
    /// Risk reviewers: the review queue, decisions, the risk policy and deny list.
    case risk
    /// Warehouse staff: stock, receipts, transfers, picking, packing, waybills, returned goods.
    case warehouse
    /// Operations: set-up (catalog, promotions, warehouses, carriers, sourcing), purchasing and
    /// the audit trail. Every change an ops token makes is audited.
    case ops
    /// Analysts: the read-only insights reports and dashboard.
    case analyst
    /// The back-office console's own credential. No route admits it: it acts only for the staff
    /// member it names on each request (`StaffDelegation`), with that member's role.
    case console

    /// The roles a signed-in staff member can hold (and the console can act for).
    public static let staffRoles: [AccessRole] = [.customerService, .risk, .warehouse, .ops, .analyst]
}
