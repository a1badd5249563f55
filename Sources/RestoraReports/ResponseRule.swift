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
/// predictors use. Everything comes from the record: semen panels, histology, FSH, testicular volume.
struct SemenOutcome: Sendable {
    var data: ProgramParticipantData
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
        self.data = data
        let panels = Dictionary(grouping: data.record.observations.filter(ReportCodes.isSemen)) {
            $0.panelID ?? $0.effectiveDate.description
        }
        var unreadable = 0
        var samples: [(date: CalendarDate, day: Int, finding: MotileSpermFinding, terms: [SemenTerm])] = []
        for observations in panels.values {
            guard let first = observations.first, let analysis = try? SemenAnalysis(observations: observations),
                  let reading = try? analysis.interpret() else { unreadable += 1; continue }
            let date = first.effectiveDate
            let planned = data.visits.first { $0.id == first.visitID }?.plannedDay
            samples.append((date, planned ?? start.days(until: date), reading.motileSpermInEjaculate, reading.terms))
        }
        samples.sort { $0.date < $1.date }
        unreadableSamples = unreadable
        let before = samples.filter { $0.date < start }
        diagnosis = before.contains { $0.terms == [.cryptozoospermia] } ? "cryptozoospermia"
            : before.contains { $0.terms == [.azoospermia] } ? "azoospermia" : nil
        let after = samples.filter { $0.date > start }
        let positive = after.filter { $0.finding == .present }
        responder = positive.count >= rule.minimumPositiveSamples
        samplesAfterDayZero = after.count
        positiveSamples = positive.count
        let day = responder ? positive[0].day : (after.last?.day ?? 0)
        months = Double(max(0, day)) / ResponseRule.daysPerMonth
        histology = data.record.observations.first { $0.code.sameConcept(as: ReportCodes.histology) }?.value.coding?.code
        baselineFSH = Self.latest(data.record, code: ReportCodes.fsh, onOrBefore: start).first
        let volumes = Self.latest(data.record, code: ReportCodes.testicularVolume, onOrBefore: start)
        testicularVolume = volumes.isEmpty ? nil : volumes.reduce(0, +) / Double(volumes.count)
    }

    /// Values of the most recent date on or before `date` (both testes share a date).
    static func latest(_ record: ParticipantRecord, code: Coding, onOrBefore date: CalendarDate) -> [Double] {
        let candidates = record.observations.filter { $0.code.sameConcept(as: code) && $0.effectiveDate <= date }
        guard let newest = candidates.map(\.effectiveDate).max() else { return [] }
        return candidates.filter { $0.effectiveDate == newest }.compactMap(\.value.number).filter(\.isFinite)
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
