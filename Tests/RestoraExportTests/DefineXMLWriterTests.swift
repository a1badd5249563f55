import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import RestoraExport

/// define.xml (Define-XML 2.1): well-formed, every dataset and variable named, every reference resolved, text
/// escaped; parsed with Foundation's XMLParser and, when RESTORA_EXPORT_PYTHON is set, with lxml.
@Suite struct DefineXMLWriterTests {
    static let datasets: [DatasetSpec] = [
        DatasetSpec(name: "DM", label: "Demographics", observationClass: "SPECIAL PURPOSE",
                    structure: "One record per subject", keys: ["STUDYID", "USUBJID"], variables: [
                        VariableSpec(name: "STUDYID", label: "Study Identifier", dataType: .text, role: "Identifier", origin: "Protocol"),
                        VariableSpec(name: "USUBJID", label: "Unique Subject Identifier", dataType: .text, role: "Identifier", origin: "Assigned"),
                        VariableSpec(name: "AGE", label: "Age", dataType: .integer, role: "Record Qualifier",
                                     derivation: "Whole years from BRTHDTC to RFSTDTC"),
                        VariableSpec(name: "SEX", label: "Sex", dataType: .text, codelist: "SEX",
                                     codes: [.init("M", "Male"), .init("F", "Female"), .init("U", "Unknown")],
                                     role: "Record Qualifier", origin: "collected"),
                        VariableSpec(name: "RFSTDTC", label: "Subject Reference Start Date/Time", dataType: .datetime, role: "Record Qualifier", origin: "Derived",
                                     derivation: "First enrolment transition <date> & \"time\""),
                    ]),
        DatasetSpec(name: "LB", label: "Laboratory Test Results", observationClass: "FINDINGS",
                    structure: "One record per lab test per time point per visit per subject",
                    keys: ["STUDYID", "USUBJID", "LBTESTCD", "VISITNUM"], variables: [
                        VariableSpec(name: "STUDYID", label: "Study Identifier", dataType: .text, role: "Identifier"),
                        VariableSpec(name: "USUBJID", label: "Unique Subject Identifier", dataType: .text, role: "Identifier"),
                        VariableSpec(name: "LBTESTCD", label: "Lab Test or Examination Short Name", dataType: .text,
                                     codes: [.init("SPCONC", "SPCONC"), .init("SPMOTIL", "SPMOTIL")], role: "Topic"),
                        VariableSpec(name: "LBSTRESN", label: "Numeric Result/Finding in Std Units", dataType: .float, role: "Result Qualifier"),
                        VariableSpec(name: "VISITNUM", label: "Visit Number", dataType: .float, role: "Timing"),
                        VariableSpec(name: "LBSPEC", label: "Specimen Type", dataType: .text, codelist: "SPECTYPE",
                                     codes: [.init("SEMEN", "Semen")], role: "Record Qualifier"),
                    ]),
        DatasetSpec(name: "TA", label: "Trial Arms <&>", observationClass: "TRIAL DESIGN", structure: "One record per planned Element per Arm",
                    keys: ["STUDYID", "ARMCD"], variables: [
                        VariableSpec(name: "STUDYID", label: "Study Identifier", dataType: .text),
                        VariableSpec(name: "ARMCD", label: "Planned Arm Code", dataType: .text),
                    ]),
    ]

    /// What XMLParser saw: elements with their attributes, and the text of each TranslatedText in order.
    final class Collector: NSObject, XMLParserDelegate {
        var elements: [(name: String, attributes: [String: String])] = []
        var translatedTexts: [String] = []
        var inText = false
        var text = ""
        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            elements.append((qName ?? elementName, attributeDict))
            if (qName ?? elementName) == "TranslatedText" { inText = true; text = "" }
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) { if inText { text += string } }
        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            if (qName ?? elementName) == "TranslatedText" { inText = false; translatedTexts.append(text) }
        }
        func all(_ name: String) -> [[String: String]] { elements.filter { $0.name == name }.map(\.attributes) }
    }

    static func parse(_ url: URL) throws -> Collector {
        let parser = try #require(XMLParser(contentsOf: url))
        let collector = Collector()
        parser.delegate = collector
        #expect(parser.parse(), "not well-formed: \(String(describing: parser.parserError))")
        return collector
    }

    @Test("well-formed Define-XML 2.1 naming every dataset and variable, every reference resolved")
    func describesEveryDatasetAndVariable() throws {
        let directory = try ExportDemo.temporaryFolder("define")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try DefineXMLWriter.write(datasets: Self.datasets, context: try DatasetJSONWriterTests.context(deidentified: true),
                                             directory: directory, lengths: ["DM": ["STUDYID": 16, "USUBJID": 11]])
        #expect(file.name == "define.xml")
        #expect(XPTWriterTests.contents(directory) == ["define.xml"])
        let xml = try Self.parse(directory.appendingPathComponent("define.xml"))

        let odm = try #require(xml.all("ODM").first)
        #expect(odm["xmlns"] == "http://www.cdisc.org/ns/odm/v1.3")
        #expect(odm["xmlns:def"] == "http://www.cdisc.org/ns/def/v2.1")
        #expect(odm["ODMVersion"] == "1.3.2")
        #expect(odm["def:Context"] == "Submission")
        #expect(xml.all("Study").first?["OID"] == "STUDY.ISOTRETINOIN-NOA")
        #expect(xml.all("MetaDataVersion").first?["def:DefineVersion"] == "2.1.0")
        #expect(xml.all("MetaDataVersion").first?["OID"] == "MDV.ISOTRETINOIN-NOA.SDTMIG.3.4")
        #expect(xml.all("def:Standard").first?["Name"] == "SDTMIG")
        #expect(xml.all("def:Standard").first?["Version"] == "3.4")

        let groups = xml.all("ItemGroupDef")
        #expect(groups.map { $0["Name"] } == Self.datasets.map(\.name))
        #expect(groups.map { $0["SASDatasetName"] } == Self.datasets.map(\.name))
        #expect(groups.map { $0["Repeating"] } == ["No", "Yes", "No"])
        #expect(groups.map { $0["IsReferenceData"] } == ["No", "No", "Yes"])
        #expect(groups.allSatisfy { $0["Purpose"] == "Tabulation" && $0["def:StandardOID"] == "STD.SDTMIG.3.4" })
        #expect(groups.map { $0["def:Structure"] } == Self.datasets.map(\.structure))
        #expect(xml.all("def:Class").map { $0["Name"] } == ["SPECIAL PURPOSE", "FINDINGS", "TRIAL DESIGN"])
        #expect(xml.all("def:leaf").map { $0["xlink:href"] } == ["dm.xpt", "lb.xpt", "ta.xpt"])
        #expect(groups.map { $0["def:ArchiveLocationID"] } == xml.all("def:leaf").map { $0["ID"] })

        let itemDefs = xml.all("ItemDef")
        let expectedItems = Self.datasets.flatMap { d in d.variables.map { "IT.\(d.name).\($0.name)" } }
        #expect(itemDefs.map { $0["OID"] } == expectedItems)
        #expect(itemDefs.map { $0["Name"] } == Self.datasets.flatMap { $0.variables.map(\.name) })
        #expect(itemDefs.allSatisfy { $0["SASFieldName"] == $0["Name"] })
        let itemRefs = xml.all("ItemRef")
        #expect(itemRefs.map { $0["ItemOID"] } == expectedItems)
        #expect(itemRefs.prefix(5).map { $0["OrderNumber"] } == ["1", "2", "3", "4", "5"])
        #expect(itemRefs.prefix(2).map { $0["KeySequence"] } == ["1", "2"])
        #expect(itemRefs.prefix(2).map { $0["Mandatory"] } == ["Yes", "Yes"])
        #expect(itemRefs[2]["Role"] == "Record Qualifier")
        func item(_ oid: String) -> [String: String]? { itemDefs.first { $0["OID"] == oid } }
        #expect(item("IT.DM.STUDYID")?["Length"] == "16")
        #expect(item("IT.DM.SEX")?["Length"] == "200")          // no length given: the XPORT maximum
        #expect(item("IT.DM.AGE")?["DataType"] == "integer")
        #expect(item("IT.DM.RFSTDTC")?["DataType"] == "datetime")
        #expect(item("IT.DM.RFSTDTC")?["Length"] == nil)
        #expect(item("IT.LB.LBSTRESN")?["DataType"] == "float")

        // Origins, codelists and methods resolve.
        #expect(xml.all("def:Origin").map { $0["Type"] } == ["Protocol", "Assigned", "Derived", "Collected", "Derived"])
        let codeLists = xml.all("CodeList")
        #expect(codeLists.map { $0["OID"] } == ["CL.SEX", "CL.LB.LBTESTCD", "CL.SPECTYPE"])
        #expect(Set(xml.all("CodeListRef").compactMap { $0["CodeListOID"] }) == Set(codeLists.compactMap { $0["OID"] }))
        #expect(xml.all("CodeListItem").map { $0["CodedValue"] } == ["M", "F", "U", "SEMEN"])
        #expect(xml.all("EnumeratedItem").map { $0["CodedValue"] } == ["SPCONC", "SPMOTIL"])
        let methods = xml.all("MethodDef").compactMap { $0["OID"] }
        #expect(methods == ["MT.DM.AGE", "MT.DM.RFSTDTC"])
        #expect(itemRefs.compactMap { $0["MethodOID"] } == methods)

        // Text comes back unescaped.
        #expect(xml.translatedTexts.contains("Trial Arms <&>"))
        #expect(xml.translatedTexts.contains("First enrolment transition <date> & \"time\""))
        #expect(xml.translatedTexts.contains("Male"))
        #expect(xml.all("StudyDescription").isEmpty == false)
    }

    @Test("refused: a control character, an unknown origin, a dataset twice, no datasets; nothing left behind")
    func refusals() throws {
        let directory = try ExportDemo.temporaryFolder("define")
        defer { try? FileManager.default.removeItem(at: directory) }
        let context = try DatasetJSONWriterTests.context()
        var control = Self.datasets
        control[0].variables[0].label = "Study\u{1}Identifier"
        var origin = Self.datasets
        origin[1].variables[2].origin = "Guessed"
        let cases: [([DatasetSpec], String)] = [
            (control, "control character"), (origin, "dataset LB, variable LBTESTCD: origin \"Guessed\""),
            (Self.datasets + [Self.datasets[0]], "dataset DM appears twice"), ([], "no datasets"),
        ]
        for (datasets, fragment) in cases {
            do {
                try DefineXMLWriter.write(datasets: datasets, context: context, directory: directory)
                Issue.record("not refused: \(fragment)")
            } catch let error as ExportError {
                #expect(error.message.contains(fragment), "\(error.message)")
            }
            #expect(XPTWriterTests.contents(directory) == [])
        }
    }

    @Test("lxml (libxml2) parses it and finds every dataset and variable by namespace",
          .enabled(if: ExportReaders.python != nil, "set RESTORA_EXPORT_PYTHON to a python with lxml"))
    func lxmlReadsIt() throws {
        let directory = try ExportDemo.temporaryFolder("define")
        defer { try? FileManager.default.removeItem(at: directory) }
        try DefineXMLWriter.write(datasets: Self.datasets, context: try DatasetJSONWriterTests.context(), directory: directory)
        let script = """
        import json, sys
        from lxml import etree
        ns = {"odm": "http://www.cdisc.org/ns/odm/v1.3", "def": "http://www.cdisc.org/ns/def/v2.1", "xlink": "http://www.w3.org/1999/xlink"}
        root = etree.parse(sys.argv[1]).getroot()
        mdv = root.find("odm:Study/odm:MetaDataVersion", ns)
        print(json.dumps({
          "version": mdv.get("{http://www.cdisc.org/ns/def/v2.1}DefineVersion"),
          "datasets": [g.get("Name") for g in mdv.findall("odm:ItemGroupDef", ns)],
          "leaves": [l.get("{http://www.w3.org/1999/xlink}href") for l in mdv.findall("odm:ItemGroupDef/def:leaf", ns)],
          "variables": [i.get("Name") for i in mdv.findall("odm:ItemDef", ns)],
          "labels": [t.text for t in mdv.findall("odm:ItemDef/odm:Description/odm:TranslatedText", ns)],
        }))
        """
        let output = try XPTRoundTripTests.runPython(["-c", script, directory.appendingPathComponent("define.xml").path])
        let read = try #require(try JSONSerialization.jsonObject(with: output) as? [String: Any])
        #expect(read["version"] as? String == "2.1.0")
        #expect(read["datasets"] as? [String] == Self.datasets.map(\.name))
        #expect(read["leaves"] as? [String] == Self.datasets.map { $0.name.lowercased() + ".xpt" })
        #expect(read["variables"] as? [String] == Self.datasets.flatMap { $0.variables.map(\.name) })
        #expect(read["labels"] as? [String] == Self.datasets.flatMap { $0.variables.map(\.label) })
    }
}
