/// Why a repository refused a read or a write. Messages are safe to show a user: they name the kind of
/// record and its identifier, never patient data.
public enum RepositoryError: Error, Equatable, Sendable {
    /// No record of this kind with this id (or it was soft-deleted, or it is outside the caller's sites).
    case notFound(kind: String, id: String)
    /// The record changed since the caller read it: `expected` is the version the caller sent.
    case staleVersion(kind: String, id: String, expected: Int)
    /// A business identifier (MRN at a site, cell-product lot, username, site code) is already taken.
    case duplicate(kind: String, field: String)
    /// An edit of recorded clinical data needs a reason for change (21 CFR Part 11 audit trail).
    case reasonRequired(kind: String)
    /// The same idempotency key was sent before with a different request body.
    case idempotencyKeyReused(key: String)
    /// The database refused the write because the record names another record that does not exist (a
    /// foreign key). The domain services resolve references first; this is the backstop.
    case unknownReference(kind: String)
    /// The database refused a value its CHECK or NOT NULL constraints do not allow (backstop).
    case constraintFailed(kind: String)
    /// The record belongs to locked data (issue #16 item 4, docs/locking.md; REFERENCE.md H2): `lock` names the
    /// lock in words ("casebook e-1, locked 2026-… by u-1"). Answered 423 Locked; nothing was written.
    case locked(kind: String, id: String, lock: String)
}

extension RepositoryError: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .notFound(kind, id): return "no \(kind) with id \(id)"
        case let .staleVersion(kind, id, expected):
            return "\(kind) \(id) is no longer at version \(expected); read it again and reapply the change"
        case let .duplicate(kind, field): return "\(Self.article(kind)) \(kind) with this \(field) already exists"
        case let .reasonRequired(kind): return "a reason for change is required to edit a recorded \(kind)"
        case let .idempotencyKeyReused(key):
            return "idempotency key \(key) was already used for a different request"
        case let .unknownReference(kind): return "the \(kind) names a record that does not exist"
        case let .constraintFailed(kind): return "the \(kind) has a value the database does not accept"
        case let .locked(kind, id, lock):
            return "\(kind) \(id) cannot be changed: it belongs to the locked \(lock); an admin must unlock it with a reason first"
        }
    }

    static func article(_ noun: String) -> String {
        noun.first.map { "aeiou".contains($0) } == true ? "an" : "a"
    }

    /// A stable machine-readable code for API error bodies.
    public var code: String {
        switch self {
        case .notFound: return "not_found"
        case .staleVersion: return "stale_version"
        case .duplicate: return "duplicate"
        case .reasonRequired: return "reason_required"
        case .idempotencyKeyReused: return "idempotency_key_reused"
        case .unknownReference: return "unknown_reference"
        case .constraintFailed: return "invalid_value"
        case .locked: return "locked"
        }
    }
}
