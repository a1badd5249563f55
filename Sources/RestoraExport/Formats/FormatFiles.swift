import Foundation

/// A file written through a memory buffer, flushed every `capacity` bytes: the export writers (CSV, ODM, XPT,
/// Dataset-JSON, define.xml) emit many small pieces (a cell, a record) and one `write` system call per piece would
/// dominate an export's time. The buffer is raw memory the writer owns, so a piece is one bounds check and a copy
/// (issue #18: the SDTM writers append about 25 pieces per row, and an array's uniqueness and capacity checks on
/// each were a visible share). Created empty (an existing file is replaced); `close()` flushes what is left.
final class FormatFileOutput {
    let url: URL
    private let handle: FileHandle
    private var storage: UnsafeMutablePointer<UInt8>
    private var storageCapacity: Int
    private var count = 0
    private let capacity: Int
    private(set) var bytesWritten = 0
    private var open = true

    /// Creates (or empties) the file at `url`.
    init(url: URL, capacity: Int = 1 << 20) throws {
        self.url = url
        self.capacity = capacity
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw ExportError("cannot create \(url.lastPathComponent) in \(url.deletingLastPathComponent().path)")
        }
        do {
            handle = try FileHandle(forWritingTo: url)
        } catch {
            throw ExportError("cannot open \(url.lastPathComponent) for writing")
        }
        storageCapacity = capacity + 4096
        storage = .allocate(capacity: storageCapacity)
    }

    deinit {
        storage.deallocate()
    }

    /// Room for `more` bytes (a piece larger than the slack grows the buffer).
    @inline(__always)
    private func reserve(_ more: Int) {
        if count + more > storageCapacity { grow(count + more) }
    }

    private func grow(_ needed: Int) {
        var size = storageCapacity
        while size < needed { size *= 2 }
        let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        larger.update(from: storage, count: count)
        storage.deallocate()
        storage = larger
        storageCapacity = size
    }

    /// Flushes when the buffer is full (after `append`s: the buffer may pass `capacity` by one piece).
    @inline(__always)
    func flushIfFull() throws {
        if count >= capacity { try flush() }
    }

    func write(_ bytes: some Sequence<UInt8>) throws {
        for byte in bytes {
            reserve(1)
            storage[count] = byte
            count += 1
        }
        try flushIfFull()
    }

    // Concrete overloads for the hot paths (contiguous copies, no per-byte iteration).
    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBufferPointer { try write($0) }
    }

    func write(_ bytes: ArraySlice<UInt8>) throws {
        try bytes.withUnsafeBufferPointer { try write($0) }
    }

    func write(_ bytes: UnsafeBufferPointer<UInt8>) throws {
        append(bytes)
        try flushIfFull()
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        append(UnsafeBufferPointer(start: bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), count: bytes.count))
        try flushIfFull()
    }

    func write(_ data: Data) throws {
        try data.withUnsafeBytes { try write($0) }
    }

    func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { try write($0) }
    }

    /// A 64-bit value as 8 big-endian bytes.
    func write(bigEndian value: UInt64) throws {
        reserve(8)
        UnsafeMutableRawPointer(storage + count).storeBytes(of: value.bigEndian, as: UInt64.self)
        count += 8
        try flushIfFull()
    }

    func write(byte: UInt8) throws {
        append(byte)
        try flushIfFull()
    }

    func write(repeating byte: UInt8, count repeated: Int) throws {
        guard repeated > 0 else { return }
        reserve(repeated)
        (storage + count).initialize(repeating: byte, count: repeated)
        count += repeated
        try flushIfFull()
    }

    /// Appends without the flush check; the caller ends a piece with `write` or `endPiece()`.
    @inline(__always)
    func append(_ byte: UInt8) {
        reserve(1)
        storage[count] = byte
        count += 1
    }

    @inline(__always)
    func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count)
        (storage + count).update(from: base, count: bytes.count)
        count += bytes.count
    }

    @inline(__always)
    func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append($0) }
    }

    @inline(__always)
    func append(_ text: String.UTF8View) {
        if text.withContiguousStorageIfAvailable({ append($0) }) == nil {
            for byte in text { append(byte) }
        }
    }

    @inline(__always)
    func append(_ text: String) {
        var text = text
        text.withUTF8 { append($0) }
    }

    @inline(__always)
    func append(repeating byte: UInt8, count repeated: Int) {
        guard repeated > 0 else { return }
        reserve(repeated)
        (storage + count).initialize(repeating: byte, count: repeated)
        count += repeated
    }

    /// A 64-bit value as 8 big-endian bytes, without the flush check.
    @inline(__always)
    func append(bigEndian value: UInt64) {
        reserve(8)
        UnsafeMutableRawPointer(storage + count).storeBytes(of: value.bigEndian, as: UInt64.self)
        count += 8
    }

    /// Writes `bytes` after what is buffered: through the buffer when they fit in it, straight to the file (after
    /// a flush) when they are a buffer's worth or more — a block of rows formatted elsewhere is not copied twice.
    func writeThrough(_ bytes: UnsafeBufferPointer<UInt8>) throws {
        guard bytes.count >= capacity else { return try write(bytes) }
        try flush()
        guard !bytes.isEmpty else { return }
        do {
            try handle.write(contentsOf: UnsafeRawBufferPointer(bytes))
        } catch {
            throw ExportError("cannot write \(url.lastPathComponent): the disk refused the write (full or read-only?)")
        }
        bytesWritten += bytes.count
    }

    /// Flushes when the buffer is full (after `append`s).
    func endPiece() throws { try flushIfFull() }

    /// Where the next byte goes; with `rollBack(to:)` a writer takes back a record it has begun and then refused
    /// (nothing is flushed in the middle of a record, so the mark is still in the buffer).
    var mark: Int { count }

    func rollBack(to mark: Int) {
        if mark >= 0, mark < count { count = mark }
    }

    func flush() throws {
        guard count > 0 else { return }
        do {
            try handle.write(contentsOf: UnsafeRawBufferPointer(start: storage, count: count))
        } catch {
            throw ExportError("cannot write \(url.lastPathComponent): the disk refused the write (full or read-only?)")
        }
        bytesWritten += count
        count = 0
    }

    /// Flushes, forces the data to disk (unless `sync` is false: a scratch file) and closes.
    func close(sync: Bool = true) throws {
        guard open else { return }
        try flush()
        open = false
        do {
            if sync { try handle.synchronize() }
            try handle.close()
        } catch {
            throw ExportError("cannot complete \(url.lastPathComponent) on disk")
        }
    }

    /// Closes without caring about errors (the file is about to be removed).
    func abandon() {
        guard open else { return }
        open = false
        try? handle.close()
    }
}

/// Reads a file sequentially in blocks (the XPT spool).
final class FormatFileInput {
    private let handle: FileHandle
    private var block: [UInt8] = []
    private var index = 0
    private let blockSize: Int

    init(url: URL, blockSize: Int = 1 << 20) throws {
        handle = try FileHandle(forReadingFrom: url)
        self.blockSize = blockSize
    }

    /// Copies exactly `count` bytes to `output` (appended: the caller ends the piece with `output.endPiece()`);
    /// throws at a premature end of file.
    func copy(_ count: Int, to output: FormatFileOutput) throws {
        var remaining = count
        while remaining > 0 {
            if index == block.count { try refill() }
            let n = min(remaining, block.count - index)
            let start = index
            block.withUnsafeBufferPointer { output.append(UnsafeBufferPointer(rebasing: $0[start..<(start + n)])) }
            index += n
            remaining -= n
        }
    }

    func readByte() throws -> UInt8 {
        if index == block.count { try refill() }
        defer { index += 1 }
        return block[index]
    }

    private func refill() throws {
        guard let data = try handle.read(upToCount: blockSize), !data.isEmpty else {
            throw ExportError("the export's spool file ended early")
        }
        block = [UInt8](data)
        index = 0
    }

    func close() { try? handle.close() }
}

/// Moves a completed temporary file onto its final name (replacing an older file of that name).
func moveIntoPlace(_ temporary: URL, _ final: URL) throws {
    let fm = FileManager.default
    if fm.fileExists(atPath: final.path) { try fm.removeItem(at: final) }
    try fm.moveItem(at: temporary, to: final)
}

/// Writes `final` through a hidden partial file beside it: `body` writes, the file is synced, closed and renamed
/// onto `final`; on any error the partial file is removed and `final` is left as it was.
func writeAtomically(_ final: URL, _ body: (FormatFileOutput) throws -> Void) throws {
    let partial = final.deletingLastPathComponent()
        .appendingPathComponent(".\(final.lastPathComponent).partial-\(UUID().uuidString)")
    do {
        let output = try FormatFileOutput(url: partial)
        do {
            try body(output)
            try output.close()
        } catch {
            output.abandon()
            throw error
        }
        try moveIntoPlace(partial, final)
    } catch {
        try? FileManager.default.removeItem(at: partial)
        throw error
    }
}

/// The rows of one dataset spooled to a hidden file beside its output until `finish`, with running per-variable
/// lengths: the XPT and Dataset-JSON headers state lengths (and Dataset-JSON the row count) before the rows.
/// A refused row closes the spool for good; the spool file is removed when the writer finishes, fails or is
/// dropped unfinished, so a failed dataset leaves nothing behind.
final class RowSpool {
    let output: FormatFileOutput
    let dataset: String
    var lengths: [Int]
    private(set) var rows = 0
    private(set) var closed = false

    init(directory: URL, fileName: String, dataset: String, lengths: [Int]) throws {
        output = try FormatFileOutput(url: directory.appendingPathComponent(".\(fileName).spool-\(UUID().uuidString)"))
        self.dataset = dataset
        self.lengths = lengths
    }

    /// Spools the next row through `body`, given its 1-based number; an error closes the spool and is rethrown.
    func append(_ body: (_ rowNumber: Int) throws -> Void) throws {
        guard !closed else {
            throw ExportError("dataset \(dataset): the writer is closed (finished or stopped by an earlier refusal)")
        }
        do {
            try body(rows + 1)
        } catch {
            discard()
            throw error
        }
        rows += 1
    }

    /// Closes the spool and writes `final` atomically through `body` (which reads the spool at `output.url`);
    /// the spool is removed whatever happens.
    func finish(_ final: URL, _ body: (FormatFileOutput) throws -> Void) throws {
        guard !closed else { throw ExportError("dataset \(dataset): the writer is closed") }
        defer { discard() }
        try output.close(sync: false)
        try writeAtomically(final, body)
    }

    /// Closes and removes the spool; nothing more is accepted.
    func discard() {
        guard !closed else { return }
        closed = true
        output.abandon()
        try? FileManager.default.removeItem(at: output.url)
    }

    deinit { discard() }
}
