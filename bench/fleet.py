"""fleet.py at 5,000 hosts (goal: under 5 s): `.venv/bin/python -m bench.fleet [--hosts N] [--browser]`."""

import argparse
import json
import re
import statistics
import tempfile
import time
from pathlib import Path

from tasks.fleet.page import page, read_folder
from testbed.fleet_examples import NOW, fleet

GOAL_SECONDS, GOAL_HOSTS = 5.0, 5000
CHROMIUM = "/usr/bin/chromium"  # Debian's, as the tests use it


def _in_chromium(path: Path) -> str:
    """How the page reads in headless Chromium: its load time, the rows in the first screen, and the filter."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1700, "height": 900})
            started = time.perf_counter()
            page.goto(path.resolve().as_uri())
            loaded = time.perf_counter() - started
            in_view = page.evaluate("""() => [...document.querySelectorAll("#grid tbody tr")].filter(tr => {
                const r = tr.getBoundingClientRect(); return r.height && r.bottom <= window.innerHeight; }).length""")
            started = time.perf_counter()
            page.locator("#only-attention").check()
            shown = page.evaluate("""() => [...document.querySelectorAll("#grid tbody tr")]
                .filter(tr => tr.getClientRects().length).length""")
            filtered = time.perf_counter() - started
            fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        finally:
            browser.close()
    return (f"  in Chromium (1700x900): loaded in {loaded:.1f} s, {in_view} rows in the first screen, no sideways "
            f"scrolling: {fits}; the attention filter leaves {shown} rows in {filtered:.2f} s")


def _once(folder: Path, out: Path) -> tuple[float, float]:
    """fleet.py's own work: read every report in the folder, render the page, write it; wall and CPU seconds."""
    wall, cpu = time.perf_counter(), time.process_time()
    out.write_text(page(read_folder(folder), NOW, 3))
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hosts", type=int, default=GOAL_HOSTS)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--browser", action="store_true", help="also open the page in Debian's headless Chromium")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-fleet-") as folder:
        reports = Path(folder) / "reports"
        reports.mkdir()
        for name, sent in fleet(args.hosts).items():
            (reports / f"{name}.json").write_text(json.dumps(sent, indent=2))
        size_in = sum(p.stat().st_size for p in reports.iterdir())
        out = Path(folder) / "fleet.html"
        runs = [_once(reports, out) for _ in range(args.repeats)]
        html = out.read_text()
        browser = _in_chromium(out) if args.browser else ""
    walls, cpus = [w for w, _ in runs], [c for _, c in runs]
    rows = html.count('<tr class="host-')
    attention = len(re.findall(r'<tr class="host-\w+ attention"', html))
    sections = html.count('<section id="')
    print(f"fleet.py, {args.hosts} hosts ({size_in / 1e6:.1f} MB of reports), {args.repeats} runs:")
    print(f"  time: median {statistics.median(walls):.2f} s wall ({min(walls):.2f}-{max(walls):.2f}), "
          f"{statistics.median(cpus):.2f} s CPU; goal < {GOAL_SECONDS:g} s at {GOAL_HOSTS}: "
          f"{'met' if statistics.median(walls) < GOAL_SECONDS else 'missed'}")
    print(f"  page: {len(html) / 1e6:.1f} MB ({len(html) / max(rows, 1) / 1e3:.1f} kB a host), {rows} rows, "
          f"{sections} detail sections (a host's own, and one for each failing or warning cell), "
          f"{attention} hosts needing attention listed first, one script element: {html.count('<script') == 1}")
    if browser:
        print(browser)


if __name__ == "__main__":
    main()
