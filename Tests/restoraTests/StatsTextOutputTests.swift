import Foundation
import RestoraStats
import Testing
@testable import restora

/// The text of `restora stats` tables, written as bytes (`TextTable`, `TableNumber`, `FixedFormat.append`),
/// against the String code it replaced, kept below verbatim as the oracle (with printf for every number).
@Suite("Stats text output against the previous formatting")
struct StatsTextOutputTests {
    typealias RNG = SplitMix64  // the benchmark's generator, with below/pick from CSVLegacyComparisonTests.swift

    /// `SurvivalRegressionCLI.format` before `TableNumber`, with printf for the fixed notation.
    static func previousFormat(_ value: Double?, digits: Int = 4) -> String {
        guard let value, value.isFinite else { return "NA" }
        if value == 0 { return "0" }
        let magnitude = abs(value)
        if magnitude >= 1e-4 && magnitude < 1e7 {
            let decimals = max(0, digits - 1 - Int(floor(log10(magnitude))))
            return String(format: "%.\(decimals)f", value)
        }
        return String(format: "%.\(digits - 1)e", value)
    }

    /// `SurvivalRegressionCLI.table` before `TextTable`.
    static func previousTable(_ header: [String], _ rows: [[String]]) -> String {
        func width(_ cell: String) -> Int {
            var ascii = true
            for b in cell.utf8 where b >= 0x80 { ascii = false; break }
            return ascii ? cell.utf8.count : cell.count
        }
        var widths = header.map(width)
        var cellWidths: [Int] = []
        cellWidths.reserveCapacity(rows.count * header.count)
        for row in rows {
            for (c, cell) in row.enumerated() { let w = width(cell); cellWidths.append(w); widths[c] = max(widths[c], w) }
        }
        var out: [UInt8] = []
        out.reserveCapacity((rows.count + 1) * (widths.reduce(0, +) + 2 * widths.count + 1))
        var next = 0
        func append(_ row: [String], _ rowWidths: (Int) -> Int) {
            for (c, cell) in row.enumerated() {
                if c > 0 { out.append(0x20); out.append(0x20) }
                let pad = widths[c] - rowWidths(c)
                if c == 0 { out.append(contentsOf: cell.utf8) }
                if pad > 0 { out.append(contentsOf: repeatElement(0x20, count: pad)) }
                if c > 0 { out.append(contentsOf: cell.utf8) }
            }
        }
        append(header) { width(header[$0]) }
        for row in rows {
            out.append(0x0A)
            append(row) { cellWidths[next + $0] }
            next += row.count
        }
        return String(decoding: out, as: UTF8.self)
    }

    func value(_ r: inout RNG) -> Double? {
        switch r.below(9) {
        case 0: return nil
        case 1: return [0, -0.0, .nan, .infinity][r.below(4)]
        case 2: return Double(r.below(2_000_000)) / [1, 2, 4, 8, 16, 100, 1000][r.below(7)]  // ties and plain decimals
        case 3: return [1e-4, 1e-3, 0.01, 0.1, 1, 10, 100, 1000, 1e4, 1e5, 1e6, 1e7][r.below(12)] * (1 + Double(r.below(3) - 1) * 1e-15)
        case 4: return (Double(r.next() >> 11) / Double(1 << 53)) * [1e-6, 1e-3, 1, 1e3, 1e8][r.below(5)]
        case 5: return -Double(r.below(100_000)) / 1e3
        case 6: return 9.9995 * [1e-4, 1e-2, 1, 1e2, 1e4][r.below(5)]  // rounds up to the next power of ten
        default: return Double(r.below(100_000)) / 100 + 0.005
        }
    }

    @Test("100,000 numbers: TableNumber == the previous format (printf)")
    func numbersAsBefore() {
        var r = RNG(seed: 11)
        var mismatches: [String] = []
        for _ in 0..<100_000 {
            let x = value(&r), digits = 2 + r.below(4)
            let expected = Self.previousFormat(x, digits: digits)
            if TableNumber.text(x, digits: digits) != expected, mismatches.count < 10 {
                mismatches.append("\(String(describing: x)) digits \(digits): \(TableNumber.text(x, digits: digits)) vs \(expected)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches)")
        #expect(SurvivalRegressionCLI.format(nil) == "NA" && SurvivalRegressionCLI.format(0.000012345) == "1.234e-05")
    }

    @Test("decimal exponents by comparison: floor(log10) on values across the range and next to each power")
    func decimalExponent() {
        var r = RNG(seed: 5)
        for _ in 0..<100_000 {
            let m = 1e-4 * pow(10, Double(r.next() >> 11) / Double(1 << 53) * 11)
            #expect(TableNumber.decimalExponent(m) == Int(floor(log10(m))), "\(m)")
        }
        for k in -4...6 {
            var m = pow(10, Double(k))
            for _ in 0..<4 { m = m.nextDown }
            for _ in 0..<8 {
                if m >= 1e-4 { #expect(TableNumber.decimalExponent(m) == Int(floor(log10(m))), "\(m)") }
                m = m.nextUp
            }
        }
    }

    @Test("ties in fixed notation: exact halves go to the even digit, inexact ones to their side, as printf")
    func tiesAsPrintf() {
        var r = RNG(seed: 3)
        var mismatches: [String] = []
        for i in 0..<200_000 {
            let decimals = r.below(6)
            // k + 1/2 at the last decimal, exactly (dyadic) or as written in decimal (not exact in binary).
            let k = Double(r.below(10_000_000))
            let x = i % 2 == 0
                ? (k + 0.5) / pow(10, Double(decimals))
                : Double("\(Int(k))5e-\(decimals + 1)")!
            let got = FixedFormat.fixed(x, decimals: decimals), expected = String(format: "%.\(decimals)f", x)
            if got != expected, mismatches.count < 10 { mismatches.append("\(x) %.\(decimals)f: \(got) vs \(expected)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches)")
        #expect(FixedFormat.fixed(0.125, decimals: 2) == "0.12" && FixedFormat.fixed(0.375, decimals: 2) == "0.38")
        #expect(FixedFormat.fixed(2.5, decimals: 0) == "2" && FixedFormat.fixed(3.5, decimals: 0) == "4")
    }

    @Test("500 tables with ASCII, non-ASCII and empty cells: TextTable == the previous table")
    func tablesAsBefore() {
        var r = RNG(seed: 17)
        for _ in 0..<500 {
            let columns = 1 + r.below(6)
            let header = (0..<columns).map { _ in r.pick(["time", "at risk", "95% lower", "é", "", "survival", "日本"]) }
            let rows = (0..<r.below(30)).map { _ in
                (0..<columns).map { _ in r.pick(["", "1", "0.9995", "NA", "groupé", "12345678", "-3.2", "日本語"]) }
            }
            #expect(SurvivalRegressionCLI.table(header, rows) == Self.previousTable(header, rows), "\(header) \(rows)")
        }
    }

    @Test("km text: the bytes written group by group are the previous text of the same report")
    func kmTextAsBefore() throws {
        var r = RNG(seed: 23)
        var time: [Double] = [], event: [Bool] = [], group: [Int32] = []
        for _ in 0..<3_000 {
            time.append(Double(r.below(40_000)) / 100)
            event.append(r.below(4) > 0)
            group.append(Int32(r.below(2)))
        }
        for arguments in [[], ["--incidence", "--at", "1,50,120.5", "--conf-type", "plain"], ["--conf-level", "0.9", "--quantiles", "0.1,0.5"]] {
            let command = try StatsKMCommand.parse(["--input", "x.csv", "--time", "t", "--event", "e"] + arguments)
            let type = try #require(SurvivalConfidenceType(rawValue: command.confType))
            let fits = try KaplanMeier.fitGroups(time: time, event: event, groupCodes: group, groups: 2,
                                                  confidenceType: type, confidenceLevel: command.confLevel)
            let atTimes = try SurvivalRegressionCLI.numberList(command.at, option: "at")
            let probabilities = try SurvivalRegressionCLI.numberList(command.quantiles, option: "quantiles")
            let groups = try zip(fits, ["A", "B"]).map { try command.report($0, label: $1, atTimes: atTimes, probabilities: probabilities) }
            let pct = Int((command.confLevel * 100).rounded())
            let written = Array(groups.map { command.text($0, confidenceType: type.rawValue, pct: pct) }.joined())
            let previous = Self.previousKMText(groups, analysis: command.analysis, incidence: command.incidence,
                                               confidenceType: type.rawValue, pct: pct) + "\n"  // print's line break
            #expect(String(decoding: written, as: UTF8.self) == previous, "\(arguments)")
            #expect(previous.count > 10_000)
        }
    }

    /// `StatsKMCommand.text(_:)` before the bytes, verbatim but for its parameters.
    static func previousKMText(_ groups: [StatsKMCommand.GroupReport], analysis: String, incidence: Bool,
                               confidenceType: String, pct: Int) -> String {
        let f = { (x: Double?) in Self.previousFormat(x) }
        let what = incidence ? "incidence" : "survival"
        var out: [String] = []
        for g in groups {
            out.append("\(analysis)\(g.group.map { " — group \($0)" } ?? ""): n = \(g.subjects), events = \(g.events)")
            if g.events == 0 { out.append("(no events: the curve stays at \(incidence ? 0 : 1))") } else {
            out.append(Self.previousTable(
                ["time", "at risk", "events", "censored", what, "std err", "\(pct)% lower", "\(pct)% upper"],
                g.curve.filter { $0.events > 0 }.map {
                    [f($0.time), "\($0.atRisk)", "\($0.events)", "\($0.censored)", f($0.estimate), f($0.standardError), f($0.lower), f($0.upper)]
                }))
            }
            out.append("quantiles of time to event (\(confidenceType) \(pct)% CI; NA = not reached):")
            out.append(Self.previousTable(["probability", "time", "lower", "upper"], g.quantiles.map {
                [f($0.probability), f($0.estimate), f($0.lower), f($0.upper)]
            }))
            if !g.atTimes.isEmpty {
                out.append("at requested times:")
                out.append(Self.previousTable(["time", "at risk", "events so far", what, "lower", "upper"], g.atTimes.map {
                    [f($0.time), "\($0.atRisk)", "\($0.cumulativeEvents)", f($0.survival), f($0.lower), f($0.upper)]
                }))
            }
            out.append("")
        }
        return out.joined(separator: "\n")
    }
}

extension FixedFormat {
    /// The text `append` writes, as a String (the tests compare it with printf's).
    static func fixed(_ value: Double, decimals: Int) -> String {
        var bytes: [UInt8] = []
        append(value, decimals: decimals, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
