import RestoraDomain
import RestoraStats

/// BMD change per skeletal site from the last scan before day 0 to the latest scan after it, with a
/// t-interval for the mean % change and each participant's change judged against the least significant
/// change (LSC = 2.77 × precision error, REFERENCE.md C3) by the domain rule.
public struct BoneDensitySection: Codable, Sendable, Equatable {
    public struct Site: Codable, Sendable, Equatable {
        public var site: String
        public var n: Int
        public var meanChangePercent: Double
        public var lowerPercent: Double?
        public var upperPercent: Double?
        public var significantGains: Int
        public var significantLosses: Int
        public var noSignificantChange: Int
        public var leastSignificantChangePercent: Double
        public var precisionSource: String
        public var text: String
    }

    public var sites: [Site]
    public var participantsWithNewFracture: Int
    public var participantsOnAdjunctTherapy: Int

    static func compute(_ analysed: some Collection<ProgramParticipantData>) throws -> ReportSection<BoneDensitySection> {
        var sites: [Site] = []
        var notes: [String] = []
        for (site, code) in ReportCodes.bmd {
            var assessments: [BoneDensityChangeAssessment] = []
            for p in analysed {
                if let assessment = try change(p, site: site, code: code) { assessments.append(assessment) }
            }
            guard let first = assessments.first else { continue }
            let changes = assessments.map(\.changePercent)
            let mean = changes.reduce(0, +) / Double(changes.count)
            let t = try? TTest.oneSample(changes)
            if t == nil { notes.append("\(site.displayName): too few scans for an interval") }
            let gains = assessments.filter { $0.verdict == .significantGain }.count
            let losses = assessments.filter { $0.verdict == .significantLoss }.count
            let interval = t.map { " (95% CI \(ReportNumber.fixed($0.interval.lower, places: 1)) to \(ReportNumber.fixed($0.interval.upper, places: 1)))" } ?? ""
            sites.append(Site(
                site: site.displayName, n: assessments.count, meanChangePercent: mean,
                lowerPercent: t?.interval.lower, upperPercent: t?.interval.upper, significantGains: gains,
                significantLosses: losses, noSignificantChange: assessments.count - gains - losses,
                leastSignificantChangePercent: first.leastSignificantChange, precisionSource: first.precisionSource,
                text: "mean \(ReportNumber.fixed(mean, places: 1))%\(interval); \(gains) gains and \(losses) losses ≥ LSC of \(assessments.count)"))
        }
        guard !sites.isEmpty else {
            return ReportSection(unavailable: "no participant has both a DXA before day 0 and one after it yet")
        }
        let fractures = analysed.count { p in
            guard let start = p.dayZero else { return false }
            return p.record.participant.history.contains { $0.kind == .fracture && ($0.date.map { $0 > start } ?? false) }
                || p.record.adverseEvents.contains { $0.term.lowercased().contains("fracture") && $0.onset > start }
        }
        let adjunct = analysed.count { $0.record.medications.contains(where: \.adjunct) }
        return ReportSection(BoneDensitySection(sites: sites, participantsWithNewFracture: fractures,
                                                participantsOnAdjunctTherapy: adjunct), notes: notes)
    }

    /// Baseline rows for the characteristics table: lowest T-score, prior fragility fracture, adjuncts.
    static func baselineRows(_ analysed: some Collection<ProgramParticipantData>) -> [BaselineTable.Row] {
        let tCodes = ReportCodes.tScoreCodes
        let lowest = analysed.compactMap { p -> Double? in
            guard let start = p.dayZero else { return nil }
            return p.record.observations.filter { tCodes.contains($0.code.code) && $0.effectiveDate <= start }
                .compactMap(\.value.number).min()
        }
        guard !lowest.isEmpty else { return [] }
        let n = analysed.count
        let fracture = analysed.count { p in
            p.record.participant.history.contains { $0.kind == .fracture && ($0.date.map { d in p.dayZero.map { d <= $0 } ?? true } ?? true) }
        }
        let classes = Dictionary(grouping: analysed.flatMap { p in Set(p.record.medications.filter(\.adjunct).compactMap(\.drugClass)) }, by: { $0 })
        var rows = [
            BaselineTable.Row(label: "Lowest T-score (spine, femoral neck, total hip), median (IQR) [range]",
                              value: BaselineTable.summary(lowest, places: 1), n: lowest.count),
            BaselineTable.Row(label: "Prior fragility fracture", value: BaselineTable.count(fracture, of: n), n: n),
        ]
        for drugClass in classes.keys.sorted() {
            rows.append(.init(label: "Adjunct therapy: \(drugClass)", value: BaselineTable.count(classes[drugClass]?.count ?? 0, of: n), n: n))
        }
        return rows
    }
}
