#if canImport(Glibc)
import Glibc
#endif

/// HTTP ports for the services a test starts. They come from below the kernel's ephemeral range
/// (32768-60999 here): a port in that range can be taken at any moment as the local end of one of
/// the process's own outgoing connections (PostgreSQL, the broker), and a service that cannot bind
/// never becomes ready — the sporadic "never became ready" of earlier CI runs. Each port is also
/// checked free by binding it once.
enum TestPorts {
    /// `count` consecutive free ports (a service's replicas take base, base + 1, ...).
    static func block(_ count: Int = 1) -> Int {
        for _ in 0..<200 {
            let base = Int.random(in: 10_000..<(32_000 - count))
            if (base..<(base + count)).allSatisfy(isFree) { return base }
        }
        return Int.random(in: 10_000..<(32_000 - count))
    }

    static func isFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = INADDR_ANY
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
