import RestoraDomain

/// AE — Adverse Events (SDTMIG 3.4 section 6.2.1): CTCAE v5.0 coded events (REFERENCE.md E1). The CTCAE
/// term is a MedDRA lowest level term with one MedDRA code; Restora stores no separate preferred term, so
/// AEDECOD/AEPTCD repeat the CTCAE term and code (docs/sdtm.md). Seriousness follows ICH E2A (REFERENCE.md E3).
enum AEDataset {
    static let spec = DatasetSpec(
        name: "AE", label: "Adverse Events", observationClass: "EVENTS",
        structure: "One record per adverse event per subject",
        keys: ["STUDYID", "USUBJID", "AEDECOD", "AESTDTC"],
        variables: SDTMVar.identifiers("AE") + [
            SDTMVar.seq("AE"),
            SDTMVar.text("AETERM", "Reported Term for the Adverse Event", role: "Topic",
                         derivation: "The CTCAE term, with the words of an \"Other, specify\" term"),
            SDTMVar.text("AELLT", "Lowest Level Term", role: "Variable Qualifier", origin: "Assigned"),
            SDTMVar.integer("AELLTCD", "Lowest Level Term Code", role: "Variable Qualifier", origin: "Assigned"),
            SDTMVar.text("AEDECOD", "Dictionary-Derived Term", role: "Synonym Qualifier", origin: "Assigned",
                         derivation: "The CTCAE v5.0 term (MedDRA); the MedDRA preferred term is not stored"),
            SDTMVar.integer("AEPTCD", "Preferred Term Code", role: "Variable Qualifier", origin: "Assigned"),
            SDTMVar.text("AEBODSYS", "Body System or Organ Class", role: "Record Qualifier", origin: "Assigned"),
            SDTMVar.text("AESOC", "Primary System Organ Class", role: "Variable Qualifier", origin: "Assigned"),
            SDTMVar.text("AESEV", "Severity/Intensity", role: "Record Qualifier", origin: "Derived",
                         codelist: "AESEV (C66769)", codes: SDTMTerms.severities,
                         derivation: "From AETOXGR: 1 MILD, 2 MODERATE, 3 to 5 SEVERE"),
            SDTMVar.flag("AESER", "Serious Event", origin: "Derived"),
            SDTMVar.text("AEACN", "Action Taken with Study Treatment", role: "Record Qualifier",
                         codelist: "ACN (C66767)", codes: SDTMTerms.actions),
            SDTMVar.text("AEREL", "Causality", role: "Record Qualifier", codelist: "AEREL (sponsor-defined)",
                         codes: SDTMTerms.relatedness),
            SDTMVar.text("AEOUT", "Outcome of Adverse Event", role: "Record Qualifier",
                         codelist: "OUT (C66768)", codes: SDTMTerms.outcomes),
            SDTMVar.flag("AESCONG", "Congenital Anomaly or Birth Defect"),
            SDTMVar.flag("AESDISAB", "Persist or Signif Disability/Incapacity"),
            SDTMVar.flag("AESDTH", "Results in Death"),
            SDTMVar.flag("AESHOSP", "Requires or Prolongs Hospitalization"),
            SDTMVar.flag("AESLIFE", "Is Life Threatening"),
            SDTMVar.flag("AESMIE", "Other Medically Important Serious Event"),
            SDTMVar.text("AETOXGR", "Standard Toxicity Grade", role: "Record Qualifier",
                         codelist: "CTCAE v5.0 grade", codes: SDTMTerms.grades),
            SDTMVar.epoch,
            SDTMVar.date("AESTDTC", "Start Date/Time of Adverse Event"),
            SDTMVar.date("AEENDTC", "End Date/Time of Adverse Event"),
            SDTMVar.studyDay("AESTDY", "Study Day of Start of Adverse Event", of: "AESTDTC"),
            SDTMVar.studyDay("AEENDY", "Study Day of End of Adverse Event", of: "AEENDTC"),
        ])

    static let supplementSpec = SUPPDataset.spec(
        for: "AE", label: "Supplemental Qualifiers for AE",
        qualifiers: [.init("AEEXPECT", "Expected per Reference Safety Info"), .init("AECODED", "Coded with a CTCAE v5.0 Term")]
            + SDTMText.continuations("AETERM"))

    static func map(_ s: SDTMSubject, into batch: inout SDTMBatch) {
        let events = s.data.record.adverseEvents.sorted { ($0.onset, $0.term) < ($1.onset, $1.term) }
        for (index, event) in events.enumerated() {
            let seq = index + 1
            var row = s.row("AE", seq: seq)
            // "Other, specify" words are free text: a de-identified export keeps the coded term alone.
            row["AETERM"] = .text(batch.longText(s.participant.deidentified ? event.term : event.termText,
                                                 variable: "AETERM", domain: "AE", s, seq: seq))
            if event.isCoded {
                row["AELLT"] = .text(event.term)
                row["AELLTCD"] = .integer(event.meddraCode.flatMap { Int($0) })
                row["AEDECOD"] = .text(event.term)
                row["AEPTCD"] = .integer(event.meddraCode.flatMap { Int($0) })
                row["AEBODSYS"] = .text(event.systemOrganClass)
                row["AESOC"] = .text(event.systemOrganClass)
            }
            row["AESEV"] = .text(SDTMTerms.severity(grade: event.grade))
            row["AESER"] = .text(event.isSerious ? "Y" : "N")
            row["AEACN"] = .text(SDTMTerms.action(event.actionTaken))
            row["AEREL"] = .text(SDTMTerms.relatedness(event.relatedness))
            row["AEOUT"] = .text(SDTMTerms.outcome(event.outcome))
            func flag(_ criterion: AdverseEvent.Seriousness) -> ExportValue {
                .text(event.seriousness.contains(criterion) ? "Y" : "N")
            }
            row["AESCONG"] = flag(.congenitalAnomaly)
            row["AESDISAB"] = flag(.disability)
            row["AESDTH"] = flag(.death)
            row["AESHOSP"] = flag(.hospitalization)
            row["AESLIFE"] = flag(.lifeThreatening)
            row["AESMIE"] = flag(.otherImportant)
            row["AETOXGR"] = .text(String(event.grade))
            row["EPOCH"] = s.epoch(event.onset)
            row["AESTDTC"] = s.date(event.onset)
            row["AEENDTC"] = s.date(event.resolution)
            row["AESTDY"] = s.day(event.onset)
            row["AEENDY"] = s.day(event.resolution)
            batch.add("AE", row)
            batch.supplement("AE", s, idvar: "AESEQ", idvarval: String(seq), qnam: "AEEXPECT",
                             qlabel: "Expected per Reference Safety Info", qval: event.expected ? "Y" : "N", qorig: "Derived")
            if !event.isCoded {
                batch.supplement("AE", s, idvar: "AESEQ", idvarval: String(seq), qnam: "AECODED",
                                 qlabel: "Coded with a CTCAE v5.0 Term", qval: "N", qorig: "Derived")
            }
        }
    }
}
