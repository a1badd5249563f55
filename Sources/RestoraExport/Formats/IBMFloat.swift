/// IBM System/370 hexadecimal floating point, double precision: the number format of SAS XPORT version 5
/// (SAS TS-140). One sign bit, a 7-bit base-16 exponent in excess-64, and a 56-bit fraction F with
/// 1/16 <= F < 1 (normalized: the first hex digit is not 0): value = (-1)^sign × F × 16^(exponent - 64).
///
/// Conversion from IEEE 754 binary64 is EXACT, with no rounding: an IEEE double has 53 significant bits, and the
/// IBM fraction needs at most 3 leading zero bits to align a binary exponent to a hex one, so 53 + 3 <= 56 bits
/// always hold the whole significand. Reading back (IBM → IEEE) is exact for the same reason. What does not fit
/// is refused, never approximated (docs/xpt-format.md):
/// - |x| >= 16^63 (= 2^252 ≈ 7.24e75): beyond the IBM exponent range (`tooLarge`);
/// - 0 < |x| < 16^-65 (= 2^-260 ≈ 5.40e-79): below the smallest normalized IBM number (`tooSmall`); writing
///   0 would change the value silently, so it is refused like the other limits;
/// - NaN and ±infinity (`notFinite`): SAS has no such numbers (a missing value is `.missing`, not NaN).
/// Zero (and -0) is eight zero bytes; SAS missing "." is 0x2E followed by seven zero bytes.
public enum IBMFloat {
    public enum Failure: Error, Sendable, Hashable {
        case notFinite, tooLarge, tooSmall

        /// The reason in words, for a refusal message.
        public var reason: String {
            switch self {
            case .notFinite: return "is not a finite number (SAS has no NaN or infinity)"
            case .tooLarge: return "is beyond the IBM System/370 range of SAS XPORT (magnitude must be below 16^63 ≈ 7.2e75)"
            case .tooSmall: return "is too small for IBM System/370 floating point (non-zero magnitude must be at least 16^-65 ≈ 5.4e-79)"
            }
        }
    }

    /// The SAS missing value "." as 8 bytes (0x2E then zeros).
    public static let missingBits: UInt64 = 0x2E00_0000_0000_0000
    /// The smallest and largest magnitudes that convert (inclusive lower bound, exclusive upper bound).
    public static let smallestMagnitude = 0x1p-260
    public static let upperBound = 0x1p252

    /// The IBM double of `value` as a big-endian bit pattern (byte 0 is the sign and exponent).
    public static func encode(_ value: Double) -> Result<UInt64, Failure> {
        guard value.isFinite else { return .failure(.notFinite) }
        if value == 0 { return .success(0) }
        let magnitude = value.magnitude
        guard magnitude < upperBound else { return .failure(.tooLarge) }
        guard magnitude >= smallestMagnitude else { return .failure(.tooSmall) }
        // |x| = M × 2^(e-52), M the 53-bit significand with its hidden bit (x is an IEEE normal number here:
        // 2^-260 is far above the IEEE subnormal range).
        let e = Int(magnitude.exponent)
        let significand = (UInt64(1) << 52) | magnitude.significandBitPattern
        // Hex exponent H with 16^(H-1) <= |x| < 16^H: H = floor(e / 4) + 1; the fraction is M << (e mod 4).
        let floorQuarter = e >= 0 ? e / 4 : -((-e + 3) / 4)
        let hexExponent = floorQuarter + 1
        let shift = e - 4 * floorQuarter
        let fraction = significand << UInt64(shift)          // < 2^56
        let characteristic = UInt64(hexExponent + 64)          // 0...127 within the bounds checked above
        let sign: UInt64 = value.sign == .minus ? 1 << 63 : 0
        return .success(sign | (characteristic << 56) | fraction)
    }

    /// The 8 bytes of `value`, big-endian.
    public static func bytes(_ value: Double) -> Result<[UInt8], Failure> {
        encode(value).map(bytes(ofBits:))
    }

    static func bytes(ofBits bits: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: bits >> (56 - 8 * UInt64($0))) }
    }

    /// Reads an IBM double back (tests, tooling): nil for a SAS missing value (0x2E, ".A"–".Z", "._" with a zero
    /// fraction). Exact for every value `encode` writes.
    public static func decode(_ bits: UInt64) -> Double? {
        let fraction = bits & 0x00FF_FFFF_FFFF_FFFF
        let first = UInt8(truncatingIfNeeded: bits >> 56)
        if fraction == 0 {
            if first == 0x2E || first == 0x5F || (0x41...0x5A).contains(first) { return nil }
            return 0
        }
        let hexExponent = Int(first & 0x7F) - 64
        let magnitude = Double(sign: .plus, exponent: 4 * hexExponent - 56, significand: Double(fraction))
        return first & 0x80 != 0 ? -magnitude : magnitude
    }
}
