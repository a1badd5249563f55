import RestoraDomain

/// LB — Laboratory Test Results (SDTMIG 3.4 section 6.3.5): hormones, lipids and liver enzymes in serum, and
/// the semen analysis parameters with LBSPEC "SEMEN" (the choice over RP is argued in docs/sdtm.md). LBTOXGR is
/// the CTCAE v5.0 grade Restora's lab grading gives (REFERENCE.md E1). The WHO semen classification and the
/// centrifuged-pellet details have no LB variable: SUPPLB, on the panel's LBGRPID.
enum LBDataset {
    static let spec = DatasetSpec(
        name: "LB", label: "Laboratory Test Results", observationClass: "FINDINGS",
        structure: "One record per lab test per time point per visit per subject",
        keys: ["STUDYID", "USUBJID", "LBTESTCD", "LBSPEC", "VISITNUM", "LBDTC"],
        variables: SDTMVar.identifiers("LB")
            + SDTMFindings.topic("LB", testLabel: "Lab Test or Examination", codelist: "LBTESTCD (C65047)")
            + [SDTMVar.float("LBORNRHI", "Reference Range Upper Limit in Orig Unit", role: "Variable Qualifier",
                             derivation: "The upper limit of normal the laboratory printed with the value")]
            + SDTMFindings.standardResults("LB")
            + [
                SDTMVar.float("LBSTNRHI", "Reference Range Upper Limit-Std Units", role: "Variable Qualifier", origin: "Derived"),
                SDTMVar.text("LBSPEC", "Specimen Type", role: "Record Qualifier", origin: "Assigned",
                             codelist: "SPECTYPE (C78734)", codes: [.init("SERUM", "Serum"), .init("SEMEN", "Semen")]),
                SDTMVar.text("LBLOINC", "LOINC Code", role: "Synonym Qualifier", origin: "Assigned"),
                SDTMVar.text("LBTOXGR", "Standard Toxicity Grade", role: "Variable Qualifier", origin: "Derived",
                             codelist: "CTCAE v5.0 grade", codes: SDTMTerms.grades,
                             derivation: "CTCAE v5.0 grade of the value (CTCAELabGrading with the recorded ULN and baseline); missing when the test is not CTCAE-graded or cannot be graded"),
            ]
            + SDTMFindings.timing("LB"))

    static let supplementSpec = SUPPDataset.spec(
        for: "LB", label: "Supplemental Qualifiers for LB",
        qualifiers: [
            .init("SEMCLASS", "WHO 2021 Semen Classification"), .init("PELLETEX", "Centrifuged Pellet Examined"),
            .init("PELLETFN", "Pellet Examination Finding"), .init("CENTRG", "Centrifugation Force (g)"),
            .init("CENTRMIN", "Centrifugation Time (min)"), .init("ABSTDAYS", "Sexual Abstinence (days)"),
        ])

    /// Writes the LB rows of every mapped laboratory observation, grouped by panel, with the panel's SUPPLB.
    static func map(_ s: SDTMSubject, into batch: inout SDTMBatch) {
        let observations = s.findingsInOrder
        // The grading's baseline is the earliest earlier value of the same test: each value is graded against
        // its own test's values only (a participant's whole record would make the grading quadratic).
        let byTest = Dictionary(grouping: observations.filter { CTCAELabCodes.term(for: $0.code) != nil },
                                by: { SDTMFindingsTest.key($0.code) })
        var seq = 0
        var groups = SDTMPanelGroups()
        for observation in observations {
            if observation.code.sameConcept(as: ClinicalCodes.semenClassification) {
                // The WHO classification of the sample qualifies every LB record of its panel (IDVAR LBGRPID).
                if let g = groups.number(observation) {
                    batch.supplement("LB", s, idvar: "LBGRPID", idvarval: String(g), qnam: "SEMCLASS",
                                     qlabel: "WHO 2021 Semen Classification",
                                     qval: SDTMFindings.resultText(observation.value), qorig: "Derived")
                }
                continue
            }
            guard let test = SDTMFindingsTest.test(for: observation.code), test.domain == "LB" else { continue }
            seq += 1
            let g = groups.number(observation)
            var row = SDTMFindings.row(s, test, observation, seq: seq, group: g)
            row["LBORNRHI"] = .number(observation.upperLimitOfNormal)
            row["LBSTNRHI"] = .number(observation.upperLimitOfNormal)
            row["LBSPEC"] = .text(test.specimen)
            if observation.code.system == .loinc { row["LBLOINC"] = .text(observation.code.code) }
            let history = byTest[SDTMFindingsTest.key(observation.code)] ?? []
            row["LBTOXGR"] = .text(toxicityGrade(observation, history: history).map(String.init))
            batch.add("LB", row)
            if let specimen = observation.specimen, specimen.type == "semen", let g, test.testcd == "VOLUME" {
                pellet(specimen, group: g, s, into: &batch)
            }
        }
    }

    /// The specimen handling of a semen panel, once per panel (on its volume record's group).
    private static func pellet(_ specimen: SpecimenDetails, group g: Int, _ s: SDTMSubject, into batch: inout SDTMBatch) {
        func add(_ qnam: String, _ label: String, _ value: String?) {
            batch.supplement("LB", s, idvar: "LBGRPID", idvarval: String(g), qnam: qnam, qlabel: label, qval: value)
        }
        add("PELLETEX", "Centrifuged Pellet Examined", specimen.pelletExamined.map { $0 ? "Y" : "N" })
        add("PELLETFN", "Pellet Examination Finding", specimen.pelletFinding.map {
            switch $0 {
            case .noSperm: "NO SPERM"
            case .nonMotileSperm: "NON-MOTILE SPERM"
            case .motileSperm: "MOTILE SPERM"
            }
        })
        add("CENTRG", "Centrifugation Force (g)", specimen.centrifugationG.map(NumberText.plain))
        add("CENTRMIN", "Centrifugation Time (min)", specimen.centrifugationMinutes.map(NumberText.plain))
        add("ABSTDAYS", "Sexual Abstinence (days)", specimen.abstinenceDays.map(String.init))
    }

    /// The CTCAE v5.0 grade of a laboratory value, as the safety rules grade it (REFERENCE.md E1).
    static func toxicityGrade(_ observation: Observation, history: [Observation]) -> Int? {
        guard let term = CTCAELabCodes.term(for: observation.code), let quantity = observation.value.quantity else { return nil }
        let context = LabGradingContext.recorded(observation, history: history)
        let measurement = CTCAELabMeasurement(term: term, value: quantity.value, unit: quantity.unit,
                                              upperLimitOfNormal: context.upperLimitOfNormal, baseline: context.baseline)
        return (try? CTCAELabGrading.grade(measurement))?.grade
    }
}
