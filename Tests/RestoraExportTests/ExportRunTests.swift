import Crypto
import Foundation
import RestoraDomain
import RestoraReports
import Testing
@testable import RestoraExport

@Suite struct ExportRunTests {
    static let version = "test"

    func run(_ request: ExportRequest, demo: ExportDemo, into folder: URL) async throws -> ExportOutcome {
        try await ExportRun.run(request, into: folder, repositories: demo.storage.repositories, catalog: demo.catalog,
                                createdBy: "dm1 (data-manager)", synthetic: true, version: Self.version)
    }

    @Test func aCSVPackageListsEveryFileWithItsHashAndTheParticipantsExported() async throws {
        let demo = try await ExportDemo.get()
        let program = try await demo.program("isotretinoin-noa")
        let enrolled = try await demo.storage.repositories.enrolments.list(program: program.id).map(\.value.participantID)
        let folder = try ExportDemo.temporaryFolder().appendingPathComponent("package")
        let outcome = try await run(ExportRequest(kind: .csv, programID: program.id, deidentify: false), demo: demo, into: folder)

        #expect(outcome.manifest.participants == enrolled.count)
        #expect(Set(outcome.participantIDs) == Set(enrolled))
        #expect(outcome.manifest.kind == .csv)
        #expect(outcome.manifest.createdBy == "dm1 (data-manager)")
        #expect(outcome.manifest.deidentificationMethod == nil)
        #expect(!outcome.manifest.files.isEmpty)
        let onDisk = Set(try FileManager.default.contentsOfDirectory(atPath: folder.path))
        #expect(onDisk == Set(outcome.manifest.files.map(\.name) + ["manifest.json"]))
        for file in outcome.manifest.files {
            let data = try Data(contentsOf: folder.appendingPathComponent(file.name))
            #expect(file.bytes == data.count, "\(file.name)")
            #expect(file.sha256 == SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined(), "\(file.name)")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let manifest = try decoder.decode(ExportManifest.self, from: Data(contentsOf: folder.appendingPathComponent("manifest.json")))
        #expect(manifest.files == outcome.manifest.files)
        // Nothing but the package is left beside it (no staging folder).
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.deletingLastPathComponent().path) == ["package"])
    }

    @Test func aFolderThatIsNotEmptyIsRefusedAndLeftAsItWas() async throws {
        let demo = try await ExportDemo.get()
        let program = try await demo.program("isotretinoin-noa")
        let folder = try ExportDemo.temporaryFolder()
        try Data("keep me".utf8).write(to: folder.appendingPathComponent("earlier.csv"))
        await #expect(throws: ExportError.self) {
            _ = try await run(ExportRequest(kind: .csv, programID: program.id, deidentify: false), demo: demo, into: folder)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["earlier.csv"])
        #expect(try String(contentsOf: folder.appendingPathComponent("earlier.csv"), encoding: .utf8) == "keep me")
    }

    @Test func anUnknownProgramOrParticipantIsNamedAndNothingIsWritten() async throws {
        let demo = try await ExportDemo.get()
        let program = try await demo.program("isotretinoin-noa")
        let parent = try ExportDemo.temporaryFolder()
        let folder = parent.appendingPathComponent("package")
        do {
            _ = try await run(ExportRequest(kind: .sdtm, programID: Identifier("no-such-program"), deidentify: false), demo: demo, into: folder)
            Issue.record("an unknown program was exported")
        } catch let error as ExportError {
            #expect(error.message.contains("no-such-program"))
        }
        do {
            _ = try await run(ExportRequest(kind: .csv, programID: program.id, deidentify: false, participants: [Identifier("p-nobody")]),
                              demo: demo, into: folder)
            Issue.record("an unknown participant was accepted")
        } catch let error as ExportError {
            #expect(error.message.contains("p-nobody"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path).isEmpty)
    }

    @Test func onlyTheNamedParticipantsAndOnlyTheAllowedSitesAreExported() async throws {
        let demo = try await ExportDemo.get()
        let program = try await demo.program("isotretinoin-noa")
        let enrolments = try await demo.storage.repositories.enrolments.list(program: program.id).map(\.value)
        let two = Array(enrolments.prefix(2).map(\.participantID))
        let named = try await run(ExportRequest(kind: .csv, programID: program.id, deidentify: false, participants: two),
                                  demo: demo, into: try ExportDemo.temporaryFolder().appendingPathComponent("p"))
        #expect(Set(named.participantIDs) == Set(two))
        #expect(named.manifest.participants == 2)

        let site = enrolments[0].siteID
        let atSite = Set(enrolments.filter { $0.siteID == site }.map(\.participantID))
        let scoped = try await run(ExportRequest(kind: .csv, programID: program.id, deidentify: false, sites: [site]),
                                   demo: demo, into: try ExportDemo.temporaryFolder().appendingPathComponent("s"))
        #expect(Set(scoped.participantIDs) == atSite)
        if let other = enrolments.first(where: { $0.siteID != site }) {
            await #expect(throws: ExportError.self) {
                _ = try await run(ExportRequest(kind: .csv, programID: program.id, deidentify: false,
                                                participants: [other.participantID], sites: [site]),
                                  demo: demo, into: try ExportDemo.temporaryFolder().appendingPathComponent("o"))
            }
        }
    }

    @Test func aDeidentifiedPackageNamesNoParticipantWhileTheOutcomeKeepsThemForTheAudit() async throws {
        let demo = try await ExportDemo.get()
        let program = try await demo.program("isotretinoin-noa")
        let people = try await demo.participants(of: "isotretinoin-noa").map(\.record.participant)
        let folder = try ExportDemo.temporaryFolder().appendingPathComponent("deid")
        let outcome = try await run(ExportRequest(kind: .csv, programID: program.id, deidentify: true), demo: demo, into: folder)
        #expect(outcome.manifest.deidentified)
        #expect(outcome.manifest.deidentificationMethod?.contains("shifted dates are not Safe Harbor by themselves") == true)
        #expect(Set(outcome.participantIDs) == Set(people.map(\.id)))
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            for person in people {
                #expect(!text.contains(person.mrn), "\(name) holds an MRN")
                #expect(!text.contains(person.id.rawValue), "\(name) holds a participant id")
            }
        }
    }

    @Test(arguments: [
        (UserRole.admin, false, true), (.admin, true, true), (.dataManager, false, true), (.dataManager, true, true),
        (.monitor, false, false), (.monitor, true, true), (.investigator, true, false), (.coordinator, true, false),
        (.auditor, true, false),
    ])
    func whoMayExportWhat(role: UserRole, deidentify: Bool, allowed: Bool) {
        let request = ExportRequest(kind: .sdtm, programID: Identifier("p"), deidentify: deidentify)
        var refused: ExportPolicy.Refusal?
        do { try ExportPolicy.check(role: role, request: request) } catch { refused = error }
        #expect((refused == nil) == allowed, "\(role.rawValue) deidentify=\(deidentify)")
        if let refused { #expect(refused.message.contains(role.rawValue)) }
    }
}
