import Crypto
import Foundation
import HummingbirdBcrypt

/// Password and token hashing in one place. Passwords: bcrypt (slow on purpose; the cost is lowered only
/// in tests). Bearer tokens: 32 random bytes shown once, stored as SHA-256 — a token has full entropy, so a
/// fast hash is enough and keeps every API request cheap.
public struct CredentialHasher: Sendable {
    public var bcryptCost: UInt8
    /// Told the cost of every bcrypt round this hasher spends, before it spends it. Tests use it to check that
    /// each sign-in path spends the same work, which a wall-clock comparison cannot show reliably on a busy
    /// machine; nil (the default) in the server.
    public var roundObserver: (@Sendable (_ cost: UInt8) -> Void)?

    public init(bcryptCost: UInt8 = 12, roundObserver: (@Sendable (_ cost: UInt8) -> Void)? = nil) {
        self.bcryptCost = bcryptCost
        self.roundObserver = roundObserver
    }

    public func hashPassword(_ password: String) -> String {
        roundObserver?(bcryptCost)
        return Bcrypt.hash(password, cost: bcryptCost)
    }

    public func verifyPassword(_ password: String, hash: String) -> Bool {
        if let roundObserver { roundObserver(Self.cost(ofHash: hash) ?? 0) }
        return Bcrypt.verify(password, hash: hash)
    }

    /// The cost a bcrypt hash was made with: the two digits after its version, as in `$2b$12$…`.
    static func cost(ofHash hash: String) -> UInt8? {
        let parts = hash.split(separator: "$", omittingEmptySubsequences: true)
        guard parts.count >= 2 else { return nil }
        return UInt8(parts[1])
    }

    /// A new token: 32 bytes from the system's cryptographic generator, base64url without padding.
    public func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Lower-case hex of SHA-256 (hex digits written directly: `String(format:)` per byte cost 5 % of an
    /// API request's CPU).
    public func tokenHash(_ token: String) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in SHA256.hash(data: Data(token.utf8)) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}
