import RestoraDomain

/// MH — Medical History (SDTMIG 3.4 section 6.2.6): recorded diagnoses (ICD-10-CM, REFERENCE.md F2) and
/// history items (prior procedures such as sperm retrieval, conditions, fractures, exposures).
enum MHDataset {
    static let spec = DatasetSpec(
        name: "MH", label: "Medical History", observationClass: "EVENTS",
        structure: "One record per medical history event per subject",
        keys: ["STUDYID", "USUBJID", "MHCAT", "MHTERM", "MHSTDTC"],
        variables: SDTMVar.identifiers("MH") + [
            SDTMVar.seq("MH"),
            SDTMVar.text("MHTERM", "Reported Term for the Medical History", role: "Topic"),
            SDTMVar.text("MHCAT", "Category for Medical History", role: "Grouping Qualifier", origin: "Derived",
                         codes: [.init("DIAGNOSIS", "A coded diagnosis"), .init("PROCEDURE", "Prior procedure"),
                                 .init("CONDITION", "Condition"), .init("FRACTURE", "Fracture"),
                                 .init("EXPOSURE", "Exposure"), .init("OTHER", "Other history")]),
            SDTMVar.text("MHPRESP", "Medical History Event Pre-Specified", role: "Variable Qualifier", origin: "Assigned",
                         codelist: SDTMTerms.nyCodelist, codes: [.init("Y", "Yes")]),
            SDTMVar.text("MHOCCUR", "Medical History Occurrence", role: "Record Qualifier",
                         codelist: SDTMTerms.nyCodelist, codes: SDTMTerms.ny),
            SDTMVar.epoch,
            SDTMVar.date("MHSTDTC", "Start Date/Time of Medical History Event"),
            SDTMVar.studyDay("MHSTDY", "Study Day of Start of Observation", of: "MHSTDTC"),
        ])

    static let supplementSpec = SUPPDataset.spec(
        for: "MH", label: "Supplemental Qualifiers for MH",
        qualifiers: [.init("ICD10CM", "ICD-10-CM Code"), .init("MHCODE", "Restora History Code"),
                     .init("MHOUT", "Outcome of the History Event")] + SDTMText.continuations("MHTERM"))

    static func map(_ s: SDTMSubject, into batch: inout SDTMBatch) {
        var seq = 0
        let person = s.data.record.participant
        for diagnosis in person.diagnoses {
            seq += 1
            var row = s.row("MH", seq: seq)
            row["MHTERM"] = .text(diagnosis.code.display ?? diagnosis.code.code)
            row["MHCAT"] = .text("DIAGNOSIS")
            row["EPOCH"] = s.epoch(diagnosis.onset)
            row["MHSTDTC"] = s.date(diagnosis.onset)
            row["MHSTDY"] = s.day(diagnosis.onset)
            batch.add("MH", row)
            if diagnosis.code.system == .icd10cm {
                batch.supplement("MH", s, idvar: "MHSEQ", idvarval: String(seq), qnam: "ICD10CM",
                                 qlabel: "ICD-10-CM Code", qval: diagnosis.code.code)
            }
        }
        for item in person.history {
            seq += 1
            var row = s.row("MH", seq: seq)
            // The description is free text; a de-identified export writes the coded concept's display instead.
            let term = s.participant.deidentified ? (item.code?.display ?? item.code?.code) : item.description
            row["MHTERM"] = .text(batch.longText(term ?? item.kind.rawValue.uppercased(), variable: "MHTERM", domain: "MH", s, seq: seq))
            row["MHCAT"] = .text(item.kind.rawValue.uppercased())
            if item.code != nil {
                row["MHPRESP"] = .text("Y")
                row["MHOCCUR"] = .text("Y")
            }
            row["EPOCH"] = s.epoch(item.date)
            row["MHSTDTC"] = s.date(item.date)
            row["MHSTDY"] = s.day(item.date)
            batch.add("MH", row)
            if let code = item.code {
                batch.supplement("MH", s, idvar: "MHSEQ", idvarval: String(seq), qnam: code.system == .icd10cm ? "ICD10CM" : "MHCODE",
                                 qlabel: code.system == .icd10cm ? "ICD-10-CM Code" : "Restora History Code", qval: code.code)
            }
            if !s.participant.deidentified {
                batch.supplement("MH", s, idvar: "MHSEQ", idvarval: String(seq), qnam: "MHOUT",
                                 qlabel: "Outcome of the History Event", qval: item.outcome)
            }
        }
    }
}
