"""The HTTP layer: content types, authentication, site scoping, roles, and errors as OperationOutcome."""
import pytest
import requests

from conftest import BASE, FHIR, FHIR_JSON, TOKENS, minimal_patient, outcome, with_reason

pytestmark = pytest.mark.feature("core")


# ---- content types ---------------------------------------------------------------------------------------------

@pytest.mark.feature("patient")
def test_read_content_type_is_fhir_json(clinic):
    r = FHIR().read("Patient", clinic.pid)
    assert r.status == 200, r
    assert r.content_type.startswith(FHIR_JSON), r.content_type


@pytest.mark.feature("patient")
def test_accept_application_json(clinic):
    r = FHIR().read("Patient", clinic.pid, headers={"Accept": "application/json"})
    assert r.status == 200, r
    assert r.body["resourceType"] == "Patient"
    assert "json" in r.content_type


@pytest.mark.feature("patient")
def test_format_json_parameter(clinic):
    r = FHIR().get(f"Patient/{clinic.pid}", params={"_format": "json"}, headers={"Accept": "*/*"})
    assert r.status == 200, r
    assert r.body["resourceType"] == "Patient"


@pytest.mark.feature("patient")
def test_accept_any(clinic):
    r = FHIR().read("Patient", clinic.pid, headers={"Accept": "*/*"})
    assert r.status == 200, r
    assert "json" in r.content_type


def test_accept_xml_is_406():
    r = FHIR().get("metadata", headers={"Accept": "application/fhir+xml"})
    assert r.status == 406, r


def test_format_xml_is_406():
    r = FHIR().get("metadata", params={"_format": "xml"}, headers={"Accept": "*/*"})
    assert r.status == 406, r


@pytest.mark.feature("patient")
def test_create_with_application_json_body(fhir):
    r = fhir.post("Patient", minimal_patient(), headers={"Content-Type": "application/json"})
    assert r.status == 201, r


@pytest.mark.feature("patient")
def test_create_with_xml_body_is_refused(fhir):
    r = fhir.request("POST", "Patient", data="<Patient xmlns='http://hl7.org/fhir'/>",
                     headers={"Content-Type": "application/fhir+xml"})
    assert r.status in (400, 415), r


@pytest.mark.feature("patient")
def test_malformed_json_is_400_operation_outcome(fhir):
    r = fhir.request("POST", "Patient", data='{"resourceType": "Patient", "name": [', headers={"Content-Type": FHIR_JSON})
    outcome(r, 400)


# ---- authentication ---------------------------------------------------------------------------------------------

@pytest.mark.feature("patient")
def test_read_without_token_is_401(clinic):
    r = FHIR(token="").get(f"Patient/{clinic.pid}", auth=False)
    assert r.status == 401, r


def test_search_without_token_is_401():
    r = FHIR(token="").get("Patient", auth=False)
    assert r.status == 401, r


def test_bad_token_is_401():
    r = FHIR(token="not-a-real-token-" + "x" * 20).get("Patient")
    assert r.status == 401, r


def test_create_without_token_is_401():
    r = FHIR(token="").post("Patient", minimal_patient(), auth=False)
    assert r.status == 401, r


def test_401_names_bearer():
    raw = requests.get(BASE + "/Patient", headers={"Accept": FHIR_JSON}, timeout=30)
    assert raw.status_code == 401
    assert "bearer" in raw.headers.get("WWW-Authenticate", "").lower(), raw.headers


# ---- site scoping and roles ---------------------------------------------------------------------------------------

@pytest.mark.feature("patient")
def test_other_site_patient_is_404(clinic):
    r = FHIR("coordinator_b").read("Patient", clinic.pid)
    outcome(r, 404)


@pytest.mark.feature("patient")
def test_own_site_patient_is_200(clinic):
    assert FHIR("coordinator").read("Patient", clinic.pid).status == 200
    assert FHIR("coordinator_b").read("Patient", clinic.patient_b["id"]).status == 200


@pytest.mark.feature("patient")
def test_other_site_patient_absent_from_search(clinic):
    r = FHIR("coordinator_b").search("Patient", {"family": clinic.family})
    assert r.entries() == [], r


@pytest.mark.feature("observation")
def test_other_site_observation_is_404(clinic):
    r = FHIR("coordinator_b").read("Observation", clinic.obs_ids[0])
    outcome(r, 404)


@pytest.mark.feature("observation")
def test_other_site_observations_absent_from_search(clinic):
    r = FHIR("coordinator_b").search("Observation", {"patient": f"Patient/{clinic.pid}"})
    assert r.entries() == [], r


@pytest.mark.feature("patient")
def test_monitor_cannot_create_403():
    r = FHIR("monitor").post("Patient", minimal_patient())
    outcome(r, 403)


@pytest.mark.feature("patient")
def test_auditor_cannot_update_403(clinic):
    current = FHIR().read("Patient", clinic.patient_f["id"])
    assert current.status == 200, current
    body = current.body
    r = FHIR("auditor").put(f"Patient/{body['id']}", with_reason(body), headers={"If-Match": current.headers.get("ETag", "")})
    outcome(r, 403)


@pytest.mark.feature("patient")
def test_monitor_can_read(clinic):
    assert FHIR("monitor").read("Patient", clinic.pid).status == 200


# ---- errors ---------------------------------------------------------------------------------------------------------

def test_unknown_resource_type_is_404_outcome():
    outcome(FHIR().get("Spaceship/1"), 404)


def test_unknown_resource_type_search_is_404_outcome():
    outcome(FHIR().get("Spaceship"), 404)


@pytest.mark.feature("patient")
def test_unknown_id_is_404_outcome():
    outcome(FHIR().read("Patient", "no-such-patient-0000"), 404)


@pytest.mark.feature("patient")
def test_invalid_id_is_400_or_404():
    r = FHIR().get("Patient/" + "x" * 80)
    assert r.status in (400, 404), r
    outcome(r)


@pytest.mark.feature("patient")
def test_unsupported_delete_is_405(clinic):
    r = FHIR().delete(f"Patient/{clinic.patient_f['id']}")
    outcome(r, 405)


@pytest.mark.feature("patient")
def test_unknown_search_parameter_is_400_strict():
    r = FHIR().get("Patient", params={"shoe-size": "42"}, headers={"Prefer": "handling=strict"})
    outcome(r, 400)


@pytest.mark.feature("patient")
def test_unknown_search_parameter_lenient_is_ignored():
    r = FHIR().get("Patient", params={"shoe-size": "42", "_count": 1}, headers={"Prefer": "handling=lenient"})
    assert r.status == 200, r
    assert r.body["type"] == "searchset"


@pytest.mark.feature("patient")
def test_wrong_resource_type_in_body_is_400(fhir):
    body = minimal_patient()
    body["resourceType"] = "Observation"
    r = fhir.post("Patient", body)
    assert r.status in (400, 422), r
    outcome(r)


@pytest.mark.feature("patient")
def test_unknown_element_is_refused_or_dropped(fhir):
    """R4 lets a server reject or ignore an element it does not know; it must never keep or echo it."""
    body = minimal_patient()
    body["favouriteColour"] = "blue"
    r = fhir.post("Patient", body)
    assert r.status in (201, 400, 422), r
    if r.status == 201:
        assert "favouriteColour" not in r.body
        assert "favouriteColour" not in FHIR().read("Patient", r.body["id"]).text
    else:
        outcome(r)


@pytest.mark.feature("patient")
def test_bad_birthdate_is_refused_with_expression(fhir):
    body = minimal_patient()
    body["birthDate"] = "1979-13-45"
    r = fhir.post("Patient", body, headers={})
    # A malformed date cannot even be an R4 resource: the client must not be able to send it through a model,
    # so the server must say where it is.
    assert r.status in (400, 422), r
    exprs = " ".join(x for issue in r.body["issue"] for x in issue.get("expression", []))
    assert "birthDate" in exprs, r.body


def test_operation_outcome_shape_has_diagnostics():
    r = FHIR().get("Spaceship/1")
    issues = outcome(r, 404)
    assert issues[0]["severity"] in ("error", "fatal")
    assert issues[0]["code"] in ("not-found", "not-supported", "processing")
    assert r.content_type.startswith(FHIR_JSON) or "json" in r.content_type


@pytest.mark.feature("patient")
def test_if_none_match_current_version_is_304(clinic):
    first = FHIR().read("Patient", clinic.pid)
    r = FHIR().read("Patient", clinic.pid, headers={"If-None-Match": first.headers["ETag"]})
    assert r.status == 304, r
    assert not r.text


@pytest.mark.feature("patient")
def test_bad_count_is_400():
    outcome(FHIR().get("Patient", params={"_count": "many"}), 400)


@pytest.mark.feature("patient")
def test_lenient_search_names_the_ignored_parameter():
    r = FHIR().get("Patient", params={"shoe-size": "42", "_count": 1}, headers={"Prefer": "handling=lenient"})
    assert r.status == 200, r
    outcomes = [e["resource"] for e in r.body.get("entry", []) if e.get("search", {}).get("mode") == "outcome"]
    assert outcomes and "shoe-size" in str(outcomes[0]), r.body.get("entry", [])[-1:]
    assert "shoe-size" not in (r.link("self") or "")


@pytest.mark.feature("patient")
def test_patch_is_405(clinic):
    """PATCH is not supported (docs/fhir.md): 405 (a JSON Patch body may be refused for its type first: 415)."""
    r = FHIR().request("PATCH", f"Patient/{clinic.pid}", data="{}", headers={"Content-Type": FHIR_JSON})
    outcome(r, 405)
    r = FHIR().request("PATCH", f"Patient/{clinic.pid}", data="[]", headers={"Content-Type": "application/json-patch+json"})
    assert r.status in (405, 415), r


def test_request_id_header_matches_outcome_id():
    r = FHIR().get("Spaceship/1")
    outcome(r, 404)
    assert r.headers.get("X-Request-ID") and r.body.get("id") == r.headers["X-Request-ID"], (r.headers, r.body)


@pytest.mark.feature("patient")
def test_session_cookie_reads_too(clinic):
    """The web session cookie signs in too (docs/fhir.md): the API token doubles as the session cookie."""
    from conftest import TOKENS
    raw = requests.get(f"{BASE}/Patient/{clinic.pid}", headers={"Accept": FHIR_JSON},
                       cookies={"restora_session": TOKENS["admin"]}, timeout=30)
    assert raw.status_code == 200, raw.text[:300]
