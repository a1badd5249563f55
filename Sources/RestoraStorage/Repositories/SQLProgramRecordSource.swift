import RestoraDomain
import SQLKit

/// A chunk of a program's observations in one statement per 500 participants: the participants' rows
/// recorded against the chunk's enrolments or against none, narrowed in SQL to the selected codes and
/// specimen types (index `observations_participant_code`), decoded by the table's own mapping.
struct SQLProgramRecordSource: ProgramRecordSource {
    let records: RecordStore<ObservationMapping>

    /// Bound parameters per statement stay far below both engines' limits (see `RecordStore.list(where:in:)`).
    static let chunkSize = 500

    func observations(participants: [Identifier<Participant>], enrolments: [Identifier<Enrolment>],
                      selection: ObservationSelection) async throws -> [Observation] {
        if let codes = selection.codes, codes.isEmpty, selection.specimenTypes.isEmpty { return [] }
        let people = Array(Set(participants.map(\.rawValue))).sorted()
        let ids = Array(Set(enrolments.map(\.rawValue))).sorted()
        let records = self.records
        var found: [Observation] = []
        for start in stride(from: 0, to: people.count, by: Self.chunkSize) {
            let chunk = Array(people[start..<min(start + Self.chunkSize, people.count)])
            let rows = try await records.store.read { db in
                try await records.rows(db) { query in
                    Self.select(selection, Self.belonging(query, chunk, ids))
                }
            }
            found += try rows.map { try records.decode($0).value }.filter(selection.matches)
        }
        return found
    }

    /// Rows of `people` recorded against one of `enrolments` or against none.
    private static func belonging(_ query: SQLSelectBuilder, _ people: [String], _ enrolments: [String]) -> SQLSelectBuilder {
        query.where("participant_id", .in, people).where(group: { group in
            let none = group.where(SQLIdentifier("enrolment_id"), .is, SQLLiteral.null)
            return enrolments.isEmpty ? none : none.orWhere("enrolment_id", .in, enrolments)
        })
    }

    /// The selected codes or specimen types (typed columns of migration 0022): the one place the program
    /// reads name observation columns beyond the ids.
    private static func select(_ selection: ObservationSelection, _ query: SQLSelectBuilder) -> SQLSelectBuilder {
        guard let codes = selection.codes else { return query }
        let types = selection.specimenTypes.sorted()
        return query.where(group: { group in
            if codes.isEmpty { return group.where("specimen_type", .in, types) }
            let byCode = group.where("code", .in, codes.sorted())
            return types.isEmpty ? byCode : byCode.orWhere("specimen_type", .in, types)
        })
    }
}
