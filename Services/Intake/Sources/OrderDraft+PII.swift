import OMSPlatform

extension OrderDraft {
    /// The draft with its buyer's personal data sealed for storage (a rejected order keeps its
    /// draft as its record), bound to the order id it was given.
    func sealed(by vault: PIIVault, orderID: String) -> OrderDraft {
        var draft = self
        vault.seal(&draft.customer, &draft.deliveryAddress, orderID: orderID)
        draft.invoice = invoice.map { vault.seal($0, orderID: orderID) }
        return draft
    }
}
