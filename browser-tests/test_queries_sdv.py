"""Data queries and source data verification in the web app (issue #16 item 5, docs/sdv.md), in Chromium, as a
monitor and a coordinator would do it on the participant page:

the monitor raises a query on a field of a triglyceride value (refused without a question, the error next to
it) → the coordinator answers there → the monitor re-opens it with a note → the coordinator answers again → the
monitor closes it; the whole thread stays readable. The monitor marks the record source-verified; the
coordinator corrects the value (with a reason); the record then reads "changed since verified" and the progress
falls, on the participant page and the dashboard. A coordinator is offered no SDV form.

Run by scripts/ci/browser.sh like test_journeys.py (the same RESTORA_* variables).
"""

from test_clinic import (  # noqa: F401  (driver and browser are pytest fixtures)
    COORDINATOR, MONITOR, browser, driver, person, seed_participant, seed_triglyceride,
)


def thread_text(b):
    return b.text("#data-queries")


def query_form(b, css):
    forms = b.all(css)
    assert forms, f"no `{css}` on {b.path}; queries: {thread_text(b)[:400]!r}"
    return forms[0]


def test_query_raised_answered_reopened_closed_and_sdv_reset_by_a_change(browser):
    b = browser
    p = person(71)
    pid = seed_participant(p)
    oid = seed_triglyceride(pid, 180)

    # The monitor raises a query on the value's field; a blank question is refused next to the field.
    b.sign_in(MONITOR)
    b.participant_page(pid)
    assert "0 of 1 records source-verified" in b.text("#sdv-progress"), b.text("#sdv-progress")
    form = b.form("form#raise-query")
    b.fill(form, "record", f"observations/{oid}")
    b.fill(form, "field", "value")
    b.d.execute_script("arguments[0].querySelector('[name=question]').removeAttribute('required')", form)
    b.submit(form, "button#raise-query-button")
    assert b.field_error("form#raise-query", "question"), "no message next to the question"
    b.shot("queries-01-question-required")
    form = b.form("form#raise-query")
    b.fill(form, "record", f"observations/{oid}")
    b.fill(form, "field", "value")
    b.fill(form, "question", "Source lab sheet reads 185 mg/dL: which is right?")
    b.submit(form, "button#raise-query-button")
    b.participant_page(pid)
    assert "Source lab sheet reads 185 mg/dL" in thread_text(b)
    assert b.has("article.query-open")

    # The monitor marks the observation source-verified (before the query is resolved: it matches the chart).
    row = b.one(f"tr.sdv-row[data-record='observations/{oid}']")
    b.submit(b.one("form.verify-record-form", within=row), "button.verify-record")
    row = b.one(f"tr.sdv-row[data-record='observations/{oid}']")
    assert "verified" == b.one("td.sdv-state", within=row).text.strip(), row.text
    assert "1 of 1 records source-verified (100 %)" in b.text("#sdv-progress")

    # The coordinator answers on the participant page; no SDV form is offered to site staff.
    b.sign_out()
    b.sign_in(COORDINATOR)
    b.participant_page(pid)
    assert not b.has("form.verify-record-form") and not b.has("form#raise-query"), "site staff are offered SDV or raising"
    form = query_form(b, "form.answer-form")
    b.fill(form, "answer", "180 mg/dL is the value on the lab report")
    b.submit(form, "button.answer-button")
    b.participant_page(pid)
    assert "answered by" in thread_text(b)

    # The monitor re-opens it with a note (refused without one), the coordinator answers again, the monitor closes.
    b.sign_out()
    b.sign_in(MONITOR)
    b.participant_page(pid)
    form = query_form(b, "form.reopen-form")
    b.d.execute_script("arguments[0].querySelector('[name=note]').removeAttribute('required')", form)
    b.submit(form, "button.reopen-button")
    assert "note" in b.text("body") and b.has("p.field-error"), "a re-opening without a note was not refused"
    b.participant_page(pid)
    form = query_form(b, "form.reopen-form")
    b.fill(form, "note", "The report attached to visit 1 says 185 mg/dL")
    b.submit(form, "button.reopen-button")
    b.participant_page(pid)
    assert b.has("article.query-open"), "the query is not open again"
    b.shot("queries-02-reopened")

    b.sign_out()
    b.sign_in(COORDINATOR)
    b.participant_page(pid)
    form = query_form(b, "form.answer-form")
    b.fill(form, "answer", "Transcription error, corrected to 185 mg/dL")
    b.submit(form, "button.answer-button")
    # The correction itself: the edit form, with a reason.
    b.participant_page(pid)
    b.follow(b.one("a.edit-link", within=b.observation_rows()[0]))
    form = b.form("form#edit-form")
    b.fill(form, "value", "185")
    b.fill(form, "reason", "Transcription error (data query)")
    b.submit(form)

    b.sign_out()
    b.sign_in(MONITOR)
    b.participant_page(pid)
    form = query_form(b, "form.close-form")
    b.fill(form, "note", "Corrected value matches the source")
    b.submit(form, "button.close-button")
    b.participant_page(pid)
    thread = thread_text(b)
    for words in ("Source lab sheet reads 185 mg/dL", "180 mg/dL is the value on the lab report",
                  "re-opened by", "The report attached to visit 1 says 185 mg/dL",
                  "Transcription error, corrected to 185 mg/dL", "closed by", "Corrected value matches the source"):
        assert words in thread, f"{words!r} is missing from the thread: {thread!r}"
    assert b.has("article.query-closed")

    # The correction reset the verification.
    row = b.one(f"tr.sdv-row[data-record='observations/{oid}']")
    assert "changed since verified" in b.one("td.sdv-state", within=row).text, row.text
    assert "0 of 1 records source-verified" in b.text("#sdv-progress") and "1 changed since verified" in b.text("#sdv-progress")
    b.shot("queries-03-closed-and-sdv-reset")

    # The dashboard shows the site's progress and queries.
    b.open("/dashboard")
    assert b.has("table#site-queries-sdv"), "no queries/SDV table on the dashboard"
    assert "changed since verified" in b.text("table#site-queries-sdv")
