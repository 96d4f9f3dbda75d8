import OMSPlatform

extension Waybill {
    /// The waybill with the recipient's name, phone and street sealed for storage (province and
    /// city stay readable); bound to the tracking number.
    func sealed(by vault: PIIVault) -> Waybill {
        var waybill = self
        waybill.recipient.name = vault.seal(recipient.name, context: "\(trackingNumber)|recipient.name")
        waybill.recipient.phone = recipient.phone.map { vault.seal($0, context: "\(trackingNumber)|recipient.phone") }
        waybill.recipient.address = vault.seal(recipient.address, context: "\(trackingNumber)|recipient.address")
        return waybill
    }

    /// The stored waybill opened for printing.
    func opened(by vault: PIIVault) throws -> Waybill {
        var waybill = self
        waybill.recipient.name = try vault.open(recipient.name, context: "\(trackingNumber)|recipient.name")
        waybill.recipient.phone = try recipient.phone.map { try vault.open($0, context: "\(trackingNumber)|recipient.phone") }
        waybill.recipient.address = try vault.open(recipient.address, context: "\(trackingNumber)|recipient.address")
        return waybill
    }
}
