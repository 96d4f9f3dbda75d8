import Foundation

/// Which receiver URLs a subscription may name. Invariant: only `https`, or `http` to a loopback
/// host (a receiver on the same machine); never a link-local or cloud metadata address, an
/// unspecified or multicast address, or a URL with credentials or a fragment; at most 2,000
/// characters. The check is on the URL as written; names are resolved at delivery time, and a
/// receiver that cannot be reached shows as a failed delivery.
public enum WebhookEndpointRule {
    /// Why `text` is refused, or nil when it is a valid receiver URL.
    public static func problem(with text: String) -> String? {
        guard !text.isEmpty, text.count <= 2_000 else { return "required, at most 2000 characters" }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(), let rawHost = components.host, !rawHost.isEmpty else {
            return "an absolute http(s) URL"
        }
        guard scheme == "https" || scheme == "http" else { return "scheme must be https (http only to a loopback host)" }
        guard components.user == nil, components.password == nil else { return "must not carry credentials" }
        guard components.fragment == nil else { return "must not carry a fragment" }
        if let port = components.port, !(1...65_535).contains(port) { return "port must be 1-65535" }
        let host = rawHost.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if ["metadata.google.internal", "metadata", "instance-data", "instance-data.ec2.internal"].contains(host) || host.hasSuffix(".internal.") {
            return "must not point at a cloud metadata service"
        }
        if let v4 = ipv4(host) {
            if v4[0] == 169 && v4[1] == 254 { return "must not point at a link-local or metadata address" }
            if v4[0] == 0 { return "must not point at an unspecified address" }
            if v4[0] >= 224 { return "must not point at a multicast or reserved address" }
            if v4[0] == 100 && v4[1] == 100 && v4[2] == 100 && v4[3] == 200 { return "must not point at a cloud metadata address" }
            if scheme == "http" && v4[0] != 127 { return "scheme must be https (http only to a loopback host)" }
            return nil
        }
        // Numeric hosts in other spellings (2130706433, 0x7f.1, 010.0.0.1) resolve to addresses the
        // checks above would not see.
        if host.allSatisfy({ $0.isNumber || $0 == "." }) || host.hasPrefix("0x") || host.split(separator: ".").contains(where: { $0.hasPrefix("0") && $0.count > 1 && $0.allSatisfy(\.isNumber) }) {
            return "write an IP address as a plain dotted quad"
        }
        if host.contains(":") {
            if host == "::1" { return nil }
            if host == "::" { return "must not point at an unspecified address" }
            if host.hasPrefix("fe8") || host.hasPrefix("fe9") || host.hasPrefix("fea") || host.hasPrefix("feb") { return "must not point at a link-local or metadata address" }
            if host.hasPrefix("fd00:ec2") { return "must not point at a cloud metadata address" }
            if host.hasPrefix("ff") { return "must not point at a multicast or reserved address" }
            if host.hasPrefix("::ffff:") { return "write an IPv4 address as such" }
            return scheme == "http" ? "scheme must be https (http only to a loopback host)" : nil
        }
        if scheme == "http" && host != "localhost" { return "scheme must be https (http only to a loopback host)" }
        return nil
    }

    /// The four octets of a dotted-quad IPv4 address.
    static func ipv4(_ host: String) -> [Int]? {
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        let octets = parts.compactMap { part -> Int? in
            guard !part.isEmpty, part.count <= 3, part == "0" || !part.hasPrefix("0"), part.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(part), value <= 255 else { return nil }
            return value
        }
        return octets.count == 4 ? octets : nil
    }
}
