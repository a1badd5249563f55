import Testing
@testable import restora
@Test func commandName() { #expect(Restora.configuration.commandName == "restora") }
