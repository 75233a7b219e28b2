"""Doctor's reports as other tools read them: the JSON against its schema, the page in Debian's Chromium."""

from __future__ import annotations

import io
import json
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "schemas" / "doctor-report.schema.json"
SCHEMA = json.loads(SCHEMA_FILE.read_text())
VALIDATOR = Draft202012Validator(SCHEMA)
WORST = ("FAIL", "WARN", "PASS", "INFO")
CHROMIUM = Path("/usr/bin/chromium")  # Debian's chromium, which .ci/setup-host.sh installs
# Each cell's status and each host's row, as the page's DOM holds them.
READ_GRID = """() => {
  const layers = [...document.querySelectorAll("#grid thead th")].slice(1).map(th => th.textContent);
  const hosts = {};
  for (const tr of document.querySelectorAll("#grid tbody tr:not(.unreachable)")) {
    const cells = [...tr.querySelectorAll("td button")].map((b, i) => [layers[i], b.className]);
    hosts[tr.querySelector("th").textContent] = Object.fromEntries(cells);
  }
  return hosts;
}"""


def schema_errors(report: dict) -> list[str]:
    """What makes a report break its schema, one line each: none for a good report."""
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
            for e in sorted(VALIDATOR.iter_errors(report), key=lambda e: list(map(str, e.path)))]


def valid(report: dict) -> dict:
    """The report, once it has been checked against schemas/doctor-report.schema.json."""
    errors = schema_errors(report)
    assert not errors, "the report breaks schemas/doctor-report.schema.json:\n  " + "\n  ".join(errors)
    return report


def worst_cells(report: dict) -> dict:
    """{host: {layer: status}}: the worst status of each layer's checks, read from the JSON report."""
    cells = {}
    for name, found in report["hosts"].items():
        by_layer: dict[str, set] = {}
        for c in found["checks"]:
            by_layer.setdefault(c["layer"], set()).add(c["status"])
        cells[name] = {layer: next(s for s in WORST if s in seen) for layer, seen in by_layer.items()}
    return cells


@contextmanager
def chromium():
    """A headless Chromium (Debian's, driven by Playwright), closed afterwards."""
    if not CHROMIUM.exists():
        # CI installs it (.ci/setup-host.sh): there a missing browser is a failure, not a skip.
        (pytest.fail if os.environ.get("CI") else pytest.skip)(f"no {CHROMIUM}: run .ci/setup-host.sh as root")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Opened:
    """A page open in Chromium, with every request it made, every dialog it opened and every script error."""

    page: object
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def grid(self) -> dict:
        """{host: {layer: status}} as the page's cells show them."""
        return self.page.evaluate(READ_GRID)

    def visible_rows(self) -> list[str]:
        return self.page.evaluate("""() => [...document.querySelectorAll("#grid tbody tr")]
            .filter(tr => tr.getClientRects().length).map(tr => tr.querySelector("th").textContent)""")

    def row(self, host: str):
        """The grid's row of a host, by its name as the page shows it."""
        return self.page.locator("#grid tbody tr").filter(has=self.page.locator("th").get_by_text(host, exact=True))

    def screenshot(self, path: Path | None = None) -> bytes:
        return self.page.screenshot(path=path)


def open_page(browser, path: Path, width: int = 1400, height: int = 900) -> Opened:
    page = browser.new_page(viewport={"width": width, "height": height})
    opened = Opened(page)
    page.on("request", lambda request: opened.requests.append(request.url))
    page.on("dialog", lambda dialog: (opened.dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: opened.errors.append(str(error)))
    page.goto(path.resolve().as_uri())
    return opened


def looks(png: bytes) -> tuple[tuple[int, int], float, int]:
    """A screenshot's size, the share of its pixels in its commonest colour, and how many colours it has."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    colours = image.getcolors(image.width * image.height)
    return image.size, max(n for n, _ in colours) / (image.width * image.height), len(colours)
