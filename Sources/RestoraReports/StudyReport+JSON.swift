import Foundation

extension StudyReport {
    /// Pretty-printed JSON with sorted keys (stable for diffs and snapshots); dates as "YYYY-MM-DD".
    /// Non-finite numbers are refused: the report sections replace them with `unavailable` reasons.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .throw
        return try encoder.encode(self)
    }

    public func jsonString() throws -> String { String(decoding: try jsonData(), as: UTF8.self) }
}
