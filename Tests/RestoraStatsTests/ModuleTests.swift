import Testing
@testable import RestoraStats
@Test func placeholder() { #expect(RestoraStatsModule.name == "RestoraStats") }
