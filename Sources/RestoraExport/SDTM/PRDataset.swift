import RestoraDomain

/// PR — Procedures (SDTMIG 3.4 section 6.1.6): tissue harvest, cell processing, injection, sperm retrieval
/// and biopsies, with site, laterality and, in SUPPPR, the imaging guidance, anaesthesia, source tissue and
/// volume that PR has no variable for.
enum PRDataset {
    static let spec = DatasetSpec(
        name: "PR", label: "Procedures", observationClass: "INTERVENTIONS",
        structure: "One record per recorded procedure per occurrence per subject",
        keys: ["STUDYID", "USUBJID", "PRTRT", "PRSTDTC"],
        variables: SDTMVar.identifiers("PR") + [
            SDTMVar.seq("PR"),
            SDTMVar.text("PRLNKID", "Link ID", role: "Identifier", origin: "Derived",
                         derivation: "The lot of the cell product the procedure made or used (EXLNKID of its injection)"),
            SDTMVar.text("PRTRT", "Reported Name of Procedure", role: "Topic",
                         codes: Procedure.Kind.allCases.map { .init(name($0), $0.rawValue) }),
            SDTMVar.text("PRCAT", "Category", role: "Grouping Qualifier", origin: "Derived",
                         codes: [.init("AUTOLOGOUS CELL THERAPY", "Harvest, processing and injection of a cell product"),
                                 .init("OTHER PROCEDURE", "Any other procedure")]),
            SDTMVar.text("PRLOC", "Location of Procedure", role: "Record Qualifier", codelist: "LOC (C74456)"),
            SDTMVar.text("PRLAT", "Laterality", role: "Variable Qualifier", codelist: "LAT (C99073)"),
            SDTMVar.epoch,
            SDTMVar.dtc("PRSTDTC", "Start Date/Time of Procedure"),
            SDTMVar.studyDay("PRSTDY", "Study Day of Start of Procedure", of: "PRSTDTC"),
        ])

    static let supplementSpec = SUPPDataset.spec(
        for: "PR", label: "Supplemental Qualifiers for PR",
        qualifiers: [.init("PRGUIDE", "Imaging Guidance"), .init("PRANEST", "Anaesthesia"),
                     .init("PRSRCTIS", "Source Tissue"), .init("PRVOLML", "Volume Harvested or Injected (mL)")])

    static func name(_ kind: Procedure.Kind) -> String {
        switch kind {
        case .tissueHarvest: "TISSUE HARVEST"
        case .cellProcessing: "CELL PROCESSING"
        case .injection: "CELL INJECTION"
        case .spermRetrieval: "SPERM RETRIEVAL"
        case .biopsy: "BIOPSY"
        case .other: "OTHER PROCEDURE"
        }
    }

    static func map(_ s: SDTMSubject, into batch: inout SDTMBatch) {
        let lots = Dictionary(s.data.cellProducts.map { ($0.id, $0.lot) }, uniquingKeysWith: { a, _ in a })
        let harvestLots = Dictionary(s.data.cellProducts.compactMap { p in p.harvestProcedureID.map { ($0, p.lot) } },
                                     uniquingKeysWith: { a, _ in a })
        let procedures = s.data.record.procedures.sorted { $0.performed < $1.performed }
        for (index, procedure) in procedures.enumerated() {
            let seq = index + 1
            let date = CalendarDate(procedure.performed)
            var row = s.row("PR", seq: seq)
            row["PRLNKID"] = .text(procedure.cellProductID.flatMap { lots[$0] } ?? harvestLots[procedure.id])
            row["PRTRT"] = .text(procedure.kind == .other ? (procedure.code?.display?.uppercased() ?? name(.other)) : name(procedure.kind))
            let chain: Set<Procedure.Kind> = [.tissueHarvest, .cellProcessing, .injection]
            row["PRCAT"] = .text(chain.contains(procedure.kind) ? "AUTOLOGOUS CELL THERAPY" : "OTHER PROCEDURE")
            row["PRLOC"] = .text(procedure.anatomicalSite?.uppercased())
            row["PRLAT"] = .text(procedure.laterality?.uppercased())
            row["EPOCH"] = s.epoch(date)
            row["PRSTDTC"] = s.dateTime(procedure.performed)
            row["PRSTDY"] = s.day(date)
            batch.add("PR", row)
            func add(_ qnam: String, _ label: String, _ value: String?) {
                batch.supplement("PR", s, idvar: "PRSEQ", idvarval: String(seq), qnam: qnam, qlabel: label, qval: value)
            }
            add("PRGUIDE", "Imaging Guidance", procedure.imagingGuidance.map { $0.rawValue.uppercased() })
            add("PRANEST", "Anaesthesia", procedure.anaesthesia.map { $0.rawValue.uppercased() })
            add("PRSRCTIS", "Source Tissue", procedure.sourceTissue?.uppercased())
            add("PRVOLML", "Volume Harvested or Injected (mL)", procedure.volumeML.map(NumberText.plain))
        }
    }
}
