/// Code 128 barcodes (subset B: printable ASCII) for waybill labels, as bar widths and as SVG.
/// Invariant: a symbol is start B, the data, the modulo-103 check symbol and stop; every symbol
/// but stop is 11 modules wide (stop 13), with a 10-module quiet zone on each side, which is what
/// carrier scanners and `zbarimg` read.
enum Code128 {
    /// Bar/space widths of symbol values 0...106 (106 is stop), bar first.
    static let patterns: [String] = [
        "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212", "221213",
        "221312", "231212", "112232", "122132", "122231", "113222", "123122", "123221", "223211", "221132",
        "221231", "213212", "223112", "312131", "311222", "321122", "321221", "312212", "322112", "322211",
        "212123", "212321", "232121", "111323", "131123", "131321", "112313", "132113", "132311", "211313",
        "231113", "231311", "112133", "112331", "132131", "113123", "113321", "133121", "313121", "211331",
        "231131", "213113", "213311", "213131", "311123", "311321", "331121", "312113", "312311", "332111",
        "314111", "221411", "431111", "111224", "111422", "121124", "121421", "141122", "141221", "112214",
        "112412", "122114", "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111",
        "111242", "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211", "212141",
        "214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113", "411311", "113141",
        "114131", "311141", "411131", "211412", "211214", "211232", "2331112",
    ]
    static let startB = 104
    static let stop = 106
    static let quietModules = 10

    /// The symbol values of `text` (start B, data, check, stop), or nil if a character is not
    /// printable ASCII (space to `~`).
    static func symbols(_ text: String) -> [Int]? {
        var values = [startB]
        for scalar in text.unicodeScalars {
            guard (32...126).contains(scalar.value) else { return nil }
            values.append(Int(scalar.value) - 32)
        }
        let check = values.enumerated().reduce(0) { sum, item in sum + item.element * max(item.offset, 1) } % 103
        return values + [check, stop]
    }

    /// Module widths, alternating bar and space, starting with a bar.
    static func widths(_ text: String) -> [Int]? {
        symbols(text)?.flatMap { patterns[$0].map { Int(String($0))! } }
    }

    /// An SVG image of the barcode, `moduleWidth` pixels per module and `height` pixels tall.
    static func svg(_ text: String, moduleWidth: Int = 2, height: Int = 80) -> String? {
        guard let widths = widths(text) else { return nil }
        let total = (widths.reduce(0, +) + 2 * quietModules) * moduleWidth
        var x = quietModules * moduleWidth
        var bars = ""
        for (index, width) in widths.enumerated() {
            if index % 2 == 0 { bars += "<rect x=\"\(x)\" y=\"0\" width=\"\(width * moduleWidth)\" height=\"\(height)\"/>" }
            x += width * moduleWidth
        }
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(total)\" height=\"\(height)\" viewBox=\"0 0 \(total) \(height)\">"
            + "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><g fill=\"#000\">\(bars)</g></svg>"
    }
}
