"""The runner's setup (scripts/ci/fhir.sh): what every other test relies on, outside any server feature."""
import requests

from conftest import API, PROGRAM, SITE_A, SITE_B, TOKENS, api


def test_tokens_are_configured():
    """The runner gave a token for every role the suite acts as."""
    assert all(TOKENS.values()), [k for k, v in TOKENS.items() if not v]


def test_sites_and_program_are_configured():
    assert SITE_A and SITE_B and SITE_A != SITE_B and PROGRAM


def test_json_api_answers_with_the_admin_token():
    """Seeding goes through the JSON API (/api/v1): it must answer before any FHIR test can mean anything."""
    r = requests.get(API + "/participants?limit=1", headers={"Authorization": "Bearer " + TOKENS["admin"]}, timeout=30)
    assert r.status_code == 200, r.text[:300]


def test_clinic_fixture_seeds(clinic):
    assert clinic.pid and clinic.enrolment and len(clinic.obs_ids) == 4
    assert api("GET", f"/participants/{clinic.pid}")["siteID"] == SITE_A
