/// How a process reads an SQLite file: how many pages each connection caches and how much of the file each
/// reader maps. Neither changes a result or a durability guarantee, only speed and memory (issue #13).
public enum SQLiteReadProfile: Sendable, Equatable {
    /// A server: the same pages (indexes, recent rows, the dashboard's aggregates) are read again and again, so
    /// each connection caches 8 MiB of pages and each reader maps up to 128 MiB of the file — reads of a large
    /// database spent half their time in `pread` with SQLite's default 2 MiB cache (BENCHMARKS.md "Dashboard and
    /// report at scale").
    case repeated
    /// One pass over the data (`restora report`, `restora export`): each page is read about once, so a bigger
    /// cache or a map keeps pages that are not read again. SQLite's default 2 MiB cache and no map: at 10^5
    /// participants the report's peak RSS fell from 540 to about 305 MB at the same speed, and at 10^4 the CSV
    /// export's from 306 to 113 MB, a little faster (BENCHMARKS.md "The report in bounded memory", "Exports").
    case singlePass

    /// Page cache per connection (writer and readers), KiB.
    public var cacheKiB: Int {
        switch self {
        case .repeated: 8 * 1024
        case .singlePass: 2 * 1024
        }
    }

    /// Bytes of the file each reader maps (the writer is never mapped).
    public var mappedBytes: Int {
        switch self {
        case .repeated: 128 * 1024 * 1024
        case .singlePass: 0
        }
    }
}
