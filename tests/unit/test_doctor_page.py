"""Doctor's page, doctor-report.html, made from captured results and opened in Debian's headless Chromium."""

import functools
import hashlib
import re
from dataclasses import replace
from pathlib import Path

import pytest

from tasks.doctor.page import TEMPLATE, code, page, worst
from tasks.doctor.report import report_json
from testbed.doctor_examples import EXAMPLES, NO_RUNTIME, run
from tests.reports import chromium, looks, open_page, valid, worst_cells

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "docs" / "doctor-report.png"
SCREENSHOT_OF = ROOT / "docs" / "doctor-report.png.sha256"  # the template the screenshot shows
HOSTILE = "<script>window.__pwned = 1</script>"
HOSTILE_TEXT = '<img src=x onerror="window.__pwned = 2"></p><script>window.__pwned = 3</script>'
# The README's team: a host for each kind of finding (the examples' numbers), two converged, one not reached.
TEAM = {"laptop-01": {}, "laptop-02": NO_RUNTIME, "laptop-03": 3, "laptop-04": 8, "laptop-05": None,
        "laptop-06": 25, "laptop-07": 40, "laptop-08": 46, "laptop-09": 64, "laptop-10": None, "laptop-11": 55}
NOT_REACHED = ["laptop-12"]


def results(example) -> list:
    """The results of EXAMPLES[example], or of GOOD with these facts."""
    return list(_example(example)) if isinstance(example, int) else run(example or {}, {})


@functools.cache
def _example(i: int) -> tuple:
    return tuple(run(*EXAMPLES[i]))


def team(**extra) -> dict:
    report = report_json({name: results(example) for name, example in TEAM.items()} | extra, NOT_REACHED)
    return valid({**report, "generated": "2026-12-01T09:30:00Z"})


def hostile() -> list:
    """A host whose name, found text and fix are markup and scripts, as a host could make them."""
    out = results(NO_RUNTIME)
    i = next(i for i, r in enumerate(out) if r.check == "daemon-json.runtime")
    out[i] = replace(out[i], found=HOSTILE_TEXT, fix=f"`{HOSTILE}` & {HOSTILE_TEXT}")
    return out


def write(tmp_path: Path, report: dict) -> Path:
    path = tmp_path / "doctor-report.html"
    path.write_text(page(report))
    return path


@pytest.fixture(scope="module")
def browser():
    with chromium() as started:
        yield started


def test_host_values_are_escaped_and_the_template_loads_nothing():
    html = page(team(**{HOSTILE: hostile()}))
    assert html.count("<script") == 1, "a host's value made a script element"
    assert "<img" not in html and "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in html
    source = TEMPLATE.read_text()
    assert not re.search(r"://|\bsrc=|\bhref=|@import|url\(|@font-face", source), "the page must load nothing"
    assert "innerHTML" not in source and "outerHTML" not in source


def test_a_cell_is_its_worst_check_and_commands_show_as_code_never_as_markup():
    assert worst(["PASS", "INFO"]) == "PASS" and worst(["INFO"]) == "INFO" and worst(["WARN", "FAIL"]) == "FAIL"
    assert str(code("run `a <b>` & go")) == "run <code>a &lt;b&gt;</code> &amp; go"
    assert str(code("an ` unpaired <i>")) == "an ` unpaired &lt;i&gt;"


def test_the_teams_page_in_chromium(browser, tmp_path):
    report = team(**{HOSTILE: hostile()})
    opened = open_page(browser, write(tmp_path, report))
    page_ = opened.page
    assert opened.requests == [page_.url], "the page asked for more than itself"
    assert opened.errors == [] and opened.dialogs == []
    assert page_.evaluate("typeof window.__pwned") == "undefined", "a host's value ran as a script"

    summary = page_.locator("#summary").inner_text()
    assert re.sub(r"\s+", " ", summary) == ("12 hosts: 5 fail, 4 warn, 3 pass, 1 not reached. "
                                            "Report made 2026-12-01 09:30:00 UTC."), summary
    assert page_.locator("#unreachable li").all_text_contents() == NOT_REACHED
    cells = opened.grid()
    assert cells == worst_cells(report)
    assert cells["laptop-02"]["daemon.json"] == "FAIL" and cells["laptop-01"]["Docker Engine"] == "PASS"
    assert cells["laptop-03"]["sudo"] == "WARN" and cells["laptop-01"]["GPU container"] == "INFO"
    assert HOSTILE in cells, "the host's name does not show literally"

    # A failing cell shows its findings and their fixes; another cell replaces them.
    fix = next(r.fix for r in results(NO_RUNTIME) if r.check == "daemon-json.runtime")
    details = page_.locator("#details")
    assert fix.split("`")[0] not in details.inner_text()
    opened.row("laptop-02").locator("td button.FAIL").click()
    shown = details.locator("section:visible")
    assert shown.count() == 1 and shown.locator("h2").inner_text() == "laptop-02: daemon.json"
    assert re.sub(r"\s+", " ", fix.replace("`", "")) in re.sub(r"\s+", " ", shown.inner_text())
    assert "fix (by the deploy): rerun the deploy" in shown.inner_text()
    assert shown.locator("code").first.inner_text() == "nvidia-ctk runtime configure --runtime=docker"
    page_.locator(f'button[title^="{HOSTILE}: daemon.json"]').click()
    text = details.locator("section:visible").inner_text()
    assert HOSTILE_TEXT in text and HOSTILE in text, text
    assert page_.evaluate("typeof window.__pwned") == "undefined" and opened.dialogs == []

    # The filter leaves the hosts that fail, and the host not reached.
    page_.locator("#only-failing").check()
    failing = [name for name, found in report["hosts"].items() if found["failed"]] + NOT_REACHED
    assert opened.visible_rows() == failing and "laptop-03" not in failing
    page_.locator("#only-failing").uncheck()
    assert len(opened.visible_rows()) == 13


def test_the_readme_screenshot_is_of_the_current_template():
    recorded = SCREENSHOT_OF.read_text().split()[0] if SCREENSHOT_OF.exists() else "none"
    assert recorded == hashlib.sha256(TEMPLATE.read_bytes()).hexdigest(), (
        "docs/doctor-report.png shows an older templates/doctor-report.html.j2: run "
        "`.venv/bin/python -m pytest tests/unit/test_doctor_page.py`, which writes it anew, and commit it")


def test_a_screenshot_of_the_page_for_the_readme(browser, tmp_path):
    opened = open_page(browser, write(tmp_path, team()), 1400, 640)
    opened.row("laptop-02").locator("td button.FAIL").click()
    png = opened.screenshot()
    size, commonest, colours = looks(png)
    assert size == (1400, 640)
    assert commonest < 0.8 and colours > 50, f"the screenshot looks blank: {commonest:.0%} one colour"
    digest = hashlib.sha256(TEMPLATE.read_bytes()).hexdigest()
    if not SCREENSHOT_OF.exists() or SCREENSHOT_OF.read_text().split()[0] != digest:
        SCREENSHOT.parent.mkdir(exist_ok=True)
        SCREENSHOT.write_bytes(png)
        SCREENSHOT_OF.write_text(f"{digest}  {TEMPLATE.relative_to(ROOT)}\n")
        pytest.fail(f"{SCREENSHOT.relative_to(ROOT)} was stale and is written anew: commit it")


def test_two_hundred_hosts_stay_readable(browser, tmp_path):
    kinds = range(0, len(EXAMPLES), 6)  # a dozen kinds of host, among them converged ones
    reports = {f"ws-{i:03}.lab.example.org": results(kinds[i % len(kinds)]) for i in range(200)}
    report = valid(report_json(reports, ["ws-200.lab.example.org"]))
    opened = open_page(browser, write(tmp_path, report), 1280, 800)
    page_ = opened.page
    assert page_.locator("#grid tbody tr").count() == 201
    assert opened.grid() == worst_cells(report)
    # The page is as wide as the window; the grid scrolls in its own box, its header row staying in view.
    assert page_.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    grid = page_.locator("#grid")
    assert grid.evaluate("g => g.scrollHeight > g.clientHeight && g.getBoundingClientRect().bottom <= innerHeight")
    grid.evaluate("g => { g.scrollTop = g.scrollHeight; }")
    assert grid.evaluate("g => g.querySelector('thead').getBoundingClientRect().top - g.getBoundingClientRect().top"
                         ) < 2
    opened.row("ws-199.lab.example.org").locator("td button").last.click()
    assert page_.locator("#details section:visible h2").inner_text() == "ws-199.lab.example.org: GPU container"
    page_.locator("#only-failing").check()
    assert len(opened.visible_rows()) == sum(bool(h["failed"]) for h in report["hosts"].values()) + 1
