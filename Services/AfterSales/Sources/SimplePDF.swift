import Foundation

/// A one-page PDF of text and rules in one font: STSong-Light, the Adobe-GB1 CJK font every PDF
/// reader provides (PDF 1.7, 9.7.5.2: not embedded), addressed in UTF-16 (`UniGB-UTF16-H`), with a
/// ToUnicode map so the text can be searched, copied and extracted. Invariant: the output is a
/// complete PDF (header, objects, cross-reference table with exact byte offsets, trailer);
/// characters outside the Basic Multilingual Plane are dropped.
struct SimplePDF {
    /// A4 portrait, in points.
    static let width = 595.0, height = 842.0

    private var content = ""

    /// Writes `text` with its baseline starting at (`x`, `y`), `size` points, in `rgb`.
    mutating func text(_ text: String, x: Double, y: Double, size: Double, rgb: (Double, Double, Double) = (0, 0, 0)) {
        let hex = text.utf16.filter { !(0xD800...0xDFFF).contains($0) }.map { String(format: "%04X", $0) }.joined()
        content += String(format: "%.3f %.3f %.3f rg BT /F1 %.1f Tf %.2f %.2f Td ", rgb.0, rgb.1, rgb.2, size, x, y) + "<\(hex)> Tj ET\n"
    }

    /// `text` ending at `right` (numbers in a column).
    mutating func textRight(_ text: String, right: Double, y: Double, size: Double, rgb: (Double, Double, Double) = (0, 0, 0)) {
        self.text(text, x: right - Self.width(of: text, size: size), y: y, size: size, rgb: rgb)
    }

    /// A straight rule from (`x1`, `y1`) to (`x2`, `y2`).
    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, width: Double = 0.6, rgb: (Double, Double, Double) = (0, 0, 0)) {
        content += String(format: "%.3f %.3f %.3f RG %.2f w %.2f %.2f m %.2f %.2f l S\n", rgb.0, rgb.1, rgb.2, width, x1, y1, x2, y2)
    }

    /// A rectangle's outline.
    mutating func box(x: Double, y: Double, width: Double, height: Double, rgb: (Double, Double, Double) = (0, 0, 0)) {
        content += String(format: "%.3f %.3f %.3f RG 0.8 w %.2f %.2f %.2f %.2f re S\n", rgb.0, rgb.1, rgb.2, x, y, width, height)
    }

    /// The advance of `text` in the font: half an em for ASCII (proportional Latin, CIDs 1-95), a
    /// full em for everything else.
    static func width(of text: String, size: Double) -> Double {
        text.unicodeScalars.reduce(0) { $0 + ($1.isASCII ? 0.5 : 1.0) } * size
    }

    /// The finished file, with `title` in its document information.
    func document(title: String) -> [UInt8] {
        let titleHex = "FEFF" + title.utf16.map { String(format: "%04X", $0) }.joined()
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 \(Int(Self.width)) \(Int(Self.height))] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
            Self.stream(content),
            "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UTF16-H /DescendantFonts [6 0 R] /ToUnicode 8 0 R >>",
            "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> /FontDescriptor 7 0 R /DW 1000 /W [1 95 500] >>",
            "<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
            Self.stream(Self.toUnicode),
            "<< /Title <\(titleHex)> /Producer (Retail OMS) >>",
        ]
        var output = Array("%PDF-1.7\n%\u{00E2}\u{00E3}\u{00CF}\u{00D3}\n".utf8)
        var offsets: [Int] = []
        for (index, object) in objects.enumerated() {
            offsets.append(output.count)
            output += Array("\(index + 1) 0 obj\n\(object)\nendobj\n".utf8)
        }
        let xref = output.count
        var table = "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for offset in offsets { table += String(format: "%010d 00000 n \n", offset) }
        table += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R /Info \(objects.count) 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        output += Array(table.utf8)
        return output
    }

    private static func stream(_ body: String) -> String {
        "<< /Length \(body.utf8.count) >>\nstream\n\(body)\nendstream"
    }

    /// Each 2-byte code is its own UTF-16 code unit (the surrogate range left out), in blocks of at
    /// most 100 ranges as the CMap format requires.
    static let toUnicode: String = {
        let ranges = (0x00...0xFF).filter { !(0xD8...0xDF).contains($0) }.map { String(format: "<%02X00> <%02XFF> <%02X00>", $0, $0, $0) }
        var blocks = ""
        for start in stride(from: 0, to: ranges.count, by: 100) {
            let chunk = ranges[start..<min(start + 100, ranges.count)]
            blocks += "\(chunk.count) beginbfrange\n" + chunk.joined(separator: "\n") + "\nendbfrange\n"
        }
        return """
            /CIDInit /ProcSet findresource begin
            12 dict begin
            begincmap
            /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
            /CMapName /Adobe-Identity-UCS def
            /CMapType 2 def
            1 begincodespacerange
            <0000> <FFFF>
            endcodespacerange
            \(blocks)endcmap
            CMapName currentdict /CMap defineresource pop
            end
            end
            """
    }()
}
