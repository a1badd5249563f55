import Foundation
@testable import restora
import Testing

/// `--output` replaces a regular file atomically but never replaces what is not one: running as root, an
/// atomic write to `/dev/null` had turned the device into a regular file.
@Suite("--output files")
struct OutputFileTests {
    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("restora-output-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("a new file and an existing regular file get the whole text")
    func regularFile() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("r.md").path
        try OutputFile.write("first\n", to: path)
        try OutputFile.write("second\n", to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "second\n")
    }

    @Test("a symbolic link stays a link and its target gets the text")
    func symlink() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("target.md").path
        let link = dir.appendingPathComponent("link.md").path
        try "old\n".write(toFile: target, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        try OutputFile.write("new\n", to: link)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == target)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "new\n")
    }

    @Test("a named pipe is written through, not replaced by a file")
    func namedPipe() async throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let pipe = dir.appendingPathComponent("fifo").path
        #expect(mkfifo(pipe, 0o600) == 0)
        let reader = Task.detached { () -> String in
            let handle = FileHandle(forReadingAtPath: pipe)
            let data = try handle?.readToEnd() ?? Data()
            return String(decoding: data, as: UTF8.self)
        }
        try OutputFile.write("through the pipe\n", to: pipe)
        let type = try FileManager.default.attributesOfItem(atPath: pipe)[.type] as? FileAttributeType
        // Checked before waiting for the reader: had the pipe been replaced, the reader would wait forever.
        guard type != .typeRegular else {
            Issue.record("the named pipe was replaced by a regular file")
            return
        }
        #expect(try await reader.value == "through the pipe\n")
    }
}
