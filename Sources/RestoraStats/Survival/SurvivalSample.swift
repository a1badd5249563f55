import Foundation

/// Right-censored observations validated and sorted once by time (ascending), in contiguous arrays.
/// Every survival estimator works on this so the O(n log n) sort is paid once per analysis.
public struct SurvivalSample: Sendable {
    /// Times in ascending order.
    public let times: [Double]
    /// Event indicator in the same order (true = event, false = censored).
    public let events: [Bool]
    /// For each sorted position, the index of the observation in the caller's arrays.
    public let order: [Int]

    public var count: Int { times.count }

    /// - Throws: `StatsError.invalidInput` naming `timeName` for a NaN, infinite or negative time,
    ///   and for arrays of different lengths; `.insufficientData` when there is no observation.
    public init(time: [Double], event: [Bool], timeName: String = "time", eventName: String = "event") throws {
        guard time.count == event.count else {
            throw StatsError.invalidInput(
                field: eventName, message: "has \(event.count) values but \(timeName) has \(time.count)")
        }
        guard !time.isEmpty else { throw StatsError.insufficientData("no observations") }
        for (i, t) in time.enumerated() {
            if !t.isFinite {
                throw StatsError.invalidInput(field: timeName, message: "value at row \(i + 1) is not a finite number")
            }
            if t < 0 {
                throw StatsError.invalidInput(field: timeName, message: "value at row \(i + 1) is negative (\(t))")
            }
        }
        let order = Self.sortedOrder(time)
        self.order = order
        times = order.map { time[$0] }
        events = order.map { event[$0] }
    }

    /// A stable ascending order of non-negative finite times. Non-negative IEEE doubles sort like their
    /// bit patterns, so an LSD radix sort on the 64-bit keys is exact and much faster than a comparison
    /// sort at 10⁶ subjects.
    static func sortedOrder(_ time: [Double]) -> [Int] {
        let n = time.count
        if n < 256 {
            return (0..<n).sorted { time[$0] < time[$1] || (time[$0] == time[$1] && $0 < $1) }
        }
        // +0.0 and -0.0 compare equal; map -0.0 to +0.0 so their keys agree.
        var keys = time.map { ($0 == 0 ? 0.0 : $0).bitPattern }
        var index = [Int32](unsafeUninitializedCapacity: n) { buffer, count in
            for i in 0..<n { buffer[i] = Int32(i) }
            count = n
        }
        var keys2 = [UInt64](repeating: 0, count: n)
        var index2 = [Int32](repeating: 0, count: n)
        let maxKey = keys.max() ?? 0
        var shift: UInt64 = 0
        var counts = [Int](repeating: 0, count: 65536)
        while shift < 64, (maxKey >> shift) != 0 {
            for i in 0..<65536 { counts[i] = 0 }
            keys.withUnsafeBufferPointer { k in
                counts.withUnsafeMutableBufferPointer { c in
                    for i in 0..<n { c[Int((k[i] >> shift) & 0xFFFF)] += 1 }
                    var total = 0
                    for b in 0..<65536 { let v = c[b]; c[b] = total; total += v }
                }
            }
            keys.withUnsafeBufferPointer { k in
                index.withUnsafeBufferPointer { ix in
                    keys2.withUnsafeMutableBufferPointer { k2 in
                        index2.withUnsafeMutableBufferPointer { ix2 in
                            counts.withUnsafeMutableBufferPointer { c in
                                for i in 0..<n {
                                    let b = Int((k[i] >> shift) & 0xFFFF)
                                    let dest = c[b]
                                    c[b] = dest + 1
                                    k2[dest] = k[i]
                                    ix2[dest] = ix[i]
                                }
                            }
                        }
                    }
                }
            }
            swap(&keys, &keys2)
            swap(&index, &index2)
            shift += 16
        }
        return index.map { Int($0) }
    }
}
