"""The fleet page: every host's last report, read from a folder or report_url, as one self-contained HTML file."""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import unquote, urljoin, urlsplit

from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

from tasks.doctor.page import TEMPLATE as DOCTOR_TEMPLATE
from tasks.doctor.page import code, grid
from tasks.findings import FAIL, INFO, PASS, WARN
from tasks.fleet.report import SCHEMA, TIMEOUT, header_dict, target
from tasks.masking import masked

TEMPLATE = Path(__file__).resolve().parents[2] / "templates" / "fleet-report.html.j2"
CELLS_TEMPLATE = TEMPLATE.parent / "fleet-layer-cells.html.j2"
RESTART_CHECK = "docker.restart-pending"
# A listing's own folder and its other entries: a PROPFIND of depth 1 answers with both.
_DAV = "{DAV:}"


@dataclass
class Reports:
    """The reports read, by host name, and what could not be read (a file or URL, and why)."""

    hosts: dict[str, dict] = field(default_factory=dict)
    unreadable: list[tuple[str, str]] = field(default_factory=list)

    def add(self, where: str, text: str) -> None:
        try:
            report = json.loads(text)
        except ValueError as error:
            self.unreadable.append((where, f"not JSON: {error}"))
            return
        if not isinstance(report, dict) or report.get("schema") != SCHEMA:
            found = report.get("schema") if isinstance(report, dict) else type(report).__name__
            self.unreadable.append((where, f"schema {found!r}, this fleet.py reads schema {SCHEMA}"))
            return
        try:
            name, generated = report["host"]["hostname"], report["generated"]
            report["outcome"]["ok"], report["repository"]["commit"]  # noqa: B018 - the keys the page needs
        except (KeyError, TypeError) as error:
            self.unreadable.append((where, f"no {error} in it"))
            return
        if name not in self.hosts or self.hosts[name]["generated"] < generated:
            self.hosts[name] = report


def read_folder(folder: Path) -> Reports:
    """Every *.json report in folder."""
    reports = Reports()
    for path in sorted(folder.glob("*.json")):
        try:
            reports.add(str(path), path.read_text(errors="replace"))
        except OSError as error:
            reports.unreadable.append((str(path), str(error)))
    return reports


def listing(xml_text: str, base: str) -> list[str]:
    """The URLs of the *.json files a WebDAV PROPFIND (depth 1) answer names."""
    root = ElementTree.fromstring(xml_text)
    urls = []
    for response in root.iter(f"{_DAV}response"):
        href = response.findtext(f"{_DAV}href") or ""
        if href.endswith(".json") and response.find(f".//{_DAV}collection") is None:
            urls.append(urljoin(base, href))
    return urls


def read_url(report_url: str, header: str | None = None, ca_bundle: str | bool = True) -> Reports:
    """Every *.json report in the WebDAV folder report_url, listed with PROPFIND and read with GET."""
    import requests

    folder, auth = target(report_url, "")
    folder = folder[: -len(".json")]
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(folder))
    reports = Reports()
    with requests.Session() as session:
        # verify on each request: requests lets REQUESTS_CA_BUNDLE override a session's own
        session.auth = auth
        session.headers.update(header_dict(header))
        answer = session.request("PROPFIND", folder, headers={"Depth": "1"}, timeout=TIMEOUT, verify=ca_bundle)
        if answer.status_code != 207:
            raise RuntimeError(f"PROPFIND {masked(folder)} answered HTTP {answer.status_code} {answer.reason}: "
                               "is report_url a WebDAV folder, and are its credentials right?")
        for url in listing(answer.text, origin):
            got = session.get(url, timeout=TIMEOUT, verify=ca_bundle)
            where = unquote(url.rsplit("/", 1)[-1])
            if got.status_code == 200:
                reports.add(where, got.text)
            else:
                reports.unreadable.append((where, f"HTTP {got.status_code} {got.reason}"))
    return reports


def seconds_of(stamp: str | None) -> float | None:
    """A report's UTC time (2026-12-06T12:00:00Z) in seconds; None for anything else."""
    try:
        return datetime.fromisoformat(stamp).timestamp() if len(stamp) == 20 and stamp[-1] == "Z" else None
    except (TypeError, ValueError):
        return None


def ago(seconds: float) -> str:
    """An age as a lead reads it: 5 min, 3 h, 4 d."""
    if seconds < 3600:
        return f"{max(0, int(seconds // 60))} min ago"
    if seconds < 2 * 86400:
        return f"{int(seconds // 3600)} h ago"
    return f"{int(seconds // 86400)} d ago"


def newest_commit(reports: dict[str, dict]) -> str | None:
    """The commit first applied last: the one the team's ref moved to most recently, as the hosts saw it."""
    first: dict[str, float] = {}
    for report in reports.values():
        sha = report["outcome"].get("commit") or report["repository"].get("commit")
        since = seconds_of(report["outcome"].get("applied_since")) or seconds_of(report["generated"])
        if sha and since is not None:
            first[sha] = min(first.get(sha, since), since)
    return max(first, key=lambda sha: (first[sha], sha)) if first else None


def _facts(report: dict, row: SimpleNamespace, newest: str | None) -> list[tuple[str, str]]:
    """A host's details, as terms and texts: its last report, run, commit, uploads and identity."""
    o, host = report["outcome"], report.get("host", {})
    facts = [("last report", f"{report['generated']} ({row.age}{', stale' if row.stale else ''})"),
             ("last run", f"{'succeeded' if o.get('ok') else 'failed'} in {o.get('seconds')} s"
                          + (f": {o['error']}" if o.get("error") else ""))]
    facts += [(term, o[key]) for term, key in (("fetch", "fetch_error"), ("refused", "refused")) if o.get(key)]
    lag = f" (lags: the newest is {newest[:10]})" if row.lagging else ""
    facts.append(("commit", f"{row.commit or 'none'}{lag}, {o.get('ref')}, applied since {o.get('applied_since')}"))
    if o.get("changed"):
        facts.append(("changed", "\n".join(map(str, o["changed"]))))
    upload = report.get("upload") or {}
    if upload.get("failed_since"):
        facts.append(("uploads", f"failing since {upload['failed_since']}: {upload.get('last_error')}"))
    facts.append(("host", f"{host.get('distro')}, kernel {host.get('kernel')}, {host.get('arch')}"))
    return facts


def _findings(checks: list[dict]) -> list[tuple]:
    """The checks a lead acts on (FAIL, WARN) as the page shows them: status, check, found, fix, by_deploy."""
    return [(c["status"], c["check"], c["found"], c.get("fix") or "", c.get("by_deploy"))
            for c in checks if c["status"] in (FAIL, WARN)]


def fleet(reports: Reports, now: float, stale_days: float) -> dict:
    """The page's data: a row per host (those needing attention first), the commits seen and the totals.
    Rows are plain objects of ready values: at thousands of hosts the template does little but print."""
    hosts = reports.hosts
    newest = newest_commit(hosts)
    doctor = {"hosts": {name: r["doctor"] if r.get("doctor") else
                        {"failed": [], "checks": [{"id": "doctor.report", "check": "doctor.report", "layer": "doctor",
                                                   "status": WARN,
                                                   "found": r.get("doctor_error") or "no doctor report",
                                                   "fix": "", "by_deploy": False}]}
                        for name, r in hosts.items()}}
    layers, cells = grid(doctor)
    commits: dict[str, int] = {}
    rows = []
    for cell_row in cells:
        report = hosts[cell_row["name"]]
        outcome = report["outcome"]
        sha = outcome.get("commit") or report["repository"].get("commit") or ""
        commits[sha] = commits.get(sha, 0) + 1
        age = now - (seconds_of(report["generated"]) or 0)
        checks = (report.get("doctor") or {}).get("checks", [])
        restart = next((c for c in checks if c["check"] == RESTART_CHECK and c["status"] in (FAIL, WARN)), None)
        problems = [p for p in (outcome.get("error"), outcome.get("fetch_error"), outcome.get("refused")) if p]
        failed = not outcome.get("ok")
        row = SimpleNamespace(
            name=cell_row["name"], status=cell_row["status"], generated=report["generated"], commit=sha,
            short=sha[:10] or "none", lagging=bool(sha) and sha != newest, age=ago(age),
            stale=age > stale_days * 86400, failed=failed, restart=restart,
            run=FAIL if failed else WARN if problems else PASS,
            run_label="failed" if failed else "ok, but" if problems else "ok",
            cells=[(c["status"], c["status"] if c["checks"] else "", c["status"] in (FAIL, WARN))
                   for c in cell_row["cells"]],
            details=[(i, c["layer"], _findings(c["checks"])) for i, c in enumerate(cell_row["cells"], 1)
                     if c["status"] in (FAIL, WARN)])
        row.attention = row.failed or row.stale or row.lagging or row.status == FAIL
        row.facts = _facts(report, row, newest)
        rows.append(row)
    rows.sort(key=lambda r: (not r.failed, not r.stale, not r.lagging, r.status != FAIL, r.restart is None, r.name))
    totals = {"hosts": len(rows), "failed": sum(r.failed for r in rows), "stale": sum(r.stale for r in rows),
              "lagging": sum(r.lagging for r in rows), "restart": sum(r.restart is not None for r in rows),
              "attention": sum(r.attention for r in rows), FAIL: sum(r.status == FAIL for r in rows)}
    by_count = sorted(commits.items(), key=lambda item: (item[0] != newest, -item[1]))
    return {"layers": layers, "rows": rows, "commits": by_count, "newest": newest, "totals": totals,
            "unreadable": reports.unreadable}


def _doctor_style() -> Markup:
    """The doctor page's stylesheet, read from its template: the two pages look alike, and it has one home."""
    return Markup(DOCTOR_TEMPLATE.read_text().split("<style>", 1)[1].split("</style>", 1)[0])


def page(reports: Reports, now: float | None = None, stale_days: float = 3) -> str:
    now = time.time() if now is None else now
    env = Environment(loader=FileSystemLoader(TEMPLATE.parent), autoescape=True, trim_blocks=True,
                      lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["code"] = code
    data = fleet(reports, now, stale_days)
    template, cells = env.get_template(TEMPLATE.name), env.get_template(CELLS_TEMPLATE.name).module
    # Most hosts' cells are alike (all PASS, say): each kind is rendered once, which at thousands of hosts
    # is most of the page's time.
    kinds: dict[tuple, str] = {}
    for row in data["rows"]:
        key = tuple(row.cells)
        if key not in kinds:
            kinds[key] = cells.layer_cells(row.cells)
        row.cells_html = kinds[key]
    return template.render(
        **data, generated=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(now)), stale_days=stale_days,
        doctor_style=_doctor_style(), statuses=(FAIL, WARN, PASS, INFO))
