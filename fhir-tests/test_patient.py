"""Patient: read, create, update with If-Match, conditional create, vread/_history and every search parameter."""
import re
import threading

import pytest

from conftest import FHIR, REASON_URL, SITE_A_CODE, expressions, minimal_patient, outcome, tag, with_reason

pytestmark = pytest.mark.feature("patient")


def etag_version(r):
    m = re.fullmatch(r'W/"(\d+)"', r.headers.get("ETag", ""))
    assert m, f"ETag {r.headers.get('ETag')!r} is not W/\"n\""
    return int(m.group(1))


# ---- read --------------------------------------------------------------------------------------------------------

def test_read_patient_mapping(clinic):
    r = FHIR().read("Patient", clinic.pid)
    assert r.status == 200, r
    p = r.body
    assert p["id"] == clinic.pid
    assert p["gender"] == "male"
    assert p["birthDate"] == "1988-05-04"
    assert any(n.get("family") == clinic.family for n in p.get("name", []))
    assert any(i.get("value") == clinic.mrn for i in p.get("identifier", [])), p.get("identifier")


def test_read_has_etag_last_modified_and_meta(clinic):
    r = FHIR().read("Patient", clinic.pid)
    version = etag_version(r)
    assert r.body["meta"]["versionId"] == str(version)
    assert r.body["meta"]["lastUpdated"]
    assert r.headers.get("Last-Modified"), r.headers


def test_mrn_identifier_system_names_the_site(clinic):
    r = FHIR().read("Patient", clinic.pid)
    systems = [i.get("system", "") for i in r.body.get("identifier", []) if i.get("value") == clinic.mrn]
    assert systems and all(s.startswith("urn:") or s.startswith("http") for s in systems), systems
    assert any(SITE_A_CODE.lower() in s.lower() for s in systems), systems


# ---- create --------------------------------------------------------------------------------------------------------

def test_create_201_location_etag(fhir):
    r = fhir.post("Patient", minimal_patient())
    assert r.status == 201, r
    location = r.headers.get("Location", "")
    assert re.search(r"/Patient/[A-Za-z0-9\-.]{1,64}/_history/1$", location), location
    assert etag_version(r) == 1
    assert r.body["resourceType"] == "Patient" and r.body["meta"]["versionId"] == "1"


def test_create_ignores_client_id(fhir):
    body = minimal_patient()
    body["id"] = "client-chosen-id"
    r = fhir.post("Patient", body)
    assert r.status == 201, r
    assert r.body["id"] != "client-chosen-id"


def test_create_then_read_back(fhir):
    body = minimal_patient(family=f"Readback{tag()}")
    created = fhir.post("Patient", body)
    assert created.status == 201, created
    got = fhir.read("Patient", created.body["id"])
    assert got.status == 200
    assert got.body["name"][0]["family"] == body["name"][0]["family"]
    assert got.body["birthDate"] == "1979-02-14"
    assert got.body["gender"] == "male"


def test_create_prefer_minimal(fhir):
    r = fhir.post("Patient", minimal_patient(), headers={"Prefer": "return=minimal"})
    assert r.status == 201, r
    assert not r.text.strip(), r
    assert r.headers.get("Location")


def test_create_prefer_operation_outcome(fhir):
    r = fhir.post("Patient", minimal_patient(), headers={"Prefer": "return=OperationOutcome"})
    assert r.status == 201, r
    assert r.body["resourceType"] == "OperationOutcome"


def test_create_missing_birthdate_names_path(fhir):
    body = minimal_patient()
    del body["birthDate"]
    r = fhir.post("Patient", body)
    assert r.status in (400, 422), r
    assert any("Patient.birthDate" in e for e in expressions(r)), r.body


def test_create_missing_gender_names_path(fhir):
    body = minimal_patient()
    del body["gender"]
    r = fhir.post("Patient", body)
    assert r.status in (400, 422), r
    assert any("Patient.gender" in e for e in expressions(r)), r.body


def test_create_is_audited_and_visible_in_json_api(fhir):
    from conftest import api
    r = fhir.post("Patient", minimal_patient())
    assert r.status == 201, r
    assert api("GET", f"/participants/{r.body['id']}")["id"] == r.body["id"]


# ---- update ----------------------------------------------------------------------------------------------------------

def _created(fhir):
    r = fhir.post("Patient", minimal_patient())
    assert r.status == 201, r
    return r.body


def _changed(p, given):
    """The patient with another given name (an update that changes nothing may keep the version)."""
    p = dict(p, name=[dict(p["name"][0], given=[given])])
    return with_reason(p)


def test_update_with_if_match_bumps_version(fhir):
    p = _created(fhir)
    p["name"][0]["given"] = ["Edouard"]
    r = fhir.put(f"Patient/{p['id']}", with_reason(p), headers={"If-Match": 'W/"1"'})
    assert r.status == 200, r
    assert etag_version(r) == 2
    assert fhir.read("Patient", p["id"]).body["name"][0]["given"] == ["Edouard"]


def test_update_stale_if_match_is_412(fhir):
    p = _created(fhir)
    first = fhir.put(f"Patient/{p['id']}", _changed(p, "Gaston"), headers={"If-Match": 'W/"1"'})
    assert first.status == 200, first
    r = fhir.put(f"Patient/{p['id']}", _changed(p, "Hector"), headers={"If-Match": 'W/"1"'})
    outcome(r, 412)
    assert fhir.read("Patient", p["id"]).body["name"][0]["given"] == ["Gaston"]


def test_update_future_if_match_is_412(fhir):
    p = _created(fhir)
    outcome(fhir.put(f"Patient/{p['id']}", with_reason(p), headers={"If-Match": 'W/"7"'}), 412)


def test_update_id_mismatch_is_400(fhir):
    p = _created(fhir)
    p["id"] = "some-other-id"
    r = fhir.put(f"Patient/{_created(fhir)['id']}", with_reason(p), headers={"If-Match": 'W/"1"'})
    outcome(r, 400)


def test_update_unknown_id_is_not_a_create(fhir):
    body = minimal_patient()
    body["id"] = f"nope-{tag()}"
    r = fhir.put(f"Patient/{body['id']}", with_reason(body), headers={"If-Match": 'W/"1"'})
    assert r.status in (404, 405, 412), r
    outcome(r)


def test_update_other_site_is_404(clinic):
    current = FHIR().read("Patient", clinic.pid)
    r = FHIR("coordinator_b").put(f"Patient/{clinic.pid}", with_reason(current.body), headers={"If-Match": current.headers["ETag"]})
    outcome(r, 404)


def test_update_without_if_match_documented_behaviour(fhir):
    """Without If-Match the server either applies the update (200) or requires one (428): never 5xx."""
    p = _created(fhir)
    r = fhir.put(f"Patient/{p['id']}", with_reason(p))
    assert r.status in (200, 428), r


def test_update_without_if_match_uses_meta_version_id(fhir):
    """Without If-Match the body's meta.versionId is the expected version (docs/fhir.md): a stale copy is 412."""
    p = _created(fhir)
    assert fhir.put(f"Patient/{p['id']}", _changed(p, "Gaston"), headers={"If-Match": 'W/"1"'}).status == 200
    assert p["meta"]["versionId"] == "1"
    outcome(fhir.put(f"Patient/{p['id']}", _changed(p, "Hector")), 412)


def test_update_without_reason_is_422_naming_extension(fhir):
    p = _created(fhir)
    r = fhir.put(f"Patient/{p['id']}", p, headers={"If-Match": 'W/"1"'})
    assert r.status == 422, r
    assert any("Patient.extension" in e for e in expressions(r)), r.body
    assert fhir.read("Patient", p["id"]).body["meta"]["versionId"] == "1"


def test_reason_for_change_extension_is_one_url(fhir):
    """Patient takes the reason for change from the same extension URL as Observation and AdverseEvent, and from
    no other (the URL it read before the types agreed is refused like no reason at all)."""
    p = _created(fhir)
    changed = dict(p, name=[dict(p["name"][0], given=["Gaston"])])
    changed["extension"] = [{"url": "urn:restora:fhir:reason-for-change", "valueString": "typo in the given name"}]
    refused = fhir.put(f"Patient/{p['id']}", changed, headers={"If-Match": 'W/"1"'})
    assert refused.status == 422, refused
    assert any("Patient.extension" in e for e in expressions(refused)), refused.body
    changed["extension"] = [{"url": REASON_URL, "valueString": "typo in the given name"}]
    r = fhir.put(f"Patient/{p['id']}", changed, headers={"If-Match": 'W/"1"'})
    assert r.status == 200, r


# ---- conditional create ---------------------------------------------------------------------------------------------

def test_conditional_create_existing_returns_200(fhir):
    p = minimal_patient()
    ident = p["identifier"][0]
    first = fhir.post("Patient", p, headers={"If-None-Exist": f"identifier={ident['system']}|{ident['value']}"})
    assert first.status == 201, first
    again = fhir.post("Patient", p, headers={"If-None-Exist": f"identifier={ident['system']}|{ident['value']}"})
    assert again.status == 200, again
    assert again.body["id"] == first.body["id"]


def test_conditional_create_multiple_matches_is_412(fhir, clinic):
    family = f"Twin{tag()}"
    for _ in range(2):
        assert fhir.post("Patient", minimal_patient(family=family)).status == 201
    r = fhir.post("Patient", minimal_patient(family=family), headers={"If-None-Exist": f"family={family}"})
    outcome(r, 412)


def test_conditional_create_concurrent_http(fhir):
    p = minimal_patient()
    ident = p["identifier"][0]
    cond = f"identifier={ident['system']}|{ident['value']}"
    results = []
    barrier = threading.Barrier(8)

    def go():
        client = FHIR()
        barrier.wait(timeout=30)
        results.append(client.post("Patient", p, headers={"If-None-Exist": cond}))

    threads = [threading.Thread(target=go) for _ in range(8)]
    [t.start() for t in threads]
    [t.join(60) for t in threads]
    statuses = sorted(r.status for r in results)
    assert statuses.count(201) == 1 and statuses.count(200) == 7, statuses
    assert len({r.body["id"] for r in results}) == 1
    assert len(fhir.search("Patient", {"identifier": f"{ident['system']}|{ident['value']}"}).entries()) == 1


# ---- versions -------------------------------------------------------------------------------------------------------

@pytest.mark.feature("history")
def test_vread_each_version(fhir):
    p = _created(fhir)
    p["name"][0]["family"] = p["name"][0]["family"] + "Two"
    assert fhir.put(f"Patient/{p['id']}", with_reason(p), headers={"If-Match": 'W/"1"'}).status == 200
    v1 = fhir.get(f"Patient/{p['id']}/_history/1")
    v2 = fhir.get(f"Patient/{p['id']}/_history/2")
    assert v1.status == 200 and v2.status == 200, (v1, v2)
    assert v1.body["meta"]["versionId"] == "1" and v2.body["meta"]["versionId"] == "2"
    assert not v1.body["name"][0]["family"].endswith("Two")
    assert v2.body["name"][0]["family"].endswith("Two")


def test_unchanged_update_keeps_or_bumps_version_consistently(fhir):
    """A PUT that changes nothing: the answer's versionId is the stored one (whether or not it moved)."""
    p = _created(fhir)
    r = fhir.put(f"Patient/{p['id']}", with_reason(p), headers={"If-Match": 'W/"1"'})
    assert r.status == 200, r
    assert fhir.read("Patient", p["id"]).body["meta"]["versionId"] == r.body["meta"]["versionId"]


def test_vread_unknown_version_is_404(fhir):
    p = _created(fhir)
    outcome(fhir.get(f"Patient/{p['id']}/_history/9"), 404)


@pytest.mark.feature("history")
def test_instance_history_bundle(fhir):
    p = _created(fhir)
    assert fhir.put(f"Patient/{p['id']}", _changed(p, "Gaston"), headers={"If-Match": 'W/"1"'}).status == 200
    r = fhir.get(f"Patient/{p['id']}/_history")
    assert r.status == 200, r
    assert r.body["type"] == "history"
    versions = [e["resource"]["meta"]["versionId"] for e in r.body["entry"] if "resource" in e]
    assert versions == ["2", "1"], versions   # newest first
    methods = [e.get("request", {}).get("method") for e in r.body["entry"]]
    assert methods == ["PUT", "POST"], methods


def test_type_history_bundle(fhir, capability):
    """Type history works where the CapabilityStatement lists history-type, and is 405 where it does not."""
    from conftest import rest_resource
    listed = "history-type" in {i["code"] for i in rest_resource(capability, "Patient").get("interaction", [])}
    p = _created(fhir)
    r = fhir.get("Patient/_history", params={"_count": 50})
    if not listed:
        outcome(r, 405)
        return
    assert r.status == 200, r
    assert r.body["type"] == "history"
    ids = {e["resource"]["id"] for e in r.body.get("entry", []) if "resource" in e}
    assert p["id"] in ids


def test_history_other_site_is_404(clinic):
    outcome(FHIR("coordinator_b").get(f"Patient/{clinic.pid}/_history"), 404)


# ---- search -------------------------------------------------------------------------------------------------------

def test_search_by_id(clinic):
    r = FHIR().search("Patient", {"_id": clinic.pid})
    assert r.ids() == [clinic.pid]


def test_search_identifier_system_and_value(clinic):
    r = FHIR().read("Patient", clinic.pid)
    ident = next(i for i in r.body["identifier"] if i.get("value") == clinic.mrn)
    found = FHIR().search("Patient", {"identifier": f"{ident['system']}|{ident['value']}"})
    assert found.ids() == [clinic.pid]


def test_search_identifier_value_only(clinic):
    assert FHIR().search("Patient", {"identifier": clinic.mrn}).ids() == [clinic.pid]


def test_search_identifier_wrong_system_finds_nothing(clinic):
    assert FHIR().search("Patient", {"identifier": f"urn:other:system|{clinic.mrn}"}).ids() == []


def test_search_name_family(clinic):
    assert FHIR().search("Patient", {"name": clinic.family}).ids() == [clinic.pid]


def test_search_name_is_case_insensitive_prefix(clinic):
    assert FHIR().search("Patient", {"name": clinic.family[:-3].upper()}).ids() == [clinic.pid]


def test_search_name_exact_modifier(clinic):
    assert FHIR().search("Patient", {"name:exact": clinic.family}).ids() == [clinic.pid]
    assert FHIR().search("Patient", {"name:exact": clinic.family[:-1]}).ids() == []


def test_search_family_and_given(clinic):
    assert clinic.pid in FHIR().search("Patient", {"family": clinic.family, "given": "Alain"}).ids()


def test_search_gender(clinic):
    tagged = {"name": f"Fhirtest"}
    males = FHIR().search_all("Patient", {**tagged, "gender": "male", "_count": 200})
    females = FHIR().search_all("Patient", {**tagged, "gender": "female", "_count": 200})
    assert clinic.pid in {p["id"] for p in males}
    assert clinic.patient_f["id"] in {p["id"] for p in females}
    assert clinic.pid not in {p["id"] for p in females}
    assert all(p["gender"] == "female" for p in females)


@pytest.mark.parametrize("value,hit", [
    ("1988-05-04", True), ("eq1988-05-04", True), ("1988", True), ("1988-05", True), ("ne1988-05-04", False),
    ("lt1988-05-04", False), ("le1988-05-04", True), ("gt1988-05-04", False), ("ge1988-05-04", True),
    ("gt1988-05-03", True), ("lt1988-05-05", True), ("lt1980", False), ("ge1989", False),
])
def test_search_birthdate_prefixes(clinic, value, hit):
    r = FHIR().search("Patient", {"name": clinic.family, "birthdate": value})
    assert (clinic.pid in r.ids()) == hit, (value, r.ids())


def test_search_and_of_two_dates(clinic):
    r = FHIR().search("Patient", [("name", clinic.family), ("birthdate", "ge1988-01-01"), ("birthdate", "lt1989-01-01")])
    assert r.ids() == [clinic.pid]


def test_search_or_values(clinic):
    r = FHIR().search("Patient", {"_id": f"{clinic.pid},{clinic.patient_f['id']}"})
    assert sorted(r.ids()) == sorted([clinic.pid, clinic.patient_f["id"]])


def test_search_last_updated(clinic):
    r = FHIR().read("Patient", clinic.pid)
    stamp = r.body["meta"]["lastUpdated"]
    assert clinic.pid in FHIR().search("Patient", {"_id": clinic.pid, "_lastUpdated": f"ge{stamp}"}).ids()
    assert FHIR().search("Patient", {"_id": clinic.pid, "_lastUpdated": "lt2000-01-01"}).ids() == []


def test_search_bad_date_is_400():
    outcome(FHIR().get("Patient", params={"birthdate": "not-a-date"}), 400)


def test_search_bad_prefix_is_400():
    outcome(FHIR().get("Patient", params={"birthdate": "xx1988-05-04"}), 400)


def test_search_post_form(clinic):
    r = FHIR().request("POST", "Patient/_search", data={"_id": clinic.pid},
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 200, r
    assert [e["resource"]["id"] for e in r.body.get("entry", [])] == [clinic.pid]


def test_search_entries_have_full_url_and_mode(clinic):
    r = FHIR().search("Patient", {"_id": clinic.pid})
    entry = r.body["entry"][0]
    assert entry["fullUrl"].endswith(f"/Patient/{clinic.pid}")
    assert entry["fullUrl"].startswith("http")
    assert entry["search"]["mode"] == "match"


def test_search_self_link(clinic):
    r = FHIR().search("Patient", {"_id": clinic.pid})
    assert r.link("self") and "Patient" in r.link("self")


def test_search_count_and_next_pages_without_duplicates():
    fhir = FHIR()
    first = fhir.search("Patient", {"_count": 2})
    assert len(first.entries()) <= 2
    seen = first.ids()
    nxt = first.link("next")
    pages = 0
    while nxt and pages < 5:
        page = fhir.get(nxt)
        assert page.status == 200, page
        assert len(page.ids()) <= 2
        seen += page.ids()
        nxt, pages = page.link("next"), pages + 1
    assert pages >= 1, "3+ patients exist, so _count=2 must give a next link"
    assert len(seen) == len(set(seen)), seen


@pytest.mark.parametrize("params", [{"_summary": "count"}, {"_count": 0}])
def test_search_summary_count_gives_total_only(params):
    r = FHIR().search("Patient", params)
    assert r.body.get("entry") is None, r
    assert r.body.get("total", 0) >= 3, r.body


@pytest.mark.parametrize("params", [{"_summary": "count"}, {"_count": 0}, {"_count": 2}])
def test_search_total_counts_the_matches_in_the_users_sites(params):
    """The total is the number of matches of the criteria (not of a page, not of the store), within the user's
    sites: three patients of one family at site A are 3 for the coordinator of site A and 0 for site B's."""
    family = f"Fhirtotal{tag()}"
    for _ in range(3):
        assert FHIR().post("Patient", minimal_patient(family=family)).status == 201
    r = FHIR("coordinator").search("Patient", dict(params, name=family))
    assert r.body.get("total") == 3, r.body
    assert len(r.entries()) == (0 if params.get("_count", 1) == 0 or "_summary" in params else 2), r.body
    other = FHIR("coordinator_b").search("Patient", dict(params, name=family))
    assert other.body.get("total") == 0, other.body


def test_search_count_over_maximum_is_capped():
    r = FHIR().search("Patient", {"_count": 5000})
    assert len(r.entries()) <= 1000


def test_search_sort_by_last_updated_descending():
    r = FHIR().search("Patient", {"_sort": "-_lastUpdated", "_count": 20})
    stamps = [p["meta"]["lastUpdated"] for p in r.entries()]
    assert stamps == sorted(stamps, reverse=True)


def test_search_unknown_sort_key_is_400():
    outcome(FHIR().get("Patient", params={"_sort": "shoe-size"}), 400)


def test_search_results_are_patients():
    r = FHIR().search("Patient", {"_count": 50})
    assert all(p["resourceType"] == "Patient" for p in r.entries())
    assert r.body.get("total") is None or r.body["total"] >= len(r.entries())


def test_coordinator_search_sees_only_own_site(clinic):
    seen = FHIR("coordinator").search_all("Patient", {"name": "Fhirtest", "_count": 200})
    ids = {p["id"] for p in seen}
    assert clinic.pid in ids and clinic.patient_b["id"] not in ids


def test_patient_round_trip_create(fhir, clinic):
    """The server accepts what it serves: a Patient read back, without id and meta and with a new MRN, is created."""
    body = {k: v for k, v in fhir.read("Patient", clinic.pid).body.items() if k not in ("id", "meta")}
    body["identifier"] = [dict(i, value=f"FTR-{tag()}") if i.get("type") else i for i in body["identifier"]
                          if "participant" not in i.get("system", "")]
    r = fhir.post("Patient", body)
    assert r.status == 201, r
    assert r.body["name"] == body["name"] and r.body["birthDate"] == body["birthDate"]


def test_duplicate_mrn_is_409(fhir):
    p = minimal_patient()
    assert fhir.post("Patient", p).status == 201
    outcome(fhir.post("Patient", p), 409)
