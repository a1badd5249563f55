import RestoraDomain

/// Only the fields that changed, as old and new text. A list that only grew (custody events, dispensings,
/// transitions) records just its old and new length under `field+`: like a created row, the appended items
/// are in the record itself and were never written before, and each item already carries its own actor,
/// time and reason; any in-place edit of an item is not an append and records full old and new values.
enum AuditDiff {
    static func changes(old: [String: SQLCell], new: [String: SQLCell], columns: [Column]) -> [AuditEntry.Change] {
        columns.compactMap { column in
            let before = old[column.name] ?? .null
            let after = new[column.name] ?? .null
            guard before != after else { return nil }
            if column.kind == .json, let (oldCount, newCount) = appendOnly(before.auditText, after.auditText) {
                return AuditEntry.Change(field: column.name + "+", old: String(oldCount), new: String(newCount))
            }
            return AuditEntry.Change(field: column.name, old: before.auditText, new: after.auditText)
        }
    }

    /// The lengths before and after when `new` is `old` with items added at the end, else nil.
    private static func appendOnly(_ old: String?, _ new: String?) -> (Int, Int)? {
        guard let old, let new, case let .array(before)? = try? StoredJSON.tree(old),
              case let .array(after)? = try? StoredJSON.tree(new),
              after.count > before.count, Array(after.prefix(before.count)) == before
        else { return nil }
        return (before.count, after.count)
    }
}
