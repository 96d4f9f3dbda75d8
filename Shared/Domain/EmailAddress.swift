/// E-mail addresses as the OMS takes them in and sends to them. Invariant: pure; one rule for
/// every service (the supplier master accepts exactly what the mail sender will send to).
public enum EmailAddress {
    /// One `@`, a local part of printable ASCII without spaces, brackets, quotes or commas, a
    /// domain of dot-separated LDH labels with a dot. Stricter than RFC 5321 on purpose: anything
    /// else is refused, never sent.
    public static func isDeliverable(_ address: String) -> Bool {
        guard address.utf8.count <= 254 else { return false }
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, let local = parts.first, let domain = parts.last, (1...64).contains(local.count), domain.count >= 3 else { return false }
        let forbidden: Set<Character> = [" ", "<", ">", "(", ")", "[", "]", ",", ";", ":", "\\", "\"", "@"]
        guard local.allSatisfy({ $0.isASCII && !$0.isNewline && ($0.asciiValue ?? 0) > 32 && ($0.asciiValue ?? 0) < 127 && !forbidden.contains($0) }),
              !local.hasPrefix("."), !local.hasSuffix("."), !local.contains("..") else { return false }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        return labels.allSatisfy { label in
            (1...63).contains(label.count) && !label.hasPrefix("-") && !label.hasSuffix("-") && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }
}
