import Foundation
import RestoraDemo
import RestoraDomain
import RestoraReports
import Testing
@testable import RestoraExport

/// The stored demo clinic (with its deviations, holds and reports) de-identified and written by every package
/// writer — CSV, SDTM (XPT, Dataset-JSON, define.xml) and ODM — in both date modes: no file names a participant's
/// MRN, participant, enrolment or record id, lot number, user id or birth date (the demo's family name is "Demo"
/// and its MRN tag, so the MRN check covers it); in the year mode no file holds a full date of any participant.
@Suite struct DeidentPackageScanTests {
    static let protocols = ["isotretinoin-noa", "asc-azoospermia", "msc-osteoporosis"]
    /// Far from every demo date, so the export's own timestamp cannot be mistaken for a participant's date.
    static let createdAt = Date(timeIntervalSince1970: 86_400 * 2)

    /// What must never appear, per program: the identifiers of every participant.
    static func forbidden(_ participants: [ProgramParticipantData]) -> Set<String> {
        var out: Set<String> = []
        for data in participants {
            let p = data.record.participant
            out.insert(p.mrn); out.insert(p.id.rawValue); out.insert(data.enrolment.id.rawValue)
            data.visits.forEach { out.insert($0.id.rawValue) }
            data.record.observations.forEach { out.insert($0.id.rawValue) }
            data.record.procedures.forEach { out.insert($0.id.rawValue) }
            data.record.adverseEvents.forEach { out.insert($0.id.rawValue) }
            data.record.medicationCourses.forEach { c in out.insert(c.id.rawValue); c.dispensings.compactMap(\.lot).forEach { out.insert($0) } }
            data.cellProducts.forEach { out.insert($0.id.rawValue); out.insert($0.lot) }
            data.deviations.forEach { out.insert($0.id.rawValue); out.insert($0.signedBy.userID) }
            data.enrolment.transitions.forEach { out.insert($0.actor.userID) }
        }
        return out
    }

    static func files(in folder: URL) throws -> [(String, Data)] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        return try names.map { ($0, try Data(contentsOf: folder.appendingPathComponent($0))) }
    }

    /// The runs of `[A-Za-z0-9_-]` in a file's bytes (XPT is binary; the identifiers looked for are ASCII
    /// tokens): one pass, so thousands of identifiers are checked by set lookup, not by substring search.
    static func tokens(_ bytes: Data) -> Set<String> {
        var out: Set<String> = []
        var current: [UInt8] = []
        func flush() { if !current.isEmpty { out.insert(String(decoding: current, as: UTF8.self)); current.removeAll(keepingCapacity: true) } }
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"):
                current.append(byte)
            default: flush()
            }
        }
        flush()
        return out
    }

    @Test(arguments: [ExportParticipant.DatePrecision.day, .year])
    func noPackageOfTheStoredDemoNamesAParticipant(precision: ExportParticipant.DatePrecision) async throws {
        let demo = try await ExportDemo.get()
        var scannedFiles = 0
        for protocolID in Self.protocols {
            let participants = try await demo.participants(of: protocolID)
            #expect(!participants.isEmpty)
            var deidentifier = Deidentifier(datePrecision: precision, generator: SplitMix64(seed: 77))
            let exported = participants.map { deidentifier.deidentify($0) }
            var context = try await demo.context(protocolID, deidentified: true)
            context.createdAt = Self.createdAt
            let forbidden = Self.forbidden(participants)
            let realDates = Set(participants.flatMap { data in
                DeidentFixture.dateStrings(in: (try? DeidentFixture.json(data)) ?? "")
            })
            let exportDay = CalendarDate(Self.createdAt).description
            let birthDates = Set(participants.map(\.record.participant.birthDate.description))
            for kind in ExportKind.allCases {
                let folder = try ExportDemo.temporaryFolder("deident-\(kind.rawValue)")
                defer { try? FileManager.default.removeItem(at: folder) }
                var writer: any ExportPackageWriter = switch kind {
                case .csv: try CSVPackageWriter(context: context, directory: folder)
                case .sdtm: try SDTMPackageWriter(context: context, directory: folder)
                case .odm: try ODMPackageWriter(context: context, directory: folder)
                }
                for chunk in stride(from: 0, to: exported.count, by: 50) {
                    try writer.write(Array(exported[chunk..<min(chunk + 50, exported.count)]))
                }
                _ = try writer.finish()
                for (name, bytes) in try Self.files(in: folder) {
                    scannedFiles += 1
                    let found = Self.tokens(bytes).intersection(forbidden)
                    #expect(found.isEmpty, "\(protocolID) \(kind.rawValue) \(name) holds \(found.sorted().prefix(5))")
                    let dates = DeidentFixture.dateStrings(in: String(decoding: bytes, as: UTF8.self)).subtracting([exportDay])
                    let births = dates.intersection(birthDates)
                    #expect(births.isEmpty, "\(protocolID) \(kind.rawValue) \(name) holds birth dates \(births.sorted().prefix(5))")
                    if precision == .year {
                        let leaked = dates.intersection(realDates)
                        #expect(leaked.isEmpty, "\(protocolID) \(kind.rawValue) \(name) holds real dates \(leaked.sorted().prefix(5))")
                    }
                }
            }
        }
        #expect(scannedFiles > 20)
    }

    /// The control: the same scan of an identified CSV package finds the participants' ids (so a leak would show).
    @Test func theScanFindsIdentifiersInAnIdentifiedPackage() async throws {
        let demo = try await ExportDemo.get()
        let participants = try await demo.participants(of: Self.protocols[0])
        let folder = try ExportDemo.temporaryFolder("deident-control")
        defer { try? FileManager.default.removeItem(at: folder) }
        var writer = try CSVPackageWriter(context: try await demo.context(Self.protocols[0]), directory: folder)
        try writer.write(participants.map(ExportParticipant.identified))
        _ = try writer.finish()
        let found = try Self.files(in: folder).reduce(into: Set<String>()) { $0.formUnion(Self.tokens($1.1)) }
            .intersection(Self.forbidden(participants))
        #expect(found.isSuperset(of: participants.map(\.record.participant.id.rawValue)))
    }
}
