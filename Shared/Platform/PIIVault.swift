import Crypto
import Foundation
import OMSDomain

/// Encryption at rest of customers' personal data inside stored order bodies: AES-256-GCM with a
/// key ring from `OMS_PII_KEYS` (`keyId:base64-of-32-bytes,...`; the first key seals, every key
/// opens, so keys rotate by putting a new one first). A sealed value reads
/// `pii:v1:<keyId>:<base64(nonce|ciphertext|tag)>` and is bound to its order and field (the
/// authenticated data), so it cannot be moved to another order or field unnoticed.
///
/// Invariant: `open(seal(x, c), c) == x`; a value that is not sealed opens to itself (rows written
/// before encryption), a sealed value under an unknown key or tampered with fails to open.
/// Exact-match lookups use `PIIHasher` (keyed hashes), never the ciphertext.
public struct PIIVault: Sendable {
    public static let variable = "OMS_PII_KEYS"
    static let prefix = "pii:v1:"

    let currentID: String
    let keys: [String: SymmetricKey]

    public init(parsing text: String) throws {
        var keys: [String: SymmetricKey] = [:]
        var first: String?
        for (index, entry) in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }).filter({ !$0.isEmpty }).enumerated() {
            let parts = entry.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, (1...32).contains(parts[0].count), parts[0].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }),
                  let bytes = Data(base64Encoded: parts[1]), bytes.count == 32 else {
                throw ConfigurationError(key: Self.variable, reason: "entry \(index + 1): expected keyId:base64 of 32 random bytes (key ids: letters, digits, '-', '_')")
            }
            guard keys[parts[0]] == nil else { throw ConfigurationError(key: Self.variable, reason: "key id \(parts[0]) given twice") }
            keys[parts[0]] = SymmetricKey(data: bytes)
            first = first ?? parts[0]
        }
        guard let first else { throw ConfigurationError(key: Self.variable, reason: "no key") }
        self.currentID = first
        self.keys = keys
    }

    /// The development key ring (a fixed, public key: services warn when they use it).
    public static let development: PIIVault = try! PIIVault(parsing: "dev:" + Data(SHA256.hash(data: Data("oms-development-pii-key-not-secret".utf8))).base64EncodedString())

    public static func isSealed(_ value: String) -> Bool { value.hasPrefix(prefix) }

    /// `value` encrypted under the current key, bound to `context` (an order id and a field name).
    /// Empty values and values this ring sealed for this context are returned as they are. A value
    /// that only looks sealed (a customer who typed `pii:v1:...` as a name) is sealed like any
    /// other, so it opens back to what was typed instead of failing every later `open`.
    public func seal(_ value: String, context: String) -> String {
        guard !value.isEmpty, !(Self.isSealed(value) && (try? open(value, context: context)) != nil), let key = keys[currentID],
              let box = try? AES.GCM.seal(Data(value.utf8), using: key, authenticating: Data(context.utf8)), let combined = box.combined else { return value }
        return Self.prefix + currentID + ":" + combined.base64EncodedString()
    }

    /// A keyed digest of `value` for matching equal values without storing them (e.g. two orders to
    /// the same recipient and address): HMAC-SHA256 under a key derived from the current key, so
    /// digests made before and after a key rotation do not match.
    public func blindIndex(_ value: String, purpose: String) -> String {
        let base = keys[currentID] ?? SymmetricKey(data: Data())
        let derived = HKDF<SHA256>.deriveKey(inputKeyMaterial: base, info: Data("blind-index:\(purpose)".utf8), outputByteCount: 32)
        return HMAC<SHA256>.authenticationCode(for: Data(value.utf8), using: derived).map { String(format: "%02x", $0) }.joined()
    }

    /// The plaintext of a sealed value (a plain value is returned as it is).
    public func open(_ value: String, context: String) throws -> String {
        guard Self.isSealed(value) else { return value }
        let rest = value.dropFirst(Self.prefix.count)
        guard let colon = rest.firstIndex(of: ":"), let key = keys[String(rest[..<colon])],
              let combined = Data(base64Encoded: String(rest[rest.index(after: colon)...])) else { throw PIIVaultError.unknownKeyOrFormat }
        do {
            let box = try AES.GCM.SealedBox(combined: combined)
            return String(decoding: try AES.GCM.open(box, using: key, authenticating: Data(context.utf8)), as: UTF8.self)
        } catch {
            throw PIIVaultError.tampered
        }
    }

    /// The order with its buyer's name, phone, e-mail and the delivery street sealed (province,
    /// city and district stay readable for sourcing and reports).
    public func seal(_ order: Order) -> Order {
        var sealed = order
        seal(&sealed.customer, &sealed.deliveryAddress, orderID: order.orderID)
        sealed.invoice = order.invoice.map { seal($0, orderID: order.orderID) }
        return sealed
    }

    /// The order with those fields opened.
    public func open(_ order: Order) throws -> Order {
        var opened = order
        try open(&opened.customer, &opened.deliveryAddress, orderID: order.orderID)
        opened.invoice = try order.invoice.map { try open($0, orderID: order.orderID) }
        return opened
    }

    /// Seals a buyer's name, phone and e-mail and the street of a delivery address of one order.
    public func seal(_ customer: inout Customer, _ address: inout Address?, orderID: String) {
        try! transform(&customer, &address) { value, field in seal(value, context: "\(orderID)|\(field)") }
    }

    /// Opens what `seal(_:_:orderID:)` sealed.
    public func open(_ customer: inout Customer, _ address: inout Address?, orderID: String) throws {
        try transform(&customer, &address) { value, field in try open(value, context: "\(orderID)|\(field)") }
    }

    /// An invoice request with a person's title (their name) and any e-mail sealed; a company's
    /// registered name and tax id are public register data and stay readable.
    public func seal(_ invoice: InvoiceRequest, orderID: String) -> InvoiceRequest {
        transform(invoice) { value, field in seal(value, context: "\(orderID)|\(field)") }
    }

    /// Opens what `seal(_:orderID:)` sealed in an invoice request.
    public func open(_ invoice: InvoiceRequest, orderID: String) throws -> InvoiceRequest {
        try transform(invoice) { value, field in try open(value, context: "\(orderID)|\(field)") }
    }

    private func transform(_ invoice: InvoiceRequest, _ change: (String, String) throws -> String) rethrows -> InvoiceRequest {
        var changed = invoice
        if invoice.kind == .personal { changed.title = try change(invoice.title, "invoice.title") }
        if let email = invoice.email { changed.email = try change(email, "invoice.email") }
        return changed
    }

    private func transform(_ customer: inout Customer, _ address: inout Address?, _ change: (String, String) throws -> String) throws {
        customer.name = try change(customer.name, "customer.name")
        customer.phone = try change(customer.phone, "customer.phone")
        if let email = customer.email { customer.email = try change(email, "customer.email") }
        if let street = address?.street { address?.street = try change(street, "deliveryAddress.street") }
    }
}

/// Why a sealed value did not open: a key id not in `OMS_PII_KEYS` (or a malformed value), or a
/// value altered or moved to another order or field.
public enum PIIVaultError: Error, Sendable {
    case unknownKeyOrFormat
    case tampered
}
