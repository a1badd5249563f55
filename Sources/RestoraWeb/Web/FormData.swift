import Foundation
import Hummingbird

/// A submitted HTML form (`application/x-www-form-urlencoded`): field name → value, trimmed of surrounding
/// whitespace. A repeated name keeps its last value (no Restora form repeats a name).
struct FormData: Sendable, Hashable {
    var values: [String: String]

    init(_ values: [String: String] = [:]) { self.values = values }

    subscript(_ name: String) -> String? {
        guard let value = values[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    /// The typed value as submitted (for showing it again), empty when absent.
    func typed(_ name: String) -> String { values[name] ?? "" }

    static func parse(_ body: String) -> FormData {
        var values: [String: String] = [:]
        for pair in body.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = decode(parts[0])
            let value = parts.count > 1 ? decode(parts[1]) : ""
            values[name] = value
        }
        return FormData(values)
    }

    static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// Reads the form body of a request, refusing bodies over `limit` bytes.
    static func read(_ request: Request, limit: Int) async throws -> FormData {
        let buffer = try await request.body.collect(upTo: limit)
        return parse(String(buffer: buffer))
    }

    /// Fields the framework adds to every form; never shown back as data.
    static let controlFields: Set<String> = ["_csrf", "_nonce"]
}
