"""Safety that acts (issue #15 item 4, docs/safety-actions.md), through the web app only, as a coordinator and an
investigator would do it in Chromium:

a grade-3 triglyceride → hold alert (the course goes on hold in the same save) → acknowledgement, refused
without a comment and kept with one → dispensing refused, naming the hold and its alert → the investigator
resumes the course with a reason → dispensing allowed; the acknowledged alert stays readable on the
participant page with who, when and the comment, and the lifted hold with who and why.

Run by scripts/ci/browser.sh like test_journeys.py (the same RESTORA_* variables).
"""

import re

from test_clinic import (  # noqa: F401  (driver and browser are pytest fixtures)
    COORDINATOR, INVESTIGATOR, PROGRAM_ID, browser, driver, person,
)
from test_journeys import (
    day, enrol_through_the_gate, isotretinoin_screening_inputs, lab, move, no_errors, open_course, prescribe_isotretinoin, register,
)


def dispense(b, course, date):
    b.open(course)
    form = b.form("form#dispense-form")
    for name, value in (("date", date), ("unitsDispensed", "60"), ("daysCovered", "30")):
        b.fill(form, name, value)
    b.submit(form, "button#dispense")


def dispensed_rows(b, course):
    b.open(course)
    return len(b.all("#dispensings tbody tr"))


def test_grade3_triglyceride_holds_the_course_until_the_investigator_resumes_it(browser):
    b = browser
    p = person(60)
    start = -40
    b.sign_in(COORDINATOR)
    pid = register(b, p, "male", "1987-06-02", diagnosis="N46.01")
    isotretinoin_screening_inputs(b, pid, start)
    enrol_through_the_gate(b, pid, PROGRAM_ID, "sotretinoin", day(start - 15), day(start - 10), day(start - 5))

    # The investigator prescribes, day 0 follows, the first 30-day supply is dispensed.
    b.sign_out()
    b.sign_in(INVESTIGATOR)
    prescribe_isotretinoin(b, pid, day(start))
    move(b, pid, "sotretinoin", "on-treatment", day(start), "first dose")
    course = open_course(b, pid)
    dispense(b, course, day(start))
    no_errors(b, "the first supply")
    assert dispensed_rows(b, course) == 1

    # The coordinator records a grade-3 triglyceride (600 mg/dL, CTCAE v5 >500–1000, REFERENCE.md E1).
    b.sign_out()
    b.sign_in(COORDINATOR)
    lab(b, pid, "triglycerides", "600", "mg/dL", day(-3))
    b.participant_page(pid)
    alerts = b.text("section#alerts")
    assert "tg-grade3-hold" in alerts, f"no hold on the participant page: {alerts[:600]!r}"
    assert f"Treatment on hold since {day(-3)}" in alerts, f"the hold does not carry the clinical date: {alerts[:600]!r}"
    rows = b.all("#open-alerts tr.alert-row")
    assert rows and day(-3) in rows[0].text, f"the open alert does not show the value's date: {[r.text for r in rows]}"
    assert not b.all("button.ack-button"), "a coordinator is offered to acknowledge"
    b.open(course)
    assert b.has("#hold-notice"), "the course page does not say the course is on hold"
    b.shot("safety-01-held")

    # The investigator acknowledges: without a comment the server refuses next to the field, with it the alert closes.
    b.sign_out()
    b.sign_in(INVESTIGATOR)
    b.participant_page(pid)
    form = b.one("form.ack-form")
    b.d.execute_script("arguments[0].querySelector('[name=comment]').removeAttribute('required')", form)
    b.submit(form, "button.ack-button")
    assert b.field_error("form#ack-form", "comment"), "no message next to the comment"
    b.shot("safety-02-ack-needs-comment")
    form = b.form("form#ack-form")
    b.fill(form, "comment", "Drug held; fasting repeat and diet advice booked")
    b.submit(form, "button#acknowledge")
    no_errors(b, "acknowledging with a comment")
    b.participant_page(pid)
    acknowledged = b.text("#acknowledged-alerts")
    assert "Drug held; fasting repeat and diet advice booked" in acknowledged, f"the comment is not kept: {acknowledged!r}"
    # Who: the user's id and role, as the audit pages show an actor.
    assert "(investigator) on " in acknowledged, f"who acknowledged is not shown: {acknowledged!r}"
    assert not b.all("#open-alerts tr.alert-row"), "the acknowledged alert is still open"

    # Dispensing on the held course is refused, naming the hold and its alert; nothing is dispensed.
    dispense(b, course, day(-2))
    refusal = b.text("form#dispense-form .form-errors")
    assert re.search(r"on hold", refusal) and "tg-grade3-hold" in refusal, f"the refusal does not name the hold: {refusal!r}"
    assert dispensed_rows(b, course) == 1, "a supply was dispensed on a held course"
    b.shot("safety-03-dispensing-refused")

    # The investigator resumes the course with a reason; then the supply is dispensed.
    b.open(course)
    form = b.form("form#status-form")
    b.fill(form, "status", "active")
    b.fill(form, "statusDate", day(-1))
    b.fill(form, "reason", "Fasting repeat 280 mg/dL; resume with diet")
    b.submit(form, "button#change-status")
    no_errors(b, "resuming the course")
    b.open(course)
    assert not b.has("#hold-notice"), "the course still says it is on hold"
    dispense(b, course, day(-1))
    no_errors(b, "dispensing after the resumption")
    assert dispensed_rows(b, course) == 2
    b.participant_page(pid)
    acknowledged = b.text("#acknowledged-alerts")
    assert "Fasting repeat 280 mg/dL; resume with diet" in acknowledged, f"the lifted hold's reason is not shown: {acknowledged!r}"
    b.shot("safety-04-resumed")
