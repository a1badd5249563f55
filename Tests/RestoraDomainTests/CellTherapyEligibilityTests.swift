import Testing
@testable import RestoraDomain

/// Screening for `asc-azoospermia` (REFERENCE.md D1, B4) and `msc-osteoporosis` (REFERENCE.md C1, C5).
@Suite struct CellTherapyEligibilityTests {
    typealias F = ProtocolFixture
    static let screeningDate = F.day("2026-06-01")

    // MARK: asc-azoospermia

    /// 36, NOA with FSH 18 IU/L, azoospermic on two pellet-examined analyses, full hormone work-up,
    /// normal karyotype, no Y microdeletion, no prior testicular surgery, every section reviewed.
    static var ascEligible: ParticipantRecord {
        ParticipantRecord(
            participant: F.participant(sex: .male, born: "1990-01-01", diagnoses: ["N46.01"]),
            observations: [
                F.semen("sa-1", "azoospermia", on: "2026-03-02"),
                F.semen("sa-2", "azoospermia", on: "2026-03-20"),
                F.observation("fsh", .loinc, "15067-2", F.quantity(18, "[IU]/L"), on: "2026-05-01"),
                F.observation("lh", .loinc, "10501-5", F.quantity(9, "[IU]/L"), on: "2026-05-01"),
                F.observation("t", .loinc, "2986-8", F.quantity(350, "ng/dL"), on: "2026-05-01"),
                F.observation("inhb", .loinc, "34319-4", F.quantity(20, "pg/mL"), on: "2026-05-01"),
                F.observation("vol", .restora, "testicular-volume", F.quantity(8, "mL"), on: "2026-05-01"),
                F.observation("kar", .restora, "karyotype", .coded(Coding(.restora, "normal")), on: "2026-04-01"),
                F.observation("ymd", .restora, "y-microdeletion", .coded(Coding(.restora, "not-detected")), on: "2026-04-01"),
            ],
            reviewedSections: F.allSectionsReviewed)
    }

    static func screenASC(_ record: ParticipantRecord) throws -> EligibilityReport {
        EligibilityEngine.screen(record, against: try F.definition("asc-azoospermia"), on: screeningDate)
    }

    @Test func ascReferenceCandidateIsEligible() throws {
        let report = try Self.screenASC(Self.ascEligible)
        #expect(report.verdict == .eligible, "\(report.missing) \(report.failing)")
    }

    static let ascExclusions: [(String, RecordChange)] = [
        ("obstructive-azoospermia", RecordChange("N46.023") {
            $0.participant.diagnoses.append(Diagnosis(code: Coding(.icd10cm, "N46.023"))) }),
        ("prior-testicular-surgery", RecordChange("micro-TESE in 2024") {
            $0.procedures.append(Procedure(id: "tese", participantID: "p-1", kind: .spermRetrieval,
                                           performed: F.day("2024-05-01").startOfDayUTC, outcome: "no sperm")) }),
        ("genital-infection-or-anomaly", RecordChange("epididymitis N45.1") {
            $0.participant.diagnoses.append(Diagnosis(code: Coding(.icd10cm, "N45.1"))) }),
        ("malignancy-or-hepatitis", RecordChange("chronic hepatitis B B18.1") {
            $0.participant.diagnoses.append(Diagnosis(code: Coding(.icd10cm, "B18.1"))) }),
        ("chromosomal-aberration", RecordChange("47,XXY karyotype") {
            $0.observations.removeAll { $0.id == "kar" }
            $0.observations.append(F.observation("kar-2", .restora, "karyotype", .coded(Coding(.restora, "abnormal")), on: "2026-04-01")) }),
    ]

    @Test func ascTableCoversEveryExclusion() throws {
        #expect(Set(Self.ascExclusions.map(\.0)) == Set(try F.definition("asc-azoospermia").exclusion.map(\.id)))
    }

    @Test(arguments: ascExclusions)
    func ascEachExclusionAloneMakesIneligible(_ expected: String, _ change: RecordChange) throws {
        let report = try Self.screenASC(change.applied(to: Self.ascEligible))
        #expect(report.verdict == .ineligible)
        #expect(report.failing == [expected])
    }

    static let ascIncompletes: [(String, RecordChange)] = [
        ("chromosomal-aberration", RecordChange("no karyotype yet") { $0.observations.removeAll { $0.id == "kar" } }),
        ("hormone-and-testis-evaluation", RecordChange("no inhibin B") { $0.observations.removeAll { $0.id == "inhb" } }),
        ("prior-testicular-surgery", RecordChange("procedures not reviewed") { $0.reviewedSections.remove(.procedures) }),
    ]

    @Test(arguments: ascIncompletes)
    func ascMissingDataMakesIncomplete(_ criterion: String, _ change: RecordChange) throws {
        let report = try Self.screenASC(change.applied(to: Self.ascEligible))
        #expect(report.verdict == .incomplete)
        #expect(report.result(for: criterion)?.outcome == .unknown)
    }

    @Test func ascNonObstructiveByDiagnosisWhenFSHIsNormal() throws {
        // Maturation arrest can have a normal FSH (REFERENCE.md B4); the N46.01 diagnosis then carries the criterion.
        var record = Self.ascEligible
        record.observations.removeAll { $0.id == "fsh" }
        record.observations.append(F.observation("fsh-2", .loinc, "15067-2", F.quantity(5, "m[IU]/mL"), on: "2026-05-01"))
        #expect(try Self.screenASC(record).result(for: "non-obstructive")?.outcome == .met)
        record.participant.diagnoses = []
        #expect(try Self.screenASC(record).failing == ["non-obstructive"])
    }

    // MARK: msc-osteoporosis

    /// 71-year-old postmenopausal woman, lumbar-spine T −2.8, DXA at all three sites, on alendronate as an
    /// adjunct (allowed), no malignancy, no anticoagulant, no bone-anabolic drug.
    static var mscEligible: ParticipantRecord {
        ParticipantRecord(
            participant: F.participant(sex: .female, born: "1955-05-05", postmenopausal: true),
            observations: [
                F.observation("ls", .loinc, "38267-1", F.quantity(-2.8, "{T-score}"), on: "2026-04-10"),
                F.observation("fn", .loinc, "38263-0", F.quantity(-2.1, "SD"), on: "2026-04-10"),
                F.observation("th", .loinc, "38264-8", F.quantity(-1.9, "{T-score}"), on: "2026-04-10"),
            ],
            medications: [F.medication("bisphosphonate", adjunct: true)],
            reviewedSections: F.allSectionsReviewed)
    }

    static func screenMSC(_ record: ParticipantRecord) throws -> EligibilityReport {
        EligibilityEngine.screen(record, against: try F.definition("msc-osteoporosis"), on: screeningDate)
    }

    @Test func mscReferenceCandidateIsEligible() throws {
        let report = try Self.screenMSC(Self.mscEligible)
        #expect(report.verdict == .eligible, "\(report.missing) \(report.failing)")
    }

    static let mscExclusions: [(String, RecordChange)] = [
        ("active-malignancy", RecordChange("breast cancer C50.911") {
            $0.participant.diagnoses.append(Diagnosis(code: Coding(.icd10cm, "C50.911"))) }),
        ("anticoagulation", RecordChange("current apixaban") { $0.medications.append(F.medication("anticoagulant")) }),
        ("recent-bone-anabolic-or-denosumab", RecordChange("teriparatide stopped 4 months ago") {
            $0.medications.append(F.medication("teriparatide", start: "2024-02-01", stop: "2026-02-01")) }),
    ]

    @Test func mscTableCoversEveryExclusion() throws {
        #expect(Set(Self.mscExclusions.map(\.0)) == Set(try F.definition("msc-osteoporosis").exclusion.map(\.id)))
    }

    @Test(arguments: mscExclusions)
    func mscEachExclusionAloneMakesIneligible(_ expected: String, _ change: RecordChange) throws {
        let report = try Self.screenMSC(change.applied(to: Self.mscEligible))
        #expect(report.verdict == .ineligible)
        #expect(report.failing == [expected])
    }

    @Test func mscOsteopeniaWithoutFractureIsIneligible() throws {
        var record = Self.mscEligible
        record.observations.removeAll { $0.id == "ls" }
        record.observations.append(F.observation("ls-2", .loinc, "38267-1", F.quantity(-2.4, "{T-score}"), on: "2026-04-10"))
        #expect(try Self.screenMSC(record).failing == ["osteoporosis"])
        // A fragility fracture makes it osteoporosis whatever the T-score (AACE/ACE 2020, REFERENCE.md C1).
        record.participant.history.append(F.history(.fracture, "fragility-fracture", on: "2025-11-03"))
        #expect(try Self.screenMSC(record).verdict == .eligible)
    }

    @Test func mscTScoreBoundaryIsInclusive() throws {
        var record = Self.mscEligible
        record.observations = record.observations.filter { $0.id != "ls" }
            + [F.observation("ls-3", .loinc, "38267-1", F.quantity(-2.5, "{T-score}"), on: "2026-04-10")]
        #expect(try Self.screenMSC(record).verdict == .eligible)
    }

    @Test func mscTScoresApplyOnlyToMenAndPostmenopausalWomen() throws {
        // REFERENCE.md C1: WHO T-score categories apply to postmenopausal women and men ≥ 50.
        var record = Self.mscEligible
        record.participant.postmenopausal = false
        #expect(try Self.screenMSC(record).failing == ["t-score-population"])
        record.participant.postmenopausal = nil
        let unknown = try Self.screenMSC(record)
        #expect(unknown.verdict == .incomplete)
        #expect(unknown.missing == ["t-score-population: menopausal status"])
        record.participant.sex = .male
        #expect(try Self.screenMSC(record).verdict == .eligible)
    }

    @Test func mscMissingHipScanIsIncomplete() throws {
        var record = Self.mscEligible
        record.observations.removeAll { $0.id == "th" }
        let report = try Self.screenMSC(record)
        #expect(report.verdict == .incomplete)
        #expect(report.result(for: "dxa-evaluation")?.outcome == .unknown)
        #expect(report.result(for: "osteoporosis")?.outcome == .met)
    }
}
