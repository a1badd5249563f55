/// A kept statement's text as the writer's cache key (`SQLiteWriterHandle`). Compared whole, but hashed by its
/// length and a sample of its bytes: the texts are hundreds of bytes long, and hashing each whole, twice per
/// statement (taken out of the cache, put back), cost 5 % of a seed. Texts that share the sample only cost a
/// comparison more; the sample takes the end, where statements on one table differ (their `WHERE`, `ORDER BY`,
/// `RETURNING`), and the middle.
struct StatementKey: Hashable {
    let sql: String

    init(_ sql: String) { self.sql = sql }

    static let sampled = 24

    static func == (a: StatementKey, b: StatementKey) -> Bool { a.sql == b.sql }

    func hash(into hasher: inout Hasher) {
        var sql = self.sql
        sql.withUTF8 { bytes in
            hasher.combine(bytes.count)
            let raw = UnsafeRawBufferPointer(bytes)
            guard bytes.count > 3 * Self.sampled else {
                hasher.combine(bytes: raw)
                return
            }
            let middle = bytes.count / 2
            hasher.combine(bytes: UnsafeRawBufferPointer(rebasing: raw[middle..<(middle + Self.sampled)]))
            hasher.combine(bytes: UnsafeRawBufferPointer(rebasing: raw[(bytes.count - 2 * Self.sampled)...]))
        }
    }
}
