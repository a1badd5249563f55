import Foundation
import RestoraDomain
import RestoraReports

/// One column of a record table: its variable, whether it holds free text (dropped from a de-identified export,
/// HIPAA Safe Harbor, REFERENCE.md J; docs/deidentification.md), and how a record gives its value.
struct RecordColumn<Item> {
    var variable: VariableSpec
    var freeText: Bool
    var value: (ExportParticipant, Item) -> ExportValue

    init(_ name: String, _ label: String, _ dataType: VariableSpec.DataType, unit: String? = nil,
         codelist: String? = nil, codes: [VariableSpec.Code] = [], derivation: String? = nil, freeText: Bool = false,
         _ value: @escaping (ExportParticipant, Item) -> ExportValue) {
        variable = VariableSpec(name: name, label: label, dataType: dataType, unit: unit, codelist: codelist, codes: codes,
                                origin: derivation == nil ? "Collected" : "Derived", derivation: derivation)
        self.freeText = freeText
        self.value = value
    }
}

/// A long table of one record kind (observations, adverse events, …): its spec and the rows one participant
/// gives it, in the order the records are stored. The CSV package writes one file per table and the ODM package
/// one item group per table, from the same definitions, so the two formats of an export agree column by column.
struct RecordTable {
    let spec: DatasetSpec
    let rows: (ExportParticipant) -> [[ExportValue]]
    /// The same rows one at a time, in one row array reused for every row (the CSV writer copies each row's
    /// cells into its buffer and keeps nothing).
    let forEachRow: (ExportParticipant, ([ExportValue]) throws -> Void) throws -> Void

    /// The table with `columns`, free-text columns left out when `deidentified`.
    init<Item>(name: String, label: String, structure: String, keys: [String], deidentified: Bool,
               columns: [RecordColumn<Item>], items: @escaping (ExportParticipant) -> [Item]) {
        let kept = columns.filter { !(deidentified && $0.freeText) }
        spec = DatasetSpec(name: name, label: label, structure: structure, keys: keys, variables: kept.map(\.variable))
        let values = kept.map(\.value)
        rows = { participant in
            items(participant).map { item in values.map { $0(participant, item) } }
        }
        forEachRow = { participant, body in
            var row: [ExportValue] = []
            row.reserveCapacity(values.count)
            for item in items(participant) {
                row.removeAll(keepingCapacity: true)
                for value in values { row.append(value(participant, item)) }
                try body(row)
            }
        }
    }
}

/// The codes of a Swift enumeration as a codelist: each raw value with a meaning spelled from it
/// ("lost-to-follow-up" → "Lost to follow up").
func enumerationCodes<E: CaseIterable & RawRepresentable>(_: E.Type) -> [VariableSpec.Code] where E.RawValue == String {
    E.allCases.map { VariableSpec.Code($0.rawValue, spelledOut($0.rawValue)) }
}

func spelledOut(_ raw: String) -> String {
    var words = ""
    for character in raw {
        if character == "-" || character == "_" {
            words.append(" ")
        } else if character.isUppercase, !words.isEmpty {
            words.append(" ")
            words.append(contentsOf: character.lowercased())
        } else {
            words.append(character)
        }
    }
    return words.prefix(1).uppercased() + words.dropFirst()
}

/// "Y"/"N" for a yes/no value (the CDISC NY codelist's values), missing when unknown.
func yesNo(_ value: Bool?) -> ExportValue {
    value.map { .text($0 ? "Y" : "N") } ?? .missing
}

let yesNoCodes = [VariableSpec.Code("Y", "Yes"), VariableSpec.Code("N", "No")]
