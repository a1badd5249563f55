import RestoraDomain

/// The programs' response definition applied over a participant's samples: motile sperm in the
/// ejaculate, judged per sample by the domain (`MotileSpermFinding`, REFERENCE.md A1 "reliable, motile
/// ejaculated sperm", A2 RA-4), on at least `minimumPositiveSamples` samples after day 0. "Reliable" is
/// not defined numerically in A1 (U): two samples is a default a program may change.
public struct ResponseRule: Codable, Sendable, Equatable {
    public var minimumPositiveSamples: Int
    public var description: String

    /// At least one sample: a rule of 0 would count every treated participant as a responder.
    public init(minimumPositiveSamples: Int = 2) {
        let minimumPositiveSamples = max(1, minimumPositiveSamples)
        self.minimumPositiveSamples = minimumPositiveSamples
        description = "motile sperm in the ejaculate (fresh preparation or examined centrifuged pellet) on at least \(minimumPositiveSamples) semen analyses after day 0; time to response is the scheduled day of the first such visit"
    }

    /// Average month length, so that the month-3 visit (day 90 or 91) falls at or before 3 months.
    static let daysPerMonth = 365.25 / 12
}

/// One analysed participant seen through the response rule, with the baseline facts subgroups and
/// predictors use. Everything comes from the record (semen panels, histology, FSH, testicular volume), through
/// the participant's `SemenSummary`: the one kept by `reducedForReport()`, else one made from the record here.
struct SemenOutcome: Sendable {
    var responder: Bool
    /// Semen analyses after day 0, and those with motile sperm in the ejaculate.
    var samplesAfterDayZero: Int
    var positiveSamples: Int
    /// Months from day 0 to the first response (event) or to the last semen analysis (censored).
    var months: Double
    var diagnosis: String?
    var histology: String?
    var baselineFSH: Double?
    var testicularVolume: Double?
    var unreadableSamples: Int

    init?(_ data: ProgramParticipantData, rule: ResponseRule) {
        guard let start = data.dayZero else { return nil }
        let summary = data.semenSummary ?? SemenSummary(data, dayZero: start)
        let after = summary.samplesAfterDayZero
        let positive = after.filter(\.motileSperm)
        responder = positive.count >= rule.minimumPositiveSamples
        samplesAfterDayZero = after.count
        positiveSamples = positive.count
        let day = responder ? positive[0].day : (after.last?.day ?? 0)
        months = Double(max(0, day)) / ResponseRule.daysPerMonth
        unreadableSamples = summary.unreadableSamples
        diagnosis = summary.diagnosis
        histology = summary.histology
        baselineFSH = summary.baselineFSH
        testicularVolume = summary.testicularVolume
    }

    /// Display names of the histology categories (REFERENCE.md B5).
    static func histologyName(_ code: String?) -> String {
        switch code {
        case "maturation-arrest": "maturation arrest"
        case "sertoli-cell-only": "Sertoli-cell-only"
        case "hypospermatogenesis": "hypospermatogenesis"
        case "normal-spermatogenesis": "normal spermatogenesis"
        case let other?: other
        case nil: "not available"
        }
    }
}
