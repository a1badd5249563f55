"""The FHIR R4 black-box suite's shared pieces (docs/fhir.md "Tests").

Starts nothing: scripts/ci/fhir.sh serves a database and passes the server and the tokens in the environment:
FHIR_BASE_URL (…/fhir), FHIR_API_URL (…/api/v1, for seeding records the FHIR side does not write), FHIR_TOKEN_<ROLE>
(ADMIN, INVESTIGATOR, COORDINATOR (site A only), COORDINATOR_B (site B only), MONITOR, AUDITOR,
DATAMANAGER_B (site B only)), FHIR_SITE_A,
FHIR_SITE_B, FHIR_PROGRAM (a program run at site A) and FHIR_DATABASE (sqlite or postgres, for the report).

Every response body with a `resourceType` that the helpers here receive is validated against the fhir.resources
R4B model of its type (Bundles: every entry too), so every test checks what the server returns as a side effect.

Features the server does not have yet are listed in MISSING: tests marked `@pytest.mark.feature(name)` for such
a feature become strict xfails (CI stays green while it is missing and goes red once it works, so the mark is
removed then).
"""
import datetime as dt
import json
import os
import threading
import uuid

import pytest
import requests
from fhir.resources.R4B import get_fhir_model_class

BASE = os.environ.get("FHIR_BASE_URL", "http://127.0.0.1:8080/fhir").rstrip("/")
API = os.environ.get("FHIR_API_URL", BASE.rsplit("/fhir", 1)[0] + "/api/v1").rstrip("/")
DATABASE = os.environ.get("FHIR_DATABASE", "unknown")
SITE_A = os.environ.get("FHIR_SITE_A", "demo-site-bh")
SITE_B = os.environ.get("FHIR_SITE_B", "demo-site-ns")
SITE_A_CODE = os.environ.get("FHIR_SITE_A_CODE", "DEMO-BH")
SITE_B_CODE = os.environ.get("FHIR_SITE_B_CODE", "DEMO-NS")
PROGRAM = os.environ.get("FHIR_PROGRAM", "demo-program-isotretinoin-noa")
ROLES = ("admin", "investigator", "coordinator", "coordinator_b", "monitor", "auditor", "datamanager_b")
TOKENS = {role: os.environ.get(f"FHIR_TOKEN_{role.upper()}", "") for role in ROLES}
FHIR_JSON = "application/fhir+json"
TIMEOUT = 60

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"

# feature -> why it is an expected failure now (strict xfail). Per database: MISSING_ON[DATABASE].
NOT_BUILT = "not built yet (issue #17, in progress)"
MISSING = {
}
MISSING_ON = {
    "sqlite": {},
    "postgres": {},
}


def pytest_configure(config):
    config.addinivalue_line("markers", "feature(name): the server feature a test needs (see MISSING in conftest.py)")


def pytest_collection_modifyitems(config, items):
    missing = dict(MISSING, **MISSING_ON.get(DATABASE, {}))
    if os.environ.get("FHIR_IGNORE_MISSING"):   # see every test's real result (developing the server)
        missing = {}
    for item in items:
        names = [name for mark in item.iter_markers("feature") for name in mark.args]
        gaps = [name for name in names if name in missing]
        if gaps:
            item.add_marker(pytest.mark.xfail(reason="; ".join(f"{n}: {missing[n]}" for n in gaps), strict=True))


def pytest_report_header(config):
    return [f"FHIR server: {BASE} (database: {DATABASE})"]


# ---- validation against fhir.resources R4B ---------------------------------------------------------------------

def json_rules(value, path):
    """The R4 JSON format rules the pydantic models let through (http://hl7.org/fhir/R4/json.html): no null, no
    empty object, array or string, and a Quantity's value is a JSON number (a decimal is never a string)."""
    if value is None:
        raise AssertionError(f"{path} is null (FHIR JSON has no nulls: leave the element out)")
    if isinstance(value, (dict, list, str)) and len(value) == 0:
        raise AssertionError(f"{path} is empty (FHIR JSON leaves empty elements out)")
    if isinstance(value, dict):
        if "value" in value and ({"unit", "code", "comparator"} & value.keys()):   # a Quantity (not an Identifier)
            if not isinstance(value["value"], (int, float)) or isinstance(value["value"], bool):
                raise AssertionError(f"{path}.value is {value['value']!r}: a decimal is a JSON number")
        for key, item in value.items():
            if key == "resource" or (key == "outcome" and isinstance(item, dict) and "resourceType" in item):
                continue   # validated as resources of their own
            json_rules(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            json_rules(item, f"{path}[{i}]")


def validate(resource):
    """Validates one resource (a dict) against its R4B model and the JSON rules; Bundle entries one by one too."""
    assert isinstance(resource, dict), f"not a JSON object: {resource!r:.200}"
    rtype = resource.get("resourceType")
    json_rules(resource, rtype or "resource")
    assert rtype, f"no resourceType in {json.dumps(resource)[:300]}"
    try:
        model = get_fhir_model_class(rtype)
    except Exception:
        raise AssertionError(f"resourceType {rtype!r} is not an R4B resource type") from None
    try:
        model.model_validate(resource)
    except Exception as e:
        raise AssertionError(f"{rtype}/{resource.get('id')} does not validate against fhir.resources R4B: {e}\n"
                             f"resource: {json.dumps(resource)[:1500]}") from None
    if rtype == "Bundle":
        for i, entry in enumerate(resource.get("entry") or []):
            if "resource" in entry:
                validate(entry["resource"])
            if "response" in entry and "outcome" in entry["response"]:
                validate(entry["response"]["outcome"])
    return resource


# ---- HTTP ----------------------------------------------------------------------------------------------------

class Response:
    """A response with its body parsed (and validated, when it is a resource)."""

    def __init__(self, r):
        self.raw = r
        self.status = r.status_code
        self.headers = r.headers
        self.text = r.text
        self.body = None
        if r.content:
            try:
                self.body = r.json()
            except ValueError:
                self.body = None
        if isinstance(self.body, dict) and "resourceType" in self.body:
            validate(self.body)

    @property
    def content_type(self):
        return self.headers.get("Content-Type", "")

    def entries(self):
        return [e["resource"] for e in (self.body or {}).get("entry") or [] if "resource" in e]

    def ids(self, rtype=None):
        return [r["id"] for r in self.entries() if rtype is None or r["resourceType"] == rtype]

    def link(self, relation):
        for link in (self.body or {}).get("link") or []:
            if link.get("relation") == relation:
                return link.get("url")
        return None

    def __repr__(self):
        return f"<{self.status} {self.text[:600]}>"


class FHIR:
    """The FHIR server over plain HTTP, as one role (default admin)."""

    def __init__(self, role="admin", token=None):
        self.role = role
        self.token = token if token is not None else TOKENS.get(role, "")
        self.session = requests.Session()

    def as_role(self, role):
        return FHIR(role)

    def headers(self, extra=None, auth=True):
        h = {"Accept": FHIR_JSON}
        if auth and self.token:
            h["Authorization"] = "Bearer " + self.token
        h.update(extra or {})
        return h

    def url(self, path):
        if path.startswith("http"):
            return path
        if not path:
            return BASE
        return BASE + "/" + path.lstrip("/")

    def request(self, method, path, body=None, headers=None, params=None, auth=True, data=None):
        h = self.headers(headers, auth)
        if body is not None:
            data = json.dumps(body)
            h.setdefault("Content-Type", FHIR_JSON)
        r = self.session.request(method, self.url(path), data=data, headers=h, params=params, timeout=TIMEOUT)
        return Response(r)

    def get(self, path, params=None, **kw):
        return self.request("GET", path, params=params, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    def put(self, path, body=None, **kw):
        return self.request("PUT", path, body=body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def search(self, rtype, params=None, **kw):
        r = self.get(rtype, params=params, **kw)
        assert r.status == 200, f"search {rtype} {params}: {r}"
        assert r.body["resourceType"] == "Bundle" and r.body["type"] == "searchset", r
        return r

    def search_all(self, rtype, params=None, limit=5000):
        """Every match, following `next` links; returns the resources of mode match."""
        r = self.search(rtype, params)
        found = []
        while True:
            found += [e["resource"] for e in r.body.get("entry") or []
                      if e.get("search", {}).get("mode", "match") == "match"]
            nxt = r.link("next")
            if not nxt or len(found) >= limit:
                return found
            r = self.get(nxt)
            assert r.status == 200, r

    def read(self, rtype, rid, **kw):
        return self.get(f"{rtype}/{rid}", **kw)


def outcome(r, status=None):
    """Asserts an OperationOutcome error (and its status); returns its issues."""
    if status is not None:
        assert r.status == status, f"expected {status}, got {r}"
    assert isinstance(r.body, dict) and r.body.get("resourceType") == "OperationOutcome", f"no OperationOutcome: {r}"
    issues = r.body.get("issue") or []
    assert issues, r
    for issue in issues:
        assert issue.get("severity") in ("fatal", "error", "warning", "information"), issue
        assert issue.get("code"), issue
    return issues


def expressions(r):
    return [x for issue in r.body.get("issue", []) for x in issue.get("expression", []) + issue.get("location", [])]


# ---- the JSON API, for seeding ------------------------------------------------------------------------------------

def api(method, path, body=None, role="admin", version=None):
    h = {"Authorization": "Bearer " + TOKENS[role], "Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex}
    if version is not None:
        h["If-Match"] = f'"{version}"'
    r = requests.request(method, API + path, data=json.dumps(body) if body is not None else None, headers=h, timeout=TIMEOUT)
    if r.status_code >= 300:
        raise AssertionError(f"seeding {method} {path} gave {r.status_code}: {r.text[:500]}")
    return r.json() if r.content else {}


def tag():
    return uuid.uuid4().hex[:8]


def seed_participant(site=None, sex="male", birth="1988-05-04", family=None, given="Alain", mrn=None):
    return api("POST", "/participants", {
        "siteID": site or SITE_A, "mrn": mrn or f"FT-{tag()}", "givenName": given,
        "familyName": family or f"Fhirtest{tag()}", "sex": sex, "birthDate": birth})


def seed_observation(pid, code, value, unit, effective, enrolment=None):
    body = {"code": {"system": "loinc", "code": code}, "value": {"quantity": {"value": value, "unit": unit}},
            "effective": effective}
    if enrolment:
        body["enrolmentID"] = enrolment
    return api("POST", f"/participants/{pid}/observations", body)


class Clinic:
    """Records made for this run through the JSON API (the same on the demo and on an empty database)."""


@pytest.fixture(scope="session")
def clinic():
    c = Clinic()
    c.tag = tag()
    c.family = f"Fhirtestfamily{c.tag}"
    c.patient = seed_participant(family=c.family, given="Alain", birth="1988-05-04", mrn=f"FT-A-{c.tag}")
    c.pid = c.patient["id"]
    c.mrn = c.patient["mrn"]
    c.patient_f = seed_participant(sex="female", birth="1961-11-23", family=f"Fhirtestfemme{c.tag}", given="Berthe",
                                   mrn=f"FT-F-{c.tag}")
    c.patient_b = seed_participant(site=SITE_B, family=f"Fhirtestother{c.tag}", given="Claude", mrn=f"FT-B-{c.tag}")
    enrolment = api("POST", f"/participants/{c.pid}/enrolments", {"programID": PROGRAM})
    version = enrolment.get("version", 1)
    for status in ("screening", "eligible"):
        moved = api("POST", f"/enrolments/{enrolment['id']}/transitions",
                    {"to": status, "reason": "seeded for the FHIR tests",
                     "deviation": {"category": "eligibility", "reason": "seeded for the FHIR tests"}},
                    role="investigator", version=version)
        version = moved.get("version", version + 1)
    c.enrolment = enrolment["id"]
    c.enrolment_status = "eligible"
    visit = api("POST", f"/enrolments/{c.enrolment}/visits", {"visitKey": "screening"})
    c.visit = api("PUT", f"/visits/{visit['id']}", {"status": "completed", "actualDate": "2026-01-10"},
                  version=visit.get("version", 1))
    c.visit_id = visit["id"]
    # Four quantities on four dates (the date, code and value-quantity searches count on these).
    c.obs = [
        seed_observation(c.pid, "2571-8", 150, "mg/dL", "2026-01-10T09:00:00Z", c.enrolment),   # triglyceride
        seed_observation(c.pid, "1742-6", 30, "U/L", "2026-02-10T09:00:00Z", c.enrolment),      # ALT
        seed_observation(c.pid, "2093-3", 200, "mg/dL", "2026-03-10T09:00:00Z", c.enrolment),   # cholesterol
        seed_observation(c.pid, "2571-8", 250, "mg/dL", "2026-04-10T09:00:00Z", c.enrolment),   # triglyceride
    ]
    c.obs_ids = [o["id"] for o in c.obs]
    c.obs_b = seed_observation(c.patient_b["id"], "2571-8", 120, "mg/dL", "2026-01-12T09:00:00Z")
    c.ae_mild = api("POST", f"/participants/{c.pid}/adverse-events",
                    {"term": "Dry skin", "grade": 1, "onset": "2026-02-01", "enrolmentID": c.enrolment})
    c.ae_serious = api("POST", f"/participants/{c.pid}/adverse-events",
                       {"term": "Depression", "grade": 3, "onset": "2026-03-01", "seriousness": ["hospitalization"],
                        "enrolmentID": c.enrolment})
    return c


@pytest.fixture()
def fhir():
    return FHIR("admin")


@pytest.fixture(scope="session")
def capability():
    r = FHIR("admin").get("metadata")
    assert r.status == 200, r
    return r.body


def rest_resource(capability, rtype):
    for res in capability["rest"][0].get("resource", []):
        if res["type"] == rtype:
            return res
    return None


def now_utc():
    return dt.datetime.now(dt.timezone.utc)


def minimal_patient(family=None, mrn=None, system=None):
    """A Patient the server can create at site A (the site is the MRN system's: urn:restora:site:<code>:mrn)."""
    return {
        "resourceType": "Patient",
        "identifier": [{"system": system or f"urn:restora:site:{SITE_A_CODE}:mrn", "value": mrn or f"FTC-{tag()}"}],
        "name": [{"family": family or f"Fhircreate{tag()}", "given": ["Denis"]}],
        "gender": "male",
        "birthDate": "1979-02-14",
        "managingOrganization": {"identifier": {"system": "urn:restora:site", "value": SITE_A_CODE}},
    }


# A recorded value is changed with a reason (21 CFR 11.10(e), as in the web app and the JSON API); FHIR has no such
# element, so the server takes it from an extension (docs/fhir.md), one URL for every type:
REASON_URL = "https://restora.example/fhir/StructureDefinition/change-reason"


def with_reason(resource, text="corrected in a FHIR conformance test"):
    """The resource with the reason-for-change extension (replacing an earlier one)."""
    extensions = [e for e in resource.get("extension", []) if e.get("url") != REASON_URL]
    resource = dict(resource, extension=extensions + [{"url": REASON_URL, "valueString": text}])
    return resource


class Barrier:
    """Starts n threads at once (for the concurrency tests)."""

    def __init__(self, n):
        self.b = threading.Barrier(n)

    def wait(self):
        self.b.wait(timeout=60)
