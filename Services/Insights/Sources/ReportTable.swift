import Foundation
import Hummingbird
import OMSDomain
import OMSPlatform

/// A report as a table: named columns and rows of typed cells, served as JSON (`rows` are objects
/// keyed by column) or CSV (a header line, then one line per row). Invariant: every row has one
/// cell per column; money columns end in `Fen` and hold integer fen; rates are fractions 0-1.
struct ReportTable: Sendable, Equatable, Encodable {
    enum Cell: Sendable, Equatable, Encodable {
        case text(String)
        case integer(Int64)
        case number(Double)
        case none

        func encode(to encoder: Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .text(let value): try container.encode(value)
            case .integer(let value): try container.encode(value)
            case .number(let value): try container.encode(value)
            case .none: try container.encodeNil()
            }
        }

        var csv: String {
            switch self {
            case .text(let value): CSVField.text(value)
            case .integer(let value): String(value)
            case .number(let value): String(value)
            case .none: ""
            }
        }

        /// A fraction or a duration rounded for reading (4 decimals), so equal data gives equal output.
        static func rounded(_ value: Double?) -> Cell {
            guard let value, value.isFinite else { return .none }
            return .number((value * 10_000).rounded() / 10_000)
        }

        /// `part / whole` as a rounded fraction, none when `whole` is zero.
        static func rate(_ part: Int64, _ whole: Int64) -> Cell {
            whole == 0 ? .none : rounded(Double(part) / Double(whole))
        }
    }

    var report: String
    var groupedBy: String
    var columns: [String]
    var rows: [[Cell]]

    private enum Keys: String, CodingKey { case report, groupedBy, columns, rows }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(report, forKey: .report)
        try container.encode(groupedBy, forKey: .groupedBy)
        try container.encode(columns, forKey: .columns)
        try container.encode(rows.map { Dictionary(uniqueKeysWithValues: zip(columns, $0)) }, forKey: .rows)
    }

    var csv: String {
        var text = columns.joined(separator: ",") + "\n"
        for row in rows { text += row.map(\.csv).joined(separator: ",") + "\n" }
        return text
    }

    /// JSON unless the request asks for CSV (`format=csv`).
    func response(format: String?) throws -> Response {
        if format == "csv" {
            return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(report)-\(groupedBy).csv\""],
                            body: .init(byteBuffer: ByteBuffer(string: csv)))
        }
        return try Response.json(self)
    }

    /// Integer fen division rounded half up (average order value), zero for no orders.
    static func average(_ total: Int64, over count: Int64) -> Int64 {
        count == 0 ? 0 : (2 * total + count) / (2 * count)
    }
}
