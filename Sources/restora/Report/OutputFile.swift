import Foundation

/// Writes a command's `--output`. A regular file (or a new one) is replaced atomically, so nobody ever reads
/// half a report; anything else — `/dev/null`, `/dev/stdout`, a named pipe, a terminal — is written in place:
/// an atomic write renames a temporary file over the path and, run as root, replaced the device node
/// `/dev/null` itself with a regular file. Symbolic links are followed (the link stays, its target changes).
enum OutputFile {
    static func write(_ text: String, to path: String) throws {
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        let type = (try? FileManager.default.attributesOfItem(atPath: target))?[.type] as? FileAttributeType
        if type == nil || type == .typeRegular {
            try text.write(toFile: target, atomically: true, encoding: .utf8)
            return
        }
        guard let handle = FileHandle(forWritingAtPath: target) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        defer { try? handle.close() }
        try handle.write(contentsOf: Data(text.utf8))
    }
}
