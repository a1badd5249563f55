"""A real FHIR client (fhirpy's SyncFHIRClient) drives the server: CRUD, search with each parameter, paging through
1,000 observations while another client writes, conditional create from 20 concurrent clients → one resource, stale
If-Match → 412, a transaction bundle with one bad entry → nothing written. Every response the client receives is
validated against fhir.resources R4B (a requests response hook)."""
import concurrent.futures
import threading
import time
import uuid

import pytest
from fhirpy import SyncFHIRClient
from fhirpy.base.exceptions import MultipleResourcesFound, OperationOutcome, ResourceNotFound

from conftest import (BASE, LOINC, OBS_CATEGORY, PROGRAM, TOKENS, UCUM, api, minimal_patient, seed_observation,
                      seed_participant, tag, validate, with_reason)

pytestmark = pytest.mark.feature("patient")


def _validate_hook(response, *args, **kwargs):
    ctype = response.headers.get("Content-Type", "")
    if response.content and "json" in ctype:
        try:
            body = response.json()
        except ValueError:
            return response
        if isinstance(body, dict) and "resourceType" in body:
            validate(body)
    return response


def client(role="admin", headers=None):
    return SyncFHIRClient(BASE, authorization="Bearer " + TOKENS[role], extra_headers=headers or {},
                          requests_config={"timeout": 120, "hooks": {"response": _validate_hook}})


# ---- CRUD -----------------------------------------------------------------------------------------------------------

def test_fhirpy_create_read_update():
    c = client()
    data = minimal_patient(family=f"Pyclient{tag()}")
    data.pop("resourceType")
    patient = c.resource("Patient", **data)
    patient.save()
    assert patient.id and patient["meta"]["versionId"] == "1"
    read = c.reference("Patient", patient.id).to_resource()
    assert read["name"][0]["family"] == data["name"][0]["family"]
    read["name"][0]["given"] = ["Fernand"]
    client(headers={"If-Match": 'W/"1"'}).resource("Patient", **with_reason(read.serialize())).save()
    again = c.resources("Patient").search(_id=patient.id).get()
    assert again["name"][0]["given"] == ["Fernand"]
    assert again["meta"]["versionId"] == "2"


def test_fhirpy_read_missing_raises_not_found():
    with pytest.raises(ResourceNotFound) as err:
        client().reference("Patient", f"missing-{tag()}").to_resource()
    assert "OperationOutcome" in str(err.value)


def test_fhirpy_stale_if_match_is_412():
    c = client()
    data = minimal_patient()
    data.pop("resourceType")
    patient = c.resource("Patient", **data)
    patient.save()
    body = with_reason(patient.serialize())
    body["name"][0]["given"] = ["Gaston"]
    client(headers={"If-Match": 'W/"1"'}).resource("Patient", **body).save()
    body["name"][0]["given"] = ["Hector"]
    with pytest.raises(MultipleResourcesFound) as err:   # fhirpy raises this class for every 412
        client(headers={"If-Match": 'W/"1"'}).resource("Patient", **body).save()
    assert "OperationOutcome" in str(err.value), err.value
    stored = c.reference("Patient", patient.id).to_resource()
    assert stored["name"][0]["given"] == ["Gaston"] and stored["meta"]["versionId"] == "2", "the stale write landed"


# ---- search with each parameter -------------------------------------------------------------------------------------

def test_fhirpy_patient_search_parameters(clinic):
    c = client()
    ps = c.resources("Patient")
    assert [p.id for p in ps.search(_id=clinic.pid).fetch()] == [clinic.pid]
    assert [p.id for p in ps.search(identifier=clinic.mrn).fetch()] == [clinic.pid]
    assert [p.id for p in ps.search(name=clinic.family).fetch()] == [clinic.pid]
    assert [p.id for p in ps.search(name=clinic.family, gender="male").fetch()] == [clinic.pid]
    assert [p.id for p in ps.search(name=clinic.family, gender="female").fetch()] == []
    assert [p.id for p in ps.search(name=clinic.family, birthdate__ge="1988-05-04").fetch()] == [clinic.pid]
    assert [p.id for p in ps.search(name=clinic.family, birthdate__lt="1988-05-04").fetch()] == []
    assert ps.search(name=clinic.family).count() == 1          # fhirpy asks _count=0 and reads the total
    assert ps.search(gender="male").count() >= 2


def test_fhirpy_last_updated_and_count(clinic):
    c = client()
    stamp = c.reference("Patient", clinic.pid).to_resource()["meta"]["lastUpdated"]
    ps = c.resources("Patient").search(_id=clinic.pid)
    assert [p.id for p in ps.search(_lastUpdated__ge=stamp).fetch()] == [clinic.pid]
    assert [p.id for p in ps.search(_lastUpdated__gt=stamp).fetch()] == []
    page = c.resources("Patient").search(gender="male").limit(2).fetch()
    assert len(page) == 2


@pytest.mark.feature("observation")
def test_fhirpy_observation_search_parameters(clinic):
    obs = client().resources("Observation")
    ids = lambda s: sorted(o.id for o in s.fetch_all())  # noqa: E731
    assert ids(obs.search(patient=clinic.pid)) == sorted(clinic.obs_ids)
    assert ids(obs.search(subject=f"Patient/{clinic.pid}")) == sorted(clinic.obs_ids)
    assert ids(obs.search(patient=clinic.pid, code=f"{LOINC}|1742-6")) == [clinic.obs_ids[1]]
    assert ids(obs.search(patient=clinic.pid, category="laboratory")) == sorted(clinic.obs_ids)
    assert ids(obs.search(patient=clinic.pid, date__ge="2026-03-10")) == sorted(clinic.obs_ids[2:])
    assert ids(obs.search(patient=clinic.pid, date__lt="2026-02-10")) == [clinic.obs_ids[0]]
    assert ids(obs.search(patient=clinic.pid).search(**{"value-quantity": "gt199"})) == sorted(clinic.obs_ids[2:])
    assert [o.id for o in obs.search(patient=clinic.pid).sort("-date").fetch()] == list(reversed(clinic.obs_ids))
    included = obs.search(patient=clinic.pid).include("Observation", "patient").fetch_raw()
    assert {e.resource.resourceType for e in included.entry} == {"Observation", "Patient"}


@pytest.mark.feature("observation")
@pytest.mark.parametrize("prefix,value,which", [("eq", "2026-02", [1]), (None, "2026-02-10", [1]), ("le", "2026-02-10", [0, 1]),
                                                ("lt", "2026-02-10", [0]), ("gt", "2026-03-10", [3]), ("ge", "2026-03-10", [2, 3])])
def test_fhirpy_observation_date_prefixes(clinic, prefix, value, which):
    """Observation date with each prefix the issue names (eq, lt, le, gt, ge), a day or a month as the range."""
    obs = client().resources("Observation").search(patient=clinic.pid)
    found = obs.search(**{f"date__{prefix}" if prefix else "date": value}).fetch_all()
    assert sorted(o.id for o in found) == sorted(clinic.obs_ids[i] for i in which)


def test_fhirpy_research_include_and_revinclude(clinic):
    """ResearchSubject→ResearchStudy both ways: the study included with its subject, the subject rev-included with
    its study."""
    c = client()
    raw = c.resources("ResearchSubject").search(patient=clinic.pid).include("ResearchSubject", "study").fetch_raw()
    assert {(e.resource.resourceType, e.resource.id) for e in raw.entry} == {("ResearchSubject", clinic.enrolment),
                                                                            ("ResearchStudy", PROGRAM)}
    rev = c.resources("ResearchStudy").search(_id=PROGRAM).revinclude("ResearchSubject", "study").limit(1000).fetch_raw()
    assert [e.resource.id for e in rev.entry if e.resource.resourceType == "ResearchStudy"] == [PROGRAM]
    subjects = {e.resource.id for e in rev.entry if e.resource.resourceType == "ResearchSubject"}
    assert subjects and all(e.resource.study.reference == f"ResearchStudy/{PROGRAM}" for e in rev.entry
                            if e.resource.resourceType == "ResearchSubject")


def test_fhirpy_research_subject_search(clinic):
    subjects = client().resources("ResearchSubject")
    assert [s.id for s in subjects.search(patient=clinic.pid).fetch()] == [clinic.enrolment]
    assert [s.id for s in subjects.search(patient=clinic.pid, study=PROGRAM, status="eligible").fetch()] == [clinic.enrolment]


@pytest.mark.feature("care")
def test_fhirpy_adverse_event_search(clinic):
    events = client().resources("AdverseEvent")
    assert len(events.search(subject=f"Patient/{clinic.pid}").fetch()) == 2
    assert [e.id for e in events.search(subject=f"Patient/{clinic.pid}", seriousness="serious").fetch()] == [clinic.ae_serious["id"]]
    assert [e.id for e in events.search(subject=f"Patient/{clinic.pid}", date__ge="2026-02-15").fetch()] == [clinic.ae_serious["id"]]


@pytest.mark.feature("encounter")
def test_fhirpy_encounter_search(clinic):
    encounters = client().resources("Encounter")
    assert [e.id for e in encounters.search(patient=clinic.pid).fetch()] == [clinic.visit_id]
    assert [e.id for e in encounters.search(patient=clinic.pid, date="2026-01-10").fetch()] == [clinic.visit_id]


# ---- paging 1,000 observations while another client writes ----------------------------------------------------------

@pytest.mark.feature("observation")
def test_fhirpy_paging_1000_observations_while_writing():
    pid = seed_participant(family=f"Fhirtestpaging{tag()}")["id"]
    def one(i):
        day = 1 + i % 28
        return seed_observation(pid, "2571-8", 100 + i % 200, "mg/dL", f"2025-{1 + i // 28 % 12:02d}-{day:02d}T08:{i % 60:02d}:00Z")["id"]
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        original = set(pool.map(one, range(1000)))
    assert len(original) == 1000

    stop = threading.Event()
    written = []
    def writer():
        i = 0
        while not stop.is_set() and i < 300:
            written.append(one(1000 + i))
            i += 1
    thread = threading.Thread(target=writer)
    thread.start()
    try:
        seen = []
        pages = 0
        search = client().resources("Observation").search(patient=pid).limit(100)
        for o in search:          # fhirpy follows the `next` links
            seen.append(o.id)
            if len(seen) % 100 == 0:
                pages += 1
                time.sleep(0.05)  # let the writer land records between pages
    finally:
        stop.set()
        thread.join(120)
    assert pages >= 10
    assert len(seen) == len(set(seen)), "a page repeated an observation"
    assert original <= set(seen), f"{len(original - set(seen))} of the 1,000 were skipped"
    assert written, "the writer wrote nothing while the pages were read"


# ---- conditional create from 20 concurrent clients ----------------------------------------------------------------

def test_fhirpy_conditional_create_20_concurrent_clients():
    data = minimal_patient()
    data.pop("resourceType")
    ident = data["identifier"][0]
    cond = f"identifier={ident['system']}|{ident['value']}"
    barrier = threading.Barrier(20)

    def go(_):
        c = client(headers={"If-None-Exist": cond})
        patient = c.resource("Patient", **data)
        barrier.wait(timeout=60)
        patient.save()
        return patient.id

    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        ids = list(pool.map(go, range(20)))
    assert len(set(ids)) == 1, ids
    found = client().resources("Patient").search(identifier=f"{ident['system']}|{ident['value']}").fetch_all()
    assert [p.id for p in found] == [ids[0]]


# ---- transaction with one bad entry ---------------------------------------------------------------------------------

@pytest.mark.feature("transaction")
def test_fhirpy_transaction_bad_entry_writes_nothing():
    family = f"Pytx{tag()}"
    good = minimal_patient(family=family)
    bad = minimal_patient(family=family)
    bad["gender"] = "sometimes"
    bundle = {"resourceType": "Bundle", "type": "transaction", "entry": [
        {"fullUrl": f"urn:uuid:{uuid.uuid4()}", "resource": good, "request": {"method": "POST", "url": "Patient"}},
        {"fullUrl": f"urn:uuid:{uuid.uuid4()}", "resource": bad, "request": {"method": "POST", "url": "Patient"}},
    ]}
    c = client()
    with pytest.raises(OperationOutcome) as err:
        c.execute(BASE, method="post", data=bundle)
    assert "Bundle.entry[1]" in str(err.value.__dict__) or "entry[1]" in str(err.value)
    assert c.resources("Patient").search(family=family).fetch_all() == []


@pytest.mark.feature("transaction")
def test_fhirpy_transaction_commits_all():
    family = f"Pytxok{tag()}"
    bundle = {"resourceType": "Bundle", "type": "transaction", "entry": [
        {"fullUrl": f"urn:uuid:{uuid.uuid4()}", "resource": minimal_patient(family=family),
         "request": {"method": "POST", "url": "Patient"}} for _ in range(3)]}
    c = client()
    response = c.execute(BASE, method="post", data=bundle)
    assert response["type"] == "transaction-response"
    assert len(c.resources("Patient").search(family=family).fetch_all()) == 3


def test_fhirpy_role_forbidden():
    from fhirpy.base.exceptions import ForbiddenError
    data = minimal_patient()
    data.pop("resourceType")
    with pytest.raises(ForbiddenError):
        client("monitor").resource("Patient", **data).save()
