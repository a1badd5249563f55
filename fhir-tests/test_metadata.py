"""CapabilityStatement (GET /fhir/metadata): R4 4.0.1, generated from what the server supports (HAPI's and Blaze's
conformance tests start here)."""
import pytest

from conftest import FHIR, FHIR_JSON, rest_resource

pytestmark = pytest.mark.feature("core")

# What issue #17 requires the server to list: type -> search parameters.
REQUIRED_SEARCH = {
    "Patient": ["identifier", "name", "birthdate", "gender"],
    "Observation": ["patient", "subject", "code", "date", "category", "value-quantity"],
    "ResearchSubject": ["study", "patient", "status"],
    "AdverseEvent": ["subject", "date", "seriousness"],
    "Encounter": ["patient", "date"],
}
TYPES = ["Patient", "ResearchStudy", "ResearchSubject", "Encounter", "Observation", "Procedure", "MedicationRequest",
         "MedicationDispense", "MedicationStatement", "AdverseEvent", "BiologicallyDerivedProduct", "Consent", "Provenance"]
# The types whose handler lands with a piece of the session (feature names as in conftest MISSING).
TYPE_FEATURE = {"Patient": "patient", "ResearchStudy": "patient", "ResearchSubject": "patient", "Consent": "consent",
                "Encounter": "encounter", "Observation": "observation", "Procedure": "care", "MedicationRequest": "care",
                "MedicationDispense": "care", "MedicationStatement": "care", "AdverseEvent": "care",
                "BiologicallyDerivedProduct": "care", "Provenance": "provenance"}


def test_metadata_needs_no_token():
    r = FHIR(token="").get("metadata", auth=False)
    assert r.status == 200, r
    assert r.body["resourceType"] == "CapabilityStatement"


def test_metadata_is_r4_capability_statement(capability):
    assert capability["fhirVersion"] == "4.0.1"
    assert capability["status"] == "active"
    assert capability["kind"] == "instance"
    assert capability.get("date")


def test_metadata_formats_json(capability):
    formats = capability["format"]
    assert any("json" in f for f in formats), formats
    assert not any("xml" in f for f in formats), "XML is answered 406, so it must not be listed"


def test_metadata_rest_server_with_bearer_security(capability):
    assert len(capability["rest"]) == 1
    rest = capability["rest"][0]
    assert rest["mode"] == "server"
    security = rest.get("security", {})
    text = str(security).lower()
    assert "bearer" in text or "oauth" in text or "smart" in text, security


def test_metadata_content_type():
    r = FHIR().get("metadata")
    assert r.content_type.startswith(FHIR_JSON), r.content_type
    assert "fhirversion=4.0" in r.content_type.replace(" ", "").lower() or r.content_type.startswith(FHIR_JSON)


def test_metadata_types_are_unique(capability):
    types = [res["type"] for res in capability["rest"][0].get("resource", [])]
    assert len(types) == len(set(types)), types


@pytest.mark.parametrize("rtype", [pytest.param(t, marks=pytest.mark.feature(TYPE_FEATURE[t])) for t in TYPES])
def test_metadata_lists_type_with_read_and_search(rtype, capability):
    res = rest_resource(capability, rtype)
    assert res is not None, f"{rtype} not in the CapabilityStatement"
    codes = {i["code"] for i in res.get("interaction", [])}
    assert {"read", "search-type"} <= codes, codes


@pytest.mark.parametrize("rtype,param", [(t, p) for t, ps in REQUIRED_SEARCH.items() for p in ps])
def test_metadata_lists_search_parameter(rtype, param, capability):
    res = rest_resource(capability, rtype)
    assert res is not None, f"{rtype} not listed"
    names = {p["name"]: p for p in res.get("searchParam", [])}
    assert param in names, f"{rtype} lacks search parameter {param}: {sorted(names)}"
    assert names[param].get("type") in ("token", "string", "date", "reference", "quantity", "number", "uri", "special",
                                       "composite"), names[param]


def test_metadata_lists_only_types_that_answer(capability):
    """Every listed type answers a search (exactly what works, no more)."""
    fhir = FHIR()
    for res in capability["rest"][0].get("resource", []):
        if "search-type" in {i["code"] for i in res.get("interaction", [])}:
            r = fhir.get(res["type"], params={"_count": 1})
            # A type may refuse a search over every record of the store (too-costly: it needs patient=…).
            if r.status == 400 and r.body and r.body["issue"][0]["code"] == "too-costly":
                continue
            assert r.status == 200, f"{res['type']} is listed but its search answered {r}"


def test_metadata_create_listed_only_where_supported(capability):
    """A type listing `create` must not answer 405 to a create (and one without must: checked for ResearchStudy)."""
    res = rest_resource(capability, "Patient")
    assert res is not None
    assert "create" in {i["code"] for i in res.get("interaction", [])}
    study = rest_resource(capability, "ResearchStudy")
    if study is not None and "create" not in {i["code"] for i in study.get("interaction", [])}:
        r = FHIR().post("ResearchStudy", {"resourceType": "ResearchStudy", "status": "active"})
        assert r.status == 405, r


@pytest.mark.feature("transaction")
def test_metadata_lists_transaction(capability):
    codes = {i["code"] for i in capability["rest"][0].get("interaction", [])}
    assert "transaction" in codes, codes


@pytest.mark.feature("bulk")
def test_metadata_lists_export_operation(capability):
    ops = capability["rest"][0].get("operation", [])
    for res in capability["rest"][0].get("resource", []):
        ops = ops + res.get("operation", [])
    assert any(op["name"] == "export" for op in ops), ops


def test_metadata_lists_history_interactions(capability):
    res = rest_resource(capability, "Patient")
    codes = {i["code"] for i in res.get("interaction", [])}
    assert {"vread", "history-instance"} <= codes, codes


def test_metadata_sort_keys_documented(capability):
    """_sort keys (issue #17: _lastUpdated at least on Observation) are stated somewhere in the resource entry."""
    res = rest_resource(capability, "Observation")
    assert res is not None
    text = str(res)
    assert "_lastUpdated" in text or "_sort" in text, "the Observation entry does not say which _sort keys work"
