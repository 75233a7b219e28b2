"""fleet.py's page, made from reports as hosts send them and opened in Debian's headless Chromium."""

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tasks.doctor.page import TEMPLATE as DOCTOR_TEMPLATE
from tasks.fleet.page import CELLS_TEMPLATE, TEMPLATE, Reports, fleet, newest_commit, page, read_folder
from testbed.fleet_examples import NOW, commit, report, team
from testbed.fleet_examples import fleet as many
from tests.fleet_reports import fleet_valid
from tests.reports import chromium, looks, open_page

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "docs" / "fleet-report.png"
SCREENSHOT_OF = ROOT / "docs" / "fleet-report.png.sha256"  # the templates the screenshot shows
HOSTILE = "<script>window.__pwned = 1</script>"
HOSTILE_TEXT = '<img src=x onerror="window.__pwned = 2"></dd><script>window.__pwned = 3</script>'


def reports(extra: dict | None = None) -> Reports:
    read = Reports()
    for name, sent in {**team(), **(extra or {})}.items():
        read.add(f"{name}.json", json.dumps(fleet_valid(sent)))
    return read


def hostile() -> dict:
    return {HOSTILE: report(HOSTILE, ok=False, error=HOSTILE_TEXT, fetch_error=f"`{HOSTILE}`", commit_n=2)}


def write(tmp_path: Path, read: Reports) -> Path:
    path = tmp_path / "fleet.html"
    path.write_text(page(read, NOW, 3))
    return path


def templates_digest() -> str:
    return hashlib.sha256(b"".join(t.read_bytes() for t in (TEMPLATE, CELLS_TEMPLATE, DOCTOR_TEMPLATE))).hexdigest()


@pytest.fixture(scope="module")
def browser():
    with chromium() as started:
        yield started


def test_who_lags_is_stale_failed_or_waits():
    data = fleet(reports(), NOW, 3)
    rows = {r.name: r for r in data["rows"]}
    assert data["newest"] == commit(3) and newest_commit({}) is None
    assert {n for n, r in rows.items() if r.lagging} == {"laptop-03", "laptop-05", "laptop-08"}
    assert {n for n, r in rows.items() if r.stale} == {"laptop-05", "laptop-08"}
    assert {n for n, r in rows.items() if r.failed} == {"laptop-06"}
    assert {n for n, r in rows.items() if r.restart} == {"laptop-04"}
    assert {n for n, r in rows.items() if r.run == "WARN"} == {"laptop-07", "laptop-08"}  # a fetch, a refusal
    assert [r.name for r in data["rows"]][:3] == ["laptop-06", "laptop-05", "laptop-08"]  # worst first
    assert data["commits"] == [(commit(3), 5), (commit(2), 2), (commit(1), 1)]
    assert fleet(reports(), NOW, 10)["totals"]["stale"] == 0  # fleet_stale_days moves the line


def test_reports_that_cannot_be_read_are_listed_not_fatal(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps(report("a")))
    (tmp_path / "b.json").write_text("{oops")
    (tmp_path / "c.json").write_text(json.dumps({**report("c"), "schema": 2}))
    (tmp_path / "d.json").write_text(json.dumps({"schema": 1}))
    (tmp_path / "older-a.json").write_text(json.dumps(report("a", age=9000, commit_n=1)))
    read = read_folder(tmp_path)
    assert list(read.hosts) == ["a"] and read.hosts["a"]["outcome"]["commit"] == commit(3)  # the newest of a
    assert [(Path(w).name, why.split(":")[0]) for w, why in read.unreadable] == [
        ("b.json", "not JSON"), ("c.json", "schema 2, this fleet.py reads schema 1"), ("d.json", "no 'host' in it")]


def test_host_values_are_escaped_and_the_template_loads_nothing(tmp_path):
    read = reports(hostile())
    read.unreadable.append((f"{HOSTILE}.json", HOSTILE_TEXT))
    html = page(read, NOW, 3)
    assert html.count("<script") == 1, "a host's value made a script element"
    assert "<img" not in html and "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in html
    source = TEMPLATE.read_text() + CELLS_TEMPLATE.read_text()
    assert not re.search(r"://|\bsrc=|\bhref=|@import|url\(|@font-face", source), "the page must load nothing"
    assert "innerHTML" not in source and "outerHTML" not in source


def test_the_memory_and_disk_warnings_reach_the_page_with_their_fixes(tmp_path):
    text = write(tmp_path, reports({"laptop-16": report("laptop-16", kind="small-laptop")})).read_text()
    row = text[text.index("laptop-16"):]
    for words in ("wsl.memory", "the VM has 7.7 GiB of memory", "memory=16GB", "docker.disk", "9.6 GB free",
                  "docker system prune"):
        assert words in row, words


def test_fleet_py_writes_the_page_from_a_folder(tmp_path):
    for name, sent in team().items():
        (tmp_path / f"{name}.json").write_text(json.dumps(sent))
    done = subprocess.run([sys.executable, "fleet.py", str(tmp_path), "-o", str(tmp_path / "fleet.html")], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"fleet.py: 8 hosts (0 unreadable reports) written to {tmp_path}/fleet.html\n"
    assert (tmp_path / "fleet.html").read_text().count('<tr class="host-') == 8
    bad = subprocess.run([sys.executable, "fleet.py", str(tmp_path), "--stale-days", "0"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "fleet_stale_days = 0.0: must be a number of days, more than 0" in bad.stderr


def test_the_fleet_page_in_chromium(browser, tmp_path):
    opened = open_page(browser, write(tmp_path, reports(hostile())), 1700, 900)
    page_ = opened.page
    assert opened.requests == [page_.url], "the page asked for more than itself"
    assert opened.errors == [] and opened.dialogs == []
    assert page_.evaluate("typeof window.__pwned") == "undefined", "a host's value ran as a script"
    summary = re.sub(r"\s+", " ", page_.locator("#summary").inner_text())
    assert summary == ("9 hosts: 2 failed their last run, 2 stale (silent over 3 d), 4 lagging behind the newest "
                       "commit, 1 waiting for an engine restart, 1 failing a doctor check. Page made 2026-12-06 "
                       "12:00 UTC."), summary
    shown = page_.evaluate("""() => Object.fromEntries([...document.querySelectorAll("#grid tbody tr")].map(tr =>
        [tr.querySelector("th").textContent, [...tr.querySelectorAll("td")].slice(0, 4).map(td => td.innerText)]))""")
    assert shown["laptop-05"] == ["5 d ago · stale", "0f98b1f7ed · lags", "ok", "no"]
    assert shown["laptop-08"][0] == "9 d ago · stale" and shown["laptop-08"][2] == "ok, but"
    assert shown["laptop-03"] == ["2 h ago", "78b3ba1200 · lags", "ok", "no"]
    assert shown["laptop-06"][2] == "failed" and shown["laptop-04"][3] == "pending"
    assert shown["laptop-01"] == ["10 min ago", f"{commit(3)[:10]}", "ok", "no"]
    assert shown[HOSTILE][2] == "failed", "the host's name does not show literally"

    details = page_.locator("#details")
    laptop_06 = page_.locator("tr", has=page_.get_by_role("button", name="laptop-06", exact=True))
    laptop_06.locator("td.run button").click()
    text = details.locator("section:visible").inner_text()
    assert "failed in 42.5 s: E: Unable to locate package nvidia-container-toolkit" in text
    laptop_06.locator("td button.FAIL").last.click()
    layer = details.locator("section:visible").inner_text()
    assert "daemon-json.runtime" in layer
    # A layer's warnings beside its failures: the 64 MiB /dev/shm of a daemon.json that nvidia-ctk alone wrote.
    assert "daemon-json.shm" in layer and "containers get a /dev/shm of 64 MiB" in layer, layer
    page_.get_by_role("button", name="pending").click()
    assert "rerun it with engine_restart = \"now\"" in details.locator("section:visible").inner_text()
    page_.get_by_role("button", name=HOSTILE, exact=True).click()
    text = details.locator("section:visible").inner_text()
    assert HOSTILE_TEXT in text and HOSTILE in text, text
    assert page_.evaluate("typeof window.__pwned") == "undefined" and opened.dialogs == []

    page_.locator("#only-attention").check()
    visible = page_.evaluate("""() => [...document.querySelectorAll("#grid tbody tr")]
        .filter(tr => tr.getClientRects().length).map(tr => tr.querySelector("th").textContent)""")
    assert sorted(visible) == sorted([HOSTILE, "laptop-06", "laptop-05", "laptop-08", "laptop-03"])


def test_five_hundred_hosts_stay_readable(browser, tmp_path):
    read = Reports()
    for name, sent in many(500).items():
        read.add(name, json.dumps(sent))
    opened = open_page(browser, write(tmp_path, read), 1280, 800)
    page_ = opened.page
    assert page_.locator("#grid tbody tr").count() == 500 and opened.errors == []
    assert page_.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # the grid scrolls in its own box, and its header row stays in view
    page_.locator("#grid").evaluate("g => g.scrollTop = g.scrollHeight")
    header = page_.locator("#grid thead th").first.bounding_box()
    box = page_.locator("#grid").bounding_box()
    assert box["y"] <= header["y"] <= box["y"] + 5


def test_the_readme_screenshot_is_of_the_current_templates():
    recorded = SCREENSHOT_OF.read_text().split()[0] if SCREENSHOT_OF.exists() else "none"
    assert recorded == templates_digest(), (
        "docs/fleet-report.png shows older templates: run `.venv/bin/python -m pytest tests/unit/test_fleet_page.py`, "
        "which writes it anew, and commit it")


def test_a_screenshot_of_the_page_for_the_readme(browser, tmp_path):
    opened = open_page(browser, write(tmp_path, reports()), 1700, 430)
    opened.page.get_by_role("button", name="laptop-05", exact=True).click()
    png = opened.screenshot()
    size, commonest, colours = looks(png)
    assert size == (1700, 430)
    assert commonest < 0.8 and colours > 50, f"the screenshot looks blank: {commonest:.0%} one colour"
    if not SCREENSHOT_OF.exists() or SCREENSHOT_OF.read_text().split()[0] != templates_digest():
        SCREENSHOT.write_bytes(png)
        SCREENSHOT_OF.write_text(f"{templates_digest()}  " + " ".join(
            str(t.relative_to(ROOT)) for t in (TEMPLATE, CELLS_TEMPLATE, DOCTOR_TEMPLATE)) + "\n")
        pytest.fail(f"{SCREENSHOT.relative_to(ROOT)} was stale and is written anew: commit it")
