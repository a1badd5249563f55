import RestoraDomain

/// TA — Trial Arms (SDTMIG 3.4 section 7.2.1): each arm of the protocol as its sequence of elements (TE).
enum TADataset {
    static let spec = DatasetSpec(
        name: "TA", label: "Trial Arms", observationClass: "TRIAL DESIGN",
        structure: "One record per planned Element per Arm", keys: ["STUDYID", "ARMCD", "TAETORD"],
        variables: SDTMVar.studyIdentifiers("TA") + [
            SDTMVar.text("ARMCD", "Planned Arm Code", role: "Topic", origin: "Protocol"),
            SDTMVar.text("ARM", "Description of Planned Arm", role: "Synonym Qualifier", origin: "Protocol"),
            SDTMVar.integer("TAETORD", "Planned Order of Element within Arm", role: "Timing", origin: "Protocol"),
            SDTMVar.text("ETCD", "Element Code", role: "Record Qualifier", origin: "Protocol"),
            SDTMVar.text("ELEMENT", "Description of Element", role: "Synonym Qualifier", origin: "Protocol"),
            SDTMVar.text("TABRANCH", "Branch", role: "Rule", origin: "Protocol"),
            SDTMVar.text("TATRANS", "Transition Rule", role: "Rule", origin: "Protocol"),
            SDTMVar.text("EPOCH", "Epoch", role: "Timing", origin: "Protocol", codelist: "EPOCH (C99079)", codes: SDTMTerms.epochs),
        ])

    static func rows(_ study: SDTMStudy) -> [SDTMRow] {
        study.definition.arms.enumerated().flatMap { index, arm in
            TEDataset.elements(study.definition, arm: arm, armIndex: index).enumerated().map { order, element in
                var row = SDTMRow(study: study, domain: "TA")
                row["ARMCD"] = .text(SDTMStudy.armCode(arm))
                row["ARM"] = .text(arm.title)
                row["TAETORD"] = .integer(order + 1)
                row["ETCD"] = .text(element.code)
                row["ELEMENT"] = .text(element.name)
                row["EPOCH"] = .text(element.epoch)
                return row
            }
        }
    }
}
