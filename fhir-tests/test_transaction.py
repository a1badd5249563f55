"""POST /fhir with a transaction Bundle: all entries in one database transaction, urn:uuid references resolved,
any bad entry → nothing written and an OperationOutcome naming Bundle.entry[i]."""
import re
import uuid

import pytest

from conftest import FHIR, LOINC, OBS_CATEGORY, UCUM, minimal_patient, outcome, tag, with_reason

pytestmark = [pytest.mark.feature("patient"), pytest.mark.feature("transaction")]


def entry(resource, method="POST", url=None, full_url=None, if_none_exist=None):
    e = {"fullUrl": full_url or f"urn:uuid:{uuid.uuid4()}", "resource": resource,
         "request": {"method": method, "url": url or resource["resourceType"]}}
    if if_none_exist:
        e["request"]["ifNoneExist"] = if_none_exist
    return e


def bundle(*entries, kind="transaction"):
    return {"resourceType": "Bundle", "type": kind, "entry": list(entries)}


def count_family(family):
    return len(FHIR().search("Patient", {"family": family}).entries())


def test_transaction_two_creates():
    family = f"Txok{tag()}"
    r = FHIR().post("", bundle(entry(minimal_patient(family=family)), entry(minimal_patient(family=family))))
    assert r.status == 200, r
    assert r.body["type"] == "transaction-response"
    assert len(r.body["entry"]) == 2
    for e in r.body["entry"]:
        assert e["response"]["status"].startswith("201"), e
        assert re.match(r"^(.*/)?Patient/[A-Za-z0-9\-.]{1,64}/_history/1$", e["response"]["location"]), e
    assert count_family(family) == 2


def test_transaction_one_bad_entry_writes_nothing():
    family = f"Txbad{tag()}"
    bad = minimal_patient(family=family)
    bad["birthDate"] = "not-a-date"
    r = FHIR().post("", bundle(entry(minimal_patient(family=family)), entry(bad)))
    assert r.status in (400, 422), r
    issues = outcome(r)
    where = " ".join(x for i in issues for x in i.get("expression", []) + i.get("location", []))
    assert "Bundle.entry[1]" in where, issues
    assert count_family(family) == 0


def test_transaction_bad_entry_first_writes_nothing():
    family = f"Txbadfirst{tag()}"
    bad = minimal_patient(family=family)
    del bad["gender"]
    r = FHIR().post("", bundle(entry(bad), entry(minimal_patient(family=family)), entry(minimal_patient(family=family))))
    assert r.status in (400, 422), r
    assert "Bundle.entry[0]" in str(r.body)
    assert count_family(family) == 0


def test_transaction_stale_update_rolls_back_creates(fhir):
    family = f"Txstale{tag()}"
    existing = fhir.post("Patient", minimal_patient(family=f"Txexisting{tag()}"))
    assert existing.status == 201
    p = existing.body
    upd = entry(with_reason(p), method="PUT", url=f"Patient/{p['id']}", full_url=f"Patient/{p['id']}")
    upd["request"]["ifMatch"] = 'W/"5"'
    r = fhir.post("", bundle(entry(minimal_patient(family=family)), upd))
    assert r.status in (409, 412), r
    assert count_family(family) == 0
    assert fhir.read("Patient", p["id"]).body["meta"]["versionId"] == "1"


@pytest.mark.feature("observation-write")
def test_transaction_resolves_urn_uuid_references():
    family = f"Txref{tag()}"
    patient_url = f"urn:uuid:{uuid.uuid4()}"
    obs = {"resourceType": "Observation", "status": "final",
           "category": [{"coding": [{"system": OBS_CATEGORY, "code": "laboratory"}]}],
           "code": {"coding": [{"system": LOINC, "code": "2571-8"}]}, "subject": {"reference": patient_url},
           "effectiveDateTime": "2026-06-01T08:00:00Z",
           "valueQuantity": {"value": 140, "unit": "mg/dL", "system": UCUM, "code": "mg/dL"}}
    r = FHIR().post("", bundle(entry(minimal_patient(family=family), full_url=patient_url), entry(obs)))
    assert r.status == 200, r
    pid = re.search(r"Patient/([^/]+)/", r.body["entry"][0]["response"]["location"]).group(1)
    found = FHIR().search("Observation", {"patient": pid}).entries()
    assert len(found) == 1 and found[0]["subject"]["reference"] == f"Patient/{pid}"


@pytest.mark.feature("observation-write")
def test_transaction_bad_observation_rolls_back_patient():
    family = f"Txobsbad{tag()}"
    patient_url = f"urn:uuid:{uuid.uuid4()}"
    obs = {"resourceType": "Observation", "status": "final", "code": {"coding": [{"system": LOINC, "code": "2571-8"}]},
           "subject": {"reference": patient_url}, "effectiveDateTime": "2026-06-01T08:00:00Z",
           "valueQuantity": {"value": 140, "unit": "parsecs", "system": UCUM, "code": "parsecs"}}
    r = FHIR().post("", bundle(entry(minimal_patient(family=family), full_url=patient_url), entry(obs)))
    assert r.status in (400, 422), r
    assert "Bundle.entry[1]" in str(r.body)
    assert count_family(family) == 0


def test_transaction_conditional_create_inside():
    p = minimal_patient()
    ident = p["identifier"][0]
    cond = f"identifier={ident['system']}|{ident['value']}"
    first = FHIR().post("", bundle(entry(p, if_none_exist=cond)))
    assert first.status == 200, first
    again = FHIR().post("", bundle(entry(p, if_none_exist=cond)))
    assert again.status == 200, again
    assert again.body["entry"][0]["response"]["status"].startswith("200")
    assert len(FHIR().search("Patient", {"identifier": f"{ident['system']}|{ident['value']}"}).entries()) == 1


def test_transaction_not_a_bundle_is_400():
    outcome(FHIR().post("", minimal_patient()), 400)


def test_transaction_searchset_type_is_400():
    outcome(FHIR().post("", bundle(entry(minimal_patient()), kind="searchset")), 400)


def test_transaction_monitor_is_403():
    family = f"Txmon{tag()}"
    r = FHIR("monitor").post("", bundle(entry(minimal_patient(family=family))))
    assert r.status == 403, r
    assert count_family(family) == 0


def test_transaction_empty_bundle():
    r = FHIR().post("", bundle())
    assert r.status in (200, 400), r
