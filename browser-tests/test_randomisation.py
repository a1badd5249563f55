"""Randomisation in the web app (issue #16 item 1, docs/randomisation.md "In the system"), in Chromium: a coordinator
opens a consented participant of the randomised trial, sees the Randomise form on the participant page, submits
it, and sees the allocated arm (and no form any more); the monitor sees the allocation but no form; the
investigator opens the randomisation report (balance by arm, stratum and factor), which the page links to.

Run by scripts/ci/browser.sh like test_clinic.py; needs RESTORA_PROGRAM_RCT (the isotretinoin-rct program, open label).
The test issues no consent document (test_trial_journey.py issues v1 of this program); when one is already issued,
the participant's consent is recorded through the API first, so the consent gate admits the move.
"""

import datetime as dt
import os
import re
import uuid

from test_accessibility import run_axe

from test_clinic import (  # noqa: F401  (driver and browser are pytest fixtures)
    COORDINATOR, INVESTIGATOR, MONITOR, api, browser, driver, person, seed_enrolment, seed_participant,
)

PROGRAM_RCT = os.environ.get("RESTORA_PROGRAM_RCT", "")


def consented_enrolment(p):
    """A participant of the trial, eligible (seeded) and consented — with a recorded consent when the program has a
    consent document issued."""
    pid = seed_participant(p)
    eid = seed_enrolment(pid, until="eligible", program=PROGRAM_RCT)
    documents = api("GET", f"/programs/{PROGRAM_RCT}/consent-documents")
    if documents:
        signed = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        api("POST", f"/enrolments/{eid}/consents", {"signerName": f"{p['given']} {p['family']}", "signedAt": signed,
                                                    "method": "in-person"}, key=uuid.uuid4().hex)
    version = next(e for e in api("GET", f"/participants/{pid}/enrolments") if e["id"] == eid)["version"]
    api("POST", f"/enrolments/{eid}/transitions", {"to": "consented", "reason": "consent signed (browser test)"},
        key=uuid.uuid4().hex, version=version)
    return pid, eid


def test_coordinator_randomises_from_the_participant_page(browser):
    assert PROGRAM_RCT, "browser.sh must set RESTORA_PROGRAM_RCT"
    b = browser
    pid, eid = consented_enrolment(person(95))

    b.sign_in(COORDINATOR)
    b.participant_page(pid)
    form = b.form(f"form#randomise-{eid}")
    run_axe(b, "participant page with the Randomise form")
    b.submit(form, f"button#randomise-{eid}-submit")
    assert not b.all(".form-errors"), f"randomising was refused: {b.text('.form-errors')!r}"
    b.participant_page(pid)
    allocation = b.text(f"#randomisation-{eid}")
    arm = b.text(f"#randomisation-{eid} dd.allocated-arm")
    assert arm in ("isotretinoin", "observation"), f"no arm shown: {allocation[:300]!r}"
    assert re.search(r"Randomisation number\s*\d+ in stratum site=", allocation), allocation[:300]
    assert not b.all(f"form#randomise-{eid}"), "the Randomise form is still offered after the allocation"
    b.shot("randomisation-01-allocated")
    b.sign_out()

    b.sign_in(MONITOR)
    b.participant_page(pid)
    assert b.text(f"#randomisation-{eid} dd.allocated-arm") == arm, "the monitor sees another arm"
    assert not b.all(f"form#randomise-{eid}"), "a monitor is offered the Randomise form"
    b.sign_out()

    b.sign_in(INVESTIGATOR)
    b.participant_page(pid)
    b.follow(b.one(f"#randomisation-{eid} a.randomisation-report-link"))
    assert b.path == f"/programs/{PROGRAM_RCT}/randomisation", b.path
    assert b.all("table#balance-strata tbody tr"), f"no strata in the report: {b.text('main')[:300]!r}"
    run_axe(b, "randomisation report")
    b.shot("randomisation-02-report")
