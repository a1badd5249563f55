/// The diagnosis of azoospermia across samples: it needs at least two samples whose centrifuged pellets
/// were examined and held no sperm (REFERENCE.md B2 "confirmed on a centrifuged sample, usually on ≥2
/// samples"; B3 centrifugation), taken far enough apart (RA-4, NCT03323801: ≥2 analyses ≥1 week apart, A2).
public struct AzoospermiaDiagnosisRequirement: Codable, Sendable, Equatable, Hashable {
    public var minimumSamples: Int
    /// Days between the first and the last qualifying sample, inclusive (7 = "one week apart" passes).
    public var minimumDaysApart: Int
    public var centrifugation: CentrifugationRequirement

    public init(minimumSamples: Int, minimumDaysApart: Int, centrifugation: CentrifugationRequirement) {
        self.minimumSamples = minimumSamples
        self.minimumDaysApart = minimumDaysApart
        self.centrifugation = centrifugation
    }

    /// 2 samples ≥7 days apart, each spun ≥1,000 g for ≥15 min. Configurable per protocol.
    public static let `default` = AzoospermiaDiagnosisRequirement(
        minimumSamples: 2, minimumDaysApart: 7, centrifugation: .corea2005)
}

public struct AzoospermiaDiagnosis: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable, Equatable {
        /// Enough confirmed azoospermic samples, far enough apart.
        case confirmed
        /// Consistent with azoospermia so far, but the evidence is not yet sufficient (see `reasons`).
        case notConfirmed
        /// Sperm were seen in at least one sample: not azoospermia.
        case excluded
    }

    public var status: Status
    public var confirmedSamples: Int
    public var reasons: [String]

    public static func evaluate(
        _ samples: [SemenAnalysis], requirement: AzoospermiaDiagnosisRequirement = .default
    ) throws -> AzoospermiaDiagnosis {
        try AllowedRange(lower: 1, upper: 100, unit: "samples")
            .check(Double(requirement.minimumSamples), field: "minimumSamples")
        try AllowedRange(lower: 0, upper: 3650, unit: "days")
            .check(Double(requirement.minimumDaysApart), field: "minimumDaysApart")
        var reasons: [String] = []
        var confirmedDates: [CalendarDate?] = []
        for (index, sample) in samples.enumerated() {
            let label = "sample \(index + 1)" + (sample.collected.map { " (\($0))" } ?? "")
            let reading = try sample.interpret(centrifugation: requirement.centrifugation)
            let spermSeen = (sample.concentrationMillionPerML ?? 0) > 0 || (sample.effectiveTotalCountMillion ?? 0) > 0
                || (sample.pellet?.examined == true && sample.pellet?.spermSeen == true)
            if reading.terms.contains(.aspermia) {
                reasons.append("\(label): aspermia (no ejaculate) does not count towards azoospermia")
            } else if spermSeen {
                return AzoospermiaDiagnosis(
                    status: .excluded, confirmedSamples: confirmedDates.count,
                    reasons: ["\(label): sperm seen (\(reading.summary ?? "sperm present"))"])
            } else if reading.terms.contains(.azoospermia) {
                if reading.azoospermia?.confirmed == true {
                    confirmedDates.append(sample.collected)
                } else {
                    reasons.append("\(label): azoospermia not confirmed — \(reading.azoospermia?.reason ?? "pellet not examined")")
                }
            } else {
                reasons.append("\(label): \(reading.cannotClassify.first ?? "cannot classify")")
            }
        }
        let count = confirmedDates.count
        guard count >= requirement.minimumSamples else {
            reasons.insert("\(count) of \(requirement.minimumSamples) required samples confirm azoospermia", at: 0)
            return AzoospermiaDiagnosis(status: .notConfirmed, confirmedSamples: count, reasons: reasons)
        }
        if requirement.minimumDaysApart > 0 {
            let dates = confirmedDates.compactMap { $0 }
            guard dates.count == count, let first = dates.min(), let last = dates.max() else {
                reasons.insert("cannot check the interval: needs the collection date of every confirming sample", at: 0)
                return AzoospermiaDiagnosis(status: .notConfirmed, confirmedSamples: count, reasons: reasons)
            }
            let span = first.days(until: last)
            guard span >= requirement.minimumDaysApart else {
                reasons.insert("confirming samples are \(span) days apart; needs ≥\(requirement.minimumDaysApart)", at: 0)
                return AzoospermiaDiagnosis(status: .notConfirmed, confirmedSamples: count, reasons: reasons)
            }
        }
        return AzoospermiaDiagnosis(status: .confirmed, confirmedSamples: count, reasons: reasons)
    }
}
