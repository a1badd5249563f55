import Foundation
import RestoraDomain
@testable import RestoraStorage
import Testing

/// `ScreeningMapping`'s explicit coder writes the cells the generic JSON coder (`RecordCoding`) wrote, and reads
/// back the record either would, so rows stored before and after it read and hash alike.
@Suite("Screening rows: the explicit coder against the JSON coder")
struct ScreeningMappingTests {
    static let criterion: Criterion = {
        let (_, definition) = try! RandomisationStorageTests.catalog(RandomisationStorageTests.blocks)
        return definition.inclusion[0]
    }()

    /// A report with every field filled: dates, optional references, unicode, quotes, slashes and new lines.
    static func record(_ n: Int) -> ScreeningRecord {
        let texts = ["Aged 25 to 60 years", "Azoospermia on two analyses\nwith an examined pellet", "FSH ≤ 3× ULN \"fasting\" / serum", "é, ü, 中文"]
        let criteria = (0..<(1 + n % 4)).map { k in
            var result = CriterionResult(
                criterion: Self.criterion, role: k % 2 == 0 ? .inclusion : .exclusion,
                result: RuleResult(
                    [CriterionOutcome.met, .notMet, .unknown][(n + k) % 3], "summary \(n)/\(k): \(texts[k % texts.count])",
                    evidence: (0..<(k % 3)).map { e in
                        Evidence(source: e == 0 ? .observation : .participant, reference: e == 1 ? nil : "obs-\(n)-\(e)",
                                 date: e == 2 ? nil : CalendarDate(year: 2025, month: 1 + (n + e) % 12, day: 1 + e)!,
                                 value: e == 1 ? nil : "\(40 + e) years", text: "age on 2025-06-07 \\ \(e)")
                    },
                    missing: k == 2 ? ["2× Semen analysis classification = azoospermia, ≥ 7 days apart"] : []))
            result.id = "criterion-\(k)"
            result.text = texts[(n + k) % texts.count]
            result.reference = k == 1 ? nil : "REFERENCE.md D\(k) (NCT02041910, C)"
            return result
        }
        let report = EligibilityReport(protocolID: "asc-azoospermia", protocolVersion: "1.\(n % 3)", participantID: "p-\(n)",
                                       date: CalendarDate(year: 2025, month: 6, day: 1 + n % 28)!, criteria: criteria)
        return ScreeningRecord(id: Identifier("s-\(n)"), participantID: Identifier("p-\(n)"), enrolmentID: Identifier("e-\(n)"),
                               report: report, screenedBy: Actor(userID: "u-\(n)", role: n % 2 == 0 ? "coordinator" : "investigator"))
    }

    @Test("cells and values equal the JSON coder's on 200 reports")
    func sameAsJSONCoder() throws {
        for n in 0..<200 {
            let record = Self.record(n)
            let explicit = try ScreeningMapping.cells(of: record)
            let generic = try RecordCoding.cells(of: record, columns: ScreeningMapping.columns, table: ScreeningMapping.table)
            #expect(explicit == generic, "record \(n)")
            #expect(try ScreeningMapping.value(from: generic) == record)
            #expect(try ScreeningMapping.value(from: explicit)
                    == RecordCoding.value(ScreeningRecord.self, from: explicit, columns: ScreeningMapping.columns, table: ScreeningMapping.table))
        }
    }

    @Test("a report that is not JSON, or a missing column, is a corrupt record naming the column")
    func corruptCells() throws {
        var cells = try ScreeningMapping.cells(of: Self.record(1))
        cells["report"] = .text("{not json")
        #expect(throws: StorageError.corruptRecord(table: "screenings", column: "report")) { try ScreeningMapping.value(from: cells) }
        cells = try ScreeningMapping.cells(of: Self.record(1))
        cells["screened_on"] = .text("2025-13-45")
        #expect(throws: StorageError.corruptRecord(table: "screenings", column: "screened_on")) { try ScreeningMapping.value(from: cells) }
        cells["screened_on"] = nil
        #expect(throws: StorageError.self) { try ScreeningMapping.value(from: cells) }
    }
}
