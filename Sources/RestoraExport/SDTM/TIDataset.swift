import RestoraDomain

/// TI — Trial Inclusion/Exclusion Criteria (SDTMIG 3.4 section 7.4.1), from the protocol's criteria.
enum TIDataset {
    static let spec = DatasetSpec(
        name: "TI", label: "Trial Inclusion/Exclusion Criteria", observationClass: "TRIAL DESIGN",
        structure: "One record per I/E criterion", keys: ["STUDYID", "IETESTCD"],
        variables: SDTMVar.studyIdentifiers("TI") + [
            SDTMVar.text("IETESTCD", "Incl/Excl Criterion Short Name", role: "Topic", origin: "Derived",
                         derivation: "INCL or EXCL and the criterion's position in the protocol (INCL01, EXCL03)"),
            SDTMVar.text("IETEST", "Inclusion/Exclusion Criterion", role: "Synonym Qualifier", origin: "Protocol",
                         derivation: "The criterion's text; a text over 200 characters is cut at a word and ends in \"...\" (the protocol holds it in full)"),
            SDTMVar.text("IECAT", "Inclusion/Exclusion Category", role: "Grouping Qualifier", origin: "Protocol",
                         codelist: "IECAT (C66797)", codes: [.init("INCLUSION", "Inclusion"), .init("EXCLUSION", "Exclusion")]),
            SDTMVar.text("TIRL", "Inclusion/Exclusion Criterion Rule", role: "Rule", origin: "Protocol",
                         derivation: "The protocol's criterion id (the machine rule in protocols/<id>.yaml)"),
            SDTMVar.text("TIVERS", "Protocol Criteria Versions", role: "Record Qualifier", origin: "Protocol"),
        ])

    static let maximumText = 200

    /// A text of at most 200 bytes, cut at a word with "..." when longer.
    static func shortened(_ text: String) -> String {
        let flat = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        guard flat.utf8.count > maximumText else { return flat }
        var result = ""
        for word in flat.split(separator: " ") {
            let next = result.isEmpty ? String(word) : result + " " + word
            if next.utf8.count + 4 > maximumText { break }
            result = next
        }
        return result + " ..."
    }

    static func rows(_ study: SDTMStudy) -> [SDTMRow] {
        let d = study.definition
        func rows(_ criteria: [Criterion], _ prefix: String, _ category: String) -> [SDTMRow] {
            criteria.enumerated().map { index, criterion in
                var row = SDTMRow(study: study, domain: "TI")
                row["IETESTCD"] = .text(prefix + String(format: "%02d", index + 1))
                row["IETEST"] = .text(shortened(criterion.text))
                row["IECAT"] = .text(category)
                row["TIRL"] = .text(shortened(criterion.id))
                row["TIVERS"] = .text(d.version)
                return row
            }
        }
        return rows(d.inclusion, "INCL", "INCLUSION") + rows(d.exclusion, "EXCL", "EXCLUSION")
    }
}
