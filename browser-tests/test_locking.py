"""Record locking (issue #16 item 4, docs/locking.md), through the web app only:

the investigator signs a casebook (the signing page) and locks it from the participant page → the coordinator's
correction of a value of that casebook is refused with the lock named (423 "This record is locked"), nothing
changes → the admin unlocks with a reason (refused without one), the casebook signature is voided → the same
correction goes through.

The participant, the enrolment (to screening) and the value are seeded through the API (what is recorded is not the
point here). Run by scripts/ci/browser.sh (RESTORA_ADMIN: an admin).
"""

import os

from test_clinic import (  # noqa: F401  (driver and browser are pytest fixtures)
    COORDINATOR, INVESTIGATOR, browser, driver, person, seed_enrolment, seed_participant, seed_triglyceride,
)
from test_journeys import no_errors

ADMIN = (os.environ.get("RESTORA_ADMIN", ""), os.environ.get("RESTORA_ADMIN_PASSWORD", ""))


def correct_value(b, pid, obs, value, reason):
    b.participant_page(pid)
    links = [a for a in b.all("a.edit-link") if obs in (a.get_attribute("href") or "")]
    assert links, "no edit link for the seeded value"
    b.follow(links[0])
    form = b.form("form#edit-form")
    b.fill(form, "value", value)
    b.fill(form, "reason", reason)
    b.submit(form)


def test_signed_casebook_locked_edit_refused_admin_unlocks_with_reason(browser):
    assert ADMIN[0], "browser.sh must set RESTORA_ADMIN"
    b = browser
    pid = seed_participant(person(95))
    eid = seed_enrolment(pid, until="screening")
    obs = seed_triglyceride(pid, 150, enrolment_id=eid)

    # The investigator signs the casebook (user name and password: the first signing of the session), then locks it.
    b.sign_in(INVESTIGATOR)
    b.participant_page(pid)
    b.follow(b.one(f"tr#signable-enrolments-{eid} a.sign-link"))
    form = b.form("form#sign-form")
    b.fill(form, "meaning", "approval")
    if b.has("p#first-signing"):
        b.fill(form, "username", INVESTIGATOR[0])
    b.fill(form, "password", INVESTIGATOR[1])
    b.submit(form, "button#sign")
    no_errors(b, "signing the casebook")
    b.participant_page(pid)
    assert not b.all(f"#casebook-lock-{eid} form.unlock-form"), "an investigator is offered to unlock"
    b.submit(b.one(f"#casebook-lock-{eid} form.lock-form"), f"button#lock-casebook-{eid}")
    no_errors(b, "locking the casebook")
    b.participant_page(pid)
    assert "Locked" in b.text(f"#casebook-lock-{eid}"), b.text(f"#casebook-lock-{eid}")
    b.shot("locking-01-locked")
    b.sign_out()

    # The coordinator's correction is refused, naming the lock; the value stays.
    b.sign_in(COORDINATOR)
    correct_value(b, pid, obs, "160", "transcription error")
    assert b.text("h1#error-title") == "This record is locked", b.text("main")[:400]
    assert f"locked casebook {eid}" in b.text("main"), b.text("main")[:400]
    b.shot("locking-02-refused")
    b.participant_page(pid)
    assert "160" not in b.text("#observations")
    b.sign_out()

    # The admin unlocks: a blank reason is refused, a reason unlocks and voids the casebook signature.
    b.sign_in(ADMIN)
    b.participant_page(pid)
    form = b.one(f"#casebook-lock-{eid} form.unlock-form")
    b.d.execute_script("arguments[0].querySelector('[name=reason]').removeAttribute('required')", form)
    b.submit(form, "button.unlock-button")
    assert "reason" in b.text("main").lower(), b.text("main")[:400]
    b.participant_page(pid)
    form = b.one(f"#casebook-lock-{eid} form.unlock-form")
    b.fill(form, "reason", "source document shows 160 mg/dL")
    b.submit(form, "button.unlock-button")
    no_errors(b, "unlocking the casebook")
    b.participant_page(pid)
    assert "Not locked" in b.text(f"#casebook-lock-{eid}")
    assert "source document shows 160 mg/dL" in b.text("#lifted-locks")
    assert "voided" in b.text(f"tr#signable-enrolments-{eid}").lower(), b.text(f"tr#signable-enrolments-{eid}")
    b.shot("locking-03-unlocked")
    b.sign_out()

    # The correction now goes through.
    b.sign_in(COORDINATOR)
    correct_value(b, pid, obs, "160", "transcription error")
    no_errors(b, "correcting after the unlock")
    b.participant_page(pid)
    assert "160" in b.text("#observations")
