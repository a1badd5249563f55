/// Building blocks of the SDTM dataset specs (SDTMIG 3.4): the identifier and timing variables every domain
/// shares, with their SDTMIG labels, and a short way to write one variable. Names are at most 8 upper-case
/// characters and labels at most 40 (SAS XPORT v5); `SDTMSpecTests` checks every spec.
enum SDTMVar {
    static func text(_ name: String, _ label: String, role: String, origin: String = "Collected",
                     codelist: String? = nil, codes: [VariableSpec.Code] = [], derivation: String? = nil) -> VariableSpec {
        VariableSpec(name: name, label: label, dataType: .text, codelist: codelist, codes: codes, role: role,
                     origin: origin, derivation: derivation)
    }

    static func integer(_ name: String, _ label: String, role: String, origin: String = "Derived",
                        derivation: String? = nil) -> VariableSpec {
        VariableSpec(name: name, label: label, dataType: .integer, role: role, origin: origin, derivation: derivation)
    }

    static func float(_ name: String, _ label: String, role: String, origin: String = "Collected",
                      derivation: String? = nil) -> VariableSpec {
        VariableSpec(name: name, label: label, dataType: .float, role: role, origin: origin, derivation: derivation)
    }

    /// An ISO 8601 date-time (--DTC of an instant: YYYY-MM-DDThh:mm:ss, the year alone in a year-only export).
    static func dtc(_ name: String, _ label: String, origin: String = "Collected", derivation: String? = nil) -> VariableSpec {
        VariableSpec(name: name, label: label, dataType: .datetime, role: "Timing", origin: origin, derivation: derivation)
    }

    /// An ISO 8601 date (YYYY-MM-DD, the year alone in a year-only export).
    static func date(_ name: String, _ label: String, origin: String = "Collected", derivation: String? = nil) -> VariableSpec {
        VariableSpec(name: name, label: label, dataType: .date, role: "Timing", origin: origin, derivation: derivation)
    }

    static func studyDay(_ name: String, _ label: String, of dtc: String) -> VariableSpec {
        integer(name, label, role: "Timing",
                derivation: "\(dtc) minus RFSTDTC in days, plus 1 on or after RFSTDTC (no day 0); missing when either date is partial")
    }

    /// STUDYID, DOMAIN: the first two variables of every dataset (the trial design datasets have no subject).
    static func studyIdentifiers(_ domain: String) -> [VariableSpec] {
        [
            text("STUDYID", "Study Identifier", role: "Identifier", origin: "Assigned"),
            text("DOMAIN", "Domain Abbreviation", role: "Identifier", origin: "Assigned",
                 codelist: "DOMAIN (C66734)", codes: [.init(domain, domain)]),
        ]
    }

    /// STUDYID, DOMAIN, USUBJID: the first three variables of every subject-level domain.
    static func identifiers(_ domain: String) -> [VariableSpec] {
        studyIdentifiers(domain) + [
            text("USUBJID", "Unique Subject Identifier", role: "Identifier", origin: "Derived",
                 derivation: "STUDYID and SUBJID joined by a hyphen"),
        ]
    }

    /// A Y/N flag (NY, C66742).
    static func flag(_ name: String, _ label: String, role: String = "Record Qualifier", origin: String = "Collected") -> VariableSpec {
        text(name, label, role: role, origin: origin, codelist: SDTMTerms.nyCodelist, codes: SDTMTerms.ny)
    }

    static func seq(_ domain: String) -> VariableSpec {
        integer("\(domain)SEQ", "Sequence Number", role: "Identifier",
                derivation: "1, 2, … per subject in the order the records are written")
    }

    static let visitnum = float("VISITNUM", "Visit Number", role: "Timing", origin: "Derived",
                                derivation: "Position of the recorded visit in the protocol's schedule (TV), ordered by planned day")
    static let visit = text("VISIT", "Visit Name", role: "Timing", origin: "Derived",
                            derivation: "Title of the visit in the protocol's schedule (TV)")
    static let epoch = text("EPOCH", "Epoch", role: "Timing", origin: "Derived", codelist: "EPOCH (C99079)",
                            codes: SDTMTerms.epochs,
                            derivation: "SCREENING before RFSTDTC, TREATMENT from RFSTDTC to RFENDTC, FOLLOW-UP after")
}

/// One dataset row by variable name; turned into the spec's order by `SDTMRow.values(for:)`, which refuses a
/// name the spec does not have (a mapping error must stop the export, not drop a value).
struct SDTMRow {
    var cells: [String: ExportValue] = [:]

    init() {}

    /// A trial design row: STUDYID and DOMAIN set.
    init(study: SDTMStudy, domain: String) {
        cells["STUDYID"] = .text(study.studyID)
        cells["DOMAIN"] = .text(domain)
    }

    subscript(_ name: String) -> ExportValue? {
        get { cells[name] }
        set { cells[name] = newValue }
    }

    func values(for spec: DatasetSpec) throws -> [ExportValue] {
        var used = 0
        let values = spec.variables.map { variable -> ExportValue in
            guard let value = cells[variable.name] else { return .missing }
            used += 1
            if case let .text(text) = value { return .text(SDTMText.ascii(text)) }
            return value
        }
        if used != cells.count, let name = cells.keys.sorted().first(where: { n in !spec.variables.contains { $0.name == n } }) {
            throw ExportError("SDTM \(spec.name): the mapping sets variable \(name), which the dataset does not define")
        }
        return values
    }
}
