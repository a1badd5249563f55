import Foundation

/// A file written through a 64 KiB buffer: the CSV and ODM writers append text as they go and the bytes reach
/// the disk in large writes, so a package of millions of rows costs a few thousand system calls, not one per
/// field. Created empty (an existing file is replaced); `close()` flushes what is left. The buffer is raw memory
/// the writer owns (no array's uniqueness and capacity checks on every byte: issue #18, the CSV export's
/// appends were a tenth of its time).
final class BufferedFileOutput {
    static let bufferSize = 64 * 1024

    let url: URL
    private let handle: FileHandle
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var count = 0
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
        capacity = Self.bufferSize + 4096
        storage = .allocate(capacity: capacity)
    }

    deinit {
        try? handle.close()
        storage.deallocate()
    }

    /// Room for `more` bytes: a record longer than the slack (a long text field) grows the buffer.
    @inline(__always)
    private func reserve(_ more: Int) {
        if count + more > capacity { grow(count + more) }
    }

    private func grow(_ needed: Int) {
        var size = capacity
        while size < needed { size *= 2 }
        let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        larger.update(from: storage, count: count)
        storage.deallocate()
        storage = larger
        capacity = size
    }

    func write(_ text: String) throws {
        append(text.utf8)
        try flushIfFull()
    }

    func write(_ byte: UInt8) throws {
        append(byte)
        try flushIfFull()
    }

    func write<S: Sequence>(bytes: S) throws where S.Element == UInt8 {
        for byte in bytes { append(byte) }
        try flushIfFull()
    }

    /// Appends without flushing; the caller ends a record with `flushIfFull()` (the buffer may pass 64 KiB by
    /// one record).
    @inline(__always)
    func append(_ byte: UInt8) {
        reserve(1)
        storage[count] = byte
        count += 1
    }

    @inline(__always)
    func append(_ text: String.UTF8View) {
        if text.withContiguousStorageIfAvailable({ append($0) }) == nil {
            for byte in text { append(byte) }
        }
    }

    @inline(__always)
    func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count)
        (storage + count).update(from: base, count: bytes.count)
        count += bytes.count
    }

    /// Where the next byte goes; with `rollBack(to:)` a writer takes back a record it has begun and then
    /// refused (nothing is flushed in the middle of a record, so the mark is still in the buffer).
    var mark: Int { count }

    func rollBack(to mark: Int) {
        if mark >= 0, mark < count { count = mark }
    }

    func flushIfFull() throws {
        if count >= Self.bufferSize { try flush() }
    }

    func flush() throws {
        guard count > 0 else { return }
        do {
            try handle.write(contentsOf: UnsafeRawBufferPointer(start: storage, count: count))
        } catch {
            throw ExportError("cannot write \(url.lastPathComponent): the disk refused the write (full or read-only?)")
        }
        count = 0
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
