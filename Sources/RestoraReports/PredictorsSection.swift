import RestoraStats

/// Predictors of response: Firth's penalized logistic regression (finite estimates even with separation)
/// on baseline FSH, testicular volume and maturation arrest (REFERENCE.md A1: MA had the highest response;
/// B4: FSH and volume as markers). Complete cases only.
public struct PredictorsSection: Codable, Sendable, Equatable {
    public struct Predictor: Codable, Sendable, Equatable {
        public var name: String
        public var oddsRatio: Double
        public var lower: Double?
        public var upper: Double?
        public var pValue: Double
        public var text: String
    }

    public var method: String
    public var n: Int
    public var events: Int
    public var predictors: [Predictor]
    public var caution: String

    static func compute(_ outcomes: [SemenOutcome]) -> ReportSection<PredictorsSection> {
        let complete = outcomes.filter { $0.baselineFSH != nil && $0.testicularVolume != nil }
        guard !complete.isEmpty else {
            return ReportSection(unavailable: "no participant has both a baseline FSH and a testicular volume")
        }
        let events = complete.filter(\.responder).count
        guard events > 0, events < complete.count else {
            return ReportSection(unavailable: events == 0
                ? "no responders among \(complete.count) participants with complete data: nothing to predict"
                : "every one of \(complete.count) participants responded: nothing to predict")
        }
        let names = ["FSH (per IU/L)", "Testicular volume (per mL)", "Maturation arrest (vs other or unknown)"]
        let columns: [[Double]] = [
            complete.map { $0.baselineFSH ?? 0 },
            complete.map { $0.testicularVolume ?? 0 },
            complete.map { $0.histology == "maturation-arrest" ? 1 : 0 },
        ]
        // A covariate without variation (e.g. no maturation arrest in the program) cannot be estimated: drop it and say so.
        let kept = names.indices.filter { k in Set(columns[k]).count > 1 }
        let dropped = names.indices.filter { !kept.contains($0) }.map { names[$0] }
        guard !kept.isEmpty else {
            return ReportSection(unavailable: "no predictor varies between participants: nothing to estimate")
        }
        let caution = "Only \(complete.count) participants and \(ReportNumber.count(events, "responder")): about \(ReportNumber.fixed(Double(events) / Double(max(kept.count, 1)), places: 1)) responders per predictor, where about 10 are usually wanted. The odds ratios are very imprecise and may be far from the truth; read them as ideas for the next trial, not findings."
        do {
            let model = try LogisticRegression.fit(
                outcome: complete.map { $0.responder ? 1 : 0 }, covariates: kept.map { columns[$0] }, names: kept.map { names[$0] },
                outcomeName: "response",
                method: .firth)
            let predictors = model.coefficients.dropFirst().map { c -> Predictor in
                let lower = (c.profileLower ?? c.waldLower).exponentialIfFinite
                let upper = (c.profileUpper ?? c.waldUpper).exponentialIfFinite
                let range = lower.flatMap { l in upper.map { "\(ReportNumber.fixed(l, places: 2))–\(ReportNumber.fixed($0, places: 2))" } } ?? "not estimable"
                return Predictor(name: c.name, oddsRatio: c.oddsRatio, lower: lower, upper: upper, pValue: c.pValue,
                                 text: "OR \(ReportNumber.fixed(c.oddsRatio, places: 2)) (95% CI \(range)), p = \(ReportNumber.pValue(c.pValue))")
            }
            return ReportSection(PredictorsSection(
                method: "Firth penalized logistic regression, profile-likelihood 95% intervals", n: complete.count,
                events: events, predictors: predictors, caution: caution),
                notes: dropped.map { "\($0) left out: the same value for every participant" })
        } catch {
            return ReportSection(unavailable: "the model could not be fitted: \(error)", notes: [caution])
        }
    }
}

extension Double {
    /// exp(x) when finite, nil otherwise (a report never prints NaN or infinity).
    var exponentialIfFinite: Double? {
        guard isFinite else { return nil }
        let value = Foundation.exp(self)
        return value.isFinite ? value : nil
    }
}

import Foundation
