/// CSV output for reports. Invariant: every text field is quoted, embedded quotes doubled, and a
/// leading `= + - @` neutralised so a spreadsheet never runs a cell as a formula.
public enum CSVField {
    public static func text(_ value: String) -> String {
        var text = value
        if let first = text.first, "=+-@".contains(first) { text = "'" + text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
