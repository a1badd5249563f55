import Foundation
import RestoraDomain
import RestoraReports

/// The ODM 1.3.2 study design of a program export (docs/odm.md), derived before any data is read from the
/// protocol definition (one scheduled study event per visit of the schedule, one form per assessment) and from
/// the record kinds (the long tables of the CSV package become the item groups of one common event).
struct ODMMetadata {
    struct Item {
        var oid: String
        var name: String
        var variable: VariableSpec
    }

    struct Group {
        var oid: String
        var name: String
        var repeating: Bool
        var items: [Item]
    }

    struct Form {
        var oid: String
        var name: String
        var group: Group
    }

    struct Event {
        var oid: String
        var name: String
        var type: String
        var forms: [Form]
    }

    static let commonEventOID = "SE.COMMON"

    let studyOID: String
    let metaDataVersionOID: String
    let tables: ProgramTables
    let codes: [ScheduledCode]
    /// Item groups of the common event, keyed by table name (participants, observations, …, visits).
    let tableGroups: [String: Group]
    /// The form holding a scheduled visit's own fields (date, status, …).
    let visitForm: Form
    /// One form per assessment of the protocol, keyed by assessment id.
    let assessmentForms: [String: Form]
    /// Value and unit item of each scheduled code, keyed by `Coding.description`.
    let codeItems: [String: (value: Item, unit: Item)]
    let commonEvent: Event
    let visitEvents: [Event]
    /// The scheduled visit each event stands for, keyed by visit key.
    let eventOIDs: [String: String]
    let schedule: [String: VisitDefinition]
    /// Dates are declared partialDate/partialDatetime (a de-identified export may keep only the year).
    let partialDates: Bool

    init(context: ExportContext) {
        let definition = context.definition
        studyOID = "S." + Self.oidPart(context.studyID)
        metaDataVersionOID = "MDV." + Self.oidPart(definition.id) + "." + Self.oidPart(definition.version)
        tables = ProgramTables(context: context)
        codes = ScheduledCode.of(definition)
        schedule = Dictionary(definition.schedule.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        // A de-identified export may reduce dates to the year: ODM's partial date types carry both forms.
        partialDates = context.deidentified

        func item(_ table: String, _ variable: VariableSpec) -> Item {
            Item(oid: "I.\(table.uppercased()).\(variable.name.uppercased())", name: "\(table)_\(variable.name)", variable: variable)
        }
        func group(_ table: RecordTable, repeating: Bool) -> Group {
            Group(oid: "IG." + table.spec.name.uppercased(), name: table.spec.label, repeating: repeating,
                  items: table.spec.variables.dropFirst().map { item(table.spec.name, $0) })
        }
        var groups: [String: Group] = [:]
        for table in tables.all {
            groups[table.spec.name] = group(table, repeating: table.spec.name != tables.participants.spec.name)
        }
        tableGroups = groups
        let visitsGroup = groups[tables.visits.spec.name]!
        visitForm = Form(oid: "F.VISIT", name: "Visit",
                         group: Group(oid: "IG.VISIT", name: "Visit", repeating: false, items: visitsGroup.items))

        var codeItems: [String: (value: Item, unit: Item)] = [:]
        for code in codes {
            let value = Item(oid: "I.OBS." + code.variable.uppercased(), name: code.variable, variable: VariableSpec(
                name: code.variable, label: code.label, dataType: code.numeric ? .float : .text, origin: "Collected"))
            let unit = Item(oid: "I.OBS." + code.variable.uppercased() + "_UNIT", name: code.variable + "_unit", variable: VariableSpec(
                name: code.variable + "_unit", label: "UCUM unit of \(code.label)", dataType: .text, origin: "Collected"))
            codeItems[code.coding.description] = (value, unit)
        }
        self.codeItems = codeItems
        var forms: [String: Form] = [:]
        for assessment in definition.assessments {
            let items = assessment.codes.compactMap { codeItems[$0.description] }.flatMap { [$0.value, $0.unit] }
            guard !items.isEmpty else { continue }
            let part = Self.oidPart(assessment.id).uppercased()
            forms[assessment.id] = Form(oid: "F." + part, name: assessment.title,
                                        group: Group(oid: "IG." + part, name: assessment.title, repeating: false, items: items))
        }
        assessmentForms = forms

        let commonOrder = [tables.participants, tables.adverseEvents, tables.medications, tables.procedures,
                           tables.enrolmentHistory, tables.observations, tables.visits]
        commonEvent = Event(
            oid: Self.commonEventOID, name: "Participant records (not tied to one visit)", type: "Common",
            forms: commonOrder.map { Form(oid: "F." + $0.spec.name.uppercased(), name: $0.spec.label, group: groups[$0.spec.name]!) })
        var events: [Event] = []
        var eventOIDs: [String: String] = [:]
        for visit in definition.schedule where eventOIDs[visit.key] == nil {
            let oid = "SE." + Self.oidPart(visit.key).uppercased()
            eventOIDs[visit.key] = oid
            var visitForms = [visitForm]
            for id in visit.collect { if let form = forms[id], !visitForms.contains(where: { $0.oid == form.oid }) { visitForms.append(form) } }
            events.append(Event(oid: oid, name: visit.title, type: "Scheduled", forms: visitForms))
        }
        visitEvents = events
        self.eventOIDs = eventOIDs
    }

    var events: [Event] { [commonEvent] + visitEvents }

    /// Every form once, in event order.
    var forms: [Form] {
        var seen = Set<String>()
        return events.flatMap(\.forms).filter { seen.insert($0.oid).inserted }
    }

    /// Every item once, in form order.
    var items: [Item] {
        var seen = Set<String>()
        return forms.flatMap(\.group.items).filter { seen.insert($0.oid).inserted }
    }

    /// The form a scheduled code is written to at a visit: the first assessment the visit collects that names it.
    func form(for coding: Coding, at visit: VisitDefinition) -> Form? {
        for id in visit.collect {
            guard let assessmentForm = assessmentForms[id],
                  assessmentForm.group.items.contains(where: { $0.oid == codeItems[coding.description]?.value.oid }) else { continue }
            return assessmentForm
        }
        return nil
    }

    /// ODM OIDs are free text, but REDCap turns them into variable names: letters, digits, '.', '-' and '_' only.
    static func oidPart(_ text: String) -> String {
        String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) ? $0 : "_" })
    }
}
