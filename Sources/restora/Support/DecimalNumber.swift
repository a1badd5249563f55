import RestoraCSV

/// Numbers typed by people (CSV cells, comma-separated option values): plain decimal notation only —
/// an optional sign, digits with an optional decimal point, an optional exponent (`-1.5`, `.5`, `2e3`).
/// Swift's `Double(_:)` also reads hexadecimal (`0x10` = 16), `inf`/`nan`, and stops at a NUL byte (`1\0` = 1);
/// none of those is a measurement, so they are refused rather than read as something else (issue 12, item 10).
/// The grammar and the correctly rounded conversion are RestoraCSV's `DecimalBytes`, shared with the CSV reader.
enum DecimalNumber {
    static func parse(_ text: some StringProtocol) -> Double? { DecimalBytes.parse(text) }

    /// The text as it can be shown in a message: control characters (a NUL byte, a tab) written as `\u{0}`.
    static func visible(_ text: some StringProtocol) -> String { CSVText.visible(text) }
}
