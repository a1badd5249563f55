import Foundation

/// A file written through a 64 KiB buffer: the CSV and ODM writers append text as they go and the bytes reach
/// the disk in large writes, so a package of millions of rows costs a few thousand system calls, not one per
/// field. Created empty (an existing file is replaced); `close()` flushes what is left.
final class BufferedFileOutput {
    static let bufferSize = 64 * 1024

    let url: URL
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var closed = false

    init(url: URL) throws {
        self.url = url
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw ExportError("cannot create \(url.lastPathComponent) in \(url.deletingLastPathComponent().path)")
        }
        do {
            handle = try FileHandle(forWritingTo: url)
        } catch {
            throw ExportError("cannot open \(url.lastPathComponent) for writing")
        }
        buffer.reserveCapacity(Self.bufferSize + 4096)
    }

    deinit { try? handle.close() }

    func write(_ text: String) throws {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= Self.bufferSize { try flush() }
    }

    func write(_ byte: UInt8) throws {
        buffer.append(byte)
        if buffer.count >= Self.bufferSize { try flush() }
    }

    func write<S: Sequence>(bytes: S) throws where S.Element == UInt8 {
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.bufferSize { try flush() }
    }

    /// Appends without flushing; the caller ends a record with `flushIfFull()` (the buffer may pass 64 KiB by
    /// one record).
    @inline(__always)
    func append(_ byte: UInt8) { buffer.append(byte) }

    @inline(__always)
    func append(_ text: String.UTF8View) { buffer.append(contentsOf: text) }

    func flushIfFull() throws {
        if buffer.count >= Self.bufferSize { try flush() }
    }

    func flush() throws {
        guard !buffer.isEmpty else { return }
        do {
            try handle.write(contentsOf: buffer)
        } catch {
            throw ExportError("cannot write \(url.lastPathComponent): the disk refused the write (full or read-only?)")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    func close() throws {
        guard !closed else { return }
        try flush()
        closed = true
        do {
            try handle.synchronize()
            try handle.close()
        } catch {
            throw ExportError("cannot complete \(url.lastPathComponent) on disk")
        }
    }
}
