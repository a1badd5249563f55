import Foundation
@testable import RestoraDomain
import Testing

/// Several versions of one protocol loaded side by side (docs/amendments.md): `<id>.yaml` is current,
/// `<id>@<version>.yaml` another version; what changed between two versions.
@Suite struct ProtocolAmendmentTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The isotretinoin protocol as v1.1: ages up to 65, month 1's window 3 days longer after.
    static func texts() throws -> (v10: String, v11: String) {
        let v10 = try String(contentsOf: root.appendingPathComponent("protocols/isotretinoin-noa.yaml"), encoding: .utf8)
        let v11 = v10.replacingOccurrences(of: "version: \"1.0\"", with: "version: \"1.1\"")
            .replacingOccurrences(of: "rule: { age: { min: 21, max: 60 } }", with: "rule: { age: { min: 21, max: 65 } }")
            .replacingOccurrences(of: "{ key: month-1, title: Month 1, day: 30, windowBefore: 7, windowAfter: 7,",
                                  with: "{ key: month-1, title: Month 1, day: 30, windowBefore: 7, windowAfter: 10,")
        return (v10, v11)
    }

    static func folder(_ files: [String: String]) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("restora-amend-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return folder.path
    }

    @Test func twoVersionsLoadSideBySide() throws {
        let (v10, v11) = try Self.texts()
        let catalog = try ProtocolCatalog.load(directory: try Self.folder(["isotretinoin-noa.yaml": v10, "isotretinoin-noa@1.1.yaml": v11]))
        #expect(catalog.ids == ["isotretinoin-noa"])
        #expect(try catalog.definition(id: "isotretinoin-noa").version == "1.0", "the unsuffixed file is current")
        #expect(catalog.versions(id: "isotretinoin-noa").map(\.version) == ["1.0", "1.1"])
        let amended = try catalog.definition(id: "isotretinoin-noa", version: "1.1")
        #expect(amended.schedule.first { $0.key == "month-1" }?.windowAfter == 10)
        #expect(try catalog.definition(id: "isotretinoin-noa", version: "1.0").schedule.first { $0.key == "month-1" }?.windowAfter == 7)
        #expect(catalog.previous(of: amended)?.version == "1.0")
        #expect(throws: DomainError.self) { try catalog.definition(id: "isotretinoin-noa", version: "2.0") }
    }

    @Test func aVersionedFileMustNameItsVersion() throws {
        let (v10, v11) = try Self.texts()
        #expect {
            try ProtocolCatalog.load(directory: try Self.folder(["isotretinoin-noa.yaml": v10, "isotretinoin-noa@1.2.yaml": v11]))
        } throws: { error in
            (error as? DocumentProblems)?.problems.contains { $0.message.contains("differs from the file name's '1.2'") } == true
        }
        #expect {
            try ProtocolCatalog.load(directory: try Self.folder(["isotretinoin-noa.yaml": v10, "isotretinoin-noa@1.0.yaml": v10]))
        } throws: { error in
            (error as? DocumentProblems)?.problems.contains { $0.message.contains("version 1.0 is also in") } == true
        }
    }

    @Test func changesBetweenVersions() throws {
        let (v10, v11) = try Self.texts()
        let old = try ProtocolDocument.parse(yaml: v10, file: "v10"), new = try ProtocolDocument.parse(yaml: v11, file: "v11")
        let changes = ProtocolChanges(from: old, to: new)
        #expect(changes.from == "1.0" && changes.to == "1.1")
        #expect(changes.changes.map { "\($0.kind.rawValue) \($0.area) \($0.id)" } == ["changed inclusion age", "changed schedule month-1"])
        #expect(changes.changes.last?.detail.hasSuffix(": windowAfter") == true)
        var fewer = new
        fewer.schedule.removeAll { $0.key == "month-5" }
        fewer.inclusion.append(Criterion(id: "new-one", text: "A new criterion", rule: old.inclusion[0].rule))
        let more = ProtocolChanges(from: old, to: fewer).changes.map { "\($0.kind.rawValue) \($0.area) \($0.id)" }
        #expect(more.contains("added inclusion new-one") && more.contains("removed schedule month-5"))
        #expect(ProtocolChanges(from: old, to: old).isEmpty)
    }

    @Test func versionsOrderAsPeopleReadThem() {
        #expect(ProtocolVersion("1.9") < ProtocolVersion("1.10"))
        #expect(ProtocolVersion("1.0") < ProtocolVersion("1.0.1"))
        #expect(!(ProtocolVersion("2.0") < ProtocolVersion("1.10")))
    }
}
