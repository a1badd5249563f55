"""ResearchStudy (a program) and ResearchSubject (an enrolment): read, search study/patient/status, the
ResearchSubject:study _include and _revinclude, blinding, site scoping."""
import pytest

from conftest import FHIR, PROGRAM, outcome

pytestmark = pytest.mark.feature("patient")

R4_SUBJECT_STATUSES = {"candidate", "eligible", "follow-up", "ineligible", "not-registered", "off-study", "on-study",
                       "on-study-intervention", "on-study-observation", "pending-on-study", "potential-candidate",
                       "screening", "withdrawn"}


def test_read_research_study():
    r = FHIR().read("ResearchStudy", PROGRAM)
    assert r.status == 200, r
    assert r.body["id"] == PROGRAM
    assert r.body["status"] in ("active", "administratively-completed", "approved", "closed-to-accrual",
                                "closed-to-accrual-and-intervention", "completed", "disapproved", "in-review",
                                "temporarily-closed-to-accrual", "temporarily-closed-to-accrual-and-intervention",
                                "withdrawn")


def test_research_study_carries_protocol_version():
    s = FHIR().read("ResearchStudy", PROGRAM).body
    text = str(s.get("identifier", [])) + str(s.get("extension", [])) + str(s.get("protocol", []))
    assert "isotretinoin-noa" in text and "1.0" in text, s


def test_research_study_arms():
    s = FHIR().read("ResearchStudy", PROGRAM).body
    assert all(arm.get("name") for arm in s.get("arm", [])), s.get("arm")


def test_search_research_studies():
    r = FHIR().search("ResearchStudy", {"_count": 50})
    assert PROGRAM in r.ids()


def test_research_study_search_by_id():
    assert FHIR().search("ResearchStudy", {"_id": PROGRAM}).ids() == [PROGRAM]


def test_read_research_subject(clinic):
    r = FHIR().read("ResearchSubject", clinic.enrolment)
    assert r.status == 200, r
    s = r.body
    assert s["status"] in R4_SUBJECT_STATUSES
    assert s["status"] == "eligible"
    assert s["study"]["reference"] == f"ResearchStudy/{PROGRAM}"
    assert s["individual"]["reference"] == f"Patient/{clinic.pid}"


def test_search_subject_by_patient(clinic):
    assert FHIR().search("ResearchSubject", {"patient": clinic.pid}).ids() == [clinic.enrolment]
    assert FHIR().search("ResearchSubject", {"patient": f"Patient/{clinic.pid}"}).ids() == [clinic.enrolment]


def test_search_subject_by_study(clinic):
    found = FHIR().search_all("ResearchSubject", {"study": PROGRAM, "_count": 500})
    assert clinic.enrolment in {s["id"] for s in found}
    assert all(s["study"]["reference"] == f"ResearchStudy/{PROGRAM}" for s in found)


def test_search_subject_by_status(clinic):
    found = FHIR().search("ResearchSubject", {"patient": clinic.pid, "status": "eligible"})
    assert found.ids() == [clinic.enrolment]
    assert FHIR().search("ResearchSubject", {"patient": clinic.pid, "status": "withdrawn"}).ids() == []


def test_search_subject_by_status_all_match():
    found = FHIR().search("ResearchSubject", {"status": "eligible", "_count": 100})
    assert all(s["status"] == "eligible" for s in found.entries())


def test_include_research_study(clinic):
    r = FHIR().search("ResearchSubject", {"patient": clinic.pid, "_include": "ResearchSubject:study"})
    assert r.ids("ResearchSubject") == [clinic.enrolment]
    assert r.ids("ResearchStudy") == [PROGRAM]
    modes = {e["resource"]["resourceType"]: e["search"]["mode"] for e in r.body["entry"]}
    assert modes == {"ResearchSubject": "match", "ResearchStudy": "include"}


def test_revinclude_research_subjects(clinic):
    r = FHIR().search("ResearchStudy", {"_id": PROGRAM, "_revinclude": "ResearchSubject:study", "_count": 1000})
    assert r.ids("ResearchStudy") == [PROGRAM]
    assert clinic.enrolment in r.ids("ResearchSubject") or r.link("next")


def test_research_subject_other_site_is_404(clinic):
    outcome(FHIR("coordinator_b").read("ResearchSubject", clinic.enrolment), 404)


def test_research_subject_bad_status_value_is_400_or_empty(clinic):
    r = FHIR().get("ResearchSubject", params={"status": "dancing"})
    assert r.status in (200, 400), r
    if r.status == 200:
        assert r.body.get("entry", []) == []


# ---- the randomised trial: FHIR discloses the arm exactly as the JSON API does ------------------------------------

RCT = "demo-program-isotretinoin-rct"


@pytest.mark.parametrize("role", ["coordinator", "investigator", "monitor", "auditor"])
def test_arm_disclosed_as_the_json_api_does(role):
    """Blinding: a role sees the arm through FHIR exactly when the JSON API shows it that role (else a kit code)."""
    from conftest import api
    subjects = FHIR(role).search("ResearchSubject", {"study": RCT, "_count": 6}).entries()
    if not subjects:
        pytest.skip("no randomised trial in this database (the demo runs isotretinoin-rct)")
    for s in subjects:
        pid = s["individual"]["reference"].split("/", 1)[1]
        enrolment = next(e for e in api("GET", f"/participants/{pid}/enrolments", role=role) if e["id"] == s["id"])
        fhir_arm = s.get("actualArm") or s.get("assignedArm")
        if enrolment.get("armID"):
            assert fhir_arm == enrolment["armID"], (s, enrolment.get("armID"))
        else:
            assert fhir_arm is None, f"{role} sees arm {fhir_arm} through FHIR but not through the JSON API"


def test_on_treatment_maps_to_an_r4_on_study_code():
    subjects = FHIR().search("ResearchSubject", {"study": RCT, "_count": 20}).entries()
    if not subjects:
        pytest.skip("no randomised trial in this database")
    assert all(s["status"] in R4_SUBJECT_STATUSES for s in subjects)


# ---- Consent -----------------------------------------------------------------------------------------------------

@pytest.mark.feature("consent")
def test_consents_of_demo_patients_validate_and_point_to_their_patient():
    from conftest import api
    subjects = FHIR().search("ResearchSubject", {"study": RCT, "_count": 10}).entries()
    if not subjects:
        pytest.skip("no consent records in this database (the demo's randomised trial has them)")
    found = 0
    for s in subjects:
        pid = s["individual"]["reference"].split("/", 1)[1]
        for c in FHIR().search("Consent", {"patient": f"Patient/{pid}"}).entries():
            found += 1
            assert c["patient"]["reference"] == f"Patient/{pid}"
            assert c["status"] in ("draft", "proposed", "active", "rejected", "inactive", "entered-in-error")
            assert c["scope"]["coding"][0]["code"] == "research"
            again = FHIR().read("Consent", c["id"])
            assert again.status == 200 and again.body["id"] == c["id"]
    assert found, "the randomised trial's participants consented: their Consents must be found"


@pytest.mark.feature("consent")
def test_consent_other_site_is_hidden():
    subjects = FHIR("coordinator_b").search("ResearchSubject", {"study": RCT, "_count": 1}).entries()
    admin_subjects = FHIR().search("ResearchSubject", {"study": RCT, "_count": 50}).entries()
    if not admin_subjects:
        pytest.skip("no randomised trial in this database")
    visible_b = {s["id"] for s in FHIR("coordinator_b").search_all("ResearchSubject", {"study": RCT, "_count": 200})}
    hidden = [s for s in admin_subjects if s["id"] not in visible_b]
    assert hidden or subjects
    for s in hidden[:3]:
        pid = s["individual"]["reference"].split("/", 1)[1]
        r = FHIR("coordinator_b").get("Consent", params={"patient": f"Patient/{pid}"})
        assert r.status in (200, 404), r
        if r.status == 200:
            assert r.entries() == []
