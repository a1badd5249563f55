import Testing
@testable import RestoraExport

@Suite struct ExportValueTests {
    @Test func missingCoversNilAndEmptyText() {
        #expect(ExportValue.text(nil as String?) == .missing)
        #expect(ExportValue.number(nil as Double?) == .missing)
        #expect(ExportValue.text("").isMissing)
        #expect(!ExportValue.text("A").isMissing)
        #expect(!ExportValue.number(0).isMissing)
        #expect(ExportValue.integer(3) == .number(3))
    }

    @Test func dataTypesMapToTheTwoSASKinds() {
        #expect(VariableSpec.DataType.integer.kind == .number)
        #expect(VariableSpec.DataType.float.kind == .number)
        #expect(VariableSpec.DataType.date.kind == .text)
        #expect(VariableSpec.DataType.datetime.kind == .text)
        #expect(VariableSpec.DataType.text.kind == .text)
    }
}
