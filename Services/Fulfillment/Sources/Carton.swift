/// A carton size a warehouse packs into. Dimensions are outside measures in millimetres.
/// Invariant: all dimensions, `maxWeightGrams` > 0; `tareGrams` >= 0.
public struct Carton: Codable, Hashable, Sendable {
    public var code: String
    public var lengthMm: Int
    public var widthMm: Int
    public var heightMm: Int
    /// The most the carton may carry, contents and packaging included.
    public var maxWeightGrams: Int
    /// The empty carton's weight.
    public var tareGrams: Int

    public init(code: String, lengthMm: Int, widthMm: Int, heightMm: Int, maxWeightGrams: Int, tareGrams: Int) {
        self.code = code
        self.lengthMm = lengthMm
        self.widthMm = widthMm
        self.heightMm = heightMm
        self.maxWeightGrams = maxWeightGrams
        self.tareGrams = tareGrams
    }

    /// Volume in cubic centimetres.
    public var volumeCubicCentimetres: Int { lengthMm * widthMm * heightMm / 1_000 }

    /// The set used by a warehouse that has not configured its own.
    public static let standardSet: [Carton] = [
        Carton(code: "S", lengthMm: 250, widthMm: 200, heightMm: 100, maxWeightGrams: 5_000, tareGrams: 150),
        Carton(code: "M", lengthMm: 350, widthMm: 250, heightMm: 150, maxWeightGrams: 10_000, tareGrams: 250),
        Carton(code: "L", lengthMm: 450, widthMm: 350, heightMm: 250, maxWeightGrams: 20_000, tareGrams: 450),
        Carton(code: "XL", lengthMm: 600, widthMm: 400, heightMm: 400, maxWeightGrams: 30_000, tareGrams: 800),
    ]
}
