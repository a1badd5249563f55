import ArgumentParser
import Foundation

/// How every `restora` command prints: human-readable text by default, JSON with `--json`.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print machine-readable JSON instead of text.")
    var json = false
}

enum CLIOutput {
    static func jsonString<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        encoder.nonConformingFloatEncodingStrategy = .throw
        let data = try encoder.encode(value)
        return String(decoding: data, as: UTF8.self)
    }

    static func printJSON<T: Encodable>(_ value: T) throws {
        print(try jsonString(value))
    }

    /// Prints and flushes at once. Standard output to a pipe or a file is block-buffered, so a command that
    /// keeps running (the demo's server) would otherwise hold its text back until it exits.
    static func printNow(_ text: String) {
        print(text)
        fflush(nil)  // every output stream; naming `stdout` is not concurrency-safe in Swift 6
    }

    /// Bytes to standard output as they are (a long text report), after anything printed before them.
    static func write(_ bytes: [UInt8]) {
        fflush(nil)
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Foundation.write(STDOUT_FILENO, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 { if errno == EINTR { continue }; return }  // a closed pipe: nothing more to say
                offset += n
            }
        }
    }

    /// A warning on standard error (unbuffered), e.g. `--insecure-http`.
    static func warn(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}

/// A user-facing failure: the message names what is wrong and where; exits non-zero without a stack trace.
struct CLIFailure: Error, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

extension CLIFailure: LocalizedError {
    var errorDescription: String? { message }
}

/// Runs `body`, turning any thrown error into a clean one-line message on stderr and exit code 1.
/// ArgumentParser's own validation errors keep their usual formatting and exit code.
func runReportingErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as CLIFailure {
        FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
        throw ExitCode(1)
    } catch let error as LocalizedError where error.errorDescription != nil {
        FileHandle.standardError.write(Data("error: \(error.errorDescription!)\n".utf8))
        throw ExitCode(1)
    }
}
