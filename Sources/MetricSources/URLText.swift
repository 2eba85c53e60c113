/// Percent-encoding and URL joining without Foundation's `+` ambiguity
/// (`URLComponents` leaves `+` alone, and Prometheus reads it as a space).
enum URLText {
    private static let unreserved: Set<UInt8> = Set(
        Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8))

    /// Encodes everything but RFC 3986 unreserved characters: safe for a path segment
    /// (`/` becomes `%2F`) and for a query value.
    static func encode(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if unreserved.contains(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(hex[Int(byte >> 4)])
                out.unicodeScalars.append(hex[Int(byte & 0x0F)])
            }
        }
        return out
    }

    /// `base` + `path` with exactly one `/` between them.
    static func join(_ base: String, _ path: String) -> String {
        guard !path.isEmpty else { return base }
        var b = Substring(base)
        while b.hasSuffix("/") { b = b.dropLast() }
        return path.hasPrefix("/") || path.hasPrefix("?") ? b + path : b + "/" + path
    }

    /// `a=1&b=2` with each value encoded.
    static func query(_ items: [(String, String)]) -> String {
        items.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }
}
