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


def enrol_through_the_gate(b, pid, program_id, program_name, screened, consented, enrolled):
    """Enrols, screens on `screened` (the verdict must be eligible), then eligible → consented → enrolled: the
    eligibility gate lets each step through on that verdict, without any deviation."""
    enrol(b, pid, program_id)
    move(b, pid, program_name, "screening", screened, "screening visit")
    eligibility = screen(b, pid, program_name, screened)
    assert "eligible on" in eligibility.lower(), f"screening did not conclude eligible: {eligibility[:600]!r}"
    move(b, pid, program_name, "eligible", screened, "eligible verdict")
    move(b, pid, program_name, "consented", consented, "signed consent")
    move(b, pid, program_name, "enrolled", enrolled, "enrolled")


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


def isotretinoin_screening_inputs(b, pid, start):
    """What isotretinoin screening reads, before day `start` (an offset from today): two azoospermic analyses ten
    days apart with an examined pellet, lipids and liver enzymes, PHQ-9 and alcohol; every section reviewed."""
    semen(b, pid, day(start - 40))
    semen(b, pid, day(start - 30))
    lab(b, pid, "triglycerides", "118", "mg/dL", day(start - 20))
    lab(b, pid, "alt", "31", "U/L", day(start - 20), uln="40")
    lab(b, pid, "ast", "27", "U/L", day(start - 20), uln="40")
    entry(b, pid, "record-assessments", "form#screening-assessment-form",
          [("effective", day(start - 20)), ("phq9", "4"), ("alcoholDrinksPerDay", "1")], "the screening assessments")
    review_all_sections(b, pid)


def prescribe_isotretinoin(b, pid, start):
    """The investigator prescribes the protocol's regimen (isotretinoin 20 mg twice daily) from `start`."""
    b.participant_page(pid)
    b.follow(b.one("a[href$='/medication-courses/new']"))
    form = b.form("form#prescribe-form")
    assert b.value(form, "drugCode") in ("", "6064"), "the prescription form starts from something else than isotretinoin"
    for name, value in (("drugCode", "6064"), ("drugName", "isotretinoin"), ("dose", "20"), ("doseUnit", "mg"),
                        ("route", "oral"), ("dosesPerPeriod", "2"), ("period", "day"), ("start", start),
                        ("plannedStop", "")):   # empty: the protocol's 26 weeks from the start
        b.fill(form, name, value)
    b.submit(form)
    no_errors(b, "prescribing isotretinoin 20 mg twice daily")


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
    isotretinoin_screening_inputs(b, pid, start)

    enrol_through_the_gate(b, pid, PROGRAM_ID, "sotretinoin", day(start - 15), day(start - 10), day(start - 5))
    b.shot("journey-iso-01-enrolled")

    # The investigator prescribes the protocol's regimen and dispenses a 30-day supply; day 0 follows.
    b.sign_out()
    b.sign_in(INVESTIGATOR)
    prescribe_isotretinoin(b, pid, day(start))
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


def procedure(b, pid, fields, what, program_name):
    b.participant_page(pid)
    b.follow(b.one("a#record-procedure"))
    form = b.form("form#procedure-form")
    for name, value in fields:
        b.fill(form, name, value)
    if b.all("[name=enrolmentID]", within=form):
        b.fill(form, "enrolmentID", program_name)
    b.submit(form)
    no_errors(b, what)


def harvest_and_release(b, pid, program, lot, harvest_day, volume, cells, weight, product_volume, decided_day):
    """As the investigator: a bone-marrow harvest, its lot, the release tests (ISCT 2006 and the protocol's
    dose) and the release decision dated `decided_day`; the lot ends released."""
    from test_clinic import RELEASE_RESULTS
    procedure(b, pid, [("kind", "tissue-harvest"), ("performed", harvest_day), ("anatomicalSite", "posterior iliac crest"),
                       ("anaesthesia", "local"), ("sourceTissue", "bone-marrow-aspirate"), ("volumeML", volume)],
              "the bone-marrow harvest", program)
    b.participant_page(pid)
    b.follow(b.one("a#register-cell-product"))
    form = b.form("form#cell-product-form")
    total = f"{float(cells) * 1.05:.3g}"
    for name, value in (("lot", lot), ("sourceTissue", "bone-marrow-aspirate"), ("harvestProcedureID", "Harvest"),
                        ("totalCells", total), ("viableCells", cells), ("viabilityPercent", "95"), ("enrolmentID", program)):
        b.fill(form, name, value)
    b.submit(form)
    no_errors(b, "registering the lot")
    b.participant_page(pid)
    b.follow(b.one("#custody a.lot-link"))
    b.follow(b.one("a#enter-release-tests"))
    form = b.form("form#release-tests-form")
    results = dict(RELEASE_RESULTS, doseCells=cells, participantWeightKg=weight, productVolumeML=product_volume)
    for name, value in results.items():
        b.fill(form, name, value)
    b.submit(form)
    no_errors(b, "entering the release tests")
    summary = b.text("p#release-summary")
    assert "If decided now: released" in summary, summary
    form = b.form("form#release-decision-form")
    b.fill(form, "decidedOn", decided_day)
    b.submit(form, "button#decide-release")
    assert b.text("dd#release-status").strip() == "released", b.text("main")[:600]


def test_stem_cell_azoospermia_journey_harvest_release_injection_to_completion(browser):
    b = browser
    p = person(41)
    lot = "JY-" + p["mrn"][-4:]
    start = -400          # day 0 (the injection), relative to today: the month-12 visit lies in the past
    program = "cells for azoospermia"
    b.sign_in(COORDINATOR)
    pid = register(b, p, "male", "1990-01-01", diagnosis="N46.01")
    semen(b, pid, day(start - 70))
    semen(b, pid, day(start - 60))
    for test, value, unit in (("fsh", "18.2", "[IU]/L"), ("lh", "9.1", "[IU]/L"), ("testosterone", "340", "ng/dL"),
                              ("inhibin-b", "18", "pg/mL")):
        lab(b, pid, test, value, unit, day(start - 55))
    entry(b, pid, "record-assessments", "form#screening-assessment-form",
          [("effective", day(start - 55)), ("testicularVolumeLeft", "8"), ("testicularVolumeRight", "8,5"),
           ("karyotype", "normal"), ("yMicrodeletion", "not-detected")], "the screening assessments")
    review_all_sections(b, pid)
    enrol_through_the_gate(b, pid, PROGRAM_ASC, program, day(start - 50), day(start - 48), day(start - 45))

    # Harvest → lot → release tests → the investigator's release decision → injection of the released lot.
    b.sign_out()
    b.sign_in(INVESTIGATOR)
    harvest_and_release(b, pid, program, lot, day(start - 28), volume="60", cells="4.0e6", weight="80", product_volume="4",
                        decided_day=day(start - 2))

    move(b, pid, program, "on-treatment", day(start), "injection day")
    # Outside the protocol (12 mL into the knee under fluoroscopy): refused with the rule named, nothing stored.
    b.participant_page(pid)
    b.follow(b.one("a#record-procedure"))
    form = b.form("form#procedure-form")
    wrong = [("kind", "injection"), ("performed", day(start)), ("anatomicalSite", "right knee"), ("imagingGuidance", "fluoroscopy"),
             ("anaesthesia", "none"), ("volumeML", "12"), ("cellProductID", lot)]
    for name, value in wrong:
        b.fill(form, name, value)
    if b.all("[name=enrolmentID]", within=form):
        b.fill(form, "enrolmentID", program)
    b.submit(form)
    refusal = " ".join(e.text for e in b.all("p.field-error"))
    assert "protocol rule" in refusal, f"the out-of-protocol injection was not refused by its rule: {refusal!r}"
    procedure(b, pid, [("kind", "injection"), ("performed", day(start)), ("anatomicalSite", "left testis"),
                       ("imagingGuidance", "ultrasound"), ("anaesthesia", "local"), ("volumeML", "4"), ("cellProductID", lot)],
              "the intratesticular injection", program)
    b.participant_page(pid)
    assert "administered" in b.text("#custody"), b.text("#custody")[:300]

    attend_visits(b, pid, program, [("harvest", day(start - 28)), ("injection", day(start)), ("month-1", day(start + 30)),
                                    ("month-3", day(start + 91)), ("month-6", day(start + 182))])
    move(b, pid, program, "follow-up", day(start + 31), "after the month-1 visit")
    attend_visits(b, pid, program, [("month-12", day(start + 365))])
    move(b, pid, program, "completed", day(start + 366), "month-12 visit done")
    b.participant_page(pid)
    assert "completed" in b.text("#enrolments").lower()
    b.shot("journey-asc-completed")


def dxa(b, pid, site, tscore, bmd, date):
    entry(b, pid, "record-dxa", "form#dxa-form", [("site", site), ("bmd", bmd), ("tScore", tscore), ("effective", date)],
          f"the {site} DXA of {date}")


def test_osteoporosis_journey_with_adjunct_therapy_to_completion(browser):
    b = browser
    p = person(42)
    lot = "OS-" + p["mrn"][-4:]
    start = -400
    program = "cells for osteoporosis"
    b.sign_in(COORDINATOR)
    pid = register(b, p, "female", "1955-05-05", diagnosis="M81.0")
    entry(b, pid, "participant-facts", "form#participant-facts-form",
          [("postmenopausal", "yes"), ("historyCode", "fragility-fracture"), ("historyDescription", "wrist fracture after a fall"),
           ("historyDate", day(start - 900))], "the menopausal status and fracture history")
    # Alendronate 70 mg once weekly, recorded as the program's adjunct therapy (read by the report).
    entry(b, pid, "record-concomitant-medication", "form#concomitant-medication-form",
          [("drug", "46041"), ("dose", "70 mg once weekly"), ("start", day(start - 700)), ("adjunct", True)], "the adjunct therapy")
    for site, t, bmd in (("lumbar-spine", "-2,8", "0,71"), ("femoral-neck", "-2.3", "0.58"), ("total-hip", "-2.0", "0.70")):
        dxa(b, pid, site, t, bmd, day(start - 62))
    review_all_sections(b, pid)
    b.participant_page(pid)
    assert "-2.8" in b.text("#observations") or "−2.8" in b.text("#observations"), "the decimal comma was not read as -2.8"
    enrol_through_the_gate(b, pid, PROGRAM_OST, program, day(start - 60), day(start - 55), day(start - 50))

    b.sign_out()
    b.sign_in(INVESTIGATOR)
    # 2–5 × 10⁶ cells per kg (the protocol's default dose): 2 × 10⁸ cells for 62 kg.
    harvest_and_release(b, pid, program, lot, day(start - 28), volume="50", cells="2.0e8", weight="62", product_volume="8",
                        decided_day=day(start - 3))
    move(b, pid, program, "on-treatment", day(start), "injection day")
    procedure(b, pid, [("kind", "injection"), ("performed", day(start)), ("anatomicalSite", "hip"), ("laterality", "left"),
                       ("imagingGuidance", "fluoroscopy"), ("anaesthesia", "local"), ("volumeML", "8"), ("cellProductID", lot)],
              "the image-guided hip injection", program)
    attend_visits(b, pid, program, [("harvest", day(start - 28)), ("injection", day(start)), ("month-1", day(start + 30)),
                                    ("month-3", day(start + 91)), ("month-6", day(start + 182))])
    move(b, pid, program, "follow-up", day(start + 31), "after the month-1 visit")
    # The month-12 DXA: the bone-density reading on the page compares it with day 0 against the LSC.
    dxa(b, pid, "lumbar-spine", "-2.4", "0.76", day(start + 365))
    attend_visits(b, pid, program, [("month-12", day(start + 365))])
    move(b, pid, program, "completed", day(start + 366), "month-12 visit done")
    b.participant_page(pid)
    assert "completed" in b.text("#enrolments").lower()
    assert "significant gain" in b.text("#response"), f"the response reading: {b.text('#response')[:400]!r}"
    b.shot("journey-ost-completed")
    # The study report counts her adjunct therapy.
    b.open(f"/programs/{PROGRAM_OST}/report")
    report = b.text("body")
    counted = re.search(r"adjunct therapy: bisphosphonate (\d+)", report, re.I)
    assert counted and int(counted.group(1)) >= 1, f"the report does not count the adjunct therapy: {report[:1500]!r}"
