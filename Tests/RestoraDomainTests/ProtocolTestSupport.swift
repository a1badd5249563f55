import Foundation
@testable import RestoraDomain

/// Shared helpers for the protocol, eligibility and schedule tests: the repository's `protocols/` folder
/// (found from this file's path) and small builders for participant records.
enum ProtocolFixture {
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var protocolsDirectory: String { repositoryRoot.appendingPathComponent("protocols").path }

    static func definition(_ id: String) throws -> ProtocolDefinition {
        try ProtocolCatalog.loadFile(repositoryRoot.appendingPathComponent("protocols/\(id).yaml").path)
    }

    /// A date from "YYYY-MM-DD"; an impossible text gives 1970-01-01 so a typo fails the test, not the run.
    static func day(_ text: String) -> CalendarDate { CalendarDate(text) ?? CalendarDate(dayNumber: 0) }

    static func participant(
        sex: Sex, born: String, diagnoses: [String] = [], history: [HistoryItem] = [], postmenopausal: Bool? = nil
    ) -> Participant {
        Participant(id: "p-1", siteID: "site-1", mrn: "MRN-1", sex: sex, birthDate: day(born),
                    postmenopausal: postmenopausal,
                    diagnoses: diagnoses.map { Diagnosis(code: Coding(.icd10cm, $0)) }, history: history)
    }

    static func observation(
        _ id: String, _ system: CodeSystem, _ code: String, _ value: ObservationValue, on date: String,
        pelletExamined: Bool? = nil
    ) -> Observation {
        Observation(id: Identifier(id), participantID: "p-1", code: Coding(system, code), value: value,
                    effective: day(date).startOfDayUTC,
                    specimen: pelletExamined.map { SpecimenDetails(type: "semen", centrifuged: $0, pelletExamined: $0) })
    }

    static func quantity(_ value: Double, _ unit: String) -> ObservationValue { .quantity(Quantity(value, unit)) }

    /// A semen-analysis classification as the semen rules record it (restora#semen-classification).
    static func semen(_ id: String, _ classification: String, on date: String, pellet: Bool? = true) -> Observation {
        observation(id, .restora, "semen-classification", .coded(Coding(.restora, classification)), on: date,
                    pelletExamined: pellet)
    }

    static func medication(
        _ drugClass: String?, code: Coding = Coding(.rxnorm, "0000"), start: String? = "2025-01-01", stop: String? = nil,
        adjunct: Bool = false
    ) -> ConcomitantMedication {
        ConcomitantMedication(drug: code, drugClass: drugClass, start: start.map(day), stop: stop.map(day), adjunct: adjunct)
    }

    static func history(_ kind: HistoryItem.Kind, _ code: String, on date: String = "2020-01-01") -> HistoryItem {
        HistoryItem(kind: kind, code: Coding(.restora, code), description: code, date: day(date))
    }

    static let allSectionsReviewed = Set(ParticipantRecord.Section.allCases)
}

/// A change to a record, named for the table-driven tests ("break one thing at a time").
struct RecordChange: Sendable, CustomStringConvertible {
    let name: String
    let apply: @Sendable (inout ParticipantRecord) -> Void

    init(_ name: String, _ apply: @escaping @Sendable (inout ParticipantRecord) -> Void) {
        self.name = name
        self.apply = apply
    }

    var description: String { name }

    func applied(to record: ParticipantRecord) -> ParticipantRecord {
        var copy = record
        apply(&copy)
        return copy
    }
}
