import Testing
@testable import RestoraCSV

/// The numbers of a CSV cell: the strict grammar, and exactly the Double that `Double(String)` gives.
@Suite("Decimal numbers from bytes")
struct DecimalBytesTests {
    @Test func strictGrammar() {
        for bad in ["", "0x10", "0X1p3", "1\u{0}", "1\u{0}5", "inf", "-inf", "nan", "NaN", "1e", "1e+", ".", "+", "-",
                    "1.2.3", "1_000", " 1", "1 ", "1,5", "e5", "--1", "+-1", "1e5.5", "١"] {
            #expect(DecimalBytes.parse(bad) == nil, "'\(CSVText.visible(bad))' was read as a number")
        }
        for (good, value) in [("16", 16.0), ("-1.5", -1.5), (".5", 0.5), ("5.", 5), ("+2e3", 2000), ("1E-2", 0.01),
                              ("007", 7), ("0.000", 0), ("1e-400", 0), ("123456789012345678901234567890", 1.2345678901234568e29)] {
            #expect(DecimalBytes.parse(good) == value, "\(good)")
        }
        #expect(DecimalBytes.parse("-0")?.sign == .minus)
        #expect(DecimalBytes.parse("1e400") == nil, "an infinite value is not a finite number")
        #expect(DecimalBytes.parse("-1e309") == nil)
    }

    @Test("correctly rounded: bit for bit the Double(String) of 200,000 random decimal numbers")
    func agreesWithStandardLibrary() {
        var rng = SplitMix(seed: 20_261_204)
        var mismatches: [String] = []
        for _ in 0..<200_000 {
            let text = rng.decimal()
            let expected = Double(text).flatMap { $0.isFinite ? $0 : nil }
            let got = DecimalBytes.parse(text)
            if got?.bitPattern != expected?.bitPattern, mismatches.count < 10 { mismatches.append(text) }
        }
        #expect(mismatches.isEmpty, "\(mismatches)")
    }
}

/// Deterministic random numbers and decimal texts for property tests.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    /// Sign, 0–25 integer digits, an optional fraction of 0–25 digits, an optional exponent of up to ±350:
    /// short numbers (the fast path), long ones, halfway cases near 2^53, subnormals and overflows.
    mutating func decimal() -> String {
        switch below(6) {
        case 0: return String(Double(bitPattern: next() & 0x7FEF_FFFF_FFFF_FFFF))  // shortest round-trip texts
        case 1: return String(below(1_000_000)) + "." + String(below(100))         // recorded times
        default: break
        }
        var s = ["", "-", "+"][below(3)]
        let digits = "0123456789".map { $0 }
        let intDigits = below(26)
        for _ in 0..<intDigits { s.append(digits[below(10)]) }
        let fraction = below(3) > 0 || intDigits == 0
        if fraction {
            s += "."
            let n = intDigits == 0 ? 1 + below(25) : below(26)
            for _ in 0..<n { s.append(digits[below(10)]) }
        }
        if below(2) == 0 {
            s += ["e", "E"][below(2)] + ["", "-", "+"][below(3)] + String(below(below(4) == 0 ? 350 : 30))
        }
        return s
    }
}
