"""Observation: the mapping (LOINC, UCUM, category, subject, encounter) and every search parameter with its prefixes,
_sort, _include/_revinclude, create through the clinical-entry service and update with If-Match."""
import pytest

from conftest import FHIR, LOINC, OBS_CATEGORY, UCUM, expressions, outcome, seed_participant, tag, with_reason

pytestmark = pytest.mark.feature("observation")


def obs_for(clinic, **params):
    return FHIR().search("Observation", {"patient": clinic.pid, **params})


# ---- read / mapping -------------------------------------------------------------------------------------------------

def test_read_observation_mapping(clinic):
    r = FHIR().read("Observation", clinic.obs_ids[0])
    assert r.status == 200, r
    o = r.body
    assert o["status"] in ("final", "amended", "corrected")
    assert {"system": LOINC, "code": "2571-8"}.items() <= o["code"]["coding"][0].items(), o["code"]
    assert o["subject"]["reference"] == f"Patient/{clinic.pid}"
    assert o["effectiveDateTime"].startswith("2026-01-10")
    q = o["valueQuantity"]
    assert float(q["value"]) == 150 and q["system"] == UCUM and q["code"] == "mg/dL", q


def test_observation_category_is_canonical(clinic):
    o = FHIR().read("Observation", clinic.obs_ids[0]).body
    codings = [c for cat in o.get("category", []) for c in cat.get("coding", [])]
    assert any(c["system"] == OBS_CATEGORY and c["code"] == "laboratory" for c in codings), codings


def test_observation_ctcae_grade_as_interpretation(clinic):
    """A triglyceride of 150 mg/dL is CTCAE grade 1 (REFERENCE.md): it is in interpretation."""
    o = FHIR().read("Observation", clinic.obs_ids[0]).body
    assert o.get("interpretation"), o
    assert "1" in str(o["interpretation"]), o["interpretation"]


def test_observation_etag_matches_meta(clinic):
    r = FHIR().read("Observation", clinic.obs_ids[1])
    assert r.headers["ETag"] == f'W/"{r.body["meta"]["versionId"]}"'


def test_demo_observations_validate():
    """The first 200 observations in the store, whatever they are (the demo's semen, DXA, PHQ-9 and labs on SQLite)."""
    r = FHIR().search("Observation", {"_count": 200})
    assert r.entries(), "no Observation at all"


# ---- search parameters -------------------------------------------------------------------------------------------

def test_search_patient(clinic):
    assert sorted(obs_for(clinic).ids()) == sorted(clinic.obs_ids)


def test_search_patient_reference_form(clinic):
    r = FHIR().search("Observation", {"patient": f"Patient/{clinic.pid}"})
    assert sorted(r.ids()) == sorted(clinic.obs_ids)


def test_search_subject(clinic):
    r = FHIR().search("Observation", {"subject": f"Patient/{clinic.pid}"})
    assert sorted(r.ids()) == sorted(clinic.obs_ids)


def test_search_subject_type_modifier(clinic):
    r = FHIR().search("Observation", {"subject:Patient": clinic.pid})
    assert sorted(r.ids()) == sorted(clinic.obs_ids)


def test_search_code_system_and_code(clinic):
    r = obs_for(clinic, code=f"{LOINC}|2571-8")
    assert sorted(r.ids()) == sorted([clinic.obs_ids[0], clinic.obs_ids[3]])


def test_search_code_only(clinic):
    assert obs_for(clinic, code="1742-6").ids() == [clinic.obs_ids[1]]


def test_search_code_or(clinic):
    r = obs_for(clinic, code=f"{LOINC}|1742-6,{LOINC}|2093-3")
    assert sorted(r.ids()) == sorted([clinic.obs_ids[1], clinic.obs_ids[2]])


def test_search_code_wrong_system(clinic):
    assert obs_for(clinic, code="http://snomed.info/sct|2571-8").ids() == []


@pytest.mark.parametrize("value,expected", [
    ("2026-02-10", [1]), ("eq2026-02-10", [1]), ("2026-02", [1]), ("2026", [0, 1, 2, 3]),
    ("lt2026-02-10", [0]), ("le2026-02-10", [0, 1]), ("gt2026-03-10", [3]), ("ge2026-03-10", [2, 3]),
    ("gt2026-02-10T09:00:00Z", [2, 3]), ("lt2026-01-01", []), ("ge2027-01-01", []),
])
def test_search_date_prefixes(clinic, value, expected):
    r = obs_for(clinic, date=value)
    assert sorted(r.ids()) == sorted(clinic.obs_ids[i] for i in expected), (value, r.ids())


def test_search_date_range_and(clinic):
    r = FHIR().search("Observation", [("patient", clinic.pid), ("date", "ge2026-02-01"), ("date", "lt2026-04-01")])
    assert sorted(r.ids()) == sorted(clinic.obs_ids[1:3])


def test_search_category(clinic):
    assert sorted(obs_for(clinic, category="laboratory").ids()) == sorted(clinic.obs_ids)
    assert sorted(obs_for(clinic, category=f"{OBS_CATEGORY}|laboratory").ids()) == sorted(clinic.obs_ids)
    assert obs_for(clinic, category="vital-signs").ids() == []


@pytest.mark.parametrize("value,expected", [
    ("150", [0]), ("gt160", [2, 3]), ("ge150", [0, 2, 3]), ("lt100", [1]), ("le30", [1]),
    (f"250|{UCUM}|mg/dL", [3]), (f"gt100|{UCUM}|mg/dL", [0, 2, 3]), ("gt100||mg/dL", [0, 2, 3]),
    (f"30|{UCUM}|U/L", [1]), (f"150|{UCUM}|U/L", []),
])
def test_search_value_quantity(clinic, value, expected):
    r = obs_for(clinic, **{"value-quantity": value})
    assert sorted(r.ids()) == sorted(clinic.obs_ids[i] for i in expected), (value, r.ids())


def test_search_code_and_value_quantity(clinic):
    r = obs_for(clinic, code="2571-8", **{"value-quantity": "gt200"})
    assert r.ids() == [clinic.obs_ids[3]]


def test_search_last_updated(clinic):
    stamp = FHIR().read("Observation", clinic.obs_ids[0]).body["meta"]["lastUpdated"]
    assert clinic.obs_ids[0] in obs_for(clinic, _lastUpdated=f"ge{stamp}").ids()
    assert obs_for(clinic, _lastUpdated="lt2001-01-01").ids() == []


def test_search_id(clinic):
    assert FHIR().search("Observation", {"_id": clinic.obs_ids[2]}).ids() == [clinic.obs_ids[2]]


def test_search_sort_date(clinic):
    assert obs_for(clinic, _sort="date").ids() == clinic.obs_ids


def test_search_sort_date_descending(clinic):
    assert obs_for(clinic, _sort="-date").ids() == list(reversed(clinic.obs_ids))


def test_search_sort_last_updated(clinic):
    stamps = [o["meta"]["lastUpdated"] for o in obs_for(clinic, _sort="_lastUpdated").entries()]
    assert stamps == sorted(stamps)


def test_search_paging_with_sort(clinic):
    fhir = FHIR()
    page = fhir.search("Observation", {"patient": clinic.pid, "_sort": "date", "_count": 1})
    got = page.ids()
    while page.link("next"):
        page = fhir.get(page.link("next"))
        got += page.ids()
    assert got == clinic.obs_ids


def test_search_bad_quantity_is_400(clinic):
    outcome(FHIR().get("Observation", params={"value-quantity": "lots"}), 400)


def test_search_unknown_patient_is_empty():
    assert FHIR().search("Observation", {"patient": "no-such-patient-xyz"}).ids() == []


# ---- _include / _revinclude ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("include", ["Observation:patient", "Observation:subject"])
def test_include_patient(clinic, include):
    r = obs_for(clinic, _include=include)
    modes = {(e["resource"]["resourceType"], e["search"]["mode"]) for e in r.body["entry"]}
    assert ("Observation", "match") in modes and ("Patient", "include") in modes, modes
    assert r.ids("Patient") == [clinic.pid]     # once, however many observations point to it


def test_revinclude_observations_on_patient(clinic):
    r = FHIR().search("Patient", {"_id": clinic.pid, "_revinclude": "Observation:patient"})
    assert r.ids("Patient") == [clinic.pid]
    assert sorted(r.ids("Observation")) == sorted(clinic.obs_ids)
    for e in r.body["entry"]:
        assert e["search"]["mode"] == ("match" if e["resource"]["resourceType"] == "Patient" else "include")


def test_include_respects_site_scope(clinic):
    r = FHIR("coordinator_b").search("Observation", {"_id": clinic.obs_ids[0], "_include": "Observation:patient"})
    assert r.entries() == []


def test_unsupported_include_is_400_or_ignored(clinic):
    r = FHIR().get("Observation", params={"patient": clinic.pid, "_include": "Observation:performer"},
                   headers={"Prefer": "handling=strict"})
    assert r.status in (200, 400), r


# ---- create / update ----------------------------------------------------------------------------------------------

def new_observation(pid, value=180, code="2571-8", unit="mg/dL", when="2026-05-10T09:00:00Z"):
    return {
        "resourceType": "Observation", "status": "final",
        "category": [{"coding": [{"system": OBS_CATEGORY, "code": "laboratory"}]}],
        "code": {"coding": [{"system": LOINC, "code": code}]},
        "subject": {"reference": f"Patient/{pid}"},
        "effectiveDateTime": when,
        "valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit},
    }


@pytest.fixture(scope="module")
def writable():
    """A participant of site A of its own (so creates do not change the clinic fixture's counts)."""
    return seed_participant(family=f"Fhirtestobs{tag()}")["id"]


@pytest.mark.feature("observation-write")
def test_create_observation(writable):
    r = FHIR().post("Observation", new_observation(writable))
    assert r.status == 201, r
    assert r.body["valueQuantity"]["code"] == "mg/dL"
    assert r.body["subject"]["reference"] == f"Patient/{writable}"
    assert FHIR().read("Observation", r.body["id"]).status == 200


@pytest.mark.feature("observation-write")
def test_create_observation_fires_ctcae_interpretation(writable):
    r = FHIR().post("Observation", new_observation(writable, value=600))
    assert r.status == 201, r
    assert r.body.get("interpretation"), r.body


@pytest.mark.feature("observation-write")
def test_create_observation_wrong_unit_names_path(writable):
    r = FHIR().post("Observation", new_observation(writable, unit="furlongs"))
    assert r.status in (400, 422), r
    assert any("Observation.valueQuantity" in e for e in expressions(r)), r.body


@pytest.mark.feature("observation-write")
def test_create_observation_unknown_subject(writable):
    r = FHIR().post("Observation", new_observation("no-such-patient"))
    assert r.status in (400, 404, 422), r
    outcome(r)


@pytest.mark.feature("observation-write")
def test_create_observation_other_site_subject_is_refused(clinic):
    r = FHIR("coordinator_b").post("Observation", new_observation(clinic.pid))
    assert r.status in (400, 404, 422), r
    outcome(r)


@pytest.mark.feature("observation-write")
def test_create_observation_monitor_403(writable):
    outcome(FHIR("monitor").post("Observation", new_observation(writable)), 403)


@pytest.mark.feature("observation-write")
def test_create_observation_missing_code(writable):
    body = new_observation(writable)
    del body["code"]
    r = FHIR().post("Observation", body)
    assert r.status in (400, 422), r
    assert any("Observation.code" in e for e in expressions(r)), r.body


@pytest.mark.feature("observation-write")
def test_update_observation_if_match(writable):
    created = FHIR().post("Observation", new_observation(writable, value=190))
    assert created.status == 201, created
    body = created.body
    body["valueQuantity"]["value"] = 191
    body = with_reason(body, "transcription error")
    r = FHIR().put(f"Observation/{body['id']}", body, headers={"If-Match": 'W/"1"'})
    assert r.status == 200, r
    assert float(r.body["valueQuantity"]["value"]) == 191
    assert r.body["meta"]["versionId"] == "2"
    stale = FHIR().put(f"Observation/{body['id']}", body, headers={"If-Match": 'W/"1"'})
    outcome(stale, 412)


@pytest.mark.feature("observation-write")
def test_observation_round_trip_create(clinic, writable):
    """The server accepts what it serves: an observation read back (another patient, no id/meta) is created."""
    body = {k: v for k, v in FHIR().read("Observation", clinic.obs_ids[2]).body.items() if k not in ("id", "meta")}
    body["subject"] = {"reference": f"Patient/{writable}"}
    body.pop("encounter", None)
    body.pop("extension", None)   # the enrolment link belongs to the clinic's participant
    r = FHIR().post("Observation", body)
    assert r.status == 201, r
    assert r.body["code"] == body["code"] and r.body["valueQuantity"]["value"] == body["valueQuantity"]["value"]


def test_demo_observation_kinds_validate():
    """Each category the store holds (semen, labs, PHQ-9 survey, DXA imaging on the demo) reads back and validates."""
    seen = set()
    for category in ("laboratory", "survey", "imaging", "exam", "vital-signs", "social-history"):
        entries = FHIR().search("Observation", {"category": category, "_count": 20}).entries()
        if entries:
            seen.add(category)
            assert FHIR().read("Observation", entries[0]["id"]).status == 200
    assert "laboratory" in seen
