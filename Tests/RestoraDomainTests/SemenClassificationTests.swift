import Testing
@testable import RestoraDomain

/// WHO nomenclature (REFERENCE.md B2) and azoospermia confirmation (B3).
@Suite("Semen classification (B2, B3)")
struct SemenClassificationTests {
    /// A sample at or above every 6th-edition LRL.
    static let normal = SemenAnalysis(
        volumeML: 3, concentrationMillionPerML: 20, totalMotilityPercent: 50, progressiveMotilityPercent: 35,
        vitalityPercent: 70, normalFormsPercent: 5)

    @Test func normozoospermia() throws {
        let result = try Self.normal.interpret()
        #expect(result.terms == [.normozoospermia])
        #expect(result.summary == "normozoospermia")
        #expect(result.edition == .sixth2021)
        #expect(result.cannotClassify.isEmpty)
    }

    @Test func oligoasthenoteratozoospermiaIsOneWord() throws {
        var sample = Self.normal
        sample.concentrationMillionPerML = 5      // total 15 < 39
        sample.progressiveMotilityPercent = 10    // < 30
        sample.normalFormsPercent = 2             // < 4
        let result = try sample.interpret()
        #expect(result.terms == [.oligozoospermia, .asthenozoospermia, .teratozoospermia])
        #expect(result.summary == "oligoasthenoteratozoospermia")
    }

    @Test(arguments: [
        ([SemenTerm.oligozoospermia], "oligozoospermia"),
        ([.asthenozoospermia, .teratozoospermia], "asthenoteratozoospermia"),
        ([.teratozoospermia, .oligozoospermia], "oligoteratozoospermia"),
        ([.asthenozoospermia, .necrozoospermia], "asthenonecrozoospermia"),
        ([.oligozoospermia, .asthenozoospermia], "oligoasthenozoospermia"),
    ])
    func combinedNames(terms: [SemenTerm], name: String) {
        #expect(SemenTerm.combinedName(terms) == name)
    }

    @Test func necrozoospermiaFromVitality() throws {
        var sample = Self.normal
        sample.vitalityPercent = 40
        let result = try sample.interpret()
        #expect(result.terms == [.necrozoospermia])
    }

    /// 5th vs 6th edition: the same sample reads differently where the limits differ (B1).
    @Test(arguments: [
        // PR 31: ≥ 30 (6th) but < 32 (5th) → asthenozoospermia only under the 5th.
        (31.0, 70.0, [SemenTerm.normozoospermia], [SemenTerm.asthenozoospermia]),
        // vitality 56: ≥ 54 (6th) but < 58 (5th) → necrozoospermia only under the 5th.
        (35.0, 56.0, [.normozoospermia], [.necrozoospermia]),
    ])
    func editionsDiffer(progressive: Double, vitality: Double, sixth: [SemenTerm], fifth: [SemenTerm]) throws {
        var sample = Self.normal
        sample.progressiveMotilityPercent = progressive
        sample.vitalityPercent = vitality
        #expect(try sample.interpret(edition: .sixth2021).terms == sixth)
        let fifthResult = try sample.interpret(edition: .fifth2010)
        #expect(fifthResult.terms == fifth)
        #expect(fifthResult.edition == .fifth2010)
    }

    @Test func aspermiaWhenNoEjaculate() throws {
        let result = try SemenAnalysis(volumeML: 0).interpret()
        #expect(result.terms == [.aspermia])
        #expect(result.motileSpermInEjaculate == .absent)
    }

    @Test func azoospermiaWithoutPelletExaminationIsNotConfirmed() throws {
        let result = try SemenAnalysis(volumeML: 3, concentrationMillionPerML: 0).interpret()
        #expect(result.terms == [.azoospermia])
        #expect(result.azoospermia?.confirmed == false)
        #expect(result.summary == "azoospermia (not confirmed)")
        #expect(result.cannotClassify.contains(
            "cannot confirm azoospermia or exclude cryptozoospermia: pellet not examined after centrifugation (needs ≥1000 g for ≥15 min)"))
        #expect(result.motileSpermInEjaculate == .cannotDetermine)
    }

    /// B3: ≥ 1,000 g for 15 min (Corea 2005), inclusive at both minima.
    @Test(arguments: [
        (1000.0, 15.0, true), (999.0, 15.0, false), (1001.0, 15.0, true),
        (1000.0, 14.0, false), (1000.0, 16.0, true), (3000.0, 15.0, true), (600.0, 10.0, false),
    ])
    func azoospermiaConfirmedOnlyAfterAdequateCentrifugation(g: Double, minutes: Double, confirmed: Bool) throws {
        let pellet = PelletExamination(examined: true, finding: .noSperm, centrifugationG: g, centrifugationMinutes: minutes)
        let result = try SemenAnalysis(volumeML: 3, concentrationMillionPerML: 0, pellet: pellet).interpret()
        #expect(result.terms == [.azoospermia])
        #expect(result.azoospermia?.confirmed == confirmed)
        #expect(result.summary == (confirmed ? "azoospermia" : "azoospermia (not confirmed)"))
    }

    @Test func pelletExaminedWithoutRecordedSpinIsNotConfirmed() throws {
        let pellet = PelletExamination(examined: true, finding: .noSperm)
        let result = try SemenAnalysis(volumeML: 3, concentrationMillionPerML: 0, pellet: pellet).interpret()
        #expect(result.azoospermia?.confirmed == false)
        #expect(result.azoospermia?.reason?.contains("not recorded") == true)
    }

    @Test(arguments: [(PelletExamination.Finding.motileSperm, MotileSpermFinding.present),
                      (.nonMotileSperm, .absent)])
    func cryptozoospermiaWhenPelletHoldsSperm(finding: PelletExamination.Finding, motile: MotileSpermFinding) throws {
        let pellet = PelletExamination(examined: true, finding: finding, centrifugationG: 3000, centrifugationMinutes: 15)
        let result = try SemenAnalysis(volumeML: 2, concentrationMillionPerML: 0, pellet: pellet).interpret()
        #expect(result.terms == [.cryptozoospermia])
        #expect(result.azoospermia == nil)
        #expect(result.motileSpermInEjaculate == motile)
    }

    @Test func totalCountComputedWhenAbsent() throws {
        let result = try SemenAnalysis(volumeML: 2, concentrationMillionPerML: 20).interpret()
        #expect(result.totalCountMillion == 40)
        #expect(result.totalCountComputed)
        let given = try SemenAnalysis(volumeML: 2, concentrationMillionPerML: 20, totalCountMillion: 41).interpret()
        #expect(given.totalCountMillion == 41)
        #expect(!given.totalCountComputed)
    }

    @Test func totalMotileSpermCount() throws {
        // 2 mL × 20 ×10^6/mL × 50 % = 20 ×10^6
        let sample = SemenAnalysis(volumeML: 2, concentrationMillionPerML: 20, totalMotilityPercent: 50)
        #expect(sample.totalMotileSpermCountMillion == 20)
        #expect(try sample.interpret().totalMotileSpermCountMillion == 20)
        #expect(SemenAnalysis(volumeML: 2, concentrationMillionPerML: 20).totalMotileSpermCountMillion == nil)
    }

    @Test func missingValuesAreNamedNotGuessed() throws {
        let result = try SemenAnalysis(volumeML: 3, concentrationMillionPerML: 20, normalFormsPercent: 5).interpret()
        #expect(result.summary == nil)
        #expect(result.terms.isEmpty)
        #expect(result.cannotClassify.contains("cannot classify asthenozoospermia: needs progressive motility (%)"))
        #expect(result.cannotClassify.contains { $0.hasPrefix("cannot classify normozoospermia: needs progressive motility") })
        let nothing = try SemenAnalysis(volumeML: 3).interpret()
        #expect(nothing.cannotClassify.first == "cannot classify: needs sperm concentration or total sperm number")
    }

    @Test func abnormalTermStillReportedWhenOthersMissing() throws {
        let result = try SemenAnalysis(volumeML: 2, concentrationMillionPerML: 5).interpret()
        #expect(result.terms == [.oligozoospermia])
        #expect(result.summary == "oligozoospermia")
        #expect(result.cannotClassify.contains("cannot classify teratozoospermia: needs normal forms (%)"))
    }

    @Test func oligozoospermiaFallsBackToConcentrationOnlyWithoutTotal() throws {
        // No volume → total unknown → concentration 15 < 16 (6th) is used.
        #expect(try SemenAnalysis(concentrationMillionPerML: 15).interpret().terms.contains(.oligozoospermia))
        // With a total ≥ 39 the concentration alone does not make oligozoospermia (B2: total number).
        let withTotal = try SemenAnalysis(volumeML: 4, concentrationMillionPerML: 15).interpret()
        #expect(!withTotal.terms.contains(.oligozoospermia))
        #expect(withTotal.parameters.first { $0.parameter == .concentration }?.belowLimit == true)
    }
}
