import Testing
@testable import RestoraReports

@Test func moduleIsLinked() {
    #expect(RestoraReportsModule.name == "RestoraReports")
}
