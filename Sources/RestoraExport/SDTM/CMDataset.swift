import RestoraDomain

/// CM — Concomitant/Prior Medications (SDTMIG 3.4 section 6.1.2): the participant's medicines besides the
/// protocol treatment, adjunct therapies included (CMCAT).
enum CMDataset {
    static let spec = DatasetSpec(
        name: "CM", label: "Concomitant/Prior Medications", observationClass: "INTERVENTIONS",
        structure: "One record per recorded intervention occurrence or constant-dosing interval per subject",
        keys: ["STUDYID", "USUBJID", "CMTRT", "CMSTDTC"],
        variables: SDTMVar.identifiers("CM") + [
            SDTMVar.seq("CM"),
            SDTMVar.text("CMTRT", "Reported Name of Drug, Med, or Therapy", role: "Topic"),
            SDTMVar.text("CMDECOD", "Standardized Medication Name", role: "Synonym Qualifier", origin: "Assigned",
                         derivation: "RxNorm ingredient name of the recorded code (not WHODrug; docs/sdtm.md)"),
            SDTMVar.text("CMCAT", "Category for Medication", role: "Grouping Qualifier", origin: "Derived",
                         codes: [.init("ADJUNCT THERAPY", "Recorded as an adjunct of the program"),
                                 .init("CONCOMITANT MEDICATION", "Any other medicine")]),
            SDTMVar.text("CMCLAS", "Medication Class", role: "Variable Qualifier"),
            SDTMVar.text("CMDOSTXT", "Dose Description", role: "Record Qualifier"),
            SDTMVar.epoch,
            SDTMVar.date("CMSTDTC", "Start Date/Time of Medication"),
            SDTMVar.date("CMENDTC", "End Date/Time of Medication"),
            SDTMVar.studyDay("CMSTDY", "Study Day of Start of Medication", of: "CMSTDTC"),
            SDTMVar.studyDay("CMENDY", "Study Day of End of Medication", of: "CMENDTC"),
        ])

    static let supplementSpec = SUPPDataset.spec(for: "CM", label: "Supplemental Qualifiers for CM",
                                                 qualifiers: [.init("RXNORM", "RxNorm Code")])

    static func map(_ s: SDTMSubject, into batch: inout SDTMBatch) {
        for (index, medication) in s.data.record.medications.enumerated() {
            var row = s.row("CM", seq: index + 1)
            let name = medication.drug.display ?? medication.drug.code
            row["CMTRT"] = .text(name.uppercased())
            if medication.drug.system == .rxnorm, let display = medication.drug.display {
                row["CMDECOD"] = .text(display.uppercased())
            }
            row["CMCAT"] = .text(medication.adjunct ? "ADJUNCT THERAPY" : "CONCOMITANT MEDICATION")
            row["CMCLAS"] = .text(medication.drugClass?.uppercased())
            row["CMDOSTXT"] = .text(s.participant.deidentified ? nil : medication.dose)
            row["EPOCH"] = s.epoch(medication.start)
            row["CMSTDTC"] = s.date(medication.start)
            row["CMENDTC"] = s.date(medication.stop)
            row["CMSTDY"] = s.day(medication.start)
            row["CMENDY"] = s.day(medication.stop)
            batch.add("CM", row)
            if medication.drug.system == .rxnorm {
                batch.supplement("CM", s, idvar: "CMSEQ", idvarval: String(index + 1), qnam: "RXNORM",
                                 qlabel: "RxNorm Code", qval: medication.drug.code, qorig: "Assigned")
            }
        }
    }
}
