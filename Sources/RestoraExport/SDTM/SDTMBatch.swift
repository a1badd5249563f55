import RestoraDomain

/// The rows one chunk of participants gives each dataset, in the order they are written; a SUPP-- row is
/// added with the parent record it qualifies (`supplement`).
struct SDTMBatch {
    private(set) var rows: [String: [SDTMRow]] = [:]
    /// Dataset names in the order they first received a row.
    private(set) var order: [String] = []

    mutating func add(_ dataset: String, _ row: SDTMRow) {
        if rows[dataset] == nil { order.append(dataset) }
        rows[dataset, default: []].append(row)
    }

    /// Adds a SUPP<domain> row: a qualifier of the parent record identified by `idvar` = `idvarval` (--SEQ or
    /// --GRPID), or of the subject when `idvar` is nil (SUPPDM).
    mutating func supplement(_ domain: String, _ subject: SDTMSubject, idvar: String?, idvarval: String?,
                             qnam: String, qlabel: String, qval: String?, qorig: String = "Collected") {
        guard let qval, !qval.isEmpty else { return }
        var row = SDTMRow(dataset: "SUPP" + domain)
        row["STUDYID"] = .text(subject.studyID)
        row["RDOMAIN"] = .text(domain)
        row["USUBJID"] = .text(subject.usubjid)
        row["IDVAR"] = .text(idvar)
        row["IDVARVAL"] = .text(idvarval)
        row["QNAM"] = .text(qnam)
        row["QLABEL"] = .text(qlabel)
        row["QVAL"] = .text(qval)
        row["QORIG"] = .text(qorig)
        add(row.layout.dataset, row)
    }

    /// A free text longer than 200 bytes (the SAS XPORT v5 limit) as SDTMIG 3.4 section 4.5.3.2 splits it: the
    /// first 200 bytes (cut between words) for the parent variable, the rest as SUPP-- qualifiers `<variable>1`,
    /// `<variable>2`, … of the record. Returns the parent's part.
    mutating func longText(_ text: String, variable: String, domain: String, _ subject: SDTMSubject, seq: Int) -> String {
        let parts = SDTMText.split(SDTMText.ascii(text), limit: SDTMText.maximumBytes)
        for (index, part) in parts.dropFirst().enumerated() {
            supplement(domain, subject, idvar: "\(domain)SEQ", idvarval: String(seq), qnam: "\(variable)\(index + 1)",
                       qlabel: "\(SDTMText.labels[variable] ?? variable) \(index + 1)", qval: part)
        }
        return parts.first ?? ""
    }
}

/// The spec of a SUPP-- dataset (SDTMIG 3.4 section 8.4): one record per qualifier value.
enum SUPPDataset {
    static func spec(for domain: String, label: String, qualifiers: [VariableSpec.Code]) -> DatasetSpec {
        DatasetSpec(
            name: "SUPP\(domain)", label: label, observationClass: "RELATIONSHIP",
            structure: "One record per IDVAR, IDVARVAL, and QNAM value per subject",
            keys: ["STUDYID", "RDOMAIN", "USUBJID", "IDVAR", "IDVARVAL", "QNAM"],
            variables: [
                SDTMVar.text("STUDYID", "Study Identifier", role: "Identifier", origin: "Assigned"),
                SDTMVar.text("RDOMAIN", "Related Domain Abbreviation", role: "Identifier", origin: "Assigned",
                             codelist: "DOMAIN (C66734)", codes: [.init(domain, domain)]),
                SDTMVar.text("USUBJID", "Unique Subject Identifier", role: "Identifier", origin: "Derived"),
                SDTMVar.text("IDVAR", "Identifying Variable", role: "Identifier", origin: "Assigned"),
                SDTMVar.text("IDVARVAL", "Identifying Variable Value", role: "Identifier", origin: "Derived"),
                SDTMVar.text("QNAM", "Qualifier Variable Name", role: "Topic", origin: "Assigned",
                             codes: qualifiers),
                SDTMVar.text("QLABEL", "Qualifier Variable Label", role: "Synonym Qualifier", origin: "Assigned"),
                SDTMVar.text("QVAL", "Data Value", role: "Result Qualifier"),
                SDTMVar.text("QORIG", "Origin", role: "Record Qualifier", origin: "Assigned"),
            ])
    }
}
