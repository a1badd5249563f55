"""The randomised trial, run in the web app (issue #16 "Tests": the browser journey).

consent document v1 issued → consent recorded → consented → randomised (the arm shown) → a visit attended →
a monitor's query raised, answered and closed, and source data verification reset by a change → the visit and
the casebook signed → the casebook locked → an edit refused → an admin unlocks with a reason (the signatures are
voided) → the investigator signs again.

The participant and the move to `eligible` are seeded through the API (they are what other journeys test: the
screening path is test_journeys.py's); everything the issue names is done by people in Chromium. Run by
scripts/ci/browser.sh (RESTORA_PROGRAM_RCT: the isotretinoin-rct program; RESTORA_ADMIN: an admin).
"""

import datetime as dt
import os
import re
import tempfile

from test_clinic import (  # noqa: F401  (driver and browser are pytest fixtures)
    BASE, COORDINATOR, INVESTIGATOR, MONITOR, browser, driver, person, seed_enrolment, seed_participant,
    seed_triglyceride,
)
from test_journeys import attend_visits, move, no_errors

PROGRAM_RCT = os.environ.get("RESTORA_PROGRAM_RCT", "")
ADMIN = (os.environ.get("RESTORA_ADMIN", ""), os.environ.get("RESTORA_ADMIN_PASSWORD", ""))
TODAY = dt.datetime.now(dt.timezone.utc).date()
PROGRAM_NAME = "andomised isotretinoin"   # part of the program's name as browser.sh adds it


def day(offset):
    return (TODAY + dt.timedelta(days=offset)).isoformat()


def issue_consent_document(b, title):
    """The investigator issues the program's next consent document version (a plain-text file)."""
    b.open(f"/programs/{PROGRAM_RCT}/consent")
    form = b.form("form#consent-upload-form")
    b.fill(form, "title", title)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
        f.write("Information sheet and consent form, isotretinoin vs observation, version 1.\n")
        path = f.name
    b.field(form, "file").send_keys(path)
    b.submit(form, "button[type=submit]")
    no_errors(b, "issuing consent document v1")
    assert b.has("tr#consent-document-v1"), f"v1 is not listed: {b.text('main')[:400]!r}"


def sign(b, link_row_id, meaning, user, first):
    """Follows the participant page's sign link of `link_row_id` and signs with `meaning`."""
    b.follow(b.one(f"tr#{link_row_id} a.sign-link"))
    form = b.form("form#sign-form")
    assert b.has("p#first-signing") == first, \
        f"the first signing of a session must ask for the user name, later ones only the password (first={first})"
    b.fill(form, "meaning", meaning)
    if first:
        b.fill(form, "username", user[0])
    b.fill(form, "password", user[1])
    b.submit(form, "button#sign")
    no_errors(b, f"signing {link_row_id}")


def signatures_of(b, pid, row_id):
    b.participant_page(pid)
    return b.text(f"tr#{row_id}")


def test_randomised_trial_from_consent_to_locked_casebook(browser):
    assert PROGRAM_RCT and ADMIN[0], "browser.sh must set RESTORA_PROGRAM_RCT and RESTORA_ADMIN"
    b = browser
    p = person(90)
    pid = seed_participant(p)
    eid = seed_enrolment(pid, until="eligible", program=PROGRAM_RCT)

    # Consent: the investigator issues v1 of the consent document; the participant's consent on it is recorded;
    # only then does the move to consented go through (the consent gate).
    b.sign_in(INVESTIGATOR)
    issue_consent_document(b, "Consent, version 1")
    b.participant_page(pid)
    form = b.form(f"form#consent-form-{eid}")
    b.fill(form, "signerName", p["given"] + " " + p["family"])
    b.fill(form, "signedAt", (dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    b.fill(form, "method", "in-person")
    b.submit(form, f"button#record-consent-{eid}")
    no_errors(b, "recording the consent")
    b.participant_page(pid)
    assert b.all("tr.consent-record"), f"the consent is not shown: {b.text('#consent')[:300]!r}"
    move(b, pid, PROGRAM_NAME, "consented", day(0), "consent v1 signed")

    # Randomisation enrols and allocates the arm in one step; the arm is shown and final.
    b.participant_page(pid)
    form = b.form(f"form#randomise-{eid}")
    b.submit(form, f"button#randomise-{eid}-submit")
    no_errors(b, "randomising")
    b.participant_page(pid)
    allocation = b.text(f"#randomisation-{eid}")
    assert re.search(r"isotretinoin|observation", allocation, re.I), f"no arm shown after randomising: {allocation[:300]!r}"
    assert not b.all(f"form#randomise-{eid}"), "the Randomise form is still offered after the allocation"
    b.shot("trial-01-randomised")

    # A visit attended, and a triglyceride result of the enrolment (seeded: what is recorded is not the point).
    attend_visits(b, pid, PROGRAM_NAME, [("baseline", day(0))])
    obs = seed_triglyceride(pid, 150, enrolment_id=eid)
    b.sign_out()

    # The monitor verifies the result against the source and raises a query on its value.
    b.sign_in(MONITOR)
    b.participant_page(pid)
    row = b.one(f"tr.sdv-row[data-record='observations/{obs}']")
    b.submit(row, "button.verify-record")
    no_errors(b, "verifying the triglyceride result")
    b.participant_page(pid)
    assert "sdv-verified" in b.one(f"tr.sdv-row[data-record='observations/{obs}']").get_attribute("class")
    form = b.form("form#raise-query")
    b.fill(form, "record", f"observations/{obs}")
    b.fill(form, "field", "value")
    b.fill(form, "question", "The lab report reads 105 mg/dL: please check the value.")
    b.submit(form, "button#raise-query-button")
    no_errors(b, "raising the query")
    b.sign_out()

    # The site answers there and corrects the value (with its reason).
    b.sign_in(COORDINATOR)
    b.participant_page(pid)
    form = b.form("form.answer-form")
    answer_field = form.find_element("css selector", "input.answer-text")
    answer_field.send_keys("Transcription error, corrected to 105 mg/dL.")
    b.submit(form, "button.answer-button")
    no_errors(b, "answering the query")
    b.participant_page(pid)
    edit = [a for a in b.all("a.edit-link") if obs in (a.get_attribute("href") or "")]
    assert edit, "no edit link for the queried result"
    b.follow(edit[0])
    form = b.form("form#edit-form")
    b.fill(form, "value", "105")
    b.fill(form, "reason", "Query answered: transcription error")
    b.submit(form)
    no_errors(b, "correcting the value")
    b.sign_out()

    # The monitor sees the verification reset by the change, and closes the query.
    b.sign_in(MONITOR)
    b.participant_page(pid)
    row = b.one(f"tr.sdv-row[data-record='observations/{obs}']")
    assert "sdv-changed" in row.get_attribute("class") or "changed since verified" in row.text.lower(), \
        f"the change did not reset verification: {row.text!r}"
    form = b.form("form.close-form")
    b.submit(form, "button.close-button")
    no_errors(b, "closing the query")
    b.shot("trial-02-query-closed-sdv-reset")
    b.sign_out()

    # The investigator signs the visit, then the casebook (user name and password first, then the password only),
    # and locks the casebook.
    b.sign_in(INVESTIGATOR)
    b.participant_page(pid)
    visit_rows = [r for r in b.all("tr.signable") if r.get_attribute("id").startswith("signable-visits-")]
    assert visit_rows, "no visit to sign"
    visit_row = visit_rows[0].get_attribute("id")
    sign(b, visit_row, "review", INVESTIGATOR, first=True)
    b.participant_page(pid)
    sign(b, f"signable-enrolments-{eid}", "approval", INVESTIGATOR, first=False)
    assert "valid" in signatures_of(b, pid, f"signable-enrolments-{eid}")
    b.submit(b.one(f"#casebook-lock-{eid} form.lock-form"), f"button#lock-casebook-{eid}")
    no_errors(b, "locking the casebook")
    b.participant_page(pid)
    assert "Locked" in b.text(f"#casebook-lock-{eid}"), f"the casebook does not show locked: {b.text(f'#casebook-lock-{eid}')!r}"
    b.shot("trial-03-locked")

    # An edit of the locked casebook's data is refused with the lock named, and nothing changes.
    edit = [a for a in b.all("a.edit-link") if obs in (a.get_attribute("href") or "")]
    assert edit, "no edit link for the result"
    b.follow(edit[0])
    form = b.form("form#edit-form")
    b.fill(form, "value", "110")
    b.fill(form, "reason", "trying to change locked data")
    b.submit(form)
    assert "lock" in b.text("main").lower(), f"the edit of locked data was not refused with the lock named: {b.text('main')[:400]!r}"
    b.participant_page(pid)
    assert "105" in b.text("#observations") and "110" not in b.text("#observations")
    b.sign_out()

    # An admin unlocks with a reason: the casebook's signatures are voided.
    b.sign_in(ADMIN)
    b.participant_page(pid)
    form = b.one(f"#casebook-lock-{eid} form.unlock-form")
    b.fill(form, "reason", "late lab correction from the source")
    b.submit(form, "button.unlock-button")
    no_errors(b, "unlocking the casebook")
    b.participant_page(pid)
    assert "Not locked" in b.text(f"#casebook-lock-{eid}")
    assert "voided" in signatures_of(b, pid, f"signable-enrolments-{eid}").lower()
    b.sign_out()

    # The investigator signs the casebook again (a new session: user name and password again).
    b.sign_in(INVESTIGATOR)
    b.participant_page(pid)
    sign(b, f"signable-enrolments-{eid}", "approval", INVESTIGATOR, first=True)
    text = signatures_of(b, pid, f"signable-enrolments-{eid}")
    assert "valid" in text and "voided" in text.lower(), f"expected a voided and a valid signature: {text!r}"
    b.shot("trial-04-re-signed")
