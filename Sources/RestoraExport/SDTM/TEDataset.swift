import RestoraDomain

/// TE — Trial Elements (SDTMIG 3.4 section 7.2.2), from the protocol: screening, (for cell therapy) harvest
/// and processing, the treatment of each arm, follow-up.
enum TEDataset {
    static let spec = DatasetSpec(
        name: "TE", label: "Trial Elements", observationClass: "TRIAL DESIGN", structure: "One record per planned Element",
        keys: ["STUDYID", "ETCD"],
        variables: SDTMVar.studyIdentifiers("TE") + [
            SDTMVar.text("ETCD", "Element Code", role: "Topic", origin: "Protocol"),
            SDTMVar.text("ELEMENT", "Description of Element", role: "Synonym Qualifier", origin: "Protocol"),
            SDTMVar.text("TESTRL", "Rule for Start of Element", role: "Rule", origin: "Protocol"),
            SDTMVar.text("TEENRL", "Rule for End of Element", role: "Rule", origin: "Protocol"),
            SDTMVar.text("TEDUR", "Planned Duration of Element", role: "Timing", origin: "Protocol"),
        ])

    struct Element {
        let code: String
        let name: String
        let start: String
        let end: String
        let duration: String?
        let epoch: String
    }

    /// The elements an arm passes through, in order.
    static func elements(_ definition: ProtocolDefinition, arm: Arm, armIndex: Int) -> [Element] {
        let suffix = definition.arms.count == 1 ? "" : String(armIndex + 1)
        let screening = Element(code: "SCRN", name: "Screening", start: "Informed consent",
                                end: definition.kind == .cellTherapy ? "Tissue harvest" : "First dose of study treatment",
                                duration: nil, epoch: "SCREENING")
        let regimen = arm.interventions.compactMap { id in definition.interventions.first { $0.id == id } }
        let weeks = regimen.compactMap { i -> Int? in if case let .drug(d) = i.detail { return d.durationWeeks } else { return nil } }.first
        let treatment = Element(code: "TRT\(suffix)", name: arm.title,
                                start: definition.kind == .cellTherapy ? "Injection of the released cell product" : "First dose of study treatment",
                                end: definition.kind == .cellTherapy ? "Injection completed" : "Last dose of study treatment",
                                duration: weeks.map { "P\($0)W" } ?? (definition.kind == .cellTherapy ? "P1D" : nil), epoch: "TREATMENT")
        let followUp = Element(code: "FU", name: "Follow-up", start: "End of study treatment",
                               end: "Last visit of the schedule", duration: nil, epoch: "FOLLOW-UP")
        guard definition.kind == .cellTherapy else { return [screening, treatment, followUp] }
        let harvest = Element(code: "HARV", name: "Harvest, processing and release of the autologous cell product",
                              start: "Tissue harvest", end: "Injection of the released product", duration: nil, epoch: "SCREENING")
        return [screening, harvest, treatment, followUp]
    }

    static func rows(_ study: SDTMStudy) -> [SDTMRow] {
        var seen = Set<String>()
        return study.definition.arms.enumerated().flatMap { elements(study.definition, arm: $0.element, armIndex: $0.offset) }
            .filter { seen.insert($0.code).inserted }
            .map { e in
                var row = SDTMRow(study: study, domain: "TE")
                row["ETCD"] = .text(e.code)
                row["ELEMENT"] = .text(e.name)
                row["TESTRL"] = .text(e.start)
                row["TEENRL"] = .text(e.end)
                row["TEDUR"] = .text(e.duration)
                return row
            }
    }
}
