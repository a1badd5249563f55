import Foundation
import RestoraDomain
import SQLKit

/// Coded adverse events (issue #15 item 1, docs/safety.md): the CTCAE v5.0 coding, the system's expectedness
/// basis, the investigator who assessed causality, the reporting-clock submissions and the derived due date
/// (`report_due_on`, indexed per site for the dashboard's open clocks).
///
/// Moving forward (`AdverseEventCoding.migrate`, run after the statements in the same transaction): every
/// existing row keeps its text; a term that is a CTCAE v5.0 term name of the list frozen below (case-insensitive,
/// exact after trimming) gets its MedDRA code and system organ class; every other row stays uncoded
/// (`meddra_code` NULL: shown as "uncoded" and never judged expected). Each row whose content changes gets an
/// audit entry by `system` with the changed fields and the new record hash (docs/audit-integrity.md), so an
/// upgraded database still verifies clean. Nothing is deleted or rewritten beyond the added columns.
let m0038_CodeAdverseEvents = Migration(name: "0038_CodeAdverseEvents", statements: [
    "ALTER TABLE adverse_events ADD COLUMN meddra_code TEXT",
    "ALTER TABLE adverse_events ADD COLUMN system_organ_class TEXT",
    "ALTER TABLE adverse_events ADD COLUMN other_specify TEXT",
    "ALTER TABLE adverse_events ADD COLUMN expected_basis TEXT",
    "ALTER TABLE adverse_events ADD COLUMN causality_assessed_by TEXT",
    "ALTER TABLE adverse_events ADD COLUMN initial_report_on TEXT",
    "ALTER TABLE adverse_events ADD COLUMN initial_report_by TEXT",
    "ALTER TABLE adverse_events ADD COLUMN initial_report_reference TEXT",
    "ALTER TABLE adverse_events ADD COLUMN follow_up_received_on TEXT",
    "ALTER TABLE adverse_events ADD COLUMN follow_up_report_on TEXT",
    "ALTER TABLE adverse_events ADD COLUMN follow_up_report_by TEXT",
    "ALTER TABLE adverse_events ADD COLUMN follow_up_report_reference TEXT",
    "ALTER TABLE adverse_events ADD COLUMN report_due_on TEXT",
    "CREATE INDEX adverse_events_site_report_due ON adverse_events (site_id, report_due_on)",
])

enum AdverseEventCoding {
    static let context = AuditContext(
        actor: Actor(userID: "system", role: nil), requestID: "migration-0038",
        reason: "adverse events coded with CTCAE v5.0 (exact term names only); clock due date derived")

    /// The CTCAE v5.0 terms (name, MedDRA code, system organ class) of `ctcae-v5-terms.csv` as shipped with
    /// this migration: a frozen copy, so a later change of the term list never changes what 0038 did.
    static let frozenTerms: [(name: String, code: String, soc: String)] = [
        ("Dry skin", "10013786", "Skin and subcutaneous tissue disorders"),
        ("Rash maculo-papular", "10037868", "Skin and subcutaneous tissue disorders"),
        ("Rash acneiform", "10037847", "Skin and subcutaneous tissue disorders"),
        ("Pruritus", "10037087", "Skin and subcutaneous tissue disorders"),
        ("Alopecia", "10001760", "Skin and subcutaneous tissue disorders"),
        ("Photosensitivity", "10034966", "Skin and subcutaneous tissue disorders"),
        ("Cheilitis", "10008417", "Gastrointestinal disorders"),
        ("Dry mouth", "10013781", "Gastrointestinal disorders"),
        ("Nausea", "10028813", "Gastrointestinal disorders"),
        ("Alanine aminotransferase increased", "10001551", "Investigations"),
        ("Aspartate aminotransferase increased", "10003481", "Investigations"),
        ("Blood bilirubin increased", "10005364", "Investigations"),
        ("GGT increased", "10056910", "Investigations"),
        ("Alkaline phosphatase increased", "10001675", "Investigations"),
        ("Cholesterol high", "10008661", "Investigations"),
        ("Creatinine increased", "10011368", "Investigations"),
        ("Hypertriglyceridemia", "10020870", "Metabolism and nutrition disorders"),
        ("Hyperglycemia", "10020639", "Metabolism and nutrition disorders"),
        ("Depression", "10012378", "Psychiatric disorders"),
        ("Irritability", "10022998", "Psychiatric disorders"),
        ("Anxiety", "10002855", "Psychiatric disorders"),
        ("Insomnia", "10022437", "Psychiatric disorders"),
        ("Suicidal ideation", "10042458", "Psychiatric disorders"),
        ("Suicide attempt", "10042464", "Psychiatric disorders"),
        ("Headache", "10019211", "Nervous system disorders"),
        ("Dizziness", "10013573", "Nervous system disorders"),
        ("Syncope", "10042772", "Nervous system disorders"),
        ("Myalgia", "10028411", "Musculoskeletal and connective tissue disorders"),
        ("Arthralgia", "10003239", "Musculoskeletal and connective tissue disorders"),
        ("Back pain", "10003988", "Musculoskeletal and connective tissue disorders"),
        ("Bone pain", "10006002", "Musculoskeletal and connective tissue disorders"),
        ("Pain in extremity", "10033425", "Musculoskeletal and connective tissue disorders"),
        ("Epistaxis", "10015090", "Respiratory, thoracic and mediastinal disorders"),
        ("Dry eye", "10013774", "Eye disorders"),
        ("Blurred vision", "10005886", "Eye disorders"),
        ("Fatigue", "10016256", "General disorders and administration site conditions"),
        ("Fever", "10016558", "General disorders and administration site conditions"),
        ("Pain", "10033371", "General disorders and administration site conditions"),
        ("Injection site reaction", "10022095", "General disorders and administration site conditions"),
        ("Edema limbs", "10050068", "General disorders and administration site conditions"),
        ("Flu like symptoms", "10016791", "General disorders and administration site conditions"),
        ("Bruising", "10006504", "Injury, poisoning and procedural complications"),
        ("Wrist fracture", "10048049", "Injury, poisoning and procedural complications"),
        ("Postoperative hemorrhage", "10055322", "Injury, poisoning and procedural complications"),
        ("Wound dehiscence", "10048031", "Injury, poisoning and procedural complications"),
        ("Wound complication", "10053692", "Injury, poisoning and procedural complications"),
        ("Hematoma", "10019428", "Vascular disorders"),
        ("Hypotension", "10021097", "Vascular disorders"),
        ("Vasovagal reaction", "10047166", "Nervous system disorders"),
        ("Skin infection", "10040872", "Infections and infestations"),
        ("Wound infection", "10048038", "Infections and infestations"),
        ("Scrotal infection", "10062156", "Infections and infestations"),
        ("Urinary tract infection", "10046571", "Infections and infestations"),
        ("Testicular pain", "10043345", "Reproductive system and breast disorders"),
        ("Scrotal pain", "10039757", "Reproductive system and breast disorders"),
        ("Testicular disorder", "10043306", "Reproductive system and breast disorders"),
        ("Testicular hemorrhage", "10055347", "Reproductive system and breast disorders"),
        ("Genital edema", "10018146", "Reproductive system and breast disorders"),
        ("Allergic reaction", "10001718", "Immune system disorders"),
        ("Anaphylaxis", "10002218", "Immune system disorders"),
    ]

    static func migrate(_ db: any SQLDatabase, engine: SQLEngine) async throws {
        let byName = Dictionary(frozenTerms.map { ($0.name.lowercased(), $0) }, uniquingKeysWith: { a, _ in a })
        let table = AuditedTables.of(AdverseEventMapping.self)
        let writer = AuditWriter(clock: SystemClock())
        var after = ""
        while true {
            let rows = try await db.raw("""
                SELECT * FROM adverse_events WHERE deleted_at IS NULL AND id > \(bind: after) ORDER BY id LIMIT 500
                """).all()
            guard let last = rows.last else { break }
            var pending: [AuditWriter.Pending] = []
            for row in rows {
                var cells = try RecordHash.presentCells(table, row: row)
                var event = try AdverseEventMapping.value(from: cells)
                if let term = byName[event.term.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()] {
                    event.meddraCode = term.code
                    event.systemOrganClass = term.soc
                }
                let fresh = try AdverseEventMapping.cells(of: event)
                var changes: [AuditEntry.Change] = []
                for name in ["meddra_code", "system_organ_class", "report_due_on"] {
                    let value = fresh[name] ?? .null
                    guard value != (cells[name] ?? .null), case let .text(text) = value else { continue }
                    cells[name] = value
                    changes.append(AuditEntry.Change(field: name, old: nil, new: text))
                }
                guard !changes.isEmpty else { continue }
                let id = event.id.rawValue
                try await db.raw("""
                    UPDATE adverse_events SET meddra_code = \(bind: event.meddraCode), system_organ_class = \(bind: event.systemOrganClass),
                    report_due_on = \(bind: event.reportDueOn?.description) WHERE id = \(bind: id)
                    """).run()
                pending.append(AuditWriter.Pending(
                    action: .update, table: AdverseEventMapping.table, recordID: id, changes: changes, context: context,
                    siteID: cells["site_id"]?.text, recordHash: RecordHash.stored(table, cells: cells)))
            }
            try await writer.appendAll(db, pending)
            after = try last.decode(column: "id", as: String.self)
            if rows.count < 500 { break }
        }
    }
}
