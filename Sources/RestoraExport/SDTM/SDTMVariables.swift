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

/// The variables of one dataset by position, so a row built by variable name is stored in the dataset's order as
/// it is built (no dictionary per row, no reordering pass): the SDTM export builds about half a million rows per
/// 10^4 participants, and a per-row dictionary keyed by name was a quarter of its mapping time (issue #18).
final class SDTMLayout: Sendable {
    let dataset: String
    let names: [String]
    let positions: [String: Int]
    /// `<dataset>SEQ`, the --SEQ variable of a subject-level domain.
    let seqName: String

    init(dataset: String, names: [String]) {
        self.dataset = dataset
        self.names = names
        positions = Dictionary(names.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { a, _ in a })
        seqName = dataset + "SEQ"
    }

    /// Every dataset of the package by name; a name the package lacks gets an empty layout, so each variable a
    /// row of it sets is refused by `SDTMRow.values(for:)`.
    private static let known: [String: SDTMLayout] = Dictionary(
        SDTMMapping.allDatasets.map { ($0.name, SDTMLayout(dataset: $0.name, names: $0.variables.map(\.name))) },
        uniquingKeysWith: { a, _ in a })

    static func of(_ dataset: String) -> SDTMLayout { known[dataset] ?? SDTMLayout(dataset: dataset, names: []) }

    /// The position of `name`; `hint` is where the caller expects it (the one after the last variable set:
    /// rows are mostly filled in dataset order), checked first.
    @inline(__always)
    func position(_ name: String, hint: Int) -> Int? {
        if hint < names.count, names[hint] == name { return hint }
        return positions[name]
    }
}

/// One dataset row, set by variable name and held in the dataset's variable order (`SDTMLayout`); a text is
/// stored in ASCII (`SDTMText.ascii`). `values(for:)` gives the row in the spec's order and refuses a name the
/// spec does not have (a mapping error must stop the export, not drop a value).
struct SDTMRow {
    let layout: SDTMLayout
    private(set) var cells: [ExportValue]
    /// Variables set that the dataset does not define (refused by `values(for:)`).
    private var unknown: [String] = []
    private var hint = 0

    init(dataset: String) {
        layout = SDTMLayout.of(dataset)
        cells = Array(repeating: .missing, count: layout.names.count)
    }

    /// A trial design row: STUDYID and DOMAIN set.
    init(study: SDTMStudy, domain: String) {
        self.init(dataset: domain)
        self["STUDYID"] = .text(study.studyID)
        self["DOMAIN"] = .text(domain)
    }

    subscript(_ name: String) -> ExportValue? {
        get { layout.positions[name].map { cells[$0] } }
        set {
            guard let position = layout.position(name, hint: hint) else {
                if !unknown.contains(name) { unknown.append(name) }
                return
            }
            hint = position + 1
            if case let .text(text)? = newValue {
                cells[position] = .text(SDTMText.ascii(text))
            } else {
                cells[position] = newValue ?? .missing
            }
        }
    }

    func values(for spec: DatasetSpec) throws -> [ExportValue] {
        if let name = unknown.sorted().first {
            throw ExportError("SDTM \(spec.name): the mapping sets variable \(name), which the dataset does not define")
        }
        if spec.name == layout.dataset, spec.variables.count == cells.count { return cells }
        // Another dataset's spec (tests): by name.
        let values = spec.variables.map { variable -> ExportValue in
            layout.positions[variable.name].map { cells[$0] } ?? .missing
        }
        if let name = zip(layout.names, cells).first(where: { name, value in
            !value.isMissing && !spec.variables.contains { $0.name == name }
        })?.0 {
            throw ExportError("SDTM \(spec.name): the mapping sets variable \(name), which the dataset does not define")
        }
        return values
    }
}
