import RestoraDomain

/// What the report reads of one treated participant's semen analyses and baseline facts, before any response
/// rule is applied: each semen analysis after day 0 reduced to its scheduled day and whether it found motile
/// sperm in the ejaculate, the diagnosis the screening samples gave, histology, FSH and testicular volume.
/// `SemenOutcome` applies the rule to it. Kept by `ProgramParticipantData.reducedForReport()` so that the
/// panels' observations — most of a program's rows — need not be held until the statistics run (issue #13).
struct SemenSummary: Sendable, Equatable {
    struct Sample: Sendable, Equatable {
        /// The visit's planned day, or days from day 0 to the sample for a sample outside a visit.
        var day: Int
        var motileSperm: Bool
    }

    /// Semen analyses after day 0, in date order.
    var samplesAfterDayZero: [Sample]
    /// Panels that could not be read as a semen analysis (`SemenAnalysis` refused them).
    var unreadableSamples: Int
    var diagnosis: String?
    var histology: String?
    var baselineFSH: Double?
    var testicularVolume: Double?

    init(_ data: ProgramParticipantData, dayZero start: CalendarDate) {
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
        samplesAfterDayZero = samples.filter { $0.date > start }.map { Sample(day: $0.day, motileSperm: $0.finding == .present) }
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

    /// The observations this summary stands for once made: every value of a semen analysis, histology, FSH and
    /// testicular volume. No other part of the report reads them (bone density reads DXA codes only).
    static func summarises(_ observation: Observation) -> Bool {
        ReportCodes.isSemen(observation) || observation.code.sameConcept(as: ReportCodes.histology)
            || observation.code.sameConcept(as: ReportCodes.fsh) || observation.code.sameConcept(as: ReportCodes.testicularVolume)
    }
}
