import Foundation
import Testing
@testable import restora

/// `km` and `logrank` name their columns, so a simple file is read in one pass (`CSVSimpleColumns`); every
/// value and every refusal must be what the whole-document reader gives for the same file.
@Suite("CSV input: named columns read in one pass")
struct CSVTableOnePassTests {
    func outcome(_ body: () throws -> Any) -> String {
        do { return "\(try body())" } catch let error as CLIFailure { return "error: \(error.message)" } catch { return "other: \(error)" }
    }

    @Test("the same values and the same messages as the whole document, file by file")
    func sameAsTheDocument() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("restora-onepass-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let files: [(String, String, Bool)] = [
            ("simple", "t,e,arm\n1.5,1,A\n2,0,B\n3.25,1,A\n", true),
            ("crlf", "t,e,arm\r\n1.5,1,A\r\n2,0,B", true),
            ("negative time", "t,e,arm\n1.5,1,A\n-2,0,B\n", true),
            ("event 2", "t,e,arm\n1.5,1,A\n2,2,B\n", true),
            ("exponent and sign", "t,e,arm\n1e1,1,A\n+2,0,B\n", true),
            ("quoted", "t,e,arm\n1.5,1,\"A\"\n2,0,B\n", false),
            ("bad number", "t,e,arm\n1.5,1,A\nabc,0,B\n", false),
            ("missing event", "t,e,arm\n1.5,,A\n", false),
            ("blank line", "t,e,arm\n1.5,1,A\n\n2,0,B\n", false),
            ("short row", "t,e,arm\n1.5,1\n", false),
            ("no such column", "time,e,arm\n1.5,1,A\n", false),
            ("header only", "t,e,arm\n", false),
        ]
        for (name, text, onePass) in files {
            let path = folder.appendingPathComponent("\(name).csv").path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let whole = outcome { try CSVTable(path: path) }
            let named = outcome { try CSVTable(path: path, numbers: ["t", "e"], codes: ["arm"]) }
            if whole.hasPrefix("error") { #expect(named == whole, "\(name)"); continue }
            let document = try CSVTable(path: path)
            let table = try CSVTable(path: path, numbers: ["t", "e"], codes: ["arm"])
            #expect(table.readInOnePass == onePass, "\(name)")
            #expect(table.header == document.header, "\(name)")
            #expect(outcome { try table.times("t") } == outcome { try document.times("t") }, "\(name)")
            #expect(outcome { try table.events("e") } == outcome { try document.binary("e").map { $0 == 1 } }, "\(name)")
            #expect(outcome { try table.binary("e") } == outcome { try document.binary("e") }, "\(name)")
            #expect(outcome { try table.codes("arm") } == outcome { try document.codes("arm") }, "\(name)")
            if onePass {
                #expect(outcome { try table.strings("arm") } == "error: \(path): column 'arm' was not among the columns read")
            }
        }
    }
}
