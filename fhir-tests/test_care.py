"""Encounter, AdverseEvent and the other clinical types (Procedure, MedicationRequest/Dispense/Statement,
BiologicallyDerivedProduct, Consent, Provenance): mapping, searches and validation of what the store holds."""
import pytest

from conftest import FHIR, outcome

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


# ---- every type the server lists: whatever the store holds validates ------------------------------------------

OTHER_TYPES = [("Procedure", "care"), ("MedicationRequest", "care"), ("MedicationDispense", "care"),
               ("MedicationStatement", "care"), ("BiologicallyDerivedProduct", "care"), ("Consent", "consent"),
               ("Provenance", "provenance"), ("ResearchStudy", "patient"), ("ResearchSubject", "patient"),
               ("Encounter", "encounter"), ("AdverseEvent", "care"), ("Observation", "observation"),
               ("Patient", "patient")]


@pytest.mark.parametrize("rtype", [pytest.param(t, marks=pytest.mark.feature(f)) for t, f in OTHER_TYPES])
def test_search_and_read_validate(rtype):
    """A page of each type validates (the client validates every response) and its first entry reads back equal."""
    fhir = FHIR()
    r = fhir.search(rtype, {"_count": 100})
    entries = r.entries()
    if entries:
        first = entries[0]
        again = fhir.read(rtype, first["id"])
        assert again.status == 200, again
        assert again.body["id"] == first["id"]
        assert again.body["meta"]["versionId"] == first["meta"]["versionId"]


@pytest.mark.feature("care")
def test_procedure_search_patient_matches_subject():
    fhir = FHIR()
    procs = fhir.search("Procedure", {"_count": 1}).entries()
    if not procs:
        pytest.skip("no procedure in this database (the demo has some)")
    subject = procs[0]["subject"]["reference"]
    found = fhir.search_all("Procedure", {"patient": subject, "_count": 200})
    assert procs[0]["id"] in {p["id"] for p in found}
    assert all(p["subject"]["reference"] == subject for p in found)


@pytest.mark.feature("care")
def test_medication_request_isotretinoin_rxnorm():
    reqs = FHIR().search("MedicationRequest", {"_count": 100}).entries()
    if not reqs:
        pytest.skip("no medication course in this database (the demo has some)")
    codings = [c for m in reqs for c in m.get("medicationCodeableConcept", {}).get("coding", [])]
    assert any(c.get("system") == "http://www.nlm.nih.gov/research/umls/rxnorm" for c in codings), codings[:3]


@pytest.mark.feature("provenance")
def test_provenance_for_target(clinic):
    r = FHIR().search("Provenance", {"target": f"Patient/{clinic.pid}"})
    assert r.entries(), "a created participant has a Provenance (its creation)"
    for p in r.entries():
        assert any(t["reference"] == f"Patient/{clinic.pid}" for t in p["target"])
        assert p["recorded"] and p["agent"]
