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
