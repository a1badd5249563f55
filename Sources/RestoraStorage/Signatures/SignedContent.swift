import Crypto
import Foundation
import RestoraDomain
import SQLKit

/// What a signature covers and its SHA-256 (REFERENCE.md H1, 21 CFR 11.70: the signature is linked to its record
/// so that it cannot be transferred, and any later change shows; docs/signatures.md "What a signature covers").
///
/// The content is every live row in the target's scope, read in the caller's transaction, table by table in a
/// fixed order and row by row in id order, each row in the canonical form of the audit's record hash
/// (`RecordHash.pieces`: the mapping's columns, `site_id`, `created_at`; not `version`/`updated_at`), so the
/// same content gives the same hash on SQLite and PostgreSQL. A changed field, a new row (an observation added
/// to a signed visit) or a deleted one changes the hash. Signatures, locks, data queries, SDV marks and
/// notifications are never part of it: signing a visit does not invalidate its casebook's signature.
///
/// Scopes:
/// - eligibility (`screenings/{id}`): the screening row.
/// - visit (`visits/{id}`): the visit and the observations taken at it (`visit_id`).
/// - release (`cell-products/{id}`): the lot with its custody events and release-test results.
/// - casebook (`enrolments/{id}`): the enrolment and its status transitions, its visits, and every record of the
///   participant linked to the enrolment (`enrolment_id`, or a visit of it): observations, procedures, cell
///   products (with their child rows), medication courses (with dispensings), adverse events, screenings,
///   protocol deviations.
enum SignedContent {
    static let version = "restora-signed-content-v1\n"

    struct Part {
        var table: AuditedTable
        /// The WHERE condition (binds inside).
        var condition: SQLQueryString
    }

    static func parts(of target: SignatureTarget) -> [Part] {
        let id = target.id
        func table<M: TableMapping>(_ m: M.Type) -> AuditedTable { AuditedTables.of(m) }
        func child<C: ChildRowMapping>(_ c: C.Type) -> AuditedTable { AuditedTables.of(c) }
        switch target.kind {
        case .eligibility:
            return [Part(table: table(ScreeningMapping.self), condition: "id = \(bind: id)")]
        case .visit:
            return [Part(table: table(VisitMapping.self), condition: "id = \(bind: id)"),
                    Part(table: table(ObservationMapping.self), condition: "visit_id = \(bind: id)")]
        case .release:
            return [Part(table: table(CellProductMapping.self), condition: "id = \(bind: id)"),
                    Part(table: child(CustodyEventRows.self), condition: "cell_product_id = \(bind: id)"),
                    Part(table: child(ReleaseTestRows.self), condition: "cell_product_id = \(bind: id)")]
        case .casebook:
            let visits: SQLQueryString = "SELECT id FROM visits WHERE enrolment_id = \(bind: id)"
            let lots: SQLQueryString = "SELECT id FROM cell_products WHERE enrolment_id = \(bind: id)"
            let courses: SQLQueryString = "SELECT id FROM medication_courses WHERE enrolment_id = \(bind: id)"
            return [
                Part(table: table(EnrolmentMapping.self), condition: "id = \(bind: id)"),
                Part(table: child(EnrolmentTransitionRows.self), condition: "enrolment_id = \(bind: id)"),
                Part(table: table(VisitMapping.self), condition: "enrolment_id = \(bind: id)"),
                Part(table: table(ObservationMapping.self), condition: "enrolment_id = \(bind: id) OR visit_id IN (" + visits + ")"),
                Part(table: table(ProcedureMapping.self), condition: "enrolment_id = \(bind: id)"),
                Part(table: table(CellProductMapping.self), condition: "enrolment_id = \(bind: id)"),
                Part(table: child(CustodyEventRows.self), condition: "cell_product_id IN (" + lots + ")"),
                Part(table: child(ReleaseTestRows.self), condition: "cell_product_id IN (" + lots + ")"),
                Part(table: table(MedicationCourseMapping.self), condition: "enrolment_id = \(bind: id)"),
                Part(table: child(DispensingRows.self), condition: "medication_course_id IN (" + courses + ")"),
                Part(table: table(AdverseEventMapping.self), condition: "enrolment_id = \(bind: id)"),
                Part(table: table(ScreeningMapping.self), condition: "enrolment_id = \(bind: id)"),
                Part(table: table(ProtocolDeviationMapping.self), condition: "enrolment_id = \(bind: id)"),
            ]
        }
    }

    /// The SHA-256 (64 lower-case hex digits) of the target's content as stored now. `RepositoryError.notFound`
    /// when the target's own row (the first part) is missing or deleted.
    static func hash(of target: SignatureTarget, in db: any SQLDatabase) async throws -> String {
        var hasher = SHA256()
        hasher.update(data: Array(version.utf8))
        hasher.update(data: Array("\(target.kind.rawValue)\n".utf8))
        for (index, part) in parts(of: target).enumerated() {
            let table = part.table
            var query: SQLQueryString = "SELECT \(unsafeRaw: table.selectList) FROM \(ident: table.name) WHERE (" + part.condition + ")"
            if table.softDeletes { query += " AND deleted_at IS NULL" }
            query += " ORDER BY id"
            let rows = try await db.raw(query).all()
            if index == 0 && rows.isEmpty { throw RepositoryError.notFound(kind: target.kind.noun, id: target.id) }
            hasher.update(data: Array("\(table.name) \(rows.count)\n".utf8))
            for row in rows {
                for piece in RecordHash.pieces(table, cells: try RecordHash.cells(table, row: row)) { hasher.update(data: piece.bytes) }
                hasher.update(data: [UInt8(ascii: "\n")])
            }
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
