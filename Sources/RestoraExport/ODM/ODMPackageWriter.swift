import Foundation
import RestoraDomain
import RestoraReports

/// The CDISC ODM 1.3.2 package of a program: one `odm.xml` (docs/odm.md), a Snapshot holding the study design
/// (`Study`: GlobalVariables, BasicDefinitions, MetaDataVersion) and the clinical data (`ClinicalData`: one
/// SubjectData per participant). The design comes from the protocol definition and the record kinds, so it is
/// written when the writer is created; each chunk's subjects are appended as they arrive.
///
/// Where a value goes: a visit record of a scheduled visit key is the study event of that visit (its first
/// record; any further record of the same key, or of a key the schedule lacks, is a row of the common event's
/// visits group). A value of a code the visit collects goes into its assessment form at that event — the latest
/// value of the code at the visit, and only when it fits the item's type; every other observation (no visit,
/// an unscheduled code, an earlier value of a code at the visit, a non-numeric value of a numeric item) is a row
/// of the common event's observations group. So each observation is written exactly once.
public struct ODMPackageWriter: ExportPackageWriter {
    public static let fileName = "odm.xml"

    private let context: ExportContext
    private let metadata: ODMMetadata
    private let output: FormatFileOutput
    private let codesByConcept: [String: ScheduledCode]
    private var subjects = 0
    private var finished: [ExportedFile]?

    public init(context: ExportContext, directory: URL) throws {
        self.context = context
        metadata = ODMMetadata(context: context)
        codesByConcept = Dictionary(metadata.codes.map { ($0.coding.description, $0) }, uniquingKeysWith: { a, _ in a })
        output = try FormatFileOutput(url: directory.appendingPathComponent(Self.fileName), capacity: 64 * 1024)
        try writeHeaderAndMetadata()
    }

    public mutating func write(_ participants: [ExportParticipant]) throws {
        guard finished == nil else { throw ExportError("ODM: participants were written after the file was completed") }
        for participant in participants {
            try writeSubject(participant)
            subjects += 1
        }
    }

    public mutating func finish() throws -> [ExportedFile] {
        if let finished { return finished }
        try output.write("  </ClinicalData>\n</ODM>\n")
        try output.close()
        let files = [ExportedFile(name: Self.fileName, rows: subjects,
                                  description: "CDISC ODM 1.3.2 snapshot: study design and clinical data, one SubjectData per participant")]
        finished = files
        return files
    }

    // MARK: metadata

    private func writeHeaderAndMetadata() throws {
        let created = Self.timestamp(context.createdAt)
        let description = [context.synthetic ? "SYNTHETIC DEMO DATA" : nil, context.deidentified ? "De-identified extract" : nil,
                           "Program \(context.program.name)"].compactMap { $0 }.joined(separator: ". ")
        var x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        x += "<ODM xmlns=\"http://www.cdisc.org/ns/odm/v1.3\" ODMVersion=\"1.3.2\" FileType=\"Snapshot\""
        x += " FileOID=\(try attr("F.\(ODMMetadata.oidPart(context.studyID)).\(created.filter { $0.isNumber })"))"
        x += " CreationDateTime=\(try attr(created)) Granularity=\"All\" Description=\(try attr(description))"
        x += " SourceSystem=\(try attr(context.sourceSystem)) SourceSystemVersion=\(try attr(context.sourceSystemVersion))>\n"
        let definition = context.definition
        x += "  <Study OID=\(try attr(metadata.studyOID))>\n"
        x += "    <GlobalVariables>\n"
        x += "      <StudyName>\(try text(context.program.name))</StudyName>\n"
        x += "      <StudyDescription>\(try text(definition.title + (context.synthetic ? " (SYNTHETIC DEMO DATA)" : "")))</StudyDescription>\n"
        x += "      <ProtocolName>\(try text(definition.id))</ProtocolName>\n"
        x += "    </GlobalVariables>\n"
        let units = unitOIDs()
        if !units.isEmpty {
            x += "    <BasicDefinitions>\n"
            for (unit, oid) in units.sorted(by: { $0.value < $1.value }) {
                x += "      <MeasurementUnit OID=\(try attr(oid)) Name=\(try attr(unit))><Symbol>"
                x += "<TranslatedText xml:lang=\"en\">\(try text(unit))</TranslatedText></Symbol></MeasurementUnit>\n"
            }
            x += "    </BasicDefinitions>\n"
        }
        x += "    <MetaDataVersion OID=\(try attr(metadata.metaDataVersionOID))"
        x += " Name=\(try attr("\(definition.id) version \(definition.version)"))>\n"
        x += "      <Protocol>\n"
        for (index, event) in metadata.events.enumerated() {
            x += "        <StudyEventRef StudyEventOID=\(try attr(event.oid)) OrderNumber=\"\(index + 1)\" Mandatory=\"\(index == 0 ? "Yes" : "No")\"/>\n"
        }
        x += "      </Protocol>\n"
        try output.write(x)
        for event in metadata.events {
            x = "      <StudyEventDef OID=\(try attr(event.oid)) Name=\(try attr(event.name)) Repeating=\"No\" Type=\"\(event.type)\">\n"
            for (index, form) in event.forms.enumerated() {
                x += "        <FormRef FormOID=\(try attr(form.oid)) OrderNumber=\"\(index + 1)\" Mandatory=\"No\"/>\n"
            }
            x += "      </StudyEventDef>\n"
            try output.write(x)
        }
        for form in metadata.forms {
            x = "      <FormDef OID=\(try attr(form.oid)) Name=\(try attr(form.name)) Repeating=\"No\">\n"
            x += "        <ItemGroupRef ItemGroupOID=\(try attr(form.group.oid)) Mandatory=\"No\"/>\n"
            x += "      </FormDef>\n"
            try output.write(x)
        }
        for form in metadata.forms {
            let group = form.group
            x = "      <ItemGroupDef OID=\(try attr(group.oid)) Name=\(try attr(group.name)) Repeating=\"\(group.repeating ? "Yes" : "No")\">\n"
            for (index, item) in group.items.enumerated() {
                x += "        <ItemRef ItemOID=\(try attr(item.oid)) OrderNumber=\"\(index + 1)\" Mandatory=\"No\"/>\n"
            }
            x += "      </ItemGroupDef>\n"
            try output.write(x)
        }
        var codeLists: [String: VariableSpec] = [:]
        for item in metadata.items {
            let variable = item.variable
            x = "      <ItemDef OID=\(try attr(item.oid)) Name=\(try attr(item.name)) DataType=\"\(dataType(variable))\""
            if let length = Self.codeLength(variable) { x += " Length=\"\(length)\"" }
            x += ">\n"
            x += "        <Description><TranslatedText xml:lang=\"en\">\(try text(variable.derivation.map { "\(variable.label). \($0)" } ?? variable.label))</TranslatedText></Description>\n"
            x += "        <Question><TranslatedText xml:lang=\"en\">\(try text(variable.label))</TranslatedText></Question>\n"
            if let unit = variable.unit, let oid = units[unit] {
                x += "        <MeasurementUnitRef MeasurementUnitOID=\(try attr(oid))/>\n"
            }
            if let list = codeListOID(variable) {
                x += "        <CodeListRef CodeListOID=\(try attr(list))/>\n"
                if codeLists[list] == nil { codeLists[list] = variable }
            }
            x += "      </ItemDef>\n"
            try output.write(x)
        }
        for (oid, variable) in codeLists.sorted(by: { $0.key < $1.key }) {
            x = "      <CodeList OID=\(try attr(oid)) Name=\(try attr(variable.codelist ?? variable.name)) DataType=\"\(variable.dataType == .integer ? "integer" : "text")\">\n"
            for code in variable.codes {
                x += "        <CodeListItem CodedValue=\(try attr(code.value))><Decode>"
                x += "<TranslatedText xml:lang=\"en\">\(try text(code.meaning))</TranslatedText></Decode></CodeListItem>\n"
            }
            x += "      </CodeList>\n"
            try output.write(x)
        }
        try output.write("    </MetaDataVersion>\n  </Study>\n")
        try output.write("  <ClinicalData StudyOID=\(try attr(metadata.studyOID)) MetaDataVersionOID=\(try attr(metadata.metaDataVersionOID))>\n")
    }

    /// The fixed units of the items (the only units known before the data): MU.<unit>.
    private func unitOIDs() -> [String: String] {
        var units: [String: String] = [:]
        for item in metadata.items { if let unit = item.variable.unit { units[unit] = "MU." + ODMMetadata.oidPart(unit) } }
        return units
    }

    private func dataType(_ variable: VariableSpec) -> String {
        switch variable.dataType {
        case .integer: "integer"
        case .float: "float"
        case .date: metadata.partialDates ? "partialDate" : "date"
        case .datetime: metadata.partialDates ? "partialDatetime" : "datetime"
        case .time: "time"
        case .boolean: "boolean"
        case .text: "text"
        }
    }

    private func codeListOID(_ variable: VariableSpec) -> String? {
        guard !variable.codes.isEmpty else { return nil }
        return "CL." + ODMMetadata.oidPart(variable.codelist ?? variable.name).uppercased()
    }

    /// A coded text item's length is its longest code; other lengths are not known before the data is read.
    static func codeLength(_ variable: VariableSpec) -> Int? {
        guard variable.dataType == .text, !variable.codes.isEmpty else { return nil }
        return variable.codes.map { $0.value.utf8.count }.max()
    }

    // MARK: clinical data

    private struct FormData {
        var form: ODMMetadata.Form
        var rows: [[ExportValue]]
    }

    private func writeSubject(_ participant: ExportParticipant) throws {
        let tables = metadata.tables
        var common: [String: [[ExportValue]]] = [:]
        for table in [tables.participants, tables.adverseEvents, tables.medications, tables.procedures, tables.enrolmentHistory] {
            common[table.spec.name] = table.rows(participant).map { Array($0.dropFirst()) }
        }
        // Visits: the first record of each scheduled key is that visit's event.
        let visits = participant.data.visits
        let visitRows = tables.visits.rows(participant).map { Array($0.dropFirst()) }
        var eventOf: [Identifier<Visit>: (oid: String, index: Int)] = [:]
        var otherVisits: [[ExportValue]] = []
        for (index, visit) in visits.enumerated() {
            if let oid = metadata.eventOIDs[visit.visitKey], !eventOf.values.contains(where: { $0.oid == oid }) {
                eventOf[visit.id] = (oid, index)
            } else {
                otherVisits.append(visitRows[index])
            }
        }
        common[tables.visits.spec.name] = otherVisits
        // Observations: scheduled values into the visit's assessment forms, the rest into the common group.
        let observations = participant.data.record.observations
        let observationRows = tables.observations.rows(participant)
        let atVisit = Dictionary(grouping: observations.filter { $0.visitID.map { eventOf[$0] != nil } ?? false }, by: { $0.visitID! })
        var assessmentValues: [Identifier<Visit>: [String: [String: ExportValue]]] = [:]  // visit → form OID → item OID → value
        var otherObservations: [[ExportValue]] = []
        for (index, observation) in observations.enumerated() {
            if let visitID = observation.visitID, let event = eventOf[visitID],
               let definition = metadata.schedule[visits[event.index].visitKey],
               let code = codesByConcept[observation.code.description],
               let form = metadata.form(for: observation.code, at: definition),
               let items = metadata.codeItems[observation.code.description],
               let cell = code.cell(observation.value),
               VisitsWideTable.latest(atVisit[visitID] ?? [], of: observation.code)?.id == observation.id {
                assessmentValues[visitID, default: [:]][form.oid, default: [:]][items.value.oid] = cell
                assessmentValues[visitID, default: [:]][form.oid, default: [:]][items.unit.oid] = .text(observation.value.quantity?.unit)
            } else {
                otherObservations.append(Array(observationRows[index].dropFirst()))
            }
        }
        common[tables.observations.spec.name] = otherObservations

        var x = "    <SubjectData SubjectKey=\(try attr(participant.subjectID))>\n"
        let commonForms = metadata.commonEvent.forms.compactMap { form -> FormData? in
            let name = metadata.tableGroups.first { $0.value.oid == form.group.oid }!.key
            let rows = common[name] ?? []
            return rows.isEmpty ? nil : FormData(form: form, rows: rows)
        }
        if !commonForms.isEmpty {
            x += try event(ODMMetadata.commonEventOID, commonForms, subject: participant.subjectID)
        }
        for visitEvent in metadata.visitEvents {
            guard let (visitID, entry) = eventOf.first(where: { $0.value.oid == visitEvent.oid }) else { continue }
            var forms = [FormData(form: metadata.visitForm, rows: [visitRows[entry.index]])]
            for form in visitEvent.forms.dropFirst() {
                guard let values = assessmentValues[visitID]?[form.oid] else { continue }
                forms.append(FormData(form: form, rows: [form.group.items.map { values[$0.oid] ?? .missing }]))
            }
            x += try event(visitEvent.oid, forms, subject: participant.subjectID)
        }
        x += "    </SubjectData>\n"
        try output.write(x)
    }

    private func event(_ oid: String, _ forms: [FormData], subject: String) throws -> String {
        var x = "      <StudyEventData StudyEventOID=\(try attr(oid))>\n"
        for data in forms {
            x += "        <FormData FormOID=\(try attr(data.form.oid))>\n"
            let group = data.form.group
            for (index, row) in data.rows.enumerated() {
                x += "          <ItemGroupData ItemGroupOID=\(try attr(group.oid))"
                if group.repeating { x += " ItemGroupRepeatKey=\"\(index + 1)\"" }
                x += ">\n"
                for (item, value) in zip(group.items, row) {
                    guard let shown = try Self.value(value, item: item, subject: subject) else { continue }
                    x += "            <ItemData ItemOID=\(try attr(item.oid)) Value=\(try attr(shown, item: item.oid, subject: subject))/>\n"
                }
                x += "          </ItemGroupData>\n"
            }
            x += "        </FormData>\n"
        }
        x += "      </StudyEventData>\n"
        return x
    }

    /// The Value of an ItemData; nil for a missing value (no ItemData is written for it).
    static func value(_ value: ExportValue, item: ODMMetadata.Item, subject: String) throws -> String? {
        switch value {
        case .missing: return nil
        case .text(let text): return text.isEmpty ? nil : text
        case .number(let number):
            guard number.isFinite else {
                throw ExportError("ODM: item \(item.oid) of subject \(subject) is \(number), which ODM cannot carry")
            }
            return decimal(number)
        }
    }

    /// A number as ODM's integer and float types write it: digits with an optional point, no exponent; the
    /// shortest decimal that reads back as the same double.
    static func decimal(_ number: Double) -> String {
        let shortest = NumberText.plain(number)
        guard let e = shortest.firstIndex(where: { $0 == "e" || $0 == "E" }) else { return shortest }
        let exponent = Int(shortest[shortest.index(after: e)...])!
        var mantissa = String(shortest[..<e])
        let negative = mantissa.hasPrefix("-")
        if negative { mantissa.removeFirst() }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        let whole = String(parts[0])
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        var digits = whole + fraction
        var point = whole.count + exponent
        if point <= 0 {
            digits = String(repeating: "0", count: 1 - point) + digits
            point = 1
        } else if point > digits.count {
            digits += String(repeating: "0", count: point - digits.count)
        }
        var result = String(digits.prefix(point))
        let rest = String(digits.dropFirst(point)).replacingOccurrences(of: "0+$", with: "", options: .regularExpression)
        if !rest.isEmpty { result += "." + rest }
        return (negative ? "-" : "") + result
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    // MARK: XML text

    private func attr(_ value: String, item: String? = nil, subject: String? = nil) throws -> String {
        "\"" + (try Self.escaped(value, attribute: true, item: item, subject: subject)) + "\""
    }

    private func text(_ value: String) throws -> String { try Self.escaped(value, attribute: false, item: nil, subject: nil) }

    /// XML 1.0 escaping. In an attribute, tab, CR and LF become character references so the parser's attribute
    /// normalisation keeps them. A character XML 1.0 cannot carry at all (other control characters) is refused.
    static func escaped(_ value: String, attribute: Bool, item: String?, subject: String?) throws -> String {
        // Most values need nothing: no markup character, no control character, no U+FFFE/U+FFFF (EF BF BE/BF).
        if !value.utf8.contains(where: { $0 < 0x20 || $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0xEF }) {
            return value
        }
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where attribute: out += "&quot;"
            case "\t" where attribute: out += "&#9;"
            case "\n" where attribute: out += "&#10;"
            case "\r": out += "&#13;"
            default:
                let v = scalar.value
                guard v >= 0x20 || v == 0x09 || v == 0x0A, v != 0xFFFE, v != 0xFFFF else {
                    let place = item.map { " in item \($0)" } ?? ""
                    let who = subject.map { " of subject \($0)" } ?? ""
                    throw ExportError("ODM: a value\(place)\(who) holds the control character U+\(String(v, radix: 16, uppercase: true)), which XML 1.0 cannot carry")
                }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
