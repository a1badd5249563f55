import Testing
@testable import RestoraDomain

/// Screening for `isotretinoin-noa` (REFERENCE.md A1, A2): one eligible man, then one thing broken at a time.
@Suite struct IsotretinoinEligibilityTests {
    typealias F = ProtocolFixture
    static let screeningDate = F.day("2026-06-01")

    /// 38 years old, NOA (N46.01), azoospermic on two pellet-examined analyses 14 days apart, normal labs,
    /// PHQ-9 5, one drink a day, no excluded medication, every section reviewed.
    static var eligible: ParticipantRecord {
        ParticipantRecord(
            participant: F.participant(sex: .male, born: "1988-03-15", diagnoses: ["N46.01"]),
            observations: [
                F.semen("sa-1", "azoospermia", on: "2026-03-02"),
                F.semen("sa-2", "azoospermia", on: "2026-03-16"),
                F.observation("phq-1", .loinc, "44261-6", .integer(5), on: "2026-05-20"),
                F.observation("tg-1", .loinc, "2571-8", F.quantity(120, "mg/dL"), on: "2026-05-20"),
                F.observation("alt-1", .loinc, "1742-6", F.quantity(30, "U/L"), on: "2026-05-20"),
                F.observation("ast-1", .loinc, "1920-8", F.quantity(28, "U/L"), on: "2026-05-20"),
                F.observation("alc-1", .restora, "alcohol-drinks-per-day", F.quantity(1, "{drinks}/d"), on: "2026-05-20"),
            ],
            medications: [F.medication("analgesic")],
            reviewedSections: F.allSectionsReviewed)
    }

    static func screen(_ record: ParticipantRecord) throws -> EligibilityReport {
        EligibilityEngine.screen(record, against: try F.definition("isotretinoin-noa"), on: screeningDate)
    }

    @Test func theReferenceCandidateIsEligible() throws {
        let report = try Self.screen(Self.eligible)
        #expect(report.verdict == .eligible, "\(report.missing) \(report.failing)")
        #expect(report.criteria.allSatisfy { !$0.disqualifies && $0.outcome != .unknown })
        let semen = try #require(report.result(for: "confirmed-azoospermia-or-cryptozoospermia"))
        #expect(semen.evidence.map(\.reference) == ["sa-1", "sa-2"])
    }

    /// Every exclusion of the protocol, each triggered alone (REFERENCE.md A2, RA-4 list).
    static let exclusions: [(String, RecordChange)] = [
        ("obstructive-azoospermia", RecordChange("N46.023 diagnosis") {
            $0.participant.diagnoses.append(Diagnosis(code: Coding(.icd10cm, "N46.023"))) }),
        ("hypogonadotropic-hypogonadism", RecordChange("E23.0 diagnosis") {
            $0.participant.diagnoses.append(Diagnosis(code: Coding(.icd10cm, "E23.0"))) }),
        ("anabolic-steroids", RecordChange("current nandrolone") { $0.medications.append(F.medication("anabolic-steroid")) }),
        ("substance-use", RecordChange("6 drinks a day, newer than the 1 a day") {
            $0.observations.append(F.observation("alc-2", .restora, "alcohol-drinks-per-day", F.quantity(6, "{drinks}/d"), on: "2026-05-25")) }),
        ("retinoid-or-vitamin-a", RecordChange("current vitamin A") { $0.medications.append(F.medication("vitamin-a")) }),
        ("recent-isotretinoin", RecordChange("isotretinoin stopped 42 days ago") {
            $0.medications.append(F.medication("retinoid", code: Coding(.rxnorm, "6064"), start: "2025-10-01", stop: "2026-04-20")) }),
        ("phenytoin-or-tetracycline", RecordChange("current doxycycline") { $0.medications.append(F.medication("tetracycline")) }),
        ("phenytoin-or-tetracycline", RecordChange("current phenytoin") { $0.medications.append(F.medication("phenytoin")) }),
        ("substance-use", RecordChange("illicit drug use in the history") {
            $0.participant.history.append(F.history(.exposure, "illicit-drug-use", on: "2025-12-01")) }),
        ("retinoid-or-vitamin-a", RecordChange("current topical retinoid") { $0.medications.append(F.medication("retinoid")) }),
        ("serious-psychiatric-history", RecordChange("serious psychiatric illness") {
            $0.participant.history.append(F.history(.condition, "serious-psychiatric-illness")) }),
        ("phq9-above-15", RecordChange("PHQ-9 17") {
            $0.observations.append(F.observation("phq-2", .loinc, "44261-6", .integer(17), on: "2026-05-28")) }),
        ("elevated-triglycerides", RecordChange("TG 2.3 mmol/L = 204 mg/dL") {
            $0.observations.append(F.observation("tg-2", .loinc, "2571-8", F.quantity(2.3, "mmol/L"), on: "2026-05-28")) }),
        ("abnormal-liver-chemistry", RecordChange("ALT 150 U/L") {
            $0.observations.append(F.observation("alt-2", .loinc, "1742-6", F.quantity(150, "U/L"), on: "2026-05-28")) }),
        ("ibd-or-bone-disease", RecordChange("Crohn disease K50.90") {
            $0.participant.diagnoses.append(Diagnosis(code: Coding(.icd10cm, "K50.90"))) }),
        ("other-trial", RecordChange("in another trial") {
            $0.participant.history.append(F.history(.other, "other-trial-participation")) }),
    ]

    @Test func theTableCoversEveryExclusionOfTheFile() throws {
        let definition = try F.definition("isotretinoin-noa")
        #expect(Set(Self.exclusions.map(\.0)) == Set(definition.exclusion.map(\.id)))
    }

    @Test(arguments: exclusions)
    func eachExclusionAloneMakesIneligible(_ expected: String, _ change: RecordChange) throws {
        let report = try Self.screen(change.applied(to: Self.eligible))
        #expect(report.verdict == .ineligible)
        #expect(report.failing == [expected])
        #expect(report.result(for: expected)?.evidence.isEmpty == false)
    }

    static let inclusionFailures: [(String, RecordChange)] = [
        ("age", RecordChange("61 on the screening date") { $0.participant.birthDate = F.day("1965-05-31") }),
        ("male", RecordChange("female") { $0.participant.sex = .female }),
        ("male-infertility-diagnosis", RecordChange("no N46 diagnosis, list reviewed") { $0.participant.diagnoses = [] }),
        ("confirmed-azoospermia-or-cryptozoospermia", RecordChange("second analysis shows sperm") {
            $0.observations.removeAll { $0.id == "sa-2" }
            $0.observations.append(F.semen("sa-3", "oligozoospermia", on: "2026-03-16")) }),
    ]

    @Test(arguments: inclusionFailures)
    func eachInclusionNotMetMakesIneligible(_ expected: String, _ change: RecordChange) throws {
        let report = try Self.screen(change.applied(to: Self.eligible))
        #expect(report.verdict == .ineligible)
        #expect(report.failing == [expected])
    }

    @Test func ageBoundsAreInclusive() throws {
        var sixty = Self.eligible
        sixty.participant.birthDate = F.day("1966-06-01")  // 60th birthday on the screening date
        #expect(try Self.screen(sixty).verdict == .eligible)
        var twentyOne = Self.eligible
        twentyOne.participant.birthDate = F.day("2005-06-01")
        #expect(try Self.screen(twentyOne).verdict == .eligible)
        twentyOne.participant.birthDate = F.day("2005-06-02")  // still 20
        #expect(try Self.screen(twentyOne).failing == ["age"])
    }

    static let incompletes: [(String, RecordChange)] = [
        ("phq9-above-15", RecordChange("no PHQ-9 in 30 days") { $0.observations.removeAll { $0.id == "phq-1" } }),
        ("confirmed-azoospermia-or-cryptozoospermia", RecordChange("only one analysis") {
            $0.observations.removeAll { $0.id == "sa-2" } }),
        ("confirmed-azoospermia-or-cryptozoospermia", RecordChange("pellet not examined on one") {
            $0.observations.removeAll { $0.id == "sa-2" }
            $0.observations.append(F.semen("sa-2b", "azoospermia", on: "2026-03-16", pellet: false)) }),
        ("confirmed-azoospermia-or-cryptozoospermia", RecordChange("analyses 3 days apart") {
            $0.observations.removeAll { $0.id == "sa-2" }
            $0.observations.append(F.semen("sa-2c", "azoospermia", on: "2026-03-05")) }),
        ("elevated-triglycerides", RecordChange("TG in g/L, no declared conversion") {
            $0.observations.removeAll { $0.id == "tg-1" }
            $0.observations.append(F.observation("tg-3", .loinc, "2571-8", F.quantity(1.2, "g/L"), on: "2026-05-20")) }),
        ("retinoid-or-vitamin-a", RecordChange("medication list not reviewed") {
            $0.reviewedSections.remove(.medications) }),
    ]

    @Test(arguments: incompletes)
    func missingDataMakesIncomplete(_ criterion: String, _ change: RecordChange) throws {
        let report = try Self.screen(change.applied(to: Self.eligible))
        #expect(report.verdict == .incomplete)
        #expect(report.result(for: criterion)?.outcome == .unknown)
        #expect(report.missing.contains { $0.hasPrefix("\(criterion): ") })
    }

    @Test func anUnitMismatchSaysWhatWasFound() throws {
        let change = Self.incompletes[4].1
        let result = try #require(try Self.screen(change.applied(to: Self.eligible)).result(for: "elevated-triglycerides"))
        #expect(result.missing.first?.contains("g/L") == true)
        #expect(result.missing.first?.contains("mg/dL") == true)
    }

    @Test func ineligibleWinsOverIncomplete() throws {
        var record = Self.eligible
        record.observations.removeAll { $0.id == "phq-1" }
        record.participant.sex = .female
        let report = try Self.screen(record)
        #expect(report.verdict == .ineligible)
        #expect(report.failing == ["male"])
        #expect(report.missing.contains { $0.hasPrefix("phq9-above-15: ") })
    }

    @Test func factsAfterTheScreeningDateAreIgnored() throws {
        var record = Self.eligible
        record.observations.append(F.observation("tg-late", .loinc, "2571-8", F.quantity(600, "mg/dL"), on: "2026-06-02"))
        #expect(try Self.screen(record).verdict == .eligible)
    }
}
