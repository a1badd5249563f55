#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The whole file in memory with one `read` per chunk (normally one): no Foundation, no String.
enum CSVFileBytes {
    static func read(path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw CSVError("cannot read input file '\(path)'") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw CSVError("cannot read input file '\(path)'")
        }
        var size = Int(info.st_size)
        var bytes = [UInt8](repeating: 0, count: 0)
        // Read to the end even if the file grew or shrank since fstat.
        while true {
            let start = bytes.count
            let want = max(size - start, 1 << 16)
            bytes.append(contentsOf: repeatElement(0, count: want))
            let got = bytes.withUnsafeMutableBytes { buffer -> Int in
                var n = 0
                repeat {
                    n = systemRead(fd, buffer.baseAddress! + start, want)
                } while n < 0 && errno == EINTR
                return n
            }
            if got < 0 { throw CSVError("cannot read input file '\(path)'") }
            bytes.removeLast(want - got)
            if got == 0 { break }
            size = bytes.count + (1 << 16)
        }
        return bytes
    }
}

#if canImport(Glibc)
private let systemRead = Glibc.read
#elseif canImport(Musl)
private let systemRead = Musl.read
#elseif canImport(Darwin)
private let systemRead = Darwin.read
#endif
