import RestoraDomain

/// TS — Trial Summary (SDTMIG 3.4 section 7.6.1): the parameters the protocol definition states. Parameters
/// it does not state (sponsor, phase, planned number of subjects, registry id…) are not written; docs/sdtm.md
/// lists them.
enum TSDataset {
    static let spec = DatasetSpec(
        name: "TS", label: "Trial Summary", observationClass: "TRIAL DESIGN",
        structure: "One record per trial summary parameter value", keys: ["STUDYID", "TSPARMCD", "TSSEQ"],
        variables: SDTMVar.studyIdentifiers("TS") + [
            SDTMVar.integer("TSSEQ", "Sequence Number", role: "Identifier"),
            SDTMVar.text("TSPARMCD", "Trial Summary Parameter Short Name", role: "Topic", origin: "Assigned",
                         codelist: "TSPARMCD (C66738)", codes: parameters.map { .init($0.code, $0.name) }),
            SDTMVar.text("TSPARM", "Trial Summary Parameter", role: "Synonym Qualifier", origin: "Assigned",
                         codelist: "TSPARM (C67152)"),
            SDTMVar.text("TSVAL", "Parameter Value", role: "Result Qualifier", origin: "Protocol"),
            SDTMVar.text("TSVALCD", "Parameter Value Code", role: "Result Qualifier", origin: "Assigned"),
            SDTMVar.text("TSVCDREF", "Name of the Reference Terminology", role: "Result Qualifier", origin: "Assigned"),
        ])

    static let parameters: [(code: String, name: String)] = [
        ("TITLE", "Trial Title"), ("STYPE", "Study Type"), ("TINDTP", "Trial Intent Type"), ("NARMS", "Planned Number of Arms"),
        ("INTMODEL", "Intervention Model"), ("RANDOM", "Trial is Randomized"), ("AGEMIN", "Planned Minimum Age of Subjects"),
        ("AGEMAX", "Planned Maximum Age of Subjects"), ("SEXPOP", "Sex of Participants"), ("TRT", "Investigational Therapy or Treatment"),
        ("ROUTE", "Route of Administration"), ("DOSE", "Dose per Administration"), ("DOSU", "Dose Units"),
        ("DOSFRQ", "Dosing Frequency"), ("LENGTH", "Trial Length"), ("INTTYPE", "Intervention Type"),
    ]

    /// The youngest and oldest ages and the sexes the inclusion criteria admit.
    static func population(_ d: ProtocolDefinition) -> (min: Int?, max: Int?, sexes: Set<Sex>?) {
        var ages: (Int?, Int?) = (nil, nil)
        var sexes: Set<Sex>?
        for criterion in d.inclusion {
            switch criterion.rule {
            case let .age(rule): ages = (rule.min, rule.max)
            case let .sex(list): sexes = Set(list)
            case let .anyOf(rules):
                // "A man, or a postmenopausal woman": both sexes.
                let named = rules.compactMap { r -> Set<Sex>? in
                    switch r {
                    case let .sex(list): Set(list)
                    case .postmenopausal: [.female]
                    default: nil
                    }
                }
                if named.count == rules.count { sexes = named.reduce(into: Set<Sex>()) { $0.formUnion($1) } }
            default: continue
            }
        }
        return (ages.0, ages.1, sexes)
    }

    static func rows(_ study: SDTMStudy) -> [SDTMRow] {
        let d = study.definition
        var values: [(code: String, value: String, valueCode: String?, reference: String?)] = [
            ("TITLE", TIDataset.shortened(d.title), nil, nil),
            ("STYPE", "INTERVENTIONAL", nil, nil),
            ("TINDTP", "TREATMENT", nil, nil),
            ("NARMS", String(d.arms.count), nil, nil),
        ]
        if d.arms.count == 1 {
            values.append(("INTMODEL", "SINGLE GROUP", nil, nil))
            values.append(("RANDOM", "N", nil, nil))
        }
        let population = population(d)
        if let min = population.min { values.append(("AGEMIN", "P\(min)Y", nil, "ISO 8601")) }
        if let max = population.max { values.append(("AGEMAX", "P\(max)Y", nil, "ISO 8601")) }
        if let sexes = population.sexes {
            let value = sexes == [.male] ? "M" : sexes == [.female] ? "F" : "BOTH"
            values.append(("SEXPOP", value, nil, nil))
        }
        for intervention in d.interventions {
            switch intervention.detail {
            case let .drug(regimen):
                values.append(("INTTYPE", "DRUG", nil, nil))
                values.append(("TRT", regimen.drug.display?.uppercased() ?? regimen.drug.code,
                               regimen.drug.system == .rxnorm ? regimen.drug.code : nil, regimen.drug.system == .rxnorm ? "RxNorm" : nil))
                values.append(("ROUTE", SDTMTerms.route(regimen.route), nil, nil))
                values.append(("DOSE", NumberText.plain(regimen.dose.value), nil, nil))
                values.append(("DOSU", SDTMTerms.unit(regimen.dose.unit) ?? regimen.dose.unit, nil, nil))
                values.append(("DOSFRQ", SDTMTerms.frequency(regimen.frequency), nil, nil))
            case let .procedure(step) where step.step == .injection:
                values.append(("INTTYPE", "BIOLOGIC", nil, nil))
                values.append(("TRT", "AUTOLOGOUS MESENCHYMAL STEM CELLS", nil, nil))
                for site in step.anatomicalSites ?? [] {
                    if let route = SDTMTerms.injectionRoute(site: site), !values.contains(where: { $0.code == "ROUTE" && $0.value == route }) {
                        values.append(("ROUTE", route, nil, nil))
                    }
                }
            case .procedure:
                continue
            }
        }
        if let first = d.schedule.map(\.day).min(), let last = d.schedule.map(\.day).max() {
            values.append(("LENGTH", "P\(last - first)D", nil, "ISO 8601"))
        }
        var sequence: [String: Int] = [:]
        let names = Dictionary(parameters.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
        return values.map { value in
            sequence[value.code, default: 0] += 1
            var row = SDTMRow(study: study, domain: "TS")
            row["TSSEQ"] = .integer(sequence[value.code])
            row["TSPARMCD"] = .text(value.code)
            row["TSPARM"] = .text(names[value.code])
            row["TSVAL"] = .text(value.value)
            row["TSVALCD"] = .text(value.valueCode)
            row["TSVCDREF"] = .text(value.reference)
            return row
        }
    }
}
