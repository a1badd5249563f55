import Foundation
import RestoraDemo
import RestoraDomain
@testable import RestoraReports
import RestoraStorage
import Testing

/// `StoredProgramData` reads a program chunk by chunk and, for the report, only the observations it uses.
/// On the stored demo clinic: chunked loading gives the dataset the one-shot bulk loading it replaced gave
/// (kept below as the reference), and the report from the selected observations equals the report from all.
@Suite struct ProgramLoadingTests {
    @Test("every demo program: chunks of 7 enrolments load the same dataset as the old bulk load", arguments: ["isotretinoin-noa", "asc-azoospermia", "msc-osteoporosis"])
    func chunkedEqualsBulk(_ protocolID: String) async throws {
        let demo = try await StoredDemo.get()
        let program = try await demo.program(protocolID)
        let repos = demo.storage.repositories
        let chunked = try await StoredProgramData.load(programID: program.id, repositories: repos, catalog: demo.catalog,
                                                       asOf: DemoClinic.defaultToday, synthetic: true, chunkSize: 7)
        let bulk = try await Self.bulk(program.id, repos)
        #expect(chunked.participants.count == bulk.count && bulk.count > 7)
        for (new, old) in zip(chunked.participants, bulk) {
            #expect(new.enrolment == old.enrolment && new.record == old.record && new.visits == old.visits
                    && new.cellProducts == old.cellProducts, "\(old.enrolment.id.rawValue)")
        }
    }

    @Test("every demo program: the report from the selected observations equals the report from all of them", arguments: ["isotretinoin-noa", "asc-azoospermia", "msc-osteoporosis"])
    func selectedObservationsGiveTheSameReport(_ protocolID: String) async throws {
        let demo = try await StoredDemo.get()
        let program = try await demo.program(protocolID)
        func load(_ selection: ObservationSelection) async throws -> ProgramDataset {
            try await StoredProgramData.load(programID: program.id, repositories: demo.storage.repositories, catalog: demo.catalog,
                                             asOf: DemoClinic.defaultToday, synthetic: true, observations: selection)
        }
        let all = try await load(.all), selected = try await load(StoredProgramData.reportObservations)
        let kept = selected.participants.map(\.record.observations.count).reduce(0, +)
        let every = all.participants.map(\.record.observations.count).reduce(0, +)
        #expect(kept > 0 && kept < every, "the report reads a subset: \(kept) of \(every)")
        #expect(try StudyReport.build(selected) == StudyReport.build(all))
    }

    @Test("a selection of no codes reads no observations; a specimen type alone reads that specimen's values")
    func selectionEdges() async throws {
        let demo = try await StoredDemo.get()
        let program = try await demo.program("isotretinoin-noa")
        func observations(_ selection: ObservationSelection) async throws -> [Observation] {
            try await StoredProgramData.load(programID: program.id, repositories: demo.storage.repositories, catalog: demo.catalog,
                                             asOf: DemoClinic.defaultToday, synthetic: true, observations: selection)
                .participants.flatMap(\.record.observations)
        }
        #expect(try await observations(ObservationSelection(codes: [])).isEmpty)
        let semen = try await observations(ObservationSelection(codes: [], specimenTypes: ["semen"]))
        #expect(!semen.isEmpty && semen.allSatisfy { $0.specimen?.type == "semen" })
    }

    /// The loading the chunks replaced: every record of the program's participants in one read per table,
    /// grouped in Swift.
    static func bulk(_ programID: Identifier<Program>, _ repos: Repositories) async throws -> [ProgramParticipantData] {
        let enrolments = try await repos.enrolments.list(program: programID).map(\.value)
        let ids = enrolments.map(\.participantID)
        let people = Dictionary(try await repos.participants.list(ids: ids).map { ($0.value.id, $0.value) }, uniquingKeysWith: { a, _ in a })
        let obs = Dictionary(grouping: try await repos.observations.list(participants: ids).map(\.value), by: \.participantID)
        let crs = Dictionary(grouping: try await repos.medicationCourses.list(participants: ids).map(\.value), by: \.participantID)
        let cms = Dictionary(grouping: try await repos.concomitantMedications.list(participants: ids).map(\.value), by: \.participantID)
        let prc = Dictionary(grouping: try await repos.procedures.list(participants: ids).map(\.value), by: \.participantID)
        let aes = Dictionary(grouping: try await repos.adverseEvents.list(participants: ids).map(\.value), by: \.participantID)
        let cps = Dictionary(grouping: try await repos.cellProducts.list(participants: ids).map(\.value), by: \.participantID)
        let vis = Dictionary(grouping: try await repos.visits.list(enrolments: enrolments.map(\.id)).map(\.value), by: \.enrolmentID)
        return try enrolments.map { enrolment in
            let person = try #require(people[enrolment.participantID])
            func mine(_ id: Identifier<Enrolment>?) -> Bool { id == nil || id == enrolment.id }
            let record = ParticipantRecord(
                participant: person, observations: (obs[person.id] ?? []).filter { mine($0.enrolmentID) },
                medications: (cms[person.id] ?? []).map(\.medication),
                medicationCourses: (crs[person.id] ?? []).filter { mine($0.enrolmentID) },
                procedures: (prc[person.id] ?? []).filter { mine($0.enrolmentID) },
                adverseEvents: (aes[person.id] ?? []).filter { mine($0.enrolmentID) })
            return ProgramParticipantData(record: record, enrolment: enrolment,
                                          visits: (vis[enrolment.id] ?? []).sorted { $0.plannedDay < $1.plannedDay },
                                          cellProducts: (cps[person.id] ?? []).filter { mine($0.enrolmentID) })
        }
    }
}
