"""Accessibility of the clinic web app, checked with axe-core in the page (issue: "accessible (labels, focus
order, contrast)").

Every main page is opened as a person would see it (signed in with the role that uses it) and axe-core runs
in the page through `driver.execute_script`, limited to the WCAG 2.0/2.1 A and AA rules. A finding of impact
"serious" or "critical" fails the test (rule, impact, the failing nodes and the page are printed); "moderate"
and "minor" ones are printed and reported as warnings, and every finding is also written to
`accessibility.txt` in the screenshots folder.

axe-core is the `axe.min.js` that PyPI's selenium-axe-python bundles; scripts/ci/browser.sh installs it and
sets RESTORA_AXE_JS (see browser-tests/README.md). No network is needed by the tests themselves.

Two keyboard checks go further than axe can: pressing Tab from the top of the sign-in page and of the semen
analysis form reaches the fields in the order their labels are read (DOM order, top to bottom on screen),
and each focused element shows a visible focus indicator (an outline or a box-shadow).
"""

import importlib.util
import os
import uuid
import warnings
from pathlib import Path

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

# The fixtures (`driver`, `browser`) and helpers of the journeys, so these tests sign in and seed data the
# same way (pytest puts browser-tests/ on sys.path: rootdir-relative imports of test modules).
from test_clinic import (  # noqa: F401  (driver and browser are pytest fixtures used by name)
    COORDINATOR, INVESTIGATOR, api, MONITOR, PROGRAM_ID, SHOTS, TODAY, _answer_prescreen, browser, driver, person,
    seed_enrolment, seed_participant, seed_triglyceride, typed,
)

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = ("serious", "critical")


# ---- axe-core ---------------------------------------------------------------------------------------------------

def _axe_path():
    """RESTORA_AXE_JS (set by scripts/ci/browser.sh), else selenium-axe-python if this Python can find it."""
    env = os.environ.get("RESTORA_AXE_JS")
    if env:
        return Path(env)
    spec = importlib.util.find_spec("selenium_axe_python")  # locates the package without importing it
    if spec and spec.submodule_search_locations:
        return Path(list(spec.submodule_search_locations)[0]) / "axe-core" / "axe.min.js"
    return None


_AXE_SOURCE = None


def axe_source():
    global _AXE_SOURCE
    if _AXE_SOURCE is None:
        path = _axe_path()
        if path is None or not path.is_file():
            raise AssertionError(
                f"axe-core not found (RESTORA_AXE_JS={os.environ.get('RESTORA_AXE_JS')!r}): run the tests with "
                "scripts/ci/browser.sh, which installs selenium-axe-python, or set RESTORA_AXE_JS to an axe.min.js")
        _AXE_SOURCE = path.read_text(encoding="utf-8")
    return _AXE_SOURCE


RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})
  .then(r => done({version: axe.version, passes: r.passes.length,
    incomplete: r.incomplete.map(v => v.id + ' (' + v.nodes.length + ': ' +
                                 v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ') + ')'),
    violations: r.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
      nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 200),
                                summary: (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 300)}))}))}),
        e => done({error: String(e && e.stack || e)}));
"""


def run_axe(browser, page):
    """Runs axe-core on the current page; returns its violations, fails on serious/critical ones."""
    d = browser.d
    d.set_script_timeout(90)
    # Each page is a new document: inject axe again. The page's CSP (script-src 'none') does not apply to
    # WebDriver's own scripts.
    d.execute_script(axe_source())
    result = d.execute_async_script(RUN_AXE, WCAG_TAGS)
    assert "error" not in result, f"axe-core failed on {page} ({browser.path}): {result['error']}"
    violations = result["violations"]
    assert result["passes"] > 0, f"axe-core checked nothing on {page} ({browser.path})"
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']} on {page} ({browser.path}): {v['help']} ({v['helpUrl']})")
        for n in v["nodes"]:
            lines.append(f"    {n['target']}  {n['html']}")
            if n["summary"]:
                lines.append(f"        {n['summary']}")
    report = "\n".join(lines)
    SHOTS.mkdir(parents=True, exist_ok=True)
    with open(SHOTS / "accessibility.txt", "a", encoding="utf-8") as f:
        f.write(f"== {page} ({browser.path}), axe-core {result['version']}: {len(violations)} rule(s) violated, "
                f"{result['passes']} passed\n")
        if result["incomplete"]:
            f.write("  needs review (axe could not decide): " + "; ".join(result["incomplete"]) + "\n")
        if report:
            f.write(report + "\n")
    if report:
        print(report)
    failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
    for v in violations:
        if v["impact"] not in FAILING_IMPACTS:
            warnings.warn(f"accessibility ({v['impact']}): {v['id']} on {page}: "
                          f"{', '.join(n['target'] for n in v['nodes'])}")
    assert not failing, (
        f"axe-core {result['version']} found {len(failing)} serious/critical WCAG A/AA violation(s) on {page} "
        f"({browser.path}):\n" + "\n".join(
            f"  {v['id']} ({v['impact']}): {v['help']}; nodes: " + "; ".join(n["target"] for n in v["nodes"])
            for v in failing))
    return violations


def test_axe_finds_a_known_violation(browser):
    """The check can fail: an unlabelled input and faint text added to the sign-in page are reported."""
    browser.open("/sign-in")
    browser.d.execute_script("""
        const main = document.querySelector('main');
        main.insertAdjacentHTML('beforeend',
          '<input id="a11y-probe-input" type="text"><p id="a11y-probe-text" style="color:#bbb;background:#fff">faint</p>');""")
    with pytest.raises(AssertionError) as failed:
        run_axe(browser, "sign-in with a planted unlabelled input and faint text")
    message = str(failed.value)
    assert "label" in message and "#a11y-probe-input" in message, message
    assert "color-contrast" in message and "#a11y-probe-text" in message, message


# ---- the pages ----------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def seeded():
    """A participant of site A, enrolled and on treatment, with a triglyceride value (an alert, an edit and a
    history link on the participant page), seeded through the API as the journeys seed data they are not about."""
    p = person(20)
    pid = seed_participant(p)
    eid = seed_enrolment(pid, until="on-treatment")
    seed_triglyceride(pid, 620, enrolment_id=eid)  # CTCAE grade 3: an open alert on the dashboard
    fresh = seed_participant(person(21))  # not enrolled: the enrolment form offers the program
    lot = api("POST", f"/participants/{pid}/cell-products",
              {"lot": "AX-" + uuid.uuid4().hex[:8].upper(), "sourceTissue": "bone-marrow-aspirate"}, key=uuid.uuid4().hex)["id"]
    return {"mrn": p["mrn"], "pid": pid, "eid": eid, "fresh": fresh, "lot": lot}


def _open_checked(browser, path):
    browser.open(path)
    assert not browser.has("h1#error-title"), \
        f"{path} answered {browser.text('h1#error-title')!r} instead of the page under test"


def test_axe_sign_in_page(browser):
    browser.open("/sign-in")
    browser.one("form#sign-in-form")
    run_axe(browser, "sign-in")


def test_axe_sign_in_page_with_error(browser):
    browser.open("/sign-in")
    form = browser.form("form#sign-in-form")
    browser.fill(form, "username", COORDINATOR[0])
    browser.fill(form, "password", "not-the-password")
    browser.submit(form, "button#sign-in-button")
    browser.one("p#sign-in-error")
    run_axe(browser, "sign-in with error")


def test_axe_dashboard_coordinator(browser, seeded):
    browser.sign_in(COORDINATOR)
    _open_checked(browser, "/dashboard")
    run_axe(browser, "dashboard (coordinator)")


def test_axe_dashboard_investigator_with_alert(browser, seeded):
    browser.sign_in(INVESTIGATOR)
    _open_checked(browser, "/dashboard")
    run_axe(browser, "dashboard (investigator, acknowledge buttons)")


def test_axe_participant_list(browser, seeded):
    browser.sign_in(COORDINATOR)
    _open_checked(browser, "/participants?q=" + seeded["mrn"])
    browser.one("table#participant-list")
    run_axe(browser, "participant list")


def test_axe_new_participant_form(browser):
    browser.sign_in(COORDINATOR)
    _open_checked(browser, "/participants/new")
    browser.one("form#participant-form")
    run_axe(browser, "new participant form")


def test_axe_new_participant_form_with_errors(browser):
    browser.sign_in(COORDINATOR)
    _open_checked(browser, "/participants/new")
    browser.submit(browser.form("form#participant-form"))  # nothing typed: every required field refused
    browser.one("form#participant-form")
    assert browser.all("p.field-error"), "an empty participant form showed no p.field-error"
    run_axe(browser, "new participant form with errors")


def test_axe_participant_page(browser, seeded):
    browser.sign_in(COORDINATOR)
    browser.participant_page(seeded["pid"])
    run_axe(browser, "participant page")


# The data-entry forms (docs/web-app.md): id → (form, path with the `seeded` ids).
ENTRY_FORMS = {
    "enrolment": ("form#enrolment-form", "/participants/{fresh}/enrolments/new"),
    "semen": ("form#semen-form", "/participants/{pid}/semen/new"),
    "lab": ("form#lab-form", "/participants/{pid}/labs/new"),
    "dxa": ("form#dxa-form", "/participants/{pid}/dxa/new"),
    "adverse-event": ("form#adverse-event-form", "/participants/{pid}/adverse-events/new"),
    "procedure": ("form#procedure-form", "/participants/{pid}/procedures/new"),
    "cell-product": ("form#cell-product-form", "/participants/{pid}/cell-products/new"),
    "release-tests": ("form#release-tests-form", "/cell-products/{lot}/release-tests"),
}


@pytest.mark.parametrize("form_css, path", list(ENTRY_FORMS.values()), ids=list(ENTRY_FORMS))
def test_axe_data_entry_form(browser, seeded, form_css, path):
    browser.sign_in(COORDINATOR)
    _open_checked(browser, path.format(**seeded))
    browser.one(form_css)
    run_axe(browser, form_css)


def test_axe_cell_product_page(browser, seeded):
    browser.sign_in(INVESTIGATOR)
    _open_checked(browser, f"/cell-products/{seeded['lot']}")
    browser.one("p#release-summary")
    run_axe(browser, "cell product (lot) page")


def test_axe_semen_form_with_error(browser, seeded):
    browser.sign_in(COORDINATOR)
    _open_checked(browser, f"/participants/{seeded['pid']}/semen/new")
    form = browser.form("form#semen-form")
    browser.fill(form, "effective", TODAY)
    browser.fill(form, "totalMotility", "40")
    browser.fill(form, "progressiveMotility", "140")
    browser.submit(form)
    browser.field_error("form#semen-form", "progressiveMotility")
    run_axe(browser, "form#semen-form with a refused field")


def test_axe_edit_observation_form(browser, seeded):
    browser.sign_in(COORDINATOR)
    browser.participant_page(seeded["pid"])
    browser.follow(browser.one("#observations tr.observation-row a.edit-link"))
    browser.one("form#edit-form")
    run_axe(browser, "form#edit-form")


def test_axe_audit_history(browser, seeded):
    browser.sign_in(MONITOR)
    browser.participant_page(seeded["pid"])
    browser.follow(browser.one("#observations tr.observation-row a.history-link"))
    browser.one("table#audit-history")
    run_axe(browser, "audit history")


def test_axe_prescreen_contact_and_prescreened_list(browser):
    # A candidate leaves contact details (the thanks page), so the clinic's list has a row and a status form.
    browser.open("/prescreen")
    form = browser.form("form#prescreen-form")
    _answer_prescreen(browser, form)
    browser.submit(form, "button#prescreen-submit")
    form = browser.form("form#contact-form")
    browser.fill(form, "name", typed("Bastien Accessibilis" + uuid.uuid4().hex[:4]))
    browser.fill(form, "contact", typed(f"bastien.a11y.{uuid.uuid4().hex[:6]}@example.org"))
    browser.fill(form, "consent", True)
    if browser.all("select[name=programID]", within=form):
        browser.fill(form, "programID", PROGRAM_ID)
    browser.submit(form, "button#contact-submit")
    browser.one("#contact-saved")
    run_axe(browser, "pre-screening contact saved")
    browser.sign_in(COORDINATOR)
    _open_checked(browser, "/prescreened")
    browser.one("table#prescreened-list tr.prescreened-row")
    run_axe(browser, "pre-screened candidates")


def test_axe_report(browser):
    browser.sign_in(MONITOR)
    _open_checked(browser, f"/programs/{PROGRAM_ID}/report")
    run_axe(browser, "study report")


def test_axe_prescreen_questionnaire_and_result(browser):
    browser.open("/prescreen")
    assert not browser.path.startswith("/sign-in"), "the public pre-screening asks to sign in"
    form = browser.form("form#prescreen-form")
    run_axe(browser, "pre-screening questionnaire")
    _answer_prescreen(browser, form)
    browser.submit(form, "button#prescreen-submit")
    browser.one("section#prescreen-result")
    run_axe(browser, "pre-screening result")


def test_axe_not_found_page(browser):
    browser.open("/no-such-page-" + uuid.uuid4().hex[:6])
    browser.one("h1#error-title")
    run_axe(browser, "404 (signed out)")
    browser.sign_in(COORDINATOR)
    browser.open("/participants/00000000-0000-0000-0000-000000000000")
    browser.one("h1#error-title")
    run_axe(browser, "404 (signed in)")


# ---- keyboard: focus order and a visible focus indicator ------------------------------------------------------------

FOCUSED = r"""
const e = document.activeElement;
if (!e || e === document.body || e === document.documentElement) return null;
// The colour the outline (drawn outside the element, outline-offset 2px) is seen against: the first opaque
// background of an ancestor (positioned elements such as the skip link excepted: white page behind).
function behind(n) {
  for (; n && n !== document.documentElement; n = n.parentElement) {
    const c = getComputedStyle(n).backgroundColor;
    const m = c.match(/rgba?\(([^)]*)\)/);
    if (m && (m[1].split(',').length < 4 || parseFloat(m[1].split(',')[3]) > 0.5)) return c;
  }
  return getComputedStyle(document.documentElement).backgroundColor.startsWith('rgba(0, 0, 0, 0)')
      ? 'rgb(255, 255, 255)' : getComputedStyle(document.documentElement).backgroundColor;
}
const s = getComputedStyle(e), r = e.getBoundingClientRect();
return {tag: e.tagName.toLowerCase(), id: e.id, name: e.getAttribute('name') || '', type: e.type || '',
        text: (e.textContent || '').trim().slice(0, 40),
        inForm: arguments[0] ? !!e.closest(arguments[0]) : false,
        outline: s.outlineStyle === 'none' || parseFloat(s.outlineWidth) === 0 ? 'none'
                 : s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.outlineColor,
        outlineColor: s.outlineColor, shadow: s.boxShadow, behind: behind(e.parentElement),
        top: r.top + window.scrollY, left: r.left + window.scrollX, width: r.width, height: r.height,
        onScreen: r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0
                  && r.left < window.innerWidth && r.top < window.innerHeight};
"""

# The fields of a form in the order a person reads them: the control of each <label for>, in DOM order, then
# the submit button.
EXPECTED = """
const form = document.querySelector(arguments[0]);
const ids = [];
for (const label of form.querySelectorAll('label[for]')) {
  const c = document.getElementById(label.htmlFor);
  if (c && form.contains(c) && !c.disabled && c.type !== 'hidden' && !ids.includes(c.id)) ids.push(c.id);
}
const button = form.querySelector('button[type=submit], button:not([type]), input[type=submit]');
return {ids: ids, button: button ? (button.id || button.textContent.trim()) : null,
        unlabelled: [...form.querySelectorAll('input, select, textarea')]
            .filter(c => c.type !== 'hidden' && !(c.labels && c.labels.length) && !c.getAttribute('aria-label')
                         && !c.getAttribute('aria-labelledby'))
            .map(c => c.name || c.id)};
"""


def tab_through(browser, form_css, limit=60):
    """Presses Tab from the top of the page until focus has passed the form's submit button. Returns every
    focused element (FOCUSED) in order."""
    d = browser.d
    d.execute_script("window.scrollTo(0, 0); if (document.activeElement) document.activeElement.blur();")
    seen = []
    for _ in range(limit):
        ActionChains(d).send_keys(Keys.TAB).perform()
        info = d.execute_script(FOCUSED, form_css)
        if info is None:
            break
        seen.append(info)
        if info["inForm"] and info["tag"] in ("button", "input") and info["type"] == "submit":
            break
    return seen


def _rgb(css):
    parts = css[css.index("(") + 1:css.index(")")].replace("/", ",").split(",")
    return [float(x) for x in parts[:3]]


def contrast(fg, bg):
    """WCAG 2 contrast ratio of two computed CSS colours (`rgb(r, g, b)` / `rgba(...)`)."""
    def lum(rgb):
        c = [x / 255 for x in rgb]
        c = [x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4 for x in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]
    a, b = sorted((lum(_rgb(fg)), lum(_rgb(bg))), reverse=True)
    return (a + 0.05) / (b + 0.05)


def describe(info):
    return f"<{info['tag']}{' #' + info['id'] if info['id'] else ''}{' name=' + info['name'] if info['name'] else ''}>" \
           f"{' ' + repr(info['text']) if info['tag'] in ('a', 'button') else ''}"


def check_focus_order(browser, form_css):
    expected = browser.d.execute_script(EXPECTED, form_css)
    assert not expected["unlabelled"], f"fields of {form_css} without a label: {expected['unlabelled']}"
    seen = tab_through(browser, form_css)
    order = " → ".join(describe(i) for i in seen)
    print(f"Tab order on {browser.path}: {order}")

    # Every focused element shows where the focus is.
    invisible = [describe(i) for i in seen if i["outline"] == "none" and (i["shadow"] or "none") == "none"]
    assert not invisible, f"no visible focus indicator (outline or box-shadow) on {browser.path} for: {invisible}"
    # The outline stands out from what is around it: at least 3:1 (WCAG 2.1 SC 1.4.11, non-text contrast).
    faint = [f"{describe(i)}: outline {i['outlineColor']} on {i['behind']} is {contrast(i['outlineColor'], i['behind']):.2f}:1"
             for i in seen if i["outline"] != "none" and contrast(i["outlineColor"], i["behind"]) < 3]
    assert not faint, f"focus outlines below 3:1 against the background on {browser.path}: {faint}"
    # A skip link is the first stop and is shown when focused (it sits off screen until then).
    first = seen[0] if seen else None
    assert first and first["tag"] == "a" and "skip" in first["text"].lower(), \
        f"the first Tab stop on {browser.path} is {describe(first) if first else 'nothing'}, not a skip link"
    assert first["onScreen"], "the skip link stays off screen when focused"

    in_form = [i for i in seen if i["inForm"]]
    # Links inside a form (e.g. the lab form's list of tests and their units) are Tab stops too, in DOM order;
    # the fields compared with the labels are the controls.
    # A date input is several stops (day, month, year, picker): one field.
    controls = [i for i in in_form if i["tag"] in ("input", "select", "textarea") and i["type"] != "submit"]
    fields = [i["id"] for n, i in enumerate(controls) if n == 0 or i["id"] != controls[n - 1]["id"]]
    assert fields == expected["ids"], (
        f"Tab reaches the fields of {form_css} in the order {fields}; their labels read {expected['ids']}\n"
        f"whole Tab order: {order}")
    assert in_form and in_form[-1]["tag"] in ("button", "input") and in_form[-1]["type"] == "submit", \
        f"Tab never reached the submit button of {form_css}: {order}"
    # The visual order agrees: each field is below the previous one, or on the same line and to its right.
    # (Controls and the submit button only: a list of links may be set in columns, read down each column.)
    steps = [i for i in in_form if i["tag"] in ("input", "select", "textarea", "button")]
    for a, b in zip(steps, steps[1:]):
        if a["id"] and a["id"] == b["id"]:
            continue  # the parts of one date input
        below = b["top"] >= a["top"] + a["height"] / 2
        right = abs(b["top"] - a["top"]) < a["height"] / 2 and b["left"] > a["left"]
        assert below or right, f"Tab goes from {describe(a)} up to {describe(b)} on {browser.path}"
    return seen


def test_keyboard_focus_order_sign_in(browser):
    browser.open("/sign-in")
    seen = check_focus_order(browser, "form#sign-in-form")
    ids = [i["id"] for i in seen if i["inForm"]]
    assert ids[:2] == ["username", "password"] and ids[-1] == "sign-in-button", f"sign-in Tab order {ids}"


def test_keyboard_focus_order_semen_form(browser, seeded):
    browser.sign_in(COORDINATOR)
    _open_checked(browser, f"/participants/{seeded['pid']}/semen/new")
    seen = check_focus_order(browser, "form#semen-form")
    fields = [i["name"] for i in seen if i["inForm"] and i["name"]]
    for name in ("effective", "volume", "concentration", "totalMotility", "progressiveMotility", "normalForms"):
        assert name in fields, f"Tab never reached `{name}` of form#semen-form: {fields}"


# The semen form has its own focus-order test above.
FOCUS_FORMS = {"participant": ("form#participant-form", "/participants/new"),
               **{k: v for k, v in ENTRY_FORMS.items() if k != "semen"}}


@pytest.mark.parametrize("form_css, path", list(FOCUS_FORMS.values()), ids=list(FOCUS_FORMS))
def test_keyboard_focus_order_other_forms(browser, seeded, form_css, path):
    browser.sign_in(COORDINATOR)
    _open_checked(browser, path.format(**seeded))
    check_focus_order(browser, form_css)
