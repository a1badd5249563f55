import Foundation
import RestoraDemo
import RestoraDomain
import RestoraReports
import Testing
@testable import RestoraExport

/// HIPAA Safe Harbor (45 CFR 164.514(b)(2), REFERENCE.md J): one test per identifier category (A)–(R), on a
/// participant whose every field is filled and whose free text carries an identifier of every category
/// (`DeidentFixture.full`). Categories Restora has no field for are asserted by scanning the encoded output.
@Suite struct DeidentSafeHarborTests {
    /// The de-identified participant and its JSON, from a seeded generator.
    static func deidentified(_ data: ProgramParticipantData = DeidentFixture.full(), seed: UInt64 = 7,
                             precision: ExportParticipant.DatePrecision = .day) throws -> (ExportParticipant, String) {
        var deidentifier = Deidentifier(datePrecision: precision, generator: SplitMix64(seed: seed))
        let result = deidentifier.deidentify(data)
        return (result, try DeidentFixture.json(result.data, subject: result))
    }

    /// The identifiers planted in the free text really are in the input (else the scans below prove nothing).
    @Test func theFixtureCarriesEveryPlantedIdentifier() throws {
        let original = try DeidentFixture.json(DeidentFixture.full())
        for planted in DeidentFixture.plantedIdentifiers + DeidentFixture.databaseIDs + [DeidentFixture.birthDate.description] {
            #expect(original.contains(planted), "fixture lacks \(planted)")
        }
    }

    @Test func aNamesAreRemoved() throws {
        let (result, json) = try Self.deidentified()
        #expect(result.data.record.participant.givenName == nil)
        #expect(result.data.record.participant.familyName == nil)
        #expect(!json.contains(DeidentFixture.givenName))
        #expect(!json.contains(DeidentFixture.familyName))
        // Names of staff (who changed a status, handled a lot, performed a procedure, signed, assessed, reported).
        #expect(!json.contains(DeidentFixture.staff))
        #expect(!json.contains("Dr Who"))
        #expect(result.data.enrolment.transitions.allSatisfy { $0.actor.userID == DeidentifiedRecords.withheld && $0.actor.role == "investigator" })
        #expect(result.data.record.adverseEvents[0].causalityAssessedBy == DeidentifiedRecords.withheld)
        #expect(result.data.record.adverseEvents[1].causalityAssessedBy == nil, "an unassessed event stays unassessed")
    }

    @Test func bGeographicSubdivisionsAreRemovedAndTheSiteIsKept() throws {
        let (result, json) = try Self.deidentified()
        #expect(!json.contains("Elm Street"))
        #expect(!json.contains("Springfield"))
        #expect(!json.contains("Room 12"))
        #expect(result.data.cellProducts[0].custody.allSatisfy { $0.location == nil })
        // The site is the organisation that treated the participant, not where the participant lives.
        #expect(result.data.record.participant.siteID == "db-site-1")
        #expect(result.data.enrolment.siteID == "db-site-1")
    }

    @Test func cDatesAreShiftedAndTheBirthDateIsNeverWritten() throws {
        let (result, json) = try Self.deidentified()
        let birth = DeidentFixture.birthDate
        #expect(!json.contains(birth.description))
        #expect(result.data.record.participant.birthDate != birth)
        #expect(result.data.record.participant.birthDate.month == 1 && result.data.record.participant.birthDate.day == 1)
        let original = DeidentFixture.datedFields(DeidentFixture.full())
        let shifted = DeidentFixture.datedFields(result.data)
        #expect(original.count == shifted.count)
        for (before, after) in zip(original, shifted) {
            #expect(before.0 == after.0)
            #expect(before.1 != after.1, "\(before.0) kept its real date")
        }
    }

    @Test func dTelephoneNumbersCannotBeWritten() throws {
        let (_, json) = try Self.deidentified()
        #expect(!json.contains(DeidentFixture.phone))
        #expect(Self.matches(#"\d{3}[-. )]\d{3}[-. ]\d{4}"#, in: json).isEmpty, "no field holds a telephone number")
    }

    @Test func eFaxNumbersCannotBeWritten() throws {
        let (_, json) = try Self.deidentified()
        #expect(!json.contains("555-201-7788"))
        #expect(!json.lowercased().contains("fax"), "no field holds a fax number")
    }

    @Test func fEmailAddressesCannotBeWritten() throws {
        let (_, json) = try Self.deidentified()
        #expect(!json.contains(DeidentFixture.email))
        #expect(!json.contains("@"), "no field holds an e-mail address")
    }

    @Test func gSocialSecurityNumbersCannotBeWritten() throws {
        let (_, json) = try Self.deidentified()
        #expect(!json.contains(DeidentFixture.ssn))
        #expect(Self.matches(#"\d{3}-\d{2}-\d{4}"#, in: json).isEmpty, "no field holds an SSN")
    }

    @Test func hTheMRNIsReplacedByTheStudyNumber() throws {
        let (result, json) = try Self.deidentified()
        #expect(!json.contains(DeidentFixture.mrn))
        #expect(!json.contains("00417733"))
        #expect(result.data.record.participant.mrn == result.subjectID)
        #expect(result.data.record.participant.id.rawValue == result.subjectID)
        #expect(result.deidentified)
    }

    @Test func iHealthPlanNumbersCannotBeWritten() throws {
        let (result, json) = try Self.deidentified()
        #expect(!json.contains(DeidentFixture.healthPlan))
        // The only place it sat: a text observation value, dropped (the coded observation stays).
        #expect(result.data.record.observations[1].value == .text(""))
    }

    @Test func jAccountAndReportNumbersAreRemoved() throws {
        let (result, json) = try Self.deidentified()
        #expect(!json.contains(DeidentFixture.account))
        #expect(!json.contains("MW-2024-000123"))
        let event = result.data.record.adverseEvents[0]
        #expect(event.initialReport?.reference == DeidentifiedRecords.withheld)
        #expect(event.followUpReport?.reference == DeidentifiedRecords.withheld)
        #expect(event.initialReport?.submittedBy == DeidentifiedRecords.withheld)
    }

    @Test func kCertificateAndLicenceNumbersCannotBeWritten() throws {
        let (_, json) = try Self.deidentified()
        #expect(!json.contains(DeidentFixture.licence))
        #expect(!json.lowercased().contains("licence"), "no field holds a licence number")
    }

    @Test func lVehicleIdentifiersCannotBeWritten() throws {
        let (_, json) = try Self.deidentified()
        #expect(!json.contains(DeidentFixture.vehicle))
        #expect(Self.matches(#"[A-HJ-NPR-Z0-9]{17}"#, in: json).isEmpty, "no field holds a VIN")
    }

    @Test func mDeviceSerialsAndLotNumbersAreRemoved() throws {
        let (result, json) = try Self.deidentified()
        #expect(!json.contains(DeidentFixture.deviceSerial))
        #expect(!json.contains("LOT-BH-000731"))
        #expect(!json.contains("PH-LOT-778812"))
        #expect(result.data.cellProducts[0].lot == "\(result.subjectID)-L1")
        #expect(result.data.record.medicationCourses[0].dispensings.allSatisfy { $0.lot == nil })
    }

    @Test func nURLsCannotBeWritten() throws {
        let (_, json) = try Self.deidentified()
        #expect(!json.contains(DeidentFixture.url))
        #expect(!json.contains("http"), "no field holds a URL")
    }

    @Test func oIPAddressesCannotBeWritten() throws {
        let (result, json) = try Self.deidentified()
        #expect(!json.contains(DeidentFixture.ip))
        #expect(result.data.record.observations[1].bodySite == nil)
        #expect(Self.matches(#"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}"#, in: json).isEmpty, "no field holds an IP address")
    }

    /// (P) biometric identifiers and (Q) photographs: no record kind has a field for them. Every JSON key of the
    /// fully filled participant is a field docs/deidentification.md rules on, so a field added later (a photo, a
    /// fingerprint) fails here until its rule is written.
    @Test func pqBiometricsAndPhotographsHaveNoFieldAndEveryFieldHasARule() throws {
        let full = DeidentFixture.full()
        // Marker names are the keys of a dictionary of values ("CD73"), not fields.
        let markers = Set(full.cellProducts.flatMap(\.releaseTests.markersPercent.keys))
        let keys = try DeidentFixture.jsonKeys(in: try DeidentFixture.json(full)).subtracting(markers)
        let doc = try String(contentsOf: DeidentFixture.repositoryRoot.appendingPathComponent("docs/deidentification.md"), encoding: .utf8)
        let ruled = Set(doc.split(separator: "\n").filter { $0.hasPrefix("|") }.flatMap { line in
            Self.matches(#"`([A-Za-z0-9]+)`"#, in: String(line)).map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "`")) }
        })
        let unruled = keys.subtracting(ruled).subtracting(["subjectID", "ageYears", "ageText", "record", "enrolment", "visits",
                                                           "cellProducts", "deviations"])
        #expect(unruled.isEmpty, "fields without a rule in docs/deidentification.md: \(unruled.sorted())")
        for biometric in ["photo", "image", "fingerprint", "voice", "biometric", "face", "phone", "fax", "email", "address", "ssn"] {
            #expect(!keys.contains { $0.lowercased().contains(biometric) }, "a field named like \(biometric)")
        }
    }

    @Test func rDatabaseIdentifiersAreReplacedAndLinksKept() throws {
        let (result, json) = try Self.deidentified()
        for id in DeidentFixture.databaseIDs {
            #expect(!json.contains("\"\(id)\""), "\(id) survived")
        }
        let data = result.data, study = result.subjectID
        #expect(data.enrolment.id.rawValue == "\(study)-E1")
        #expect(data.record.observations.allSatisfy { $0.enrolmentID == data.enrolment.id && $0.participantID.rawValue == study })
        #expect(data.record.observations[0].visitID == data.visits[0].id)
        #expect(data.record.observations[0].panelID == data.record.observations[1].panelID)
        #expect(data.record.procedures[0].cellProductID == data.cellProducts[0].id)
        #expect(data.cellProducts[0].harvestProcedureID == data.record.procedures[0].id)
        #expect(data.deviations[0].recordID == data.record.procedures[0].id.rawValue)
        #expect(data.record.medicationCourses[0].heldByAlertID?.rawValue == data.enrolment.treatmentDiscontinuation?.alertID?.rawValue)
        #expect(Set([data.record.observations[0].id.rawValue, data.record.observations[1].id.rawValue]).count == 2)
    }

    @Test func freeTextIsDropped() throws {
        let (result, json) = try Self.deidentified()
        for text in ["scanner serial", "brought her husband", "referred by", "unpaid", "handed to", "rash after", "vehicle"] {
            #expect(!json.contains(text), "\(text) survived")
        }
        let data = result.data
        #expect(data.record.participant.diagnoses.allSatisfy { $0.note == nil })
        #expect(data.record.participant.history[0].description == ClinicalCodes.fragilityFracture.display)
        #expect(data.record.participant.history[0].outcome == nil)
        #expect(data.record.observations.allSatisfy { $0.note == nil && $0.specimen?.note == nil })
        #expect(data.record.medicationCourses[0].stopReason == nil)
        #expect(data.record.procedures[0].outcome == nil && data.record.procedures[0].note == nil)
        #expect(data.record.adverseEvents.allSatisfy { $0.note == nil && $0.otherSpecify == nil })
        #expect(data.record.adverseEvents[1].term == DeidentifiedRecords.uncodedTerm)
        #expect(data.visits.allSatisfy { $0.note == nil })
        #expect(data.enrolment.transitions.allSatisfy { $0.reason.isEmpty })
        #expect(data.enrolment.treatmentDiscontinuation?.reason == "")
        #expect(data.cellProducts[0].custody.allSatisfy { $0.note == nil })
        #expect(data.deviations[0].reason.isEmpty)
    }

    @Test func codedValuesAndMeasurementsStay() throws {
        let original = DeidentFixture.full()
        let (result, _) = try Self.deidentified(original)
        let data = result.data
        #expect(data.record.observations[0].code == original.record.observations[0].code)
        #expect(data.record.observations[0].value == original.record.observations[0].value)
        #expect(data.record.observations[0].bodySite == "lumbar spine L1-L4")
        #expect(data.record.observations[0].specimen?.type == "serum")
        #expect(data.record.medications == original.record.medications.map {
            var m = $0; m.start = data.record.medications[0].start; m.stop = data.record.medications[0].stop; return m
        })
        #expect(data.record.procedures[0].anatomicalSite == "posterior iliac crest")
        #expect(data.record.procedures[0].volumeML == 60)
        #expect(data.record.adverseEvents[0].term == original.record.adverseEvents[0].term)
        #expect(data.record.adverseEvents[0].meddraCode == "10040785")
        #expect(data.record.adverseEvents[0].grade == 3)
        #expect(data.cellProducts[0].releaseTests == original.cellProducts[0].releaseTests)
        #expect(data.cellProducts[0].releaseDecision == original.cellProducts[0].releaseDecision)
        #expect(data.enrolment.status == original.enrolment.status)
        #expect(data.enrolment.transitions.map(\.to) == original.enrolment.transitions.map(\.to))
        #expect(data.deviations[0].rule == original.deviations[0].rule)
        #expect(data.record.reviewedSections == original.record.reviewedSections)
    }

    @Test func typedDescriptorsAreKeptOnlyWhenTheyCannotHoldAnIdentifier() {
        for kept in ["left", "posterior iliac crest", "lumbar spine L1-L4", "70 mg weekly", "1000 mg", "bone-marrow-aspirate",
                     "2.5 mg (half tablet)", "Oberschenkel, rechts"] {
            #expect(DeidentifiedRecords.descriptor(kept) == kept)
        }
        for dropped in ["555-867-5309", "10.0.0.1", "a@b.org", "https://x.org", "2024-03-05", "12/03/2024 left", "room 12: left",
                        "123-45-6789", String(repeating: "a", count: 61), "   "] {
            #expect(DeidentifiedRecords.descriptor(dropped) == nil, "kept \(dropped)")
        }
    }

    static func matches(_ pattern: String, in text: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: pattern)
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap {
            Range($0.range, in: text).map { String(text[$0]) }
        }
    }
}
