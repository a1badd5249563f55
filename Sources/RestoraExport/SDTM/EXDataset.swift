import RestoraDomain

/// EX — Exposure (SDTMIG 3.4 section 6.1.4): a protocol drug course as one record per dispensed supply
/// (dose, frequency, route; from the dispensing date to the end of its supply or the course's stop), and an
/// autologous cell injection as one record of the cell product.
enum EXDataset {
    static let spec = DatasetSpec(
        name: "EX", label: "Exposure", observationClass: "INTERVENTIONS",
        structure: "One record per constant dosing interval per subject",
        keys: ["STUDYID", "USUBJID", "EXTRT", "EXSTDTC"],
        variables: SDTMVar.identifiers("EX") + [
            SDTMVar.seq("EX"),
            SDTMVar.text("EXLNKID", "Link ID", role: "Identifier", origin: "Derived",
                         derivation: "Cell injections: the lot of the product, also in PR"),
            SDTMVar.text("EXTRT", "Name of Treatment", role: "Topic", origin: "Protocol"),
            SDTMVar.float("EXDOSE", "Dose", role: "Record Qualifier"),
            SDTMVar.text("EXDOSU", "Dose Units", role: "Variable Qualifier", codelist: "UNIT (C71620)"),
            SDTMVar.text("EXDOSFRQ", "Dosing Frequency per Interval", role: "Variable Qualifier", origin: "Protocol",
                         codelist: "FREQ (C71113)"),
            SDTMVar.text("EXROUTE", "Route of Administration", role: "Variable Qualifier", origin: "Protocol",
                         codelist: "ROUTE (C66729)"),
            SDTMVar.text("EXLOT", "Lot Number", role: "Record Qualifier"),
            SDTMVar.text("EXLOC", "Location of Dose Administration", role: "Record Qualifier", codelist: "LOC (C74456)"),
            SDTMVar.text("EXLAT", "Laterality", role: "Variable Qualifier", codelist: "LAT (C99073)"),
            SDTMVar.epoch,
            SDTMVar.dtc("EXSTDTC", "Start Date/Time of Treatment"),
            SDTMVar.dtc("EXENDTC", "End Date/Time of Treatment", origin: "Derived",
                        derivation: "Dispensing date + days covered − 1, or the course's stop if earlier"),
            SDTMVar.studyDay("EXSTDY", "Study Day of Start of Treatment", of: "EXSTDTC"),
            SDTMVar.studyDay("EXENDY", "Study Day of End of Treatment", of: "EXENDTC"),
        ])

    static func treatmentName(_ drug: Coding) -> String { (drug.display ?? drug.code).uppercased() }

    static func map(_ s: SDTMSubject, into batch: inout SDTMBatch) {
        var seq = 0
        func add(_ row: SDTMRow) { batch.add("EX", row) }
        for course in s.data.record.medicationCourses.sorted(by: { $0.start < $1.start }) where course.status != .planned {
            let intervals: [(start: CalendarDate, end: CalendarDate?, lot: String?)] = course.dispensings.isEmpty
                ? [(course.start, course.stop, nil)]
                : course.dispensings.sorted { $0.date < $1.date }.map { d in
                    let supplyEnd = d.date.adding(days: max(d.daysCovered, 1) - 1)
                    return (d.date, course.stop.map { min($0, supplyEnd) } ?? supplyEnd, d.lot)
                }
            for interval in intervals {
                seq += 1
                var row = s.row("EX", seq: seq)
                row["EXTRT"] = .text(treatmentName(course.drug))
                row["EXDOSE"] = .number(course.dose.value)
                row["EXDOSU"] = .text(SDTMTerms.unit(course.dose.unit))
                row["EXDOSFRQ"] = .text(SDTMTerms.frequency(course.frequency))
                row["EXROUTE"] = .text(SDTMTerms.route(course.route))
                row["EXLOT"] = .text(interval.lot)
                row["EPOCH"] = s.epoch(interval.start)
                row["EXSTDTC"] = s.date(interval.start)
                row["EXENDTC"] = s.date(interval.end)
                row["EXSTDY"] = s.day(interval.start)
                row["EXENDY"] = s.day(interval.end)
                add(row)
            }
        }
        let products = Dictionary(s.data.cellProducts.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for injection in s.data.record.procedures.filter({ $0.kind == .injection }).sorted(by: { $0.performed < $1.performed }) {
            seq += 1
            let product = injection.cellProductID.flatMap { products[$0] }
            let date = CalendarDate(injection.performed)
            var row = s.row("EX", seq: seq)
            row["EXLNKID"] = .text(product?.lot)
            row["EXTRT"] = .text("AUTOLOGOUS MESENCHYMAL STEM CELLS")
            if let dose = product?.releaseTests.doseCells ?? product?.viableCells {
                row["EXDOSE"] = .number(dose)
                row["EXDOSU"] = .text("CELLS")
            }
            row["EXDOSFRQ"] = .text("ONCE")
            row["EXROUTE"] = .text(SDTMTerms.injectionRoute(site: injection.anatomicalSite))
            row["EXLOT"] = .text(product?.lot)
            row["EXLOC"] = .text(injection.anatomicalSite?.uppercased())
            row["EXLAT"] = .text(injection.laterality?.uppercased())
            row["EPOCH"] = s.epoch(date)
            row["EXSTDTC"] = s.dateTime(injection.performed)
            row["EXENDTC"] = s.dateTime(injection.performed)
            row["EXSTDY"] = s.day(date)
            row["EXENDY"] = s.day(date)
            add(row)
        }
    }
}
