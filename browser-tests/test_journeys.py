"""A participant's whole path, one journey per program, entered through the web app only (issue #14).

Registration → screening inputs → screening (eligible) → consent → enrolment → treatment → visits attended
within their windows → follow-up → completion, as a coordinator and an investigator would do it in Chromium.
Nothing is seeded through the API. The journey is dated in the past (day 0 about seven months ago), so every
visit of the calendar can be attended on its planned day, which the windows judge. Run by
scripts/ci/browser.sh like test_clinic.py (the same RESTORA_* variables).
"""

import datetime as dt
import os
import re

from selenium.webdriver.support.ui import Select

from test_clinic import (  # noqa: F401  (driver and browser are pytest fixtures)
    COORDINATOR, INVESTIGATOR, PROGRAM_ID, SITE_A, browser, driver, person,
)

PROGRAM_ASC = os.environ.get("RESTORA_PROGRAM_ASC", "")
PROGRAM_OST = os.environ.get("RESTORA_PROGRAM_OST", "")
TODAY = dt.datetime.now(dt.timezone.utc).date()


def day(offset):
    """TODAY + offset days, as YYYY-MM-DD."""
    return (TODAY + dt.timedelta(days=offset)).isoformat()


# ---- steps a person takes in the web app -------------------------------------------------------------------------

def register(b, p, sex, born, diagnosis=None):
    b.open("/participants/new")
    form = b.form("form#participant-form")
    b.fill(form, "siteID", SITE_A)
    b.fill(form, "mrn", p["mrn"])
    b.fill(form, "givenName", p["given"])
    b.fill(form, "familyName", p["family"])
    b.fill(form, "sex", sex)
    b.fill(form, "birthDate", born)
    if diagnosis:
        b.fill(form, "diagnosis", diagnosis)
    b.submit(form)
    m = re.match(r"^/participants/([0-9A-Za-z-]+)$", b.path.split("?")[0])
    assert m, f"registering went to {b.path}: {b.text('main')[:300]!r}"
    return m.group(1)


def no_errors(b, what):
    errors = [e.text for e in b.all("p.field-error, .form-errors li, h1#error-title")]
    assert not errors, f"{what} was refused on {b.path}: {errors}"


def entry(b, pid, link_id, form_css, fields, what):
    """Follows the participant page's link `a#link_id`, fills `fields` in order and saves."""
    b.participant_page(pid)
    b.follow(b.one(f"a#{link_id}"))
    form = b.form(form_css)
    for name, value in fields:
        b.fill(form, name, value)
    b.submit(form)
    no_errors(b, what)


def semen(b, pid, date, concentration="0", pellet=True, motility="0"):
    fields = [("effective", date), ("volume", "2.8"), ("concentration", concentration)]
    if concentration != "0":
        fields += [("totalMotility", motility), ("progressiveMotility", "0"), ("normalForms", "1")]
    if pellet:
        fields += [("pelletExamined", "yes"), ("pelletFinding", "no-sperm"), ("centrifugationG", "3000"),
                   ("centrifugationMinutes", "15")]
    entry(b, pid, "record-semen", "form#semen-form", fields, f"the semen analysis of {date}")


def lab(b, pid, test, value, unit, date, uln=None):
    fields = [("test", test), ("value", value), ("unit", unit), ("effective", date)]
    if uln:
        fields.append(("upperLimitOfNormal", uln))
    entry(b, pid, "record-lab", "form#lab-form", fields, f"the {test} of {date}")


def review_all_sections(b, pid):
    b.participant_page(pid)
    b.follow(b.one("a#review-sections"))
    form = b.form("form#reviewed-sections-form")
    for box in b.all("input[type=checkbox]", within=form):
        if not box.is_selected():
            b.d.execute_script("arguments[0].click()", box)
    b.submit(form)
    no_errors(b, "marking the sections reviewed")


def enrol(b, pid, program):
    b.participant_page(pid)
    b.follow(b.one("a#enrol-link"))
    form = b.form("form#enrolment-form")
    b.fill(form, "programID", program)
    b.submit(form)
    no_errors(b, "enrolling")


def panel(b, pid, program_name):
    """The enrolment panel (its forms) of `program_name` on the participant page."""
    b.participant_page(pid)
    for h3 in b.all("#enrolments h3"):
        if program_name.lower() in h3.text.lower():
            return h3.find_element("xpath", "./ancestor::*[.//form][1]")
    raise AssertionError(f"no enrolment panel for {program_name!r}: {b.text('#enrolments')[:300]!r}")


def screen(b, pid, program_name, on):
    form = panel(b, pid, program_name).find_element("css selector", "form.screen-form")
    b.fill(form, "on", on)
    b.submit(form, "button.screen-button")
    no_errors(b, "screening")
    b.participant_page(pid)
    return b.text("#eligibility")


def move(b, pid, program_name, to, on, reason):
    form = panel(b, pid, program_name).find_element("css selector", "form.transition-form")
    offered = [o.get_attribute("value") for o in Select(b.field(form, "to")).options]
    assert to in offered, f"the transition form does not offer {to!r}: {offered}"
    b.fill(form, "to", to)
    b.fill(form, "on", on)
    b.fill(form, "reason", reason)
    b.submit(form, "button.transition-button")
    no_errors(b, f"moving to {to}")


def attend_visits(b, pid, program_name, visits):
    """Records each (visit key, date) as attended through the visit form of the calendar."""
    for key, date in visits:
        b.participant_page(pid)
        links = [a for a in b.all("a.record-visit-link")]
        assert links, f"no link to record a visit: {b.text('#visits')[:300]!r}"
        b.follow(links[0])
        form = b.form("form#visit-form")
        b.fill(form, "visitKey", key)
        b.fill(form, "outcome", "attended")
        b.fill(form, "actualDate", date)
        b.submit(form)
        no_errors(b, f"attending visit {key} on {date}")


def open_course(b, pid):
    """Opens the participant's (first) medication course page; returns its path."""
    b.participant_page(pid)
    links = [a for a in b.all("ul.course-links a") if not (a.get_attribute("href") or "").endswith("/new")]
    assert links, f"no medication course listed: {b.text('#medication')[:300]!r}"
    b.follow(links[0])
    return b.path


def calendar_states(b, pid):
    b.participant_page(pid)
    return [row.get_attribute("class") for row in b.all("#visits tr.visit")]


# ---- the journeys -----------------------------------------------------------------------------------------------

def test_isotretinoin_journey_from_registration_to_completion(browser):
    b = browser
    p = person(40)
    start = -230          # day 0 of treatment, relative to today: every visit (the last on day 212) lies in the past
    b.sign_in(COORDINATOR)
    pid = register(b, p, "male", "1988-03-15", diagnosis="N46.01")

    # Screening inputs: two azoospermic analyses a week apart with an examined pellet, labs, PHQ-9, alcohol,
    # no concomitant medication — every section reviewed, so an absence counts as evidence.
    semen(b, pid, day(start - 40))
    semen(b, pid, day(start - 30))
    lab(b, pid, "triglycerides", "118", "mg/dL", day(start - 20))
    lab(b, pid, "alt", "31", "U/L", day(start - 20), uln="40")
    lab(b, pid, "ast", "27", "U/L", day(start - 20), uln="40")
    entry(b, pid, "record-assessments", "form#screening-assessment-form",
          [("effective", day(start - 20)), ("phq9", "4"), ("alcoholDrinksPerDay", "1")], "the screening assessments")
    review_all_sections(b, pid)

    enrol(b, pid, PROGRAM_ID)
    move(b, pid, "sotretinoin", "screening", day(start - 15), "screening visit")
    eligibility = screen(b, pid, "sotretinoin", day(start - 15))
    assert "eligible on" in eligibility.lower(), f"screening did not conclude eligible: {eligibility[:600]!r}"
    b.shot("journey-iso-01-eligible")
    move(b, pid, "sotretinoin", "eligible", day(start - 15), "eligible verdict")
    move(b, pid, "sotretinoin", "consented", day(start - 10), "signed consent")
    move(b, pid, "sotretinoin", "enrolled", day(start - 5), "enrolled")

    # The investigator prescribes the protocol's regimen and dispenses a 30-day supply; day 0 follows.
    b.sign_out()
    b.sign_in(INVESTIGATOR)
    b.participant_page(pid)
    b.follow(b.one("a[href$='/medication-courses/new']"))
    form = b.form("form#prescribe-form")
    assert b.value(form, "drugCode") in ("", "6064"), "the prescription form starts from something else than isotretinoin"
    for name, value in (("drugCode", "6064"), ("drugName", "isotretinoin"), ("dose", "20"), ("doseUnit", "mg"),
                        ("route", "oral"), ("dosesPerPeriod", "2"), ("period", "day"), ("start", day(start)),
                        ("plannedStop", "")):   # empty: the protocol's 26 weeks from the start
        b.fill(form, name, value)
    b.submit(form)
    no_errors(b, "prescribing isotretinoin 20 mg twice daily")
    move(b, pid, "sotretinoin", "on-treatment", day(start), "first dose")

    # Dispensing: more than a 30-day supply is refused next to the field (REFERENCE.md E2); 30 days are given.
    course = open_course(b, pid)
    form = b.form("form#dispense-form")
    for name, value in (("date", day(start)), ("unitsDispensed", "60"), ("daysCovered", "35")):
        b.fill(form, name, value)
    b.submit(form, "button#dispense")
    assert "30" in b.field_error("form#dispense-form", "daysCovered")
    form = b.form("form#dispense-form")
    b.fill(form, "daysCovered", "30")
    b.submit(form, "button#dispense")
    no_errors(b, "dispensing a 30-day supply")
    # The returned count makes adherence: (60 − 6) / (30 days × 2 a day) = 90 %.
    b.open(course)
    form = b.form("form#return-form-1")
    b.fill(form, "unitsReturned", "6")
    b.submit(form, "button#return-1")
    no_errors(b, "counting the returned capsules")
    b.open(course)
    assert "90" in b.text("main"), f"the course page does not show 90 % adherence: {b.text('main')[:600]!r}"
    b.shot("journey-iso-02-on-treatment")

    # Visits of the protocol calendar, each attended on its planned day.
    attend_visits(b, pid, "sotretinoin", [("baseline", day(start)), ("month-1", day(start + 30)),
                                          ("month-3", day(start + 90)), ("end-of-treatment", day(start + 182))])
    states = calendar_states(b, pid)
    assert any("completed-in-window" in s for s in states), f"no visit shows as attended in its window: {states}"
    b.open(course)
    form = b.form("form#status-form")
    b.fill(form, "status", "completed")
    if b.all("[name=statusDate]", within=form):
        b.fill(form, "statusDate", day(start + 182))
    b.fill(form, "reason", "26-week course taken")
    b.submit(form, "button#change-status")
    no_errors(b, "completing the course")
    move(b, pid, "sotretinoin", "follow-up", day(start + 183), "course finished")
    attend_visits(b, pid, "sotretinoin", [("post-treatment", day(start + 212))])
    move(b, pid, "sotretinoin", "completed", day(start + 213), "follow-up finished")
    b.participant_page(pid)
    heading = b.text("#enrolments")
    assert "completed" in heading.lower(), f"the enrolment does not show completed: {heading[:300]!r}"
    b.shot("journey-iso-03-completed")
