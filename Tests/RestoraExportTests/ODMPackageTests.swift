import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import RestoraDomain
import RestoraReports
import Testing
@testable import RestoraExport

/// The ODM 1.3.2 package of the seeded demo clinic, parsed back with Foundation's XMLParser: well-formed, every
/// OID the data uses is defined in the metadata, and every observation and adverse event of the stored records
/// is in it exactly once with its value.
@Suite struct ODMPackageTests {
    /// What the parser saw.
    final class Parsed: NSObject, XMLParserDelegate {
        struct GroupData {
            var subject: String
            var event: String
            var form: String
            var group: String
            var repeatKey: String?
            var items: [(oid: String, value: String)] = []
        }

        var root: [String: String] = [:]
        var defined: [String: Set<String>] = [:]          // element name → OIDs
        var itemTypes: [String: String] = [:]
        var groupItems: [String: [String]] = [:]
        var formGroups: [String: [String]] = [:]
        var eventForms: [String: [String]] = [:]
        var subjects: [String] = []
        var groups: [GroupData] = []
        private var current: [String: String] = [:]
        private var definition: String?

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            switch name {
            case "ODM": root = attributes
            case "StudyEventDef", "FormDef", "ItemGroupDef", "ItemDef", "CodeList", "MeasurementUnit":
                defined[name, default: []].insert(attributes["OID"] ?? "")
                definition = attributes["OID"]
                if name == "ItemDef" { itemTypes[attributes["OID"] ?? ""] = attributes["DataType"] }
            case "FormRef": eventForms[definition ?? "", default: []].append(attributes["FormOID"] ?? "")
            case "ItemGroupRef": formGroups[definition ?? "", default: []].append(attributes["ItemGroupOID"] ?? "")
            case "ItemRef": groupItems[definition ?? "", default: []].append(attributes["ItemOID"] ?? "")
            case "SubjectData":
                current["subject"] = attributes["SubjectKey"]
                subjects.append(attributes["SubjectKey"] ?? "")
            case "StudyEventData": current["event"] = attributes["StudyEventOID"]
            case "FormData": current["form"] = attributes["FormOID"]
            case "ItemGroupData":
                groups.append(GroupData(subject: current["subject"] ?? "", event: current["event"] ?? "", form: current["form"] ?? "",
                                        group: attributes["ItemGroupOID"] ?? "", repeatKey: attributes["ItemGroupRepeatKey"]))
            case "ItemData": groups[groups.count - 1].items.append((attributes["ItemOID"] ?? "", attributes["Value"] ?? ""))
            default: break
            }
        }
    }

    static func parse(_ file: URL) throws -> Parsed {
        let parser = try #require(XMLParser(contentsOf: file))
        let parsed = Parsed()
        parser.delegate = parsed
        let ok = parser.parse()
        #expect(ok, "odm.xml is not well-formed: \(parser.parserError.map { "\($0)" } ?? "")")
        return parsed
    }

    static func export(_ protocolID: String, deidentified: Bool = false,
                       edit: (inout [ProgramParticipantData]) -> Void = { _ in }) async throws -> (URL, [ExportParticipant], ExportContext, [ExportedFile]) {
        let context = try await ExportDemo.get().context(protocolID, deidentified: deidentified)
        let folder = try ExportDemo.temporaryFolder("odm-package")
        var writer = try ODMPackageWriter(context: context, directory: folder)
        let all = try await CSVPackageTests.stream(context, into: &writer, chunkSize: 11, edit: edit)
        return (folder.appendingPathComponent("odm.xml"), all, context, try writer.finish())
    }

    /// A value as both sides are compared: a number by its double, anything else as text.
    static func normalized(_ text: String) -> String { Double(text).map { "n:\($0)" } ?? "t:\(text)" }

    static func key(_ subject: String, _ visit: String?, _ system: String, _ code: String, _ value: String, _ unit: String?) -> String {
        "\(subject)|\(visit ?? "")|\(system)|\(code)|\(normalized(value))|\(unit ?? "")"
    }

    static func sourceKey(_ participant: ExportParticipant, _ observation: Observation) -> String {
        let visit = observation.visitID.flatMap { id in participant.data.visits.first { $0.id == id }?.visitKey }
        let value: String
        switch observation.value {
        case .quantity(let q): value = NumberText.plain(q.value)
        case .integer(let i): value = String(i)
        case .coded(let c): value = c.code
        case .boolean(let b): value = b ? "Y" : "N"
        case .text(let t): value = t
        }
        return key(participant.subjectID, visit, observation.code.system.rawValue, observation.code.code, value,
                   observation.value.quantity?.unit)
    }

    @Test func odmIsWellFormedAndParsedBackEqualsTheStoredRecords() async throws {
        let (file, participants, context, files) = try await Self.export("isotretinoin-noa") { chunk in
            // Characters XML must escape, in a value and in a note, survive the round trip.
            guard !chunk.isEmpty, !chunk[0].record.observations.isEmpty else { return }
            chunk[0].record.observations[0].value = .text("a & b < c > \"d\" 'e'\nline two\ttab")
        }
        #expect(files == [ExportedFile(name: "odm.xml", rows: participants.count,
                                       description: "CDISC ODM 1.3.2 snapshot: study design and clinical data, one SubjectData per participant")])
        let odm = try Self.parse(file)
        #expect(odm.root["ODMVersion"] == "1.3.2" && odm.root["FileType"] == "Snapshot")
        #expect(odm.root["CreationDateTime"] == "2025-12-05T02:00:00Z")
        #expect(odm.root["SourceSystem"] == "Restora" && odm.root["FileOID"]?.hasPrefix("F.ISOTRETINOIN-NOA.") == true)
        #expect(odm.root["Description"]?.contains("SYNTHETIC DEMO DATA") == true)
        #expect(odm.subjects == participants.map(\.subjectID))

        // Every OID used is defined, and every ItemData sits in a group that lists it.
        let events = odm.defined["StudyEventDef"] ?? []
        #expect(events.count == context.definition.schedule.count + 1)
        for group in odm.groups {
            #expect(events.contains(group.event), "undefined event \(group.event)")
            #expect(odm.eventForms[group.event]?.contains(group.form) == true, "\(group.form) is not a form of \(group.event)")
            #expect(odm.formGroups[group.form]?.contains(group.group) == true, "\(group.group) is not in \(group.form)")
            for item in group.items {
                #expect(odm.groupItems[group.group]?.contains(item.oid) == true, "\(item.oid) is not in \(group.group)")
                if odm.itemTypes[item.oid] == "float" || odm.itemTypes[item.oid] == "integer" {
                    #expect(Double(item.value) != nil && !item.value.contains("e"), "\(item.oid) = \(item.value)")
                }
            }
        }

        // Observations: every stored one exactly once, from the visit forms or the common observations group.
        let codes = Dictionary(ScheduledCode.of(context.definition).map { ("I.OBS." + $0.variable.uppercased(), $0.coding) },
                               uniquingKeysWith: { a, _ in a })
        let visitOfEvent = Dictionary(context.definition.schedule.map { ("SE." + $0.key.uppercased(), $0.key) }, uniquingKeysWith: { a, _ in a })
        var parsed: [String] = []
        for group in odm.groups {
            let items = Dictionary(group.items.map { ($0.oid, $0.value) }, uniquingKeysWith: { a, _ in a })
            if group.group == "IG.OBSERVATIONS" {
                let value = items["I.OBSERVATIONS.VALUE_NUMBER"] ?? items["I.OBSERVATIONS.VALUE_CODE"] ?? items["I.OBSERVATIONS.VALUE_TEXT"] ?? ""
                parsed.append(Self.key(group.subject, items["I.OBSERVATIONS.VISIT"], items["I.OBSERVATIONS.CODE_SYSTEM"] ?? "",
                                       items["I.OBSERVATIONS.CODE"] ?? "", value, items["I.OBSERVATIONS.UNIT"]))
            } else if let visit = visitOfEvent[group.event], group.group != "IG.VISIT" {
                for (oid, value) in group.items {
                    guard let coding = codes[oid] else { continue }
                    parsed.append(Self.key(group.subject, visit, coding.system.rawValue, coding.code, value, items[oid + "_UNIT"]))
                }
            }
        }
        let source = participants.flatMap { p in p.data.record.observations.map { Self.sourceKey(p, $0) } }
        #expect(parsed.count == source.count)
        #expect(parsed.sorted() == source.sorted())
        #expect(parsed.contains { $0.contains("a & b < c > \"d\" 'e'\nline two\ttab") })
        // The scheduled visits carry most values in their assessment forms, not only the long group.
        #expect(odm.groups.filter { $0.group == "IG.SEMEN-ANALYSIS" }.count > 50)

        // Adverse events, visits and enrolment history: one group row each.
        let terms = odm.groups.filter { $0.group == "IG.ADVERSE_EVENTS" }.compactMap { g in g.items.first { $0.oid == "I.ADVERSE_EVENTS.TERM" }?.value }
        #expect(terms.sorted() == participants.flatMap { $0.data.record.adverseEvents.map(\.term) }.sorted())
        let visitRows = odm.groups.filter { $0.group == "IG.VISIT" || $0.group == "IG.VISITS" }.count
        #expect(visitRows == participants.reduce(0) { $0 + $1.data.visits.count })
        #expect(odm.groups.filter { $0.group == "IG.ENROLMENT_HISTORY" }.count
                == participants.reduce(0) { $0 + $1.data.enrolment.transitions.count })
        #expect(odm.groups.filter { $0.group == "IG.PARTICIPANTS" }.count == participants.count)
    }

    @Test func deidentifiedODMDeclaresPartialDatesAndHoldsNoFreeText() async throws {
        let (file, participants, _, _) = try await Self.export("msc-osteoporosis", deidentified: true)
        let odm = try Self.parse(file)
        #expect(odm.itemTypes["I.VISITS.DATE"] == "partialDate")
        #expect(odm.itemTypes["I.OBSERVATIONS.DATE"] == "partialDatetime")
        #expect(odm.itemTypes["I.OBSERVATIONS.NOTE"] == nil && odm.itemTypes["I.ENROLMENT_HISTORY.REASON"] == nil)
        for group in odm.groups {
            for item in group.items where odm.itemTypes[item.oid]?.hasPrefix("partialDate") == true {
                #expect(item.value.count == 4 && Int(item.value) != nil, "\(item.oid) = \(item.value)")
            }
        }
        // The clinical data only: a reason may repeat a protocol text (a visit title) that the metadata names.
        let whole = try String(contentsOf: file, encoding: .utf8)
        let xml = String(whole[try #require(whole.range(of: "<ClinicalData")).lowerBound...])
        for reason in Set(participants.flatMap { $0.data.enrolment.transitions.map(\.reason) }) where reason.count >= 12 && !reason.contains("SYNTHETIC DEMO DATA") {
            #expect(!xml.contains(reason))
        }
    }

    @Test func aControlCharacterIsRefusedNamingTheItemAndSubject() async throws {
        await #expect(throws: ExportError.self) {
            _ = try await Self.export("isotretinoin-noa") { chunk in
                guard !chunk.isEmpty, !chunk[0].record.observations.isEmpty else { return }
                chunk[0].record.observations[0].value = .text("bell \u{7}")
            }
        }
        do {
            _ = try await Self.export("isotretinoin-noa") { chunk in
                guard !chunk.isEmpty, !chunk[0].record.observations.isEmpty else { return }
                chunk[0].record.observations[0].value = .text("bell \u{7}")
            }
        } catch let error as ExportError {
            #expect(error.message.hasPrefix("ODM: a value in item I.OBSERVATIONS.VALUE_TEXT of subject "))
            #expect(error.message.hasSuffix("holds the control character U+7, which XML 1.0 cannot carry"))
        }
    }

    @Test func numbersAreDecimalsWithoutExponent() {
        #expect(ODMPackageWriter.decimal(1e-7) == "0.0000001")
        #expect(ODMPackageWriter.decimal(-1.5e-5) == "-0.000015")
        #expect(ODMPackageWriter.decimal(1e21) == "1000000000000000000000")
        #expect(ODMPackageWriter.decimal(1.25e22) == "12500000000000000000000")
        #expect(ODMPackageWriter.decimal(3) == "3")
        #expect(ODMPackageWriter.decimal(0.1) == "0.1")
        #expect(ODMPackageWriter.decimal(123.456) == "123.456")
        for value in [1e-7, -1.5e-5, 1e21, 1.25e22, 2.5e-308, 1.7976931348623157e308, 1 / 3.0] {
            #expect(Double(ODMPackageWriter.decimal(value)) == value)
        }
    }

    @Test(.enabled(if: CSVWriterTests.python != nil, "set RESTORA_EXPORT_PYTHON"))
    func lxmlParsesTheSameSubjectsAndItems() async throws {
        let (file, participants, _, _) = try await Self.export("asc-azoospermia")
        let script = """
        import json, sys
        from lxml import etree
        ns = {'o': 'http://www.cdisc.org/ns/odm/v1.3'}
        tree = etree.parse(sys.argv[1])
        defined = set(tree.xpath('//o:ItemDef/@OID', namespaces=ns))
        used = set(tree.xpath('//o:ItemData/@ItemOID', namespaces=ns))
        print(json.dumps({'subjects': tree.xpath('//o:SubjectData/@SubjectKey', namespaces=ns),
                          'undefined': sorted(used - defined),
                          'items': len(tree.xpath('//o:ItemData', namespaces=ns))}))
        """
        struct Read: Decodable { var subjects: [String]; var undefined: [String]; var items: Int }
        let read = try JSONDecoder().decode(Read.self, from: XPTRoundTripTests.runPython(["-c", script, file.path]))
        #expect(read.subjects == participants.map(\.subjectID))
        #expect(read.undefined.isEmpty)
        let odm = try Self.parse(file)
        #expect(read.items == odm.groups.reduce(0) { $0 + $1.items.count })
    }
}
