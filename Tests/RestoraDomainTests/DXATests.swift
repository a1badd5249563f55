import Testing
@testable import RestoraDomain

/// DXA interpretation (REFERENCE.md C1–C3).
@Suite("DXA T/Z-scores, categories, LSC (C)")
struct DXATests {
    /// REFERENCE.md C2 worked example: FN 0.53 g/cm² → (0.53 − 0.858) / 0.120 = −2.73.
    @Test func workedExampleFemoralNeck() throws {
        let t = try TScore.compute(bmdGPerCm2: 0.53, reference: .nhanes3FemoralNeck)
        #expect(NumberText.rounded(t, places: 2) == "-2.73")
        #expect(abs(t - (-2.7333333)) < 1e-6)
    }

    @Test func workedExampleThroughTheDiagnosis() throws {
        let exam = DXAExam(patient: DXAPatient(sex: .female, ageYears: 62, menopausalStatus: .postmenopausal),
                           sites: [DXASiteMeasurement(site: .femoralNeck, bmdGPerCm2: 0.53)], fragilityFracture: false)
        let diagnosis = try exam.diagnose()
        #expect(diagnosis.category == .osteoporosis)
        #expect(diagnosis.lowestSite == .femoralNeck)
        #expect(NumberText.rounded(try #require(diagnosis.lowestScore), places: 2) == "-2.73")
    }

    /// WHO categories (C1): normal T ≥ −1.0; low bone mass −2.5 < T < −1.0; osteoporosis T ≤ −2.5.
    @Test(arguments: [
        (-0.9, false, BoneDensityCategory.normal), (-1.0, false, .normal), (-1.1, false, .lowBoneMass),
        (-2.4, false, .lowBoneMass), (-2.5, false, .osteoporosis), (-2.6, false, .osteoporosis),
        (-2.5, true, .severeOsteoporosis), (-3.4, true, .severeOsteoporosis), (-2.4, true, .lowBoneMass),
        (1.5, true, .normal),
    ])
    func whoCategoryBoundaries(t: Double, fracture: Bool, expected: BoneDensityCategory) throws {
        #expect(try BoneDensityCategory.classify(tScore: t, fragilityFracture: fracture) == expected)
    }

    /// ISCD Z-score wording (C1): Z ≤ −2.0 below the expected range; Z > −2.0 within.
    @Test(arguments: [(-2.1, ZScoreWording.belowExpectedRangeForAge), (-2.0, .belowExpectedRangeForAge),
                      (-1.9, .withinExpectedRangeForAge), (0.5, .withinExpectedRangeForAge)])
    func zScoreWordingBoundaries(z: Double, expected: ZScoreWording) throws {
        #expect(try ZScoreWording.classify(zScore: z) == expected)
    }

    /// T-score categories apply to postmenopausal women and men ≥ 50 only (C1).
    @Test(arguments: [
        (DXAPatient(sex: .male, ageYears: 50), DXAPatient.Vocabulary?.some(.tScore)),
        (DXAPatient(sex: .male, ageYears: 49), .some(.zScore)),
        (DXAPatient(sex: .female, ageYears: 55, menopausalStatus: .postmenopausal), .some(.tScore)),
        (DXAPatient(sex: .female, ageYears: 55, menopausalStatus: .premenopausal), .some(.zScore)),
        (DXAPatient(sex: .female, ageYears: 55, menopausalStatus: .unknown), nil),
        (DXAPatient(sex: .female, ageYears: 55), nil),
    ])
    func vocabularyByPatient(patient: DXAPatient, expected: DXAPatient.Vocabulary?) throws {
        #expect(try patient.vocabulary().vocabulary == expected)
    }

    @Test func youngManGetsZScoreWordingNotACategory() throws {
        let exam = DXAExam(patient: DXAPatient(sex: .male, ageYears: 35),
                           sites: [DXASiteMeasurement(site: .lumbarSpine, reportedTScore: -2.8, reportedZScore: -2.3)])
        let diagnosis = try exam.diagnose()
        #expect(diagnosis.category == nil)
        #expect(diagnosis.zScoreWording == .belowExpectedRangeForAge)
        #expect(diagnosis.notes.contains { $0.contains("osteoporosis cannot be diagnosed by BMD alone") })
    }

    @Test func diagnosisUsesTheLowestOfTheFourSites() throws {
        let exam = DXAExam(
            patient: DXAPatient(sex: .male, ageYears: 70),
            sites: [
                DXASiteMeasurement(site: .lumbarSpine, reportedTScore: -1.2),
                DXASiteMeasurement(site: .femoralNeck, bmdGPerCm2: 0.70),  // (0.70 − 0.858)/0.12 = −1.32
                DXASiteMeasurement(site: .totalHip, reportedTScore: -0.4),
                DXASiteMeasurement(site: .radius33, reportedTScore: -2.6),
            ], fragilityFracture: false)
        let diagnosis = try exam.diagnose()
        #expect(diagnosis.lowestSite == .radius33)
        #expect(diagnosis.lowestScore == -2.6)
        #expect(diagnosis.category == .osteoporosis)
        #expect(diagnosis.sites.first { $0.site == .femoralNeck }?.tScoreSource?.contains("NHANES III") == true)
    }

    @Test func unknownFractureHistoryLeavesSevereOpen() throws {
        let exam = DXAExam(patient: DXAPatient(sex: .male, ageYears: 70),
                           sites: [DXASiteMeasurement(site: .totalHip, reportedTScore: -3.0)])
        let diagnosis = try exam.diagnose()
        #expect(diagnosis.category == .osteoporosis)
        #expect(diagnosis.cannotClassify == ["cannot classify severe osteoporosis: needs fragility-fracture history"])
    }

    @Test func scannerSpecificReferenceWins() throws {
        let table = BoneReferenceTable(entries: BoneReferenceTable.default.entries + [
            .init(site: .lumbarSpine, scanner: "Hologic", reference: .init(meanGPerCm2: 1.047, sdGPerCm2: 0.110, source: "test table")),
            .init(site: .femoralNeck, scanner: "Hologic", reference: .init(meanGPerCm2: 0.858, sdGPerCm2: 0.100, source: "scanner FN")),
        ])
        #expect(table.reference(for: .femoralNeck, scanner: "hologic")?.sdGPerCm2 == 0.100)
        #expect(table.reference(for: .femoralNeck, scanner: "GE Lunar")?.sdGPerCm2 == 0.120)
        #expect(table.reference(for: .lumbarSpine, scanner: nil) == nil)
        #expect(BoneReferenceTable.default.reference(for: .totalHip, scanner: nil) == nil)
    }

    @Test func zScoreFromAgeMatchedReference() throws {
        // (0.80 − 0.90) / 0.10 = −1.0
        let z = try ZScore.compute(bmdGPerCm2: 0.80, ageMatched: .init(meanGPerCm2: 0.90, sdGPerCm2: 0.10, source: "test"))
        #expect(abs(z - (-1.0)) < 1e-12)
    }

    @Test(arguments: [0.0, -0.2, Double.nan])
    func refusesNonPositiveBMD(bmd: Double) {
        do {
            _ = try TScore.compute(bmdGPerCm2: bmd, reference: .nhanes3FemoralNeck)
            Issue.record("expected a refusal")
        } catch let DomainError.invalidValue(field, message) {
            #expect(field == "bmd")
            #expect(message.contains("> 0 g/cm²"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    /// LSC = 2.77 × precision (C3); significant when |change| ≥ LSC (inclusive).
    /// Precision 0.010 g/cm² → LSC 0.0277 g/cm².
    @Test(arguments: [
        (0.8277, BoneDensityChange.significantGain), (0.8276, .noSignificantChange), (0.8278, .significantGain),
        (0.7723, .significantLoss), (0.7724, .noSignificantChange), (0.7722, .significantLoss), (0.8, .noSignificantChange),
    ])
    func lscBoundaryAbsolute(current: Double, expected: BoneDensityChange) throws {
        let result = try LeastSignificantChange.assess(
            site: .lumbarSpine, previousGPerCm2: 0.8, currentGPerCm2: current,
            precision: PrecisionError(value: 0.010, unit: .gPerCm2))
        #expect(result.verdict == expected)
        #expect(abs(result.leastSignificantChange - 0.0277) < 1e-12)
    }

    /// Femoral neck U default 2.5 % → LSC 6.925 %; from 1.000 g/cm²: −6.925 % is the boundary.
    @Test(arguments: [(0.93075, BoneDensityChange.significantLoss), (0.931, .noSignificantChange), (1.07, .significantGain)])
    func lscBoundaryPercentDefault(current: Double, expected: BoneDensityChange) throws {
        let result = try LeastSignificantChange.assess(site: .femoralNeck, previousGPerCm2: 1.0, currentGPerCm2: current)
        #expect(result.verdict == expected)
        #expect(result.lscUnit == .percent)
        #expect(result.precisionSource.contains("U"))
    }

    @Test func radiusNeedsAConfiguredPrecision() {
        #expect(throws: DomainError.self) {
            try LeastSignificantChange.assess(site: .radius33, previousGPerCm2: 0.6, currentGPerCm2: 0.55)
        }
    }
}
