import Foundation

/// A growing byte array in raw memory the writer owns, so a piece is one capacity check and a copy: the buffer of
/// `FormatFileOutput`, and the rows a `CSVRowBuffer` formats apart from their file.
final class MemoryBytes: CSVByteSink {
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int = 16 * 1024) {
        self.capacity = max(capacity, 64)
        storage = .allocate(capacity: self.capacity)
    }

    deinit { storage.deallocate() }

    @inline(__always)
    private func reserve(_ more: Int) {
        guard count + more > capacity else { return }
        var size = capacity
        while size < count + more { size *= 2 }
        let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        larger.update(from: storage, count: count)
        storage.deallocate()
        storage = larger
        capacity = size
    }

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
    func append(_ text: String.UTF8View) {
        if text.withContiguousStorageIfAvailable({ append($0) }) == nil {
            for byte in text { append(byte) }
        }
    }

    @inline(__always)
    func append(repeating byte: UInt8, count repeated: Int) {
        guard repeated > 0 else { return }
        reserve(repeated)
        (storage + count).initialize(repeating: byte, count: repeated)
        count += repeated
    }

    /// A 64-bit value as 8 big-endian bytes.
    @inline(__always)
    func append(bigEndian value: UInt64) {
        reserve(8)
        UnsafeMutableRawPointer(storage + count).storeBytes(of: value.bigEndian, as: UInt64.self)
        count += 8
    }

    var mark: Int { count }

    func rollBack(to mark: Int) {
        if mark >= 0, mark < count { count = mark }
    }

    func withBytes<T>(_ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        try body(UnsafeBufferPointer(start: storage, count: count))
    }
}
