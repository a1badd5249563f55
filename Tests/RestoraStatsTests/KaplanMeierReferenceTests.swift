import Foundation
import Testing
@testable import RestoraStats

/// Kaplan–Meier against R survival's survfit / quantile.survfit / summary(times=) (survival-km.json).
/// The estimator is a finite product, so agreement is expected to 1e-9 relative.
struct KaplanMeierReferenceTests {
    struct Fixture: Decodable {
        let cases: [Case]
    }
    struct Case: Decodable {
        let name: String
        let time: RVector
        let status: RVector
        let conf_types: [String: Curve]
    }
    struct Curve: Decodable {
        let time, n_risk, n_event, n_censor, surv, std_err_log, lower, upper: RVector
        let quantile_probs, quantile, quantile_lower, quantile_upper: RVector
        let at, at_n_risk, at_surv, at_std_err, at_lower, at_upper: RVector
    }

    static let tolerance = 1e-9

    static func cases() throws -> [Case] { try ReferenceFixture.load("survival-km", as: Fixture.self).cases }

    @Test(arguments: ["log-log", "plain", "log"])
    func curvesMatchSurvfit(confType: String) throws {
        let type = try #require(SurvivalConfidenceType(rawValue: confType))
        for c in try Self.cases() {
            let ref = try #require(c.conf_types[confType])
            let fit = try KaplanMeier.fit(
                time: c.time.doubles, event: c.status.doubles.map { $0 == 1 }, confidenceType: type)
            #expect(fit.steps.count == ref.time.count, "\(c.name): number of distinct times")
            for (i, step) in fit.steps.enumerated() where i < ref.time.count {
                let label = "\(c.name) [\(confType)] t=\(step.time)"
                #expect(step.time == ref.time[i])
                #expect(Double(step.atRisk) == ref.n_risk[i], "\(label) n.risk")
                #expect(Double(step.events) == ref.n_event[i], "\(label) n.event")
                #expect(Double(step.censored) == ref.n_censor[i], "\(label) n.censor")
                expectNear(step.survival, ref.surv[i], absolute: 1e-12, "\(label) surv")
                if let se = ref.std_err_log[i] {
                    expectClose(step.standardErrorLog, se, relative: Self.tolerance, "\(label) std.err")
                } else {
                    #expect(!step.standardErrorLog.isFinite, "\(label) std.err should be undefined")
                }
                expectNear(step.lower, ref.lower[i], absolute: 1e-10, "\(label) lower")
                expectNear(step.upper, ref.upper[i], absolute: 1e-10, "\(label) upper")
            }
        }
    }

    @Test(arguments: ["log-log", "plain", "log"])
    func quantilesMatchQuantileSurvfit(confType: String) throws {
        let type = try #require(SurvivalConfidenceType(rawValue: confType))
        for c in try Self.cases() {
            let ref = try #require(c.conf_types[confType])
            let fit = try KaplanMeier.fit(
                time: c.time.doubles, event: c.status.doubles.map { $0 == 1 }, confidenceType: type)
            let quantiles = try fit.quantiles(ref.quantile_probs.doubles)
            for (i, q) in quantiles.enumerated() {
                let label = "\(c.name) [\(confType)] p=\(q.probability)"
                expectClose(q.estimate, ref.quantile[i], relative: Self.tolerance, "\(label) quantile")
                expectClose(q.lower, ref.quantile_lower[i], relative: Self.tolerance, "\(label) lower")
                expectClose(q.upper, ref.quantile_upper[i], relative: Self.tolerance, "\(label) upper")
            }
        }
    }

    @Test func summaryAtTimesMatchesSummarySurvfit() throws {
        for c in try Self.cases() {
            for (confType, ref) in c.conf_types {
                let type = try #require(SurvivalConfidenceType(rawValue: confType))
                let fit = try KaplanMeier.fit(
                    time: c.time.doubles, event: c.status.doubles.map { $0 == 1 }, confidenceType: type)
                let rows = try fit.summary(at: ref.at.doubles)
                for (i, row) in rows.enumerated() {
                    let label = "\(c.name) [\(confType)] at \(row.time)"
                    #expect(Double(row.atRisk) == ref.at_n_risk[i], "\(label) n.risk")
                    expectNear(row.survival, ref.at_surv[i], absolute: 1e-12, "\(label) surv")
                    if let se = ref.at_std_err[i] {
                        expectNear(row.standardError, se, absolute: 1e-10, "\(label) std.err")
                    }
                    expectNear(row.lower, ref.at_lower[i], absolute: 1e-10, "\(label) lower")
                    expectNear(row.upper, ref.at_upper[i], absolute: 1e-10, "\(label) upper")
                }
            }
        }
    }

    @Test func cumulativeIncidenceReflectsTheSurvivalInterval() throws {
        let fit = try KaplanMeier.fit(time: [1, 2, 2, 3, 5], event: [true, true, false, true, false])
        for (point, step) in zip(fit.cumulativeIncidence, fit.steps) {
            #expect(point.incidence == 1 - step.survival)
            #expect(point.lower == step.upper.map { 1 - $0 })
            #expect(point.upper == step.lower.map { 1 - $0 })
        }
    }

    @Test func badInputIsRefusedWithTheFieldNamed() {
        #expect(throws: StatsError.invalidInput(field: "time", message: "value at row 2 is not a finite number")) {
            try KaplanMeier.fit(time: [1, .nan], event: [true, false])
        }
        #expect(throws: StatsError.invalidInput(field: "time", message: "value at row 1 is negative (-1.0)")) {
            try KaplanMeier.fit(time: [-1, 2], event: [true, false])
        }
        #expect(throws: StatsError.insufficientData("no observations")) {
            try KaplanMeier.fit(time: [], event: [])
        }
    }
}

/// The aggregated path (hash the distinct times, sort only those) against the same R fixtures.
struct GroupedEventTableReferenceTests {
    @Test func kaplanMeierFromTheTableMatchesSurvfit() throws {
        for c in try KaplanMeierReferenceTests.cases() {
            for (confType, ref) in c.conf_types {
                let type = try #require(SurvivalConfidenceType(rawValue: confType))
                let time = c.time.doubles
                let table = try #require(try GroupedEventTable.build(
                    time: time, event: c.status.doubles.map { $0 == 1 },
                    group: [Int32](repeating: 0, count: time.count), groupCount: 1, maximumDistinctFraction: 1))
                let fit = try #require(try table.kaplanMeier(confidenceType: type).first)
                #expect(fit.steps.count == ref.time.count, "\(c.name)")
                for (i, step) in fit.steps.enumerated() where i < ref.time.count {
                    #expect(step.time == ref.time[i])
                    #expect(Double(step.atRisk) == ref.n_risk[i])
                    expectNear(step.survival, ref.surv[i], absolute: 1e-12, "\(c.name) surv")
                    expectNear(step.lower, ref.lower[i], absolute: 1e-10, "\(c.name) [\(confType)] lower")
                    expectNear(step.upper, ref.upper[i], absolute: 1e-10, "\(c.name) [\(confType)] upper")
                }
            }
        }
    }

    @Test func mostlyDistinctTimesFallBackToSorting() throws {
        let time = (0..<1000).map { Double($0) * 0.37 }
        let table = try GroupedEventTable.build(
            time: time, event: time.map { _ in true }, group: [Int32](repeating: 0, count: 1000), groupCount: 1)
        #expect(table?.times.count == nil)
    }
}
