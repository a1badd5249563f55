import Foundation

/// A file written through a memory buffer, flushed every `capacity` bytes: the export writers (CSV, ODM, XPT,
/// Dataset-JSON, define.xml) emit many small pieces (a cell, a record) and one `write` system call per piece would
/// dominate an export's time. The buffer is raw memory the writer owns, so a piece is one bounds check and a copy
/// (issue #18: the SDTM writers append about 25 pieces per row, and an array's uniqueness and capacity checks on
/// each were a visible share). Created empty (an existing file is replaced); `close()` flushes what is left.
final class FormatFileOutput {
    let url: URL
    private let handle: FileHandle
    /// The pieces not yet written to the file.
    private let buffer: MemoryBytes
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
        buffer = MemoryBytes(capacity: capacity + 4096)
    }

    /// Flushes when the buffer is full (after `append`s: the buffer may pass `capacity` by one piece).
    @inline(__always)
    func flushIfFull() throws {
        if buffer.count >= capacity { try flush() }
    }

    func write(_ bytes: some Sequence<UInt8>) throws {
        for byte in bytes { buffer.append(byte) }
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
        buffer.append(bytes)
        try flushIfFull()
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        buffer.append(UnsafeBufferPointer(start: bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), count: bytes.count))
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
        buffer.append(bigEndian: value)
        try flushIfFull()
    }

    func write(byte: UInt8) throws {
        buffer.append(byte)
        try flushIfFull()
    }

    func write(repeating byte: UInt8, count repeated: Int) throws {
        buffer.append(repeating: byte, count: repeated)
        try flushIfFull()
    }

    /// Writes `bytes` after what is buffered: through the buffer when they fit in it, straight to the file (after
    /// a flush) when they are a buffer's worth or more — a block of rows formatted elsewhere is not copied twice.
    func writeThrough(_ bytes: UnsafeBufferPointer<UInt8>) throws {
        guard bytes.count >= capacity else { return try write(bytes) }
        try flush()
        try writeToFile(bytes)
    }

    // Appends without the flush check; the caller ends a piece with `write` or `endPiece()`.
    @inline(__always) func append(_ byte: UInt8) { buffer.append(byte) }
    @inline(__always) func append(_ bytes: UnsafeBufferPointer<UInt8>) { buffer.append(bytes) }
    @inline(__always) func append(_ bytes: [UInt8]) { bytes.withUnsafeBufferPointer { buffer.append($0) } }
    @inline(__always) func append(_ text: String.UTF8View) { buffer.append(text) }
    @inline(__always) func append(_ text: String) {
        var text = text
        text.withUTF8 { buffer.append($0) }
    }
    @inline(__always) func append(repeating byte: UInt8, count repeated: Int) { buffer.append(repeating: byte, count: repeated) }
    /// A 64-bit value as 8 big-endian bytes, without the flush check.
    @inline(__always) func append(bigEndian value: UInt64) { buffer.append(bigEndian: value) }

    /// Flushes when the buffer is full (after `append`s).
    func endPiece() throws { try flushIfFull() }

    /// Where the next byte goes; with `rollBack(to:)` a writer takes back a record it has begun and then refused
    /// (nothing is flushed in the middle of a record, so the mark is still in the buffer).
    var mark: Int { buffer.mark }

    func rollBack(to mark: Int) { buffer.rollBack(to: mark) }

    func flush() throws {
        guard buffer.count > 0 else { return }
        try buffer.withBytes { try writeToFile($0) }
        buffer.rollBack(to: 0)
    }

    private func writeToFile(_ bytes: UnsafeBufferPointer<UInt8>) throws {
        guard !bytes.isEmpty else { return }
        do {
            try handle.write(contentsOf: UnsafeRawBufferPointer(bytes))
        } catch {
            throw ExportError("cannot write \(url.lastPathComponent): the disk refused the write (full or read-only?)")
        }
        bytesWritten += bytes.count
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
