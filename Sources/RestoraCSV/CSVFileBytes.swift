#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The whole file in memory, read with one `read(2)` into uninitialised memory (no zero fill, no Foundation,
/// no String); a file that grows while it is read is read to its end.
enum CSVFileBytes {
    static func read(path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw CSVError("cannot read input file '\(path)'") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw CSVError("cannot read input file '\(path)'")
        }
        var result: [UInt8] = []
        var capacity = Int(info.st_size) + 1
        while true {
            var failed = false
            var full = false
            let previous = result
            result = try [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
                var filled = previous.count
                if filled > 0 { _ = buffer.initialize(fromContentsOf: previous) }
                while filled < capacity {
                    let n = systemRead(fd, buffer.baseAddress! + filled, capacity - filled)
                    if n < 0 { if errno == EINTR { continue }; failed = true; break }
                    if n == 0 { break }
                    filled += n
                }
                count = filled
                full = filled == capacity
                if failed { throw CSVError("cannot read input file '\(path)'") }
            }
            if !full { return result }
            capacity *= 2
        }
    }
}

#if canImport(Glibc)
private let systemRead = Glibc.read
#elseif canImport(Musl)
private let systemRead = Musl.read
#elseif canImport(Darwin)
private let systemRead = Darwin.read
#endif
