import Foundation

/// Writes `define.xml`, CDISC Define-XML 2.1 (an ODM 1.3.2 document with the def: extensions of
/// "http://www.cdisc.org/ns/def/v2.1"), describing every dataset and variable of an SDTM export: one ItemGroupDef
/// per dataset (pointing at its `<name>.xpt` through def:leaf), one ItemDef per variable, one CodeList per
/// codelist, one MethodDef per derivation. Elements follow the order of the Define-XML 2.1 schema
/// (MetaDataVersion: def:Standards, ItemGroupDef*, ItemDef*, CodeList*, MethodDef*). Every attribute and text is
/// XML-escaped; text XML 1.0 cannot carry (control characters) is refused. docs/xpt-format.md lists the choices.
public enum DefineXMLWriter {
    public static let fileName = "define.xml"
    /// def:Origin Type values Define-XML 2.1 allows.
    static let originTypes = ["Collected", "Derived", "Assigned", "Protocol", "Predecessor", "Not Available"]

    /// - Parameters:
    ///   - lengths: the character lengths written, by dataset then variable (`XPTDatasetWriter.lengths` after
    ///     finish), for ItemDef Length; a text variable without one gets 200, the XPORT v5 maximum.
    ///   - archiveExtension: the data files' extension for def:leaf ("xpt").
    @discardableResult
    public static func write(datasets: [DatasetSpec], context: ExportContext, directory: URL,
                             lengths: [String: [String: Int]] = [:], archiveExtension: String = "xpt") throws -> ExportedFile {
        let document = try render(datasets: datasets, context: context, lengths: lengths, archiveExtension: archiveExtension)
        try writeAtomically(directory.appendingPathComponent(fileName)) { try $0.write(document) }
        return ExportedFile(name: fileName, rows: 0,
                            description: "Define-XML 2.1 describing \(datasets.count) datasets")
    }

    /// The document as text.
    static func render(datasets: [DatasetSpec], context: ExportContext, lengths: [String: [String: Int]],
                       archiveExtension: String) throws -> String {
        guard !datasets.isEmpty else { throw ExportError("define.xml: no datasets to describe") }
        var names = Set<String>()
        for dataset in datasets where !names.insert(dataset.name).inserted {
            throw ExportError("define.xml: dataset \(dataset.name) appears twice")
        }
        var x = XMLText()
        let created = CDISCOIDs.dateTime(context.createdAt)
        let standard = "STD.SDTMIG.3.4"
        x.line("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        try x.open("ODM", [
            ("xmlns", "http://www.cdisc.org/ns/odm/v1.3"),
            ("xmlns:xlink", "http://www.w3.org/1999/xlink"),
            ("xmlns:def", "http://www.cdisc.org/ns/def/v2.1"),
            ("ODMVersion", "1.3.2"), ("FileType", "Snapshot"),
            ("FileOID", CDISCOIDs.study(context) + ".Define-XML." + created),
            ("CreationDateTime", created), ("Originator", context.sourceSystem),
            ("SourceSystem", context.sourceSystem), ("SourceSystemVersion", context.sourceSystemVersion),
            ("def:Context", "Submission"),
        ])
        try x.open("Study", [("OID", CDISCOIDs.study(context))])
        try x.open("GlobalVariables", [])
        try x.element("StudyName", [], text: context.studyID)
        var description = context.definition.title
        if context.synthetic { description += " (synthetic demo data)" }
        if context.deidentified { description += " (de-identified, HIPAA Safe Harbor)" }
        try x.element("StudyDescription", [], text: description)
        try x.element("ProtocolName", [], text: context.definition.id + " " + context.definition.version)
        x.close("GlobalVariables")
        try x.open("MetaDataVersion", [
            ("OID", CDISCOIDs.metaDataVersion(context)),
            ("Name", "Study \(context.studyID), SDTMIG 3.4"),
            ("Description", "SDTM datasets exported by \(context.sourceSystem) \(context.sourceSystemVersion)"),
            ("def:DefineVersion", "2.1.0"),
        ])
        try x.open("def:Standards", [])
        try x.element("def:Standard", [("OID", standard), ("Name", "SDTMIG"), ("Type", "IG"), ("Version", "3.4"),
                                       ("Status", "Final")])
        x.close("def:Standards")

        // ItemGroupDef per dataset.
        for dataset in datasets {
            try x.open("ItemGroupDef", [
                ("OID", CDISCOIDs.itemGroup(dataset.name)), ("Domain", dataset.name), ("Name", dataset.name),
                ("Repeating", repeating(dataset) ? "Yes" : "No"),
                ("IsReferenceData", dataset.observationClass == "TRIAL DESIGN" ? "Yes" : "No"),
                ("SASDatasetName", dataset.name), ("def:Structure", dataset.structure ?? "One record per row"),
                ("Purpose", "Tabulation"), ("def:StandardOID", standard),
                ("def:ArchiveLocationID", "LF." + dataset.name),
            ])
            try x.description(dataset.label)
            for (index, variable) in dataset.variables.enumerated() {
                var attributes = [("ItemOID", CDISCOIDs.item(dataset.name, variable.name)),
                                  ("OrderNumber", String(index + 1)),
                                  ("Mandatory", dataset.keys.contains(variable.name) ? "Yes" : "No")]
                if let key = dataset.keys.firstIndex(of: variable.name) { attributes.append(("KeySequence", String(key + 1))) }
                if variable.derivation != nil { attributes.append(("MethodOID", CDISCOIDs.method(dataset.name, variable.name))) }
                if let role = variable.role { attributes.append(("Role", role)) }
                try x.element("ItemRef", attributes)
            }
            if let observationClass = dataset.observationClass {
                try x.element("def:Class", [("Name", observationClass)])
            }
            let file = dataset.name.lowercased() + "." + archiveExtension
            try x.open("def:leaf", [("ID", "LF." + dataset.name), ("xlink:href", file)])
            try x.element("def:title", [], text: file)
            x.close("def:leaf")
            x.close("ItemGroupDef")
        }

        // ItemDef per variable; codelists and methods gathered on the way.
        var codeLists: [(name: String, dataType: VariableSpec.DataType, codes: [VariableSpec.Code])] = []
        var methods: [(oid: String, name: String, text: String)] = []
        for dataset in datasets {
            for variable in dataset.variables {
                func refuse(_ why: String) -> ExportError {
                    ExportError("define.xml: dataset \(dataset.name), variable \(variable.name): \(why)")
                }
                let dataType = defineDataType(variable.dataType)
                var attributes = [("OID", CDISCOIDs.item(dataset.name, variable.name)), ("Name", variable.name),
                                  ("DataType", dataType)]
                switch variable.dataType {
                case .text, .boolean:
                    attributes.append(("Length", String(lengths[dataset.name]?[variable.name] ?? XPTDatasetWriter.maxCharacterBytes)))
                case .integer, .float:
                    attributes.append(("Length", "8"))
                default: break
                }
                attributes.append(("SASFieldName", variable.name))
                try x.open("ItemDef", attributes)
                try x.description(variable.label)
                var codeListName = variable.codelist
                if codeListName == nil, !variable.codes.isEmpty { codeListName = dataset.name + "." + variable.name }
                if let codeListName {
                    try x.element("CodeListRef", [("CodeListOID", CDISCOIDs.codeList(codeListName))])
                    if let at = codeLists.firstIndex(where: { $0.name == codeListName }) {
                        for code in variable.codes where !codeLists[at].codes.contains(where: { $0.value == code.value }) {
                            codeLists[at].codes.append(code)
                        }
                    } else {
                        codeLists.append((codeListName, variable.dataType, variable.codes))
                    }
                }
                let origin = variable.origin ?? (variable.derivation != nil ? "Derived" : nil)
                if let origin {
                    guard let type = originTypes.first(where: { $0.caseInsensitiveCompare(origin) == .orderedSame }) else {
                        throw refuse("origin \"\(origin)\" is not a Define-XML 2.1 origin (\(originTypes.joined(separator: ", ")))")
                    }
                    try x.element("def:Origin", [("Type", type)])
                }
                x.close("ItemDef")
                if let derivation = variable.derivation {
                    methods.append((CDISCOIDs.method(dataset.name, variable.name),
                                    "Algorithm to derive \(dataset.name).\(variable.name)", derivation))
                }
            }
        }
        for list in codeLists {
            let dataType = list.dataType.kind == .number ? (list.dataType == .integer ? "integer" : "float") : "text"
            try x.open("CodeList", [("OID", CDISCOIDs.codeList(list.name)), ("Name", list.name), ("DataType", dataType)])
            let decoded = list.codes.contains { $0.meaning != $0.value && !$0.meaning.isEmpty }
            for (index, code) in list.codes.enumerated() {
                if decoded {
                    try x.open("CodeListItem", [("CodedValue", code.value), ("OrderNumber", String(index + 1))])
                    try x.open("Decode", [])
                    try x.element("TranslatedText", [("xml:lang", "en")], text: code.meaning.isEmpty ? code.value : code.meaning)
                    x.close("Decode")
                    x.close("CodeListItem")
                } else {
                    try x.element("EnumeratedItem", [("CodedValue", code.value), ("OrderNumber", String(index + 1))])
                }
            }
            x.close("CodeList")
        }
        for method in methods {
            try x.open("MethodDef", [("OID", method.oid), ("Name", method.name), ("Type", "Computation")])
            try x.description(method.text)
            x.close("MethodDef")
        }
        x.close("MetaDataVersion")
        x.close("Study")
        x.close("ODM")
        return x.text
    }

    /// Whether a subject (or the study, for trial design datasets) can have more than one record: not for
    /// "One record per subject" (DM) nor for the trial design datasets, which are reference data.
    static func repeating(_ dataset: DatasetSpec) -> Bool {
        if dataset.observationClass == "TRIAL DESIGN" { return false }
        return dataset.structure?.lowercased() != "one record per subject"
    }

    /// The Define-XML 2.1 DataType of a variable (2.1 has no boolean: flags are text, as SDTM's "Y"/"N").
    static func defineDataType(_ type: VariableSpec.DataType) -> String {
        switch type {
        case .text, .boolean: return "text"
        case .integer: return "integer"
        case .float: return "float"
        case .date: return "date"
        case .datetime: return "datetime"
        case .time: return "time"
        }
    }
}

/// Builds indented XML text; escapes every attribute value and text, refusing what XML 1.0 cannot hold.
struct XMLText {
    private(set) var text = ""
    private var depth = 0

    mutating func line(_ s: String) { text += String(repeating: "  ", count: depth) + s + "\n" }

    mutating func open(_ name: String, _ attributes: [(String, String)]) throws {
        line("<" + name + (try Self.attributes(attributes)) + ">")
        depth += 1
    }

    mutating func close(_ name: String) {
        depth -= 1
        line("</" + name + ">")
    }

    /// An element with text content, or empty (`<name/>`) when `text` is nil.
    mutating func element(_ name: String, _ attributes: [(String, String)], text: String? = nil) throws {
        let attrs = try Self.attributes(attributes)
        if let text {
            line("<" + name + attrs + ">" + (try Self.escape(text)) + "</" + name + ">")
        } else {
            line("<" + name + attrs + "/>")
        }
    }

    /// ODM Description with one English TranslatedText.
    mutating func description(_ text: String) throws {
        try open("Description", [])
        try element("TranslatedText", [("xml:lang", "en")], text: text)
        close("Description")
    }

    static func attributes(_ attributes: [(String, String)]) throws -> String {
        var out = ""
        for (name, value) in attributes { out += " " + name + "=\"" + (try escape(value)) + "\"" }
        return out
    }

    /// `s` with &, <, >, " and ' escaped (and tab, newline, carriage return as character references so an
    /// attribute keeps them); other control characters cannot appear in XML 1.0 and are refused.
    static func escape(_ s: String) throws -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(s.unicodeScalars.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t": out += "&#9;"
            case "\n": out += "&#10;"
            case "\r": out += "&#13;"
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF:
                throw ExportError("define.xml: the text \"\(s.prefix(40))\" has a control character XML cannot hold (U+\(String(scalar.value, radix: 16, uppercase: true)))")
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
