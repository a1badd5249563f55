import Foundation

/// A file written through a memory buffer, flushed every `capacity` bytes: the format writers emit many small
/// pieces (a cell, a record) and one `write` system call per piece would dominate an export's time.
final class FormatFileOutput {
    let url: URL
    private let handle: FileHandle
    private var buffer: [UInt8] = []
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
        handle = try FileHandle(forWritingTo: url)
        buffer.reserveCapacity(capacity)
    }

    func write(_ bytes: some Sequence<UInt8>) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= capacity { try flush() }
    }

    // Concrete overloads for the hot paths (contiguous copies, no per-byte iteration).
    func write(_ bytes: [UInt8]) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= capacity { try flush() }
    }

    func write(_ bytes: ArraySlice<UInt8>) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= capacity { try flush() }
    }

    func write(_ bytes: UnsafeBufferPointer<UInt8>) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= capacity { try flush() }
    }

    func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { try write($0) }
    }

    /// A 64-bit value as 8 big-endian bytes.
    func write(bigEndian value: UInt64) throws {
        withUnsafeBytes(of: value.bigEndian) { buffer.append(contentsOf: $0) }
        if buffer.count >= capacity { try flush() }
    }

    func write(byte: UInt8) throws {
        buffer.append(byte)
        if buffer.count >= capacity { try flush() }
    }

    func write(repeating byte: UInt8, count: Int) throws {
        guard count > 0 else { return }
        buffer.append(contentsOf: repeatElement(byte, count: count))
        if buffer.count >= capacity { try flush() }
    }

    func flush() throws {
        guard !buffer.isEmpty else { return }
        try handle.write(contentsOf: buffer)
        bytesWritten += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, forces the data to disk (unless `sync` is false: a scratch file) and closes.
    func close(sync: Bool = true) throws {
        try flush()
        if sync { try handle.synchronize() }
        open = false
        try handle.close()
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

    /// Copies exactly `count` bytes to `output`; throws at a premature end of file.
    func copy(_ count: Int, to output: FormatFileOutput) throws {
        var remaining = count
        while remaining > 0 {
            if index == block.count { try refill() }
            let n = min(remaining, block.count - index)
            try output.write(block[index..<(index + n)])
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
