import Foundation

/// The buyer's request for a 发票 (VAT general invoice), made at order time: to a person
/// (个人, title = the buyer's name) or to a company (单位, title = its registered name, with its
/// taxpayer id). Invariant when it passes `problems()`: the title is 1-100 characters without
/// control characters; a company names a valid `TaxpayerID`; an e-mail, when given, is
/// deliverable. A personal title is the buyer's name and is sealed like one at rest.
public struct InvoiceRequest: Codable, Hashable, Sendable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case personal, company
    }

    public var kind: Kind
    /// 发票抬头: the person's or the company's name as printed on the invoice.
    public var title: String
    /// 纳税人识别号: required for a company, absent for a person.
    public var taxId: String?
    /// Where the e-invoice is sent besides the order's own channel.
    public var email: String?

    public init(kind: Kind, title: String, taxId: String? = nil, email: String? = nil) {
        self.kind = kind
        self.title = title
        self.taxId = taxId
        self.email = email
    }

    /// What is wrong with the request, as (field under `prefix`, reason); empty when it is fine.
    public func problems(prefix: String = "invoice") -> [(field: String, reason: String)] {
        var found: [(String, String)] = []
        let trimmed = title.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty || title.count > 100 || title.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            found.append(("\(prefix).title", "1-100 characters without control characters"))
        }
        switch kind {
        case .company:
            if let taxId {
                if let reason = TaxpayerID.problem(taxId) { found.append(("\(prefix).taxId", reason)) }
            } else {
                found.append(("\(prefix).taxId", "required for a company invoice (统一社会信用代码)"))
            }
        case .personal:
            if taxId != nil { found.append(("\(prefix).taxId", "a personal invoice has no taxpayer id")) }
        }
        if let email, !EmailAddress.isDeliverable(email) {
            found.append(("\(prefix).email", "not a deliverable e-mail address"))
        }
        return found
    }
}
