import RestoraDomain

/// TV — Trial Visits (SDTMIG 3.4 section 7.3.1): the protocol's schedule, numbered by planned day.
enum TVDataset {
    static let spec = DatasetSpec(
        name: "TV", label: "Trial Visits", observationClass: "TRIAL DESIGN",
        structure: "One record per planned Visit per Arm", keys: ["STUDYID", "ARMCD", "VISITNUM"],
        variables: SDTMVar.studyIdentifiers("TV") + [
            SDTMVar.float("VISITNUM", "Visit Number", role: "Topic", origin: "Protocol"),
            SDTMVar.text("VISIT", "Visit Name", role: "Synonym Qualifier", origin: "Protocol"),
            SDTMVar.integer("VISITDY", "Planned Study Day of Visit", role: "Timing", origin: "Derived",
                            derivation: "Protocol day + 1 from day 0 on (day 0 is the first treatment, SDTM day 1), the protocol day before it"),
            SDTMVar.text("ARMCD", "Planned Arm Code", role: "Record Qualifier", origin: "Protocol"),
            SDTMVar.text("TVSTRL", "Visit Start Rule", role: "Rule", origin: "Protocol"),
            SDTMVar.text("TVENRL", "Visit End Rule", role: "Rule", origin: "Protocol"),
        ])

    static func rows(_ study: SDTMStudy) -> [SDTMRow] {
        study.schedule.visits.map { visit in
            let d = visit.definition
            var row = SDTMRow(study: study, domain: "TV")
            row["VISITNUM"] = .number(Double(visit.number))
            row["VISIT"] = .text(d.title)
            row["VISITDY"] = .integer(SDTMSchedule.studyDay(protocolDay: d.day))
            row["TVSTRL"] = .text("From protocol day \(d.earliestDay) (day 0 = first study treatment)")
            row["TVENRL"] = .text("Up to protocol day \(d.latestDay)")
            return row
        }
    }
}
