"""Encounter, AdverseEvent and the other clinical types (Procedure, MedicationRequest/Dispense/Statement,
BiologicallyDerivedProduct, Consent, Provenance): mapping, searches and validation of what the store holds."""
import pytest

from conftest import FHIR, api, expressions, outcome, seed_participant, tag, with_reason

pytestmark = pytest.mark.feature("core")


# ---- Encounter ------------------------------------------------------------------------------------------------------

@pytest.mark.feature("encounter")
def test_read_encounter(clinic):
    r = FHIR().read("Encounter", clinic.visit_id)
    assert r.status == 200, r
    e = r.body
    assert e["status"] == "finished"
    assert e["class"]["code"] == "AMB"
    assert e["subject"]["reference"] == f"Patient/{clinic.pid}"
    assert e.get("period", {}).get("start", "").startswith("2026-01-10"), e.get("period")


@pytest.mark.feature("encounter")
def test_search_encounter_patient(clinic):
    assert FHIR().search("Encounter", {"patient": clinic.pid}).ids() == [clinic.visit_id]


@pytest.mark.feature("encounter")
@pytest.mark.parametrize("value,hit", [("2026-01-10", True), ("ge2026-01-01", True), ("lt2026-01-10", False),
                                       ("gt2026-01-10", False), ("le2026-01-10", True), ("2026-02", False)])
def test_search_encounter_date(clinic, value, hit):
    r = FHIR().search("Encounter", {"patient": clinic.pid, "date": value})
    assert (clinic.visit_id in r.ids()) == hit, (value, r.ids())


@pytest.mark.feature("encounter")
def test_encounter_other_site_is_404(clinic):
    outcome(FHIR("coordinator_b").read("Encounter", clinic.visit_id), 404)


@pytest.mark.feature("encounter")
def test_encounter_create_is_405():
    r = FHIR().post("Encounter", {"resourceType": "Encounter", "status": "planned",
                                  "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"}})
    outcome(r, 405)


# ---- AdverseEvent ---------------------------------------------------------------------------------------------------

@pytest.mark.feature("care")
def test_read_adverse_event(clinic):
    r = FHIR().read("AdverseEvent", clinic.ae_serious["id"])
    assert r.status == 200, r
    a = r.body
    assert a["actuality"] == "actual"
    assert a["subject"]["reference"] == f"Patient/{clinic.pid}"
    assert a.get("date", "").startswith("2026-03-01") or a.get("detected", "").startswith("2026-03-01"), a
    assert a.get("event", {}).get("coding"), a.get("event")
    assert a.get("seriousness", {}).get("coding"), a.get("seriousness")


@pytest.mark.feature("care")
def test_adverse_event_grade_is_carried(clinic):
    a = FHIR().read("AdverseEvent", clinic.ae_serious["id"]).body
    text = str(a.get("extension", [])) + str(a.get("severity", {})) + str(a.get("outcome", {}))
    assert "3" in text or "severe" in text, a


@pytest.mark.feature("care")
def test_search_adverse_event_subject(clinic):
    r = FHIR().search("AdverseEvent", {"subject": f"Patient/{clinic.pid}"})
    assert sorted(r.ids()) == sorted([clinic.ae_mild["id"], clinic.ae_serious["id"]])


@pytest.mark.feature("care")
@pytest.mark.parametrize("value,which", [("2026-02-01", ["mild"]), ("ge2026-02-15", ["serious"]),
                                         ("lt2026-02-15", ["mild"]), ("le2026-03-01", ["mild", "serious"]),
                                         ("gt2026-03-01", []), ("2026", ["mild", "serious"])])
def test_search_adverse_event_date(clinic, value, which):
    r = FHIR().search("AdverseEvent", {"subject": f"Patient/{clinic.pid}", "date": value})
    expected = sorted({"mild": clinic.ae_mild["id"], "serious": clinic.ae_serious["id"]}[w] for w in which)
    assert sorted(r.ids()) == expected, (value, r.ids())


@pytest.mark.feature("care")
def test_search_adverse_event_seriousness(clinic):
    serious = FHIR().search("AdverseEvent", {"subject": f"Patient/{clinic.pid}", "seriousness": "serious"})
    assert serious.ids() == [clinic.ae_serious["id"]]
    not_serious = FHIR().search("AdverseEvent", {"subject": f"Patient/{clinic.pid}", "seriousness": "non-serious"})
    assert not_serious.ids() == [clinic.ae_mild["id"]]


@pytest.mark.feature("care")
def test_adverse_event_other_site_is_404(clinic):
    outcome(FHIR("coordinator_b").read("AdverseEvent", clinic.ae_mild["id"]), 404)


# ---- the other types: seeded records, and whatever the store holds validates ------------------------------------

@pytest.fixture(scope="module")
def care(clinic):
    """A procedure, a concomitant medication and a cell lot of the clinic's participant (JSON API); a medication
    course needs an enrolled participant (the consent gate), so MedicationRequest/Dispense use the demo's."""
    c = type("Care", (), {})()
    c.procedure = api("POST", f"/participants/{clinic.pid}/procedures",
                      {"kind": "biopsy", "performed": "2026-01-15T09:00:00Z", "anatomicalSite": "testis",
                       "laterality": "left", "enrolmentID": clinic.enrolment})["id"]
    c.concomitant = api("POST", f"/participants/{clinic.pid}/concomitant-medications",
                        {"drug": {"system": "rxnorm", "code": "4083", "display": "estradiol"}, "dose": "1 mg daily",
                         "start": "2025-06-01"})["id"]
    c.lot = f"LOT-{tag()}"
    c.product = api("POST", f"/participants/{clinic.pid}/cell-products",
                    {"lot": c.lot, "sourceTissue": "bone-marrow-aspirate", "enrolmentID": clinic.enrolment})["id"]
    return c


@pytest.fixture(scope="module")
def some_patients(clinic):
    """The clinic's participant and up to 120 of the demo's (given name "Synthetic", on SQLite; none on the
    PostgreSQL pass), to find records of the types the tests do not seed."""
    demo = FHIR().search_all("Patient", {"name": "Synthetic", "_count": 120}, limit=120)
    return [clinic.pid] + [p["id"] for p in demo]


# type -> (feature, the search parameter it needs: the CARE types search per patient, Provenance per target)
PER_PATIENT = [("Procedure", "care", "patient"), ("MedicationRequest", "care", "patient"),
               ("MedicationDispense", "care", "patient"), ("MedicationStatement", "care", "patient"),
               ("BiologicallyDerivedProduct", "care", "patient"), ("Consent", "consent", "patient"),
               ("Provenance", "provenance", "target"), ("Encounter", "encounter", "patient"),
               ("AdverseEvent", "care", "subject"), ("Observation", "observation", "patient"),
               ("ResearchSubject", "patient", "patient")]


@pytest.mark.parametrize("rtype,param", [pytest.param(t, p, marks=pytest.mark.feature(f)) for t, f, p in PER_PATIENT])
def test_every_type_validates_over_the_store(rtype, param, some_patients):
    """Per patient of the store, each type's search validates (the client validates every response) and its first
    entry reads back the same version."""
    fhir = FHIR()
    found = 0
    for pid in some_patients:
        value = f"Patient/{pid}"
        r = fhir.search(rtype, {param: value, "_count": 100})
        for res in r.entries():
            found += 1
            if found == 1:
                again = fhir.read(rtype, res["id"])
                assert again.status == 200, again
                assert again.body["meta"]["versionId"] == res["meta"]["versionId"]
        if found >= 20:
            break


@pytest.mark.parametrize("rtype", [pytest.param(t, marks=pytest.mark.feature(f)) for t, f in
                                   [("Patient", "patient"), ("ResearchStudy", "patient"), ("ResearchSubject", "patient"),
                                    ("Observation", "observation"), ("Encounter", "encounter")]])
def test_search_without_criteria_validates(rtype):
    r = FHIR().search(rtype, {"_count": 200})
    assert r.entries(), f"no {rtype} at all"


@pytest.mark.feature("care")
def test_procedure_of_patient(clinic, care):
    r = FHIR().search("Procedure", {"patient": f"Patient/{clinic.pid}"})
    assert r.ids() == [care.procedure]
    proc = r.entries()[0]
    assert proc["status"] == "completed"
    assert proc["subject"]["reference"] == f"Patient/{clinic.pid}"
    assert proc.get("performedDateTime", "").startswith("2026-01-15") or "performedPeriod" in proc
    assert proc.get("bodySite"), proc


@pytest.mark.feature("care")
@pytest.mark.parametrize("value,hit", [("2026-01-15", True), ("lt2026-01-15", False), ("ge2026-01-01", True)])
def test_procedure_search_date(clinic, care, value, hit):
    r = FHIR().search("Procedure", {"patient": f"Patient/{clinic.pid}", "date": value})
    assert (care.procedure in r.ids()) == hit, r.ids()


@pytest.mark.feature("care")
def test_medication_statement_of_patient(clinic, care):
    r = FHIR().search("MedicationStatement", {"patient": f"Patient/{clinic.pid}"})
    assert care.concomitant in r.ids()
    statement = next(m for m in r.entries() if m["id"] == care.concomitant)
    codings = statement.get("medicationCodeableConcept", {}).get("coding", [])
    assert {"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "4083"}.items() <= codings[0].items()


@pytest.mark.feature("care")
def test_cell_product_of_patient(clinic, care):
    r = FHIR().search("BiologicallyDerivedProduct", {"patient": f"Patient/{clinic.pid}"})
    assert r.ids() == [care.product]
    assert r.entries()[0]["productCategory"] == "cells"
    assert FHIR().search("BiologicallyDerivedProduct", {"identifier": care.lot}).ids() == [care.product]


@pytest.mark.feature("care")
def test_care_records_other_site_are_404(care):
    outcome(FHIR("coordinator_b").read("Procedure", care.procedure), 404)
    outcome(FHIR("coordinator_b").read("BiologicallyDerivedProduct", care.product), 404)


@pytest.mark.feature("care")
def test_medication_request_isotretinoin_rxnorm(some_patients):
    codings = []
    for pid in some_patients:
        for m in FHIR().search("MedicationRequest", {"patient": f"Patient/{pid}"}).entries():
            codings += m.get("medicationCodeableConcept", {}).get("coding", [])
        if codings:
            break
    if not codings:
        pytest.skip("no medication course in this database (a course needs an enrolled participant; the demo has them)")
    assert any(c.get("system") == "http://www.nlm.nih.gov/research/umls/rxnorm" and c.get("code") == "6064"
               for c in codings), codings[:3]


@pytest.mark.feature("provenance")
def test_provenance_for_target(clinic):
    r = FHIR().search("Provenance", {"target": f"Patient/{clinic.pid}"})
    assert r.entries(), "a created participant has a Provenance (its creation)"
    for p in r.entries():
        assert any(t["reference"].startswith(f"Patient/{clinic.pid}") for t in p["target"])
        assert p["recorded"] and p["agent"]


@pytest.mark.feature("provenance")
def test_provenance_other_site_target_is_empty_or_404(clinic):
    """Another site's record's provenance: nothing (403 for a role that may not read the audit trail at all)."""
    r = FHIR("coordinator_b").get("Provenance", params={"target": f"Patient/{clinic.pid}"})
    assert r.status in (200, 403, 404), r
    if r.status == 200:
        assert r.entries() == []


# ---- AdverseEvent: the CTCAE grade, seriousness criteria, the SQL search, and writes -------------------------------

CTCAE_GRADE = "http://hl7.org/fhir/us/ctcae/StructureDefinition/ctcae-grade"


@pytest.mark.feature("care")
def test_adverse_event_ctcae_grade_extension_and_severity(clinic):
    a = FHIR().read("AdverseEvent", clinic.ae_serious["id"]).body
    grades = [e for e in a.get("extension", []) if e["url"] == CTCAE_GRADE]
    assert grades and grades[0]["valueCodeableConcept"]["coding"][0]["code"] == "3", a.get("extension")
    assert a["severity"]["coding"][0]["code"] == "severe"
    mild = FHIR().read("AdverseEvent", clinic.ae_mild["id"]).body
    assert mild["severity"]["coding"][0]["code"] == "mild"


@pytest.mark.feature("care")
def test_search_adverse_event_severity(clinic):
    r = FHIR().search("AdverseEvent", {"subject": f"Patient/{clinic.pid}", "severity": "severe"})
    assert r.ids() == [clinic.ae_serious["id"]]


@pytest.mark.feature("care")
def test_search_adverse_event_seriousness_criterion(clinic):
    r = FHIR().search("AdverseEvent", {"subject": f"Patient/{clinic.pid}", "seriousness": "hospitalization"})
    assert r.ids() == [clinic.ae_serious["id"]]


@pytest.mark.feature("care")
def test_search_adverse_event_without_subject_runs_over_sites(clinic):
    found = FHIR().search_all("AdverseEvent", {"date": "2026-03-01", "seriousness": "serious", "_count": 200})
    assert clinic.ae_serious["id"] in {a["id"] for a in found}
    assert all(a["date"].startswith("2026-03-01") for a in found)
    hidden = FHIR("coordinator_b").search_all("AdverseEvent", {"date": "2026-03-01", "_count": 200})
    assert clinic.ae_serious["id"] not in {a["id"] for a in hidden}


@pytest.mark.feature("care")
def test_search_adverse_event_sort_date(clinic):
    r = FHIR().search("AdverseEvent", {"subject": f"Patient/{clinic.pid}", "_sort": "-date"})
    assert r.ids() == [clinic.ae_serious["id"], clinic.ae_mild["id"]]


@pytest.fixture(scope="module")
def own_event(clinic):
    """An adverse event of a participant of its own, for the tests that create more events from it: the clinic's
    participant keeps exactly its two events, which the subject searches here and in test_fhirpy.py count on."""
    pid = seed_participant(family=f"Fhirtestevents{tag()}")["id"]
    return api("POST", f"/participants/{pid}/adverse-events", {"term": "Dry skin", "grade": 1, "onset": "2026-02-01"})


@pytest.mark.feature("care")
def test_adverse_event_round_trip_create(own_event):
    """The server accepts what it serves: an event read back, without id and meta, is created as a new one (by an
    investigator: the served event carries a causality assessment, which only an investigator may send)."""
    body = FHIR().read("AdverseEvent", own_event["id"]).body
    body = {k: v for k, v in body.items() if k not in ("id", "meta")}
    r = FHIR("investigator").post("AdverseEvent", body)
    assert r.status == 201, r
    assert r.body["id"] != own_event["id"]
    assert r.body["subject"] == body["subject"] and r.body["severity"] == body["severity"]


@pytest.mark.feature("care")
def test_adverse_event_update_needs_reason_and_version(own_event):
    inv = FHIR("investigator")
    created = inv.post("AdverseEvent", {k: v for k, v in inv.read("AdverseEvent", own_event["id"]).body.items()
                                        if k not in ("id", "meta")})
    assert created.status == 201, created
    body = created.body
    body["date"] = "2026-02-02"
    no_reason = inv.put(f"AdverseEvent/{body['id']}", body, headers={"If-Match": 'W/"1"'})
    assert no_reason.status == 422, no_reason
    ok = inv.put(f"AdverseEvent/{body['id']}", with_reason(body), headers={"If-Match": 'W/"1"'})
    assert ok.status == 200, ok
    assert ok.body["date"].startswith("2026-02-02") and ok.body["meta"]["versionId"] == "2"
    body["date"] = "2026-02-03"
    outcome(inv.put(f"AdverseEvent/{body['id']}", with_reason(body), headers={"If-Match": 'W/"1"'}), 412)


@pytest.mark.feature("care")
def test_adverse_event_create_monitor_403(clinic):
    body = {k: v for k, v in FHIR().read("AdverseEvent", clinic.ae_mild["id"]).body.items() if k not in ("id", "meta")}
    outcome(FHIR("monitor").post("AdverseEvent", body), 403)


@pytest.mark.feature("care")
def test_adverse_event_create_without_subject_names_path():
    r = FHIR().post("AdverseEvent", {"resourceType": "AdverseEvent", "actuality": "actual",
                                     "event": {"text": "Dry skin"}, "date": "2026-02-01"})
    assert r.status in (400, 422), r
    assert any("AdverseEvent.subject" in e for e in expressions(r)), r.body
