import Testing
@testable import RestoraReports

/// A report number beyond Int (an absurd recorded value, e.g. 1e20 IU/L accepted by the API) trapped in
/// `ReportNumber.fixed` (`Int(magnitude)`), which stops the server rendering the report page.
@Suite("Report numbers beyond Int")
struct ReportNumberOverflowTests {
    @Test("1e20 and -1e20 print as numbers, not a trap")
    func huge() {
        #expect(ReportNumber.fixed(1e20, places: 1) == "1e+20")
        #expect(ReportNumber.fixed(-1e20, places: 0) == "-1e+20")
        #expect(ReportNumber.percent(1e18) == "1e+20%")
    }

    @Test("ordinary numbers unchanged")
    func ordinary() {
        #expect(ReportNumber.fixed(11.66, places: 1) == "11.7")
        #expect(ReportNumber.fixed(-0.04, places: 1) == "0.0")
        #expect(ReportNumber.fixed(3, places: 0) == "3")
    }
}
