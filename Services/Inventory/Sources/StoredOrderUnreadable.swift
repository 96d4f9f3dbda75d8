/// An inventory order whose stored body no longer decodes or opens under the key ring (a key gone
/// from `OMS_PII_KEYS`, a tampered row). Thrown before the order's rows change, so a batch job
/// (backorder filling) can set that order aside and go on with the others.
struct StoredOrderUnreadable: Error, CustomStringConvertible {
    let orderID: String
    let reason: String
    var description: String { "the stored body of order \(orderID) cannot be opened: \(reason)" }
}
