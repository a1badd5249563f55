import Foundation
import RestoraDomain
import SQLKit

/// The keyset of a type's history: time (newest first), then record id, then version (highest first).
struct HistoryCursor: Sendable {
    var at: Date
    var id: String
    var version: Int

    init(at: Date, id: String, version: Int) {
        self.at = at
        self.id = id
        self.version = version
    }

    init(text: String) throws {
        let parts = text.split(separator: "|", omittingEmptySubsequences: false)
        guard parts.count == 3, let at = StoredJSON.parse(String(parts[0])), let version = Int(parts[2]) else {
            throw DomainError.invalidValue(field: "cursor", message: "the history page cursor is not one this server wrote")
        }
        self.init(at: at, id: String(parts[1]), version: version)
    }

    var text: String { "\(StoredJSON.format(at))|\(id)|\(version)" }

    /// Whether `version` comes after this cursor in the order of `newerFirst`.
    func isBefore<V>(_ version: RecordVersion<V>) -> Bool {
        let mine = RecordVersion<Int>(id: id, version: self.version, action: .update, at: at, createdAt: at, actor: Actor(userID: ""),
                                      reason: nil, requestID: nil, value: 0, siteID: nil)
        return Self.order(mine.at, mine.id, mine.version, before: version.at, version.id, version.version)
    }

    static func newerFirst<V>(_ a: RecordVersion<V>, _ b: RecordVersion<V>) -> Bool {
        order(a.at, a.id, a.version, before: b.at, b.id, b.version)
    }

    static func order(_ at1: Date, _ id1: String, _ v1: Int, before at2: Date, _ id2: String, _ v2: Int) -> Bool {
        let t1 = StoredJSON.format(at1), t2 = StoredJSON.format(at2)
        if t1 != t2 { return t1 > t2 }
        if id1 != id2 { return id1 < id2 }
        return v1 > v2
    }
}

/// Every child row of one parent, loaded once for all its versions.
struct ChildRowCache: Sendable {
    var transitions: [ChildRow<StatusTransition>] = []
    var custody: [ChildRow<CustodyEvent>] = []
    var releaseTestRows: [ChildRow<ReleaseTestResultRow>] = []
    var dispensings: [ChildRow<Dispensing>] = []
    var releaseTests: [ReleaseTestResultRow] { releaseTestRows.map(\.item) }
    let parent: String

    static func load(_ tables: [String], parent: String, db: any SQLDatabase) async throws -> ChildRowCache {
        var cache = ChildRowCache(parent: parent)
        if tables.contains(EnrolmentTransitionRows.table) {
            cache.transitions = try await ChildRows<EnrolmentTransitionRows>.load(db, parents: [parent])[parent] ?? []
        }
        if tables.contains(CustodyEventRows.table) {
            cache.custody = try await ChildRows<CustodyEventRows>.load(db, parents: [parent])[parent] ?? []
        }
        if tables.contains(ReleaseTestRows.table) {
            cache.releaseTestRows = try await ChildRows<ReleaseTestRows>.load(db, parents: [parent])[parent] ?? []
        }
        if tables.contains(DispensingRows.table) {
            cache.dispensings = try await ChildRows<DispensingRows>.load(db, parents: [parent])[parent] ?? []
        }
        return cache
    }

    /// The lists in the shape `P.attach` takes.
    func lists<P: ParentMapping>(for p: P.Type) -> P.Lists? {
        switch P.table {
        case EnrolmentMapping.table: return [parent: transitions] as? P.Lists
        case MedicationCourseMapping.table: return [parent: dispensings] as? P.Lists
        case CellProductMapping.table: return CellProductMapping.Lists(custody: [parent: custody], tests: [parent: releaseTestRows]) as? P.Lists
        default: return nil
        }
    }
}
