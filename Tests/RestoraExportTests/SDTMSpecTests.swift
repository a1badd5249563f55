import Testing
@testable import RestoraExport

/// Every SDTM dataset spec within the SAS XPORT v5 limits and SDTM's naming rules.
@Suite struct SDTMSpecTests {
    @Test func everyNameIsAtMostEightUpperCaseAndEveryLabelAtMostForty() {
        for spec in SDTMMapping.allDatasets {
            #expect(spec.name.count <= 8 && spec.name == spec.name.uppercased(), "\(spec.name)")
            #expect(spec.label.count <= 40, "\(spec.name) label \(spec.label)")
            #expect(spec.label.allSatisfy { $0.isASCII }, "\(spec.name) label")
            for variable in spec.variables {
                #expect(variable.name.count <= 8, "\(spec.name).\(variable.name)")
                #expect(variable.name.allSatisfy { $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_") },
                        "\(spec.name).\(variable.name)")
                #expect(variable.label.count <= 40, "\(spec.name).\(variable.name) label \(variable.label) (\(variable.label.count))")
                #expect(variable.role != nil, "\(spec.name).\(variable.name) has no SDTM role")
            }
            #expect(Set(spec.variables.map(\.name)).count == spec.variables.count, "\(spec.name) repeats a variable")
            for key in spec.keys { #expect(spec.variables.contains { $0.name == key }, "\(spec.name) key \(key)") }
        }
    }

    @Test func subjectDomainsStartWithTheIdentifiersAndNumberTheirRecords() {
        for spec in SDTMMapping.subjectDatasets {
            #expect(spec.variables.prefix(3).map(\.name) == ["STUDYID", "DOMAIN", "USUBJID"], "\(spec.name)")
            if spec.name != "DM" { #expect(spec.variables[3].name == "\(spec.name)SEQ", "\(spec.name)") }
        }
    }

    @Test func everySupplementalQualifierNameAndLabelFits() {
        for spec in SDTMMapping.supplementalDatasets {
            let qnam = spec.variables.first { $0.name == "QNAM" }
            for code in qnam?.codes ?? [] {
                #expect(code.value.count <= 8 && code.value == code.value.uppercased(), "\(spec.name) QNAM \(code.value)")
                #expect(code.meaning.count <= 40, "\(spec.name) QLABEL \(code.meaning)")
            }
        }
    }

    @Test func aRowNamingAVariableTheDatasetLacksIsRefusedByName() {
        var row = SDTMRow(dataset: "DM")
        row["STUDYID"] = .text("S")
        row["LBNOPE"] = .text("x")
        #expect(throws: ExportError.self) { try row.values(for: DMDataset.spec) }
        do {
            _ = try row.values(for: DMDataset.spec)
        } catch {
            #expect("\(error)".contains("LBNOPE") && "\(error)".contains("DM"))
        }
    }

    @Test func textIsWrittenInASCII() {
        #expect(SDTMText.ascii("T-score ≤ −2.5, 10⁶/mL × 2, Zoë") == "T-score <= -2.5, 10^6/mL x 2, Zoe")
        #expect(SDTMText.ascii("10¹² g/cm²") == "10^12 g/cm^2")
        #expect(SDTMText.ascii("plain") == "plain")
    }
}
