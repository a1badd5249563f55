import Foundation

/// Open-addressing hash from a 64-bit key to `width` Int32 counters stored inline after the key
/// (stride = 1 + width/2 words). Empty slots hold a key that no non-negative finite double has.
struct InlineCountHash {
    static let empty = UInt64.max
    let width: Int
    let stride: Int
    private(set) var capacity: Int
    private(set) var count = 0
    private var shift: UInt64
    private var storage: UnsafeMutablePointer<UInt64>

    init(width: Int, capacity: Int) {
        self.width = width
        stride = 1 + (width + 1) / 2
        self.capacity = capacity
        shift = UInt64(64 - capacity.trailingZeroBitCount)
        storage = Self.allocate(capacity: capacity, stride: stride)
    }

    static func allocate(capacity: Int, stride: Int) -> UnsafeMutablePointer<UInt64> {
        let p = UnsafeMutablePointer<UInt64>.allocate(capacity: capacity * stride)
        p.initialize(repeating: 0, count: capacity * stride)
        for slot in 0..<capacity { p[slot * stride] = empty }
        return p
    }

    func deallocate() { storage.deallocate() }

    @inline(__always)
    mutating func increment(key: UInt64, column: Int, by amount: Int32 = 1) {
        var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
        while true {
            let base = storage + slot * stride
            if base.pointee == key {
                UnsafeMutableRawPointer(base + 1).assumingMemoryBound(to: Int32.self)[column] += amount
                return
            }
            if base.pointee == Self.empty {
                base.pointee = key
                count += 1
                UnsafeMutableRawPointer(base + 1).assumingMemoryBound(to: Int32.self)[column] = amount
                return
            }
            slot = (slot + 1) & (capacity - 1)
        }
    }

    mutating func grow() {
        let old = storage, oldCapacity = capacity
        capacity *= 2
        shift -= 1
        storage = Self.allocate(capacity: capacity, stride: stride)
        count = 0
        for slot in 0..<oldCapacity where old[slot * stride] != Self.empty {
            let base = old + slot * stride
            let counters = UnsafeMutableRawPointer(base + 1).assumingMemoryBound(to: Int32.self)
            for column in 0..<width where counters[column] != 0 {
                increment(key: base.pointee, column: column, by: counters[column])
            }
        }
        old.deallocate()
    }

    /// Keys and their counters (row-major, `width` per key), in slot order.
    func entries() -> (keys: [UInt64], counts: [Int32]) {
        var keys: [UInt64] = []
        var counts: [Int32] = []
        keys.reserveCapacity(count)
        counts.reserveCapacity(count * width)
        for slot in 0..<capacity where storage[slot * stride] != Self.empty {
            let base = storage + slot * stride
            keys.append(base.pointee)
            let counters = UnsafeMutableRawPointer(base + 1).assumingMemoryBound(to: Int32.self)
            for column in 0..<width { counts.append(counters[column]) }
        }
        return (keys, counts)
    }
}
