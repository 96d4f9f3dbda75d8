import Foundation
import IntakeService
import OMSDomain
import OMSPlatform

/// What the intake fuzzer feeds untrusted bytes to: the five channels' payload decoders and field
/// checks (as the edge runs them: JSON decode, then `normalize`), and the pricing engine with lines,
/// promotions and a coupon taken from the bytes. The first byte picks the target. Invariant: for
/// any input this returns (a crash, trap or hang is a finding). `Deploy/fuzz/fuzz-intake.sh` runs
/// it under libFuzzer; `IntakeFuzzRegressionTests` replays every kept finding.
public enum IntakeFuzzing {
    static let limits = IntakeLimits()
    static let hasher = PIIHasher(secret: "fuzz-not-secret")

    public static func exercise(_ bytes: [UInt8]) {
        guard let selector = bytes.first else { return }
        let body = Data(bytes.dropFirst())
        switch selector % 6 {
        case 0: normalize(WebOrderPayload.self, body)
        case 1: normalize(MarketplaceOrderPayload.self, body)
        case 2: normalize(MiniProgramOrderPayload.self, body)
        case 3: normalize(PhoneOrderPayload.self, body)
        case 4: normalize(PosSalePayload.self, body)
        default: price(Array(bytes.dropFirst()))
        }
    }

    static func normalize<P: ChannelPayload>(_ type: P.Type, _ body: Data) {
        guard let payload = try? JSONDecoder().decode(P.self, from: body) else { return }
        if case .success(let draft) = payload.normalize(limits: limits, hasher: hasher) {
            // A draft the edge accepts must be one the workers can read back.
            precondition((try? EventCoding.decode(OrderDraft.self, from: EventCoding.encode(draft))) == draft, "accepted draft does not round-trip")
        }
    }

    /// Lines, promotions and a coupon from the bytes, within the limits the edge enforces.
    static func price(_ bytes: [UInt8]) {
        var reader = ByteReader(bytes)
        let maxFen = limits.maxAmount.minorUnits
        var lines: [PricingEngine.LineInput] = []
        for _ in 0..<(1 + Int(reader.byte() % 8)) {
            let sku = "S\(reader.byte() % 4)"
            let member = reader.byte() % 2 == 0 ? nil : Money.fen(reader.fen(maxFen))
            lines.append(PricingEngine.LineInput(sku: sku, category: "C\(reader.byte() % 3)", quantity: 1 + Int(reader.word() % UInt16(limits.maxQuantity)),
                                                 listPrice: .fen(reader.fen(maxFen)), memberPrice: member))
        }
        var promotions: [Promotion] = []
        for index in 0..<Int(reader.byte() % 5) {
            let scope: Promotion.Scope = [.allItems, .skus(["S\(reader.byte() % 4)"]), .categories(["C\(reader.byte() % 3)"])][Int(reader.byte() % 3)]
            let kind: Promotion.Kind = switch reader.byte() % 3 {
            case 0: .percentageOff(percent: Int(reader.byte() % 101), scope: scope)
            case 1: .spendThreshold(threshold: .fen(reader.fen(maxFen)), reduction: .fen(reader.fen(maxFen)), repeating: reader.byte() % 2 == 0, scope: scope)
            default: .buyXGetY(sku: "S\(reader.byte() % 4)", buyQuantity: 1 + Int(reader.byte() % 5), giftSKU: "G\(reader.byte() % 2)", giftQuantity: 1 + Int(reader.byte() % 3))
            }
            promotions.append(Promotion(id: "P\(index)", name: "P\(index)", kind: kind, exclusive: reader.byte() % 4 == 0, priority: Int(reader.byte())))
        }
        let coupon: Coupon? = switch reader.byte() % 3 {
        case 0: nil
        case 1: Coupon(code: "C", value: .amountOff(.fen(reader.fen(maxFen))), minimumSpend: .fen(reader.fen(maxFen)), stackable: reader.byte() % 2 == 0)
        default: Coupon(code: "C", value: .percentOff(Int(reader.byte() % 101)), stackable: reader.byte() % 2 == 0)
        }
        let engine = PricingEngine(promotions: promotions, shipping: ShippingRule(fee: .fen(1_000), freeOver: .fen(9_900)))
        let result = engine.price(lines: lines, channel: .web, isMember: reader.byte() % 2 == 0, coupon: coupon)
        // The engine's own invariants: never a negative total, discounts allocated exactly.
        precondition(result.total.minorUnits >= 0, "negative total")
    }
}

/// Reads the fuzzer's bytes as numbers; past the end it reads zeros.
struct ByteReader {
    private let bytes: [UInt8]
    private var position = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func byte() -> UInt8 {
        defer { position += 1 }
        return position < bytes.count ? bytes[position] : 0
    }

    mutating func word() -> UInt16 { UInt16(byte()) << 8 | UInt16(byte()) }

    /// 0...limit fen.
    mutating func fen(_ limit: Int64) -> Int64 {
        let raw = Int64(byte()) << 24 | Int64(byte()) << 16 | Int64(byte()) << 8 | Int64(byte())
        return raw % (limit + 1)
    }
}
