import RestoraDomain

/// DM — Demographics (SDTMIG 3.4 section 6.1.1): one record per subject.
enum DMDataset {
    static let spec = DatasetSpec(
        name: "DM", label: "Demographics", observationClass: "SPECIAL PURPOSE", structure: "One record per subject",
        keys: ["STUDYID", "USUBJID"],
        variables: SDTMVar.identifiers("DM") + [
            SDTMVar.text("SUBJID", "Subject Identifier for the Study", role: "Topic", origin: "Assigned",
                         derivation: "The participant id; in a de-identified export a random study number"),
            SDTMVar.date("RFSTDTC", "Subject Reference Start Date/Time", origin: "Derived",
                        derivation: "Date of the move to on-treatment (first dose or injection)"),
            SDTMVar.date("RFENDTC", "Subject Reference End Date/Time", origin: "Derived",
                        derivation: "Date of the move from on-treatment to follow-up, else the treatment discontinuation"),
            SDTMVar.date("RFXSTDTC", "Date/Time of First Study Treatment", origin: "Derived", derivation: "As RFSTDTC"),
            SDTMVar.date("RFXENDTC", "Date/Time of Last Study Treatment", origin: "Derived", derivation: "As RFENDTC"),
            SDTMVar.date("RFICDTC", "Date/Time of Informed Consent", origin: "Derived",
                        derivation: "Date of the move to consented"),
            SDTMVar.date("RFPENDTC", "Date/Time of End of Participation", origin: "Derived",
                        derivation: "Date of the move to completed, withdrawn or lost to follow-up, or the last transition"),
            SDTMVar.date("DTHDTC", "Date/Time of Death", origin: "Derived",
                        derivation: "End (else onset) of an adverse event with outcome FATAL"),
            SDTMVar.text("DTHFL", "Subject Death Flag", role: "Record Qualifier", origin: "Derived",
                         codelist: SDTMTerms.nyCodelist, codes: [.init("Y", "Yes")]),
            SDTMVar.text("SITEID", "Study Site Identifier", role: "Record Qualifier", origin: "Assigned"),
            SDTMVar.integer("AGE", "Age", role: "Record Qualifier",
                            derivation: "Completed years on the enrolment's first transition; missing for \"90 or older\" (SUPPDM AGETXT)"),
            SDTMVar.text("AGEU", "Age Units", role: "Variable Qualifier", origin: "Assigned",
                         codelist: "AGEU (C66781)", codes: [.init("YEARS", "Years")]),
            SDTMVar.text("SEX", "Sex", role: "Record Qualifier", codelist: "SEX (C66731)", codes: SDTMTerms.sexCodes),
            SDTMVar.text("ARMCD", "Planned Arm Code", role: "Record Qualifier", origin: "Assigned"),
            SDTMVar.text("ARM", "Description of Planned Arm", role: "Synonym Qualifier", origin: "Assigned"),
            SDTMVar.text("ACTARMCD", "Actual Arm Code", role: "Record Qualifier", origin: "Derived"),
            SDTMVar.text("ACTARM", "Description of Actual Arm", role: "Synonym Qualifier", origin: "Derived"),
            SDTMVar.text("ARMNRS", "Reason Arm and/or Actual Arm is Null", role: "Record Qualifier", origin: "Derived",
                         codelist: "ARMNULRS (C142179)", codes: [
                            .init("SCREEN FAILURE", "Screen failure"), .init("NOT ASSIGNED", "Not assigned"),
                            .init("ASSIGNED, NOT TREATED", "Assigned, not treated"),
                         ]),
            SDTMVar.text("COUNTRY", "Country", role: "Record Qualifier", origin: "Assigned", codelist: "ISO 3166-1 alpha-3",
                         derivation: "Not recorded by Restora: left empty (docs/sdtm.md)"),
        ])

    static let supplementSpec = SUPPDataset.spec(
        for: "DM", label: "Supplemental Qualifiers for DM",
        qualifiers: [.init("AGETXT", "Age as Text")])

    static func map(_ s: SDTMSubject, study: SDTMStudy, into batch: inout SDTMBatch) {
        let enrolment = s.data.enrolment
        let transitions = enrolment.transitions
        func reached(_ status: EnrolmentStatus) -> CalendarDate? {
            transitions.first { $0.to == status }.map { CalendarDate($0.at) }
        }
        var row = SDTMRow(dataset: "DM")
        row["STUDYID"] = .text(s.studyID)
        row["DOMAIN"] = .text("DM")
        row["USUBJID"] = .text(s.usubjid)
        row["SUBJID"] = .text(s.participant.subjectID)
        row["RFSTDTC"] = s.date(s.referenceStart)
        row["RFENDTC"] = s.date(s.referenceEnd)
        row["RFXSTDTC"] = s.date(s.referenceStart)
        row["RFXENDTC"] = s.date(s.referenceEnd)
        row["RFICDTC"] = s.date(reached(.consented))
        let ended = transitions.last { [.completed, .withdrawn, .lostToFollowUp, .screenFailed].contains($0.to) }
        row["RFPENDTC"] = s.date(ended.map { CalendarDate($0.at) })
        if let death = s.data.record.adverseEvents.first(where: { $0.outcome == .fatal }) {
            row["DTHDTC"] = s.date(death.resolution ?? death.onset)
            row["DTHFL"] = .text("Y")
        }
        row["SITEID"] = .text(enrolment.siteID.rawValue)
        if let text = s.participant.ageText {
            batch.supplement("DM", s, idvar: nil, idvarval: nil, qnam: "AGETXT", qlabel: "Age as Text", qval: text, qorig: "Derived")
        } else if let age = s.participant.ageYears {
            row["AGE"] = .integer(age)
        }
        if s.participant.ageText != nil || s.participant.ageYears != nil { row["AGEU"] = .text("YEARS") }
        row["SEX"] = .text(SDTMTerms.sex(s.data.record.participant.sex))
        let assigned = transitions.contains { $0.to == .enrolled } || enrolment.status == .enrolled
        let arm = assigned ? study.arm(id: enrolment.armID) : nil
        if let arm {
            row["ARMCD"] = .text(SDTMStudy.armCode(arm))
            row["ARM"] = .text(arm.title)
            if s.referenceStart != nil {
                row["ACTARMCD"] = .text(SDTMStudy.armCode(arm))
                row["ACTARM"] = .text(arm.title)
            } else {
                row["ARMNRS"] = .text("ASSIGNED, NOT TREATED")
            }
        } else {
            let failed = enrolment.status == .screenFailed || transitions.contains { $0.to == .screenFailed }
            row["ARMNRS"] = .text(failed ? "SCREEN FAILURE" : "NOT ASSIGNED")
        }
        batch.add("DM", row)
    }
}
