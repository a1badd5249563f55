import Testing
@testable import RestoraDomain

/// CTCAE v5.0 laboratory grading at every boundary (REFERENCE.md E1). ">a–b" is (a, b]; "a–b" is [a, b].
@Suite("CTCAE v5.0 laboratory grading (E1)")
struct CTCAELabGradingTests {
    static func grade(_ term: CTCAETerm, _ value: Double, _ unit: String, uln: Double? = nil,
                      baseline: CTCAEBaseline? = nil) throws -> CTCAEGradeResult {
        try CTCAELabGrading.grade(CTCAELabMeasurement(term: term, value: value, unit: unit,
                                                      upperLimitOfNormal: uln, baseline: baseline))
    }

    /// Hypertriglyceridemia: G1 150–300, G2 >300–500, G3 >500–1000, G4 >1000 mg/dL.
    @Test(arguments: [
        (149.9, 0), (150, 1), (150.1, 1), (299.9, 1), (300, 1), (300.1, 2), (500, 2), (500.1, 3),
        (999.9, 3), (1000, 3), (1000.1, 4),
    ])
    func triglycerideMgPerDL(value: Double, expected: Int) throws {
        #expect(try Self.grade(.hypertriglyceridemia, value, "mg/dL").grade == expected)
    }

    /// … and the mmol/L cut-offs CTCAE prints: 1.71–3.42, >3.42–5.7, >5.7–11.4, >11.4.
    @Test(arguments: [
        (1.70, 0), (1.71, 1), (3.42, 1), (3.43, 2), (5.7, 2), (5.71, 3), (11.4, 3), (11.41, 4),
    ])
    func triglycerideMmolPerL(value: Double, expected: Int) throws {
        #expect(try Self.grade(.hypertriglyceridemia, value, "mmol/L").grade == expected)
    }

    /// Cholesterol high: G1 >ULN–300, G2 >300–400, G3 >400–500, G4 >500 mg/dL (ULN 200 here).
    @Test(arguments: [
        (200.0, 0), (200.1, 1), (300, 1), (300.1, 2), (400, 2), (400.1, 3), (500, 3), (500.1, 4),
    ])
    func cholesterolMgPerDL(value: Double, expected: Int) throws {
        #expect(try Self.grade(.cholesterolHigh, value, "mg/dL", uln: 200).grade == expected)
    }

    /// mmol/L: G1 >ULN–7.75, G2 >7.75–10.34, G3 >10.34–12.92, G4 >12.92 (ULN 5.2 here).
    @Test(arguments: [
        (5.2, 0), (5.21, 1), (7.75, 1), (7.76, 2), (10.34, 2), (10.35, 3), (12.92, 3), (12.93, 4),
    ])
    func cholesterolMmolPerL(value: Double, expected: Int) throws {
        #expect(try Self.grade(.cholesterolHigh, value, "mmol/L", uln: 5.2).grade == expected)
    }

    @Test func cholesterolWithoutULN() throws {
        // Above 300 mg/dL no ULN is needed; at or below it, grade 0 vs 1 depends on the ULN.
        #expect(try Self.grade(.cholesterolHigh, 350, "mg/dL").grade == 2)
        let open = try Self.grade(.cholesterolHigh, 250, "mg/dL")
        #expect(open.grade == nil)
        #expect(open.cannotGrade == "cannot grade: needs upper limit of normal (ULN) in mg/dL")
    }

    /// ALT/AST, baseline normal: G1 >ULN–3.0×ULN, G2 >3.0–5.0, G3 >5.0–20.0, G4 >20.0×ULN (ULN 40 U/L).
    @Test(arguments: [
        (CTCAETerm.alanineAminotransferaseIncreased, 40.0, 0), (.alanineAminotransferaseIncreased, 40.1, 1),
        (.alanineAminotransferaseIncreased, 120, 1), (.alanineAminotransferaseIncreased, 120.1, 2),
        (.alanineAminotransferaseIncreased, 200, 2), (.alanineAminotransferaseIncreased, 200.1, 3),
        (.alanineAminotransferaseIncreased, 800, 3), (.alanineAminotransferaseIncreased, 800.1, 4),
        (.aspartateAminotransferaseIncreased, 40, 0), (.aspartateAminotransferaseIncreased, 120, 1),
        (.aspartateAminotransferaseIncreased, 120.1, 2), (.aspartateAminotransferaseIncreased, 800.1, 4),
    ])
    func aminotransferaseNormalBaseline(term: CTCAETerm, value: Double, expected: Int) throws {
        let result = try Self.grade(term, value, "U/L", uln: 40, baseline: .normal)
        #expect(result.grade == expected)
        #expect(result.rule == "baseline normal: multiples of ULN")
        // A baseline value at or below ULN is a normal baseline too.
        #expect(try Self.grade(term, value, "U/L", uln: 40, baseline: .value(40)).grade == expected)
    }

    /// ALT/AST, baseline abnormal (baseline 60 > ULN 40): G1 1.5–3.0×baseline (1.5 included),
    /// G2 >3.0–5.0, G3 >5.0–20.0, G4 >20.0×baseline.
    @Test(arguments: [
        (89.9, 0), (90, 1), (180, 1), (180.1, 2), (300, 2), (300.1, 3), (1200, 3), (1200.1, 4),
    ])
    func aminotransferaseAbnormalBaseline(value: Double, expected: Int) throws {
        let result = try Self.grade(.alanineAminotransferaseIncreased, value, "U/L", uln: 40, baseline: .value(60))
        #expect(result.grade == expected)
        #expect(result.rule == "baseline abnormal (above ULN): multiples of baseline")
    }

    @Test func aminotransferaseNeedsBaselineStatement() throws {
        let result = try Self.grade(.alanineAminotransferaseIncreased, 100, "U/L", uln: 40)
        #expect(result.grade == nil)
        #expect(result.cannotGrade?.contains("needs baseline") == true)
    }

    /// Bilirubin: G1 >ULN–1.5×ULN, G2 >1.5–3.0, G3 >3.0–10.0, G4 >10.0×ULN (ULN 1.2 mg/dL).
    @Test(arguments: [
        (1.2, 0), (1.21, 1), (1.8, 1), (1.81, 2), (3.6, 2), (3.61, 3), (12, 3), (12.01, 4),
    ])
    func bilirubin(value: Double, expected: Int) throws {
        #expect(try Self.grade(.bloodBilirubinIncreased, value, "mg/dL", uln: 1.2, baseline: .normal).grade == expected)
    }

    /// GGT and ALP: G1 >ULN–2.5×ULN, G2 >2.5–5.0, G3 >5.0–20.0, G4 >20.0×ULN (ULN 100 U/L).
    @Test(arguments: [CTCAETerm.gammaGlutamylTransferaseIncreased, .alkalinePhosphataseIncreased])
    func ggtAndAlp(term: CTCAETerm) throws {
        let cases: [(Double, Int)] = [(100, 0), (100.1, 1), (250, 1), (250.1, 2), (500, 2), (500.1, 3), (2000, 3), (2000.1, 4)]
        for (value, expected) in cases {
            #expect(try Self.grade(term, value, "U/L", uln: 100, baseline: .normal).grade == expected, "\(value)")
        }
    }

    @Test func abnormalBaselineRuleNotEncodedForBilirubin() throws {
        let result = try Self.grade(.bloodBilirubinIncreased, 3, "mg/dL", uln: 1.2, baseline: .value(2))
        #expect(result.grade == nil)
        #expect(result.cannotGrade?.contains("only the normal-baseline rule") == true)
    }

    /// Unknown or wrong units are refused, listing the accepted ones.
    @Test(arguments: [
        (CTCAETerm.hypertriglyceridemia, "g/L", "mg/dL, mmol/L"),
        (.cholesterolHigh, "U/L", "mg/dL, mmol/L"),
        (.alanineAminotransferaseIncreased, "mg/dL", "U/L"),
        (.bloodBilirubinIncreased, "furlongs", "mg/dL, umol/L"),
    ])
    func refusesUnknownUnits(term: CTCAETerm, unit: String, allowed: String) {
        do {
            _ = try Self.grade(term, 100, unit, uln: 40, baseline: .normal)
            Issue.record("expected refusal")
        } catch let DomainError.invalidValue(field, message) {
            #expect(field == "unit")
            #expect(message == "unknown unit '\(unit)'; allowed units: \(allowed)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test(arguments: [(-1.0, "value", "≥ 0 mg/dL"), (Double.nan, "value", "finite")])
    func refusesImpossibleValues(value: Double, field: String, fragment: String) {
        do {
            _ = try Self.grade(.hypertriglyceridemia, value, "mg/dL")
            Issue.record("expected refusal")
        } catch let DomainError.invalidValue(f, message) {
            #expect(f == field)
            #expect(message.contains(fragment))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func refusesNonPositiveULN() {
        #expect(throws: DomainError.invalidValue(field: "upperLimitOfNormal", message: "must be > 0 U/L; got 0")) {
            try Self.grade(.alanineAminotransferaseIncreased, 50, "U/L", uln: 0, baseline: .normal)
        }
    }

    /// mg/dL ↔ mmol/L: TG 88.57, cholesterol 38.67 (molar mass ÷ 10).
    @Test(arguments: [
        (LipidConversion.triglyceride, 885.7, CTCAELabUnit.milligramsPerDecilitre, CTCAELabUnit.millimolesPerLitre, 10.0),
        (.triglyceride, 2, .millimolesPerLitre, .milligramsPerDecilitre, 177.14),
        (.cholesterol, 386.7, .milligramsPerDecilitre, .millimolesPerLitre, 10),
        (.cholesterol, 5, .millimolesPerLitre, .milligramsPerDecilitre, 193.35),
        (.cholesterol, 300, .milligramsPerDecilitre, .millimolesPerLitre, 7.758) ,
    ])
    func lipidConversions(lipid: LipidConversion, value: Double, from: CTCAELabUnit, to: CTCAELabUnit, expected: Double) throws {
        #expect(abs(try lipid.convert(value, from: from, to: to) - expected) < 0.001)
    }

    @Test func conversionRoundTrips() throws {
        let mmol = try LipidConversion.triglyceride.convert(150, from: .milligramsPerDecilitre, to: .millimolesPerLitre)
        #expect(abs(try LipidConversion.triglyceride.convert(mmol, from: .millimolesPerLitre, to: .milligramsPerDecilitre) - 150) < 1e-9)
        #expect(throws: DomainError.self) { try LipidConversion.cholesterol.convert(5, from: .unitsPerLitre, to: .millimolesPerLitre) }
    }

    @Test(arguments: [("mg/dl", CTCAELabUnit.milligramsPerDecilitre), ("MMOL/L", .millimolesPerLitre), ("IU/L", .unitsPerLitre),
                      ("[IU]/L", .unitsPerLitre), ("µmol/L", .micromolesPerLitre)])
    func unitSpellings(spelling: String, unit: CTCAELabUnit) {
        #expect(CTCAELabUnit(spelling: spelling) == unit)
    }
}
