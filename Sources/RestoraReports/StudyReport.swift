import RestoraDomain

/// The study report of one program: every number computed from the participants' records by the domain
/// rules and RestoraStats. Codable; its JSON shape is documented in docs/report-format.md.
public struct StudyReport: Codable, Sendable, Equatable {
    public struct ProgramInfo: Codable, Sendable, Equatable {
        public var protocolID: String
        public var protocolVersion: String
        public var title: String
        public var name: String
        public var kind: String
        public var asOf: CalendarDate
        /// Which rule gave `asOf` (`ReportCutOff.rule`); absent in reports built before issue #19.
        public var asOfRule: String?
        public var synthetic: Bool
        /// Printed at the top of every rendering when `synthetic` is true.
        public var label: String?
        /// Who is on which protocol version (docs/amendments.md): participants per version their enrolment
        /// runs under, oldest version first.
        public var versions: [VersionCount]?
        /// The table is worth printing when someone runs under another version than the report's.
        public var showsVersions: Bool {
            guard let versions else { return false }
            return versions.count > 1 || versions.contains { $0.version != protocolVersion }
        }
    }

    /// Participants whose enrolment runs under one protocol version.
    public struct VersionCount: Codable, Sendable, Equatable {
        public var version: String
        public var participants: Int
    }

    public static let formatVersion = 1

    public var formatVersion: Int
    public var program: ProgramInfo
    public var flow: ReportSection<ParticipantFlow>
    public var baseline: ReportSection<BaselineTable>
    public var primaryEndpoint: ReportSection<PrimaryEndpoint>
    public var timeToResponse: ReportSection<TimeToResponse>
    public var subgroups: [SubgroupSection]
    public var safety: ReportSection<SafetyTable>
    public var boneDensity: ReportSection<BoneDensitySection>
    public var predictors: ReportSection<PredictorsSection>
    public var nextTrial: ReportSection<NextTrialPlanner>
    public var notes: [String]
    /// The heads of the audit chains when the report was made (`restora report`; docs/audit-integrity.md):
    /// kept with the printed report, they let `restora audit verify --anchor` prove later that no chain was
    /// rewritten since. Absent where the report is computed without the store (the web page, tests).
    public var auditHeads: [AuditHead]?

    /// One chain's head: its name ("site DEMO-BH", "site-less records"), last entry and that entry's hash.
    public struct AuditHead: Codable, Sendable, Equatable {
        public var chain: String
        public var sequence: Int
        public var hash: String

        public init(chain: String, sequence: Int, hash: String) {
            self.chain = chain
            self.sequence = sequence
            self.hash = hash
        }
    }
}

extension StudyReport {
    /// Builds the report. Throws only when the statistics refuse their input, which valid records cannot cause.
    /// The sections read from the participants come first; the participants are then let go, so the statistics
    /// (an exact test may use tens of MB at 10^5 participants) run with only the per-participant outcomes held
    /// — the dataset is consumed for that (issue #13: the report at 10^5 participants in bounded memory).
    public static func build(_ dataset: consuming ProgramDataset, rule: ResponseRule = ResponseRule(),
                             syntheticLabel: String = "SYNTHETIC DEMO DATA") throws -> StudyReport {
        let definition = dataset.definition
        let semenPrimary = ResponseRule.semenPrimaryEndpoint(of: definition)
        var notes: [String] = []
        if dataset.participants.isEmpty { notes.append("this program has no participants yet") }
        if let ongoing = AnalysisSet.note(dataset.participants) { notes.append(ongoing) }
        if definition.arms.count < 2 {
            notes.append("single-arm program: there is no control group, so responses cannot be attributed to the treatment")
        }
        let info = ProgramInfo(protocolID: definition.id, protocolVersion: definition.version, title: definition.title,
                               name: dataset.programName, kind: definition.kind.rawValue, asOf: dataset.asOf,
                               synthetic: dataset.synthetic, label: dataset.synthetic ? syntheticLabel : nil,
                               versions: Self.versions(dataset))
        let outcomes: [SemenOutcome]
        let flow: ReportSection<ParticipantFlow>, bone: ReportSection<BoneDensitySection>
        let baseline: ReportSection<BaselineTable>, safety: ReportSection<SafetyTable>
        do {
            let treated = AnalysisSet.analysed(dataset.participants)  // not those still on treatment (AnalysisSet.swift)
            outcomes = semenPrimary == nil ? [] : treated.compactMap { SemenOutcome($0, rule: rule) }
            flow = dataset.participants.isEmpty
                ? ReportSection(unavailable: "no participants: nobody has been pre-screened for this program yet")
                : ReportSection(ParticipantFlow.compute(dataset.participants, analysed: treated.count))
            bone = BoneDensitySection.measuresBone(definition) ? try BoneDensitySection.compute(treated)
                : ReportSection(unavailable: "this protocol does not measure bone density (no DXA in its assessments)")
            baseline = BaselineTable.compute(treated, semen: outcomes)
            safety = SafetyTable.compute(treated)
        }
        dataset.participants = []

        let primary: ReportSection<PrimaryEndpoint>
        let timeToResponse: ReportSection<TimeToResponse>
        var subgroups: [SubgroupSection] = []
        let predictors: ReportSection<PredictorsSection>
        if let endpoint = semenPrimary {
            primary = try PrimaryEndpoint.compute(outcomes, endpointID: endpoint.id, title: endpoint.title, rule: rule)
            timeToResponse = try TimeToResponse.compute(outcomes)
            subgroups.append(try SubgroupAnalysis.section(outcomes, factor: "diagnosis at screening") { $0.diagnosis })
            subgroups.append(try SubgroupAnalysis.section(outcomes, factor: "testicular histology") {
                $0.histology.map { SemenOutcome.histologyName($0) }
            })
            subgroups.append(try SubgroupAnalysis.section(outcomes, factor: "maturation arrest vs other histology") {
                $0.histology.map { $0 == "maturation-arrest" ? "maturation arrest" : "other histology" }
            })
            predictors = PredictorsSection.compute(outcomes)
        } else {
            let reason = "the protocol's primary endpoint (\(definition.endpoints.primary.map(\.title).joined(separator: "; "))) has no responder definition; see the safety and bone-density sections"
            primary = ReportSection(unavailable: reason)
            timeToResponse = ReportSection(unavailable: "no response event is defined for this program")
            predictors = ReportSection(unavailable: "no response event is defined for this program")
        }
        return StudyReport(
            formatVersion: formatVersion, program: info, flow: flow,
            baseline: baseline, primaryEndpoint: primary,
            timeToResponse: timeToResponse, subgroups: subgroups, safety: safety,
            boneDensity: bone, predictors: predictors, nextTrial: NextTrialPlanner.compute(primary.content),
            notes: notes)
    }
}

extension StudyReport {
    /// Participants per protocol version of their enrolment (an enrolment not yet stored counts under the
    /// report's version), ordered as versions read.
    static func versions(_ dataset: ProgramDataset) -> [VersionCount] {
        let counts = dataset.participants.reduce(into: [String: Int]()) {
            $0[$1.enrolment.protocolVersion ?? dataset.definition.version, default: 0] += 1
        }
        return counts.keys.sorted { ProtocolVersion($0) < ProtocolVersion($1) }.map { VersionCount(version: $0, participants: counts[$0] ?? 0) }
    }
}
