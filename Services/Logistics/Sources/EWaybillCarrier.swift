import Foundation

/// What a carrier's e-waybill API (电子面单) is asked for one parcel. Invariant: `orderId` is the
/// carrier's idempotency key (the shipment id): however often it is submitted, the carrier books
/// one waybill for it. The recipient is in clear here only, on its way to the carrier.
struct WaybillRequest: Sendable, Equatable {
    struct Contact: Codable, Sendable, Equatable {
        var name: String
        var phone: String?
        var province: String
        var city: String
        var district: String?
        var address: String
    }

    var orderId: String
    /// The OMS carrier service booked, e.g. `SF-EXPRESS`.
    var service: String
    var sender: Contact
    var recipient: Contact
    var weightGrams: Int
    var declaredValueFen: Int64?
    var cashOnDeliveryFen: Int64?
    /// What the parcel holds, for the carrier's cargo line (SKU codes, no personal data).
    var cargo: String
}

/// How a carrier answered. Invariant: `retry` only for what the carrier documents as transient
/// (throttling, its own faults) or no answer; `booked` carries the carrier's number.
enum WaybillAnswer: Sendable, Equatable {
    /// The waybill number and the label data the carrier returned for printing (routing codes).
    case booked(waybillNumber: String, label: [String: String])
    case retry(code: String, message: String)
    case rejected(code: String, message: String)
}

/// The port through which logistics books e-waybills. Adapters answer every outcome as a
/// `WaybillAnswer` (never throw).
protocol EWaybillCarrier: Sendable {
    /// The carrier company this adapter books for (`SF`).
    var company: String { get }
    func book(_ request: WaybillRequest) async -> WaybillAnswer
}
