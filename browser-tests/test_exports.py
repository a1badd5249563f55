"""Research data exports from the web app (issue #18, docs/exports.md), as a data manager would do it in Chromium:
sign in, open Exports from the navigation, ask for an SDTM package of the program, refresh until the job is done,
download dm.xpt with the session and check it is the SAS XPORT file the manifest describes (size and SHA-256).
A coordinator has no Exports link and gets 403 on the page.

Run by scripts/ci/browser.sh like test_clinic.py; needs RESTORA_DATA_MANAGER / RESTORA_DATA_MANAGER_PASSWORD (a
data manager of both sites, made by browser.sh).
"""

import hashlib
import os
import time
import urllib.request

from test_accessibility import run_axe

from test_clinic import (  # noqa: F401  (driver and browser are pytest fixtures)
    BASE, COORDINATOR, PROGRAM_ID, WAIT, browser, driver, person, seed_enrolment, seed_participant,
)

DATA_MANAGER = (os.environ.get("RESTORA_DATA_MANAGER", "dora"), os.environ.get("RESTORA_DATA_MANAGER_PASSWORD", ""))


def download(b, href):
    """GETs `href` with the browser's session cookie (Chromium's own downloads land outside the test's reach)."""
    req = urllib.request.Request(BASE + href)
    req.add_header("Cookie", "; ".join(f"{c['name']}={c['value']}" for c in b.d.get_cookies()))
    with urllib.request.urlopen(req, timeout=WAIT) as resp:
        return resp.status, resp.headers.get("Content-Type"), resp.read()


def test_data_manager_exports_sdtm_and_downloads_dm_xpt(browser):
    b = browser
    # One participant enrolled in the program, so DM has a row whatever ran before.
    pid = seed_participant(person(70))
    seed_enrolment(pid, until="enrolled")

    b.sign_in(DATA_MANAGER)
    b.follow(b.one("a#nav-exports"))
    assert b.path == "/exports", f"the Exports link went to {b.path}"
    form = b.form("form#export-form")
    # Refused next to the field (422): a participant id that is not one of the program's.
    b.fill(form, "programId", PROGRAM_ID)
    b.fill(form, "participants", "no-such-participant")
    b.submit(form, "button#start-export")
    assert "unknown participant" in b.field_error("form#export-form", "participants")
    run_axe(b, "exports form refused")
    form = b.form("form#export-form")
    b.fill(form, "participants", "")
    b.fill(form, "programId", PROGRAM_ID)
    b.fill(form, "kind", "sdtm")
    b.fill(form, "deidentify", "")
    b.submit(form, "button#start-export")
    assert b.path == "/exports", f"starting the export went to {b.path}: {b.text('.form-errors')!r}"
    b.shot("exports-01-started")

    row = None
    deadline = time.time() + 120
    while time.time() < deadline:
        rows = b.all("table#export-jobs tr.export-job")
        assert rows, "the export is not listed"
        row = rows[0]
        status = row.get_attribute("data-status")
        if status in ("done", "failed"):
            break
        time.sleep(1)
        b.follow(b.one("a#refresh-exports"))
    status = row.get_attribute("data-status")
    assert status == "done", f"the export did not finish: {row.text!r}"
    b.shot("exports-02-done")
    run_axe(b, "exports page with a done job")

    links = {a.text: a for a in b.all("a.export-file", within=row)}
    assert "dm.xpt" in links and "define.xml" in links, f"files listed: {sorted(links)}"
    href = links["dm.xpt"].get_attribute("href").replace(BASE, "")
    code, kind, body = download(b, href)
    assert code == 200 and kind == "application/x-sas-xport", (code, kind)
    assert body.startswith(b"HEADER RECORD*******LIBRARY HEADER RECORD!!!!!!!"), body[:80]
    assert hashlib.sha256(body).hexdigest() == links["dm.xpt"].get_attribute("data-sha256"), "dm.xpt differs from its manifest entry"

    b.sign_out()
    b.sign_in(COORDINATOR)
    assert not b.has("a#nav-exports"), "a coordinator is offered Exports"
    b.open("/exports")
    assert b.text("h1#error-title") == "Not allowed", f"a coordinator opened the exports page: {b.text()[:200]!r}"
