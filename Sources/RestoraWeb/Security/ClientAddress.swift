import HTTPTypes
import Hummingbird

/// Who is on the other end, for sign-in throttling and loopback-only `/metrics`.
///
/// The connection's peer address is used, never a header the client can write, unless
/// `WebConfiguration.trustForwardedFor` says a reverse proxy in front of the server sets
/// `X-Forwarded-For`: then the last entry (the one the proxy appended) is the client.
enum ClientAddress {
    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let forwarded = HTTPField.Name("Forwarded")!

    static func of(_ request: Request, _ context: AppRequestContext, trustForwardedFor: Bool) -> String {
        if trustForwardedFor, let header = request.headers[values: forwardedFor].last,
           let last = header.split(separator: ",").last {
            let address = last.trimmingCharacters(in: .whitespaces)
            if isPlain(address) { return address }
        }
        return context.remoteIP ?? "unknown"
    }

    /// A request from this machine that no proxy forwarded: the peer is a loopback address and there is no
    /// forwarding header (a proxy on the same host would make every outside client look local).
    static func isLocal(_ request: Request, _ context: AppRequestContext) -> Bool {
        guard let ip = context.remoteIP, request.headers[forwardedFor] == nil, request.headers[forwarded] == nil else {
            return false
        }
        return ip == "::1" || ip.hasPrefix("127.") || ip.hasPrefix("::ffff:127.")
    }

    /// An IPv4 or IPv6 address as text, short enough to key a table and safe to log.
    static func isPlain(_ address: String) -> Bool {
        !address.isEmpty && address.count <= 45 && address.allSatisfy { $0.isHexDigit || $0 == "." || $0 == ":" }
    }
}
