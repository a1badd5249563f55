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
    /// Group codes in sorted order (empty when the sample was built without groups).
    public let groups: [Int32]

    public var count: Int { times.count }

    /// - Throws: `StatsError.invalidInput` naming `timeName` for a NaN, infinite or negative time,
    ///   and for arrays of different lengths; `.insufficientData` when there is no observation.
    /// - Parameter group: optional integer group code per observation, carried into sorted order in the
    ///   same pass as the events (one random gather instead of one per analysis).
    public init(
        time: [Double], event: [Bool], group: [Int32]? = nil, timeName: String = "time", eventName: String = "event"
    ) throws {
        guard time.count == event.count else {
            throw StatsError.invalidInput(
                field: eventName, message: "has \(event.count) values but \(timeName) has \(time.count)")
        }
        guard !time.isEmpty else { throw StatsError.insufficientData("no observations") }
        try Self.validate(time: time, timeName: timeName)
        let (order, sortedTimes) = Self.sortedOrder(time)
        self.order = order
        times = sortedTimes
        events = [Bool](unsafeUninitializedCapacity: order.count) { buffer, count in
            event.withUnsafeBufferPointer { e in
                for (i, source) in order.enumerated() { buffer[i] = e[source] }
            }
            count = order.count
        }
        if let group {
            guard group.count == time.count else {
                throw StatsError.invalidInput(field: "group", message: "has \(group.count) values but \(timeName) has \(time.count)")
            }
            groups = [Int32](unsafeUninitializedCapacity: order.count) { buffer, count in
                group.withUnsafeBufferPointer { g in
                    for (i, source) in order.enumerated() { buffer[i] = g[source] }
                }
                count = order.count
            }
        } else {
            groups = []
        }
    }

    /// The largest time, after the same check as `validate` done as one branch-free pass: a non-negative
    /// finite double (or −0) has a bit pattern below +∞'s once −0 is mapped to +0, and non-negative doubles
    /// order like their bit patterns, so an unsigned maximum both finds the largest time and flags any
    /// NaN, infinity or negative value (then `validate` names the row).
    static func validatedMaximum(time: [Double], timeName: String) throws -> Double {
        let negativeZero = (-0.0).bitPattern
        var largest: UInt64 = 0
        time.withUnsafeBufferPointer { t in
            for x in t {
                let bits = x.bitPattern
                largest = max(largest, bits == negativeZero ? 0 : bits)
            }
        }
        if largest >= Double.infinity.bitPattern { try validate(time: time, timeName: timeName) }
        return Double(bitPattern: largest)
    }

    /// Finite and non-negative, or an error naming the field and the row.
    static func validate(time: [Double], timeName: String) throws {
        for (i, t) in time.enumerated() {
            if !t.isFinite {
                throw StatsError.invalidInput(field: timeName, message: "value at row \(i + 1) is not a finite number")
            }
            if t < 0 {
                throw StatsError.invalidInput(field: timeName, message: "value at row \(i + 1) is negative (\(t))")
            }
        }
    }

    /// A stable ascending order of non-negative finite times, and the sorted times. Non-negative IEEE
    /// doubles sort like their bit patterns, so an LSD radix sort on the 64-bit keys (byte digits, passes
    /// whose digit is the same for every key skipped) is exact and much faster than a comparison sort at
    /// 10⁶ subjects; the sorted keys are the sorted times, so no gather is needed for them.
    static func sortedOrder(_ time: [Double]) -> (order: [Int], times: [Double]) {
        let n = time.count
        if n < 256 {
            let order = (0..<n).sorted { time[$0] < time[$1] || (time[$0] == time[$1] && $0 < $1) }
            return (order, order.map { time[$0] })
        }
        // +0.0 and -0.0 compare equal; map -0.0 to +0.0 so their keys agree.
        var keys = time.map { ($0 == 0 ? 0.0 : $0).bitPattern }
        var index = [Int32](unsafeUninitializedCapacity: n) { buffer, count in
            for i in 0..<n { buffer[i] = Int32(i) }
            count = n
        }
        var keys2 = [UInt64](repeating: 0, count: n)
        var index2 = [Int32](repeating: 0, count: n)
        // Byte digits: 256 buckets keep every scatter stream in L1. All eight histograms in one read pass.
        var histograms = [Int](repeating: 0, count: 8 * 256)
        keys.withUnsafeBufferPointer { k in
            histograms.withUnsafeMutableBufferPointer { h in
                for i in 0..<n {
                    let key = k[i]
                    for digit in 0..<8 { h[digit * 256 + Int((key >> UInt64(digit * 8)) & 0xFF)] += 1 }
                }
            }
        }
        for digit in 0..<8 {
            let shift = UInt64(digit * 8)
            let firstBucket = Int((keys[0] >> shift) & 0xFF)
            if histograms[digit * 256 + firstBucket] == n { continue }  // every key has this digit
            var offsets = [Int](repeating: 0, count: 256)
            var total = 0
            for b in 0..<256 { offsets[b] = total; total += histograms[digit * 256 + b] }
            keys.withUnsafeBufferPointer { k in
                index.withUnsafeBufferPointer { ix in
                    keys2.withUnsafeMutableBufferPointer { k2 in
                        index2.withUnsafeMutableBufferPointer { ix2 in
                            offsets.withUnsafeMutableBufferPointer { c in
                                for i in 0..<n {
                                    let key = k[i]
                                    let b = Int((key >> shift) & 0xFF)
                                    let dest = c[b]
                                    c[b] = dest + 1
                                    k2[dest] = key
                                    ix2[dest] = ix[i]
                                }
                            }
                        }
                    }
                }
            }
            swap(&keys, &keys2)
            swap(&index, &index2)
        }
        return (index.map { Int($0) }, keys.map { Double(bitPattern: $0) })
    }
}
