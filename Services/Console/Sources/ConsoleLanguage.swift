/// The console's languages: Simplified Chinese first (the staff are Chinese retail staff), English
/// second, chosen per browser with `?lang=` and kept in a cookie.
public enum ConsoleLanguage: String, Sendable, CaseIterable {
    case chinese = "zh"
    case english = "en"

    var htmlTag: String { self == .chinese ? "zh-CN" : "en" }
    var other: ConsoleLanguage { self == .chinese ? .english : .chinese }
}
