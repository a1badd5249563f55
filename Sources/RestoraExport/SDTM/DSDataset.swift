import RestoraDomain

/// DS — Disposition (SDTMIG 3.4 section 6.2.4): the protocol milestones and disposition events of the
/// enrolment's status transitions, and a discontinuation of study treatment.
enum DSDataset {
    static let spec = DatasetSpec(
        name: "DS", label: "Disposition", observationClass: "EVENTS",
        structure: "One record per disposition status or protocol milestone per subject",
        keys: ["STUDYID", "USUBJID", "DSDECOD", "DSSTDTC"],
        variables: SDTMVar.identifiers("DS") + [
            SDTMVar.seq("DS"),
            SDTMVar.text("DSTERM", "Reported Term for the Disposition Event", role: "Topic",
                         derivation: "The standard term; for a withdrawal in an identified export the recorded reason"),
            SDTMVar.text("DSDECOD", "Standardized Disposition Term", role: "Synonym Qualifier", origin: "Derived",
                         codelist: "NCOMPLT (C66727) / Protocol Milestone (C114118)", codes: decodes),
            SDTMVar.text("DSCAT", "Category for Disposition Event", role: "Grouping Qualifier", origin: "Derived",
                         codelist: "DSCAT (C74558)", codes: [
                            .init("PROTOCOL MILESTONE", "Protocol milestone"), .init("DISPOSITION EVENT", "Disposition event"),
                         ]),
            SDTMVar.text("DSSCAT", "Subcategory for Disposition Event", role: "Grouping Qualifier", origin: "Derived",
                         codes: [.init("STUDY PARTICIPATION", "Study participation"), .init("STUDY TREATMENT", "Study treatment")]),
            SDTMVar.epoch,
            SDTMVar.dtc("DSDTC", "Date/Time of Collection"),
            SDTMVar.date("DSSTDTC", "Start Date/Time of Disposition Event"),
            SDTMVar.studyDay("DSSTDY", "Study Day of Start of Disposition Event", of: "DSSTDTC"),
        ])

    static let supplementSpec = SUPPDataset.spec(for: "DS", label: "Supplemental Qualifiers for DS",
                                                 qualifiers: SDTMText.continuations("DSTERM"))

    static let decodes: [VariableSpec.Code] = [
        .init("INFORMED CONSENT OBTAINED", "Informed consent obtained (protocol milestone)"),
        .init("ENROLLED", "Enrolled and assigned to the arm (protocol milestone; sponsor term, single-arm programs do not randomise)"),
        .init("SCREEN FAILURE", "Screen failure"), .init("COMPLETED", "Completed"),
        .init("WITHDRAWAL BY SUBJECT", "Withdrawal by subject"), .init("LOST TO FOLLOW-UP", "Lost to follow-up"),
        .init("ADVERSE EVENT", "Study treatment stopped by a protocol safety stop rule"),
    ]

    /// DSCAT and DSDECOD of a transition's target status; nil for the working states that are no milestone.
    static func term(_ status: EnrolmentStatus) -> (category: String, decode: String)? {
        switch status {
        case .consented: ("PROTOCOL MILESTONE", "INFORMED CONSENT OBTAINED")
        case .enrolled: ("PROTOCOL MILESTONE", "ENROLLED")
        case .screenFailed: ("DISPOSITION EVENT", "SCREEN FAILURE")
        case .completed: ("DISPOSITION EVENT", "COMPLETED")
        case .withdrawn: ("DISPOSITION EVENT", "WITHDRAWAL BY SUBJECT")
        case .lostToFollowUp: ("DISPOSITION EVENT", "LOST TO FOLLOW-UP")
        case .prescreened, .screening, .eligible, .onTreatment, .followUp: nil
        }
    }

    static func map(_ s: SDTMSubject, into batch: inout SDTMBatch) {
        var seq = 0
        for transition in s.data.enrolment.transitions {
            guard let term = term(transition.to) else { continue }
            seq += 1
            let date = CalendarDate(transition.at)
            var row = s.row("DS", seq: seq)
            // The reason of a withdrawal is free text: written only in an identified export (Safe Harbor drops free text).
            let reason = transition.to == .withdrawn && !s.participant.deidentified ? transition.reason : nil
            row["DSTERM"] = .text(batch.longText(reason ?? term.decode, variable: "DSTERM", domain: "DS", s, seq: seq))
            row["DSDECOD"] = .text(term.decode)
            row["DSCAT"] = .text(term.category)
            if term.category == "DISPOSITION EVENT" { row["DSSCAT"] = .text("STUDY PARTICIPATION") }
            row["EPOCH"] = s.epoch(date)
            row["DSDTC"] = s.dateTime(transition.at)
            row["DSSTDTC"] = s.date(date)
            row["DSSTDY"] = s.day(date)
            batch.add("DS", row)
        }
        if let stop = s.data.enrolment.treatmentDiscontinuation {
            seq += 1
            var row = s.row("DS", seq: seq)
            row["DSTERM"] = .text(batch.longText(s.participant.deidentified ? "ADVERSE EVENT" : stop.reason,
                                                 variable: "DSTERM", domain: "DS", s, seq: seq))
            row["DSDECOD"] = .text("ADVERSE EVENT")
            row["DSCAT"] = .text("DISPOSITION EVENT")
            row["DSSCAT"] = .text("STUDY TREATMENT")
            row["EPOCH"] = .text("TREATMENT")
            row["DSSTDTC"] = s.date(stop.on)
            row["DSSTDY"] = s.day(stop.on)
            batch.add("DS", row)
        }
    }
}
