"""Doctor's output: a table per host, a JSON report on the controller, a summary over the hosts."""

from __future__ import annotations

import json
import textwrap
import time
from pathlib import Path

import click
from pyinfra import host, logger
from pyinfra.api import FunctionCommand, operation
from pyinfra.api.state import BaseStateCallback

from tasks.doctor.checks import layer
from tasks.doctor.page import page
from tasks.findings import FAIL, INFO, PASS, WARN, Finding, fix_line
from tasks.operations import stop

COLOURS = {PASS: "green", WARN: "yellow", FAIL: "red", INFO: "blue"}
WIDTH = 100
# The JSON report's version, as schemas/doctor-report.schema.json gives it: raise it with any change
# that a tool reading the report must know of.
SCHEMA = 2


def counts(results: list[Finding]) -> str:
    return ", ".join(f"{sum(r.status == s for r in results)} {s}" for s in (FAIL, WARN, PASS, INFO))


def _wrap(text: str, indent: str) -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent,
                         break_on_hyphens=False, break_long_words=False)


def table(name: str, results: list[Finding]) -> str:
    """A readable table: status, check and what was found; the fix under anything not PASS."""
    width = max(len(r.check) for r in results)
    indent = " " * (6 + 4 + 2 + width + 2)
    lines = [click.style(f"Doctor: {name} ({counts(results)})", bold=True)]
    current = None
    for r in results:
        if layer(r.check) != current:
            current = layer(r.check)
            lines.append(click.style(f"    {current}", bold=True))
        found = _wrap(r.found, indent)
        status = click.style(r.status, fg=COLOURS[r.status], bold=True)
        lines.append(f"      {status}  {r.check.ljust(width)}  " + (found[0].lstrip() if found else ""))
        lines += found[1:]
        if fix_line(r):
            lines += _wrap(fix_line(r), indent)
    return "\n".join(lines)


def failed(results: list[Finding]) -> list[str]:
    return [r.check for r in results if r.status == FAIL]


def report_json(reports: dict[str, list[Finding]], unreachable: list[str]) -> dict:
    """The team's report: every host's checks, and which hosts fail which check."""
    fails: dict[str, list[str]] = {}
    for name, results in reports.items():
        for check in failed(results):
            fails.setdefault(check, []).append(name)
    return {
        "schema": SCHEMA,
        "generated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "hosts": {
            name: {"failed": failed(results),
                   "checks": [{**r.as_dict(), "layer": layer(r.check)} for r in results]}
            for name, results in reports.items()
        },
        "unreachable": unreachable,
        "fails": fails,
    }


def summary(report: dict) -> str:
    """Which hosts fail which checks, for a run over an inventory."""
    lines = [click.style(f"Doctor summary: {len(report['hosts'])} hosts", bold=True)]
    for name, found in report["hosts"].items():
        status = click.style("FAIL", fg="red") if found["failed"] else click.style("ok", fg="green")
        lines.append(f"    {status}  {name}" + (f": {', '.join(found['failed'])}" if found["failed"] else ""))
    for name in report["unreachable"]:
        lines.append(f"    {click.style('----', fg='red')}  {name}: not reached, no report")
    for check, hosts in sorted(report["fails"].items()):
        lines.append(f"    {check} fails on {len(hosts)}: {', '.join(hosts)}")
    return "\n".join(lines)


# This run's hosts, filled while pyinfra prepares them, reported once every host's
# report operation has run.
_reports: dict[str, list[Finding]] = {}
_paths: dict[str, str | None] = {}
_html_paths: dict[str, str | None] = {}
_done: set[str] = set()
REPORT_OP = "No check fails"


def add_host(name: str, results: list[Finding], path: str | None, html_path: str | None = None) -> None:
    _reports[name], _paths[name], _html_paths[name] = results, path, html_path


def _write(paths: dict[str, str | None], unreachable: list[str], what: str, render) -> None:
    """Each file named in paths, with the report of the hosts that name it."""
    by_path: dict[str, list[str]] = {}
    for name, path in paths.items():
        if path:
            by_path.setdefault(path, []).append(name)
    for path, hosts in by_path.items():
        Path(path).write_text(render(report_json({n: _reports[n] for n in hosts}, unreachable)))
        logger.info(f"Doctor: {what} of {len(hosts)} host(s) written to {path}")


def _finish(state) -> None:
    unreachable = sorted(h.name for h in state.failed_hosts if h.name not in _reports)
    _write(_paths, unreachable, "JSON report", lambda report: json.dumps(report, indent=2) + "\n")
    _write(_html_paths, unreachable, "HTML report", page)
    if len(_reports) > 1 or unreachable:
        logger.info(summary(report_json(_reports, unreachable)))


class ReportWhenAllDone(BaseStateCallback):
    """Writes the JSON report and the summary once every host has run its report operation,
    passed or failed: pyinfra stops before operation_end when every host fails."""

    @staticmethod
    def _one_done(state, host, op_hash):
        names = state.op_meta[op_hash].names if op_hash in state.op_meta else ()
        if host.name in _reports and any(n.endswith(REPORT_OP) for n in names):
            _done.add(host.name)
            if _done == set(_reports):
                _finish(state)

    @staticmethod
    def operation_host_success(state, host, op_hash, retry_count=0):
        ReportWhenAllDone._one_done(state, host, op_hash)

    @staticmethod
    def operation_host_error(state, host, op_hash, retry_count=0, max_retries=0):
        ReportWhenAllDone._one_done(state, host, op_hash)


def register(state) -> None:
    if not any(isinstance(h, ReportWhenAllDone) for h in state.callback_handlers):
        state.add_callback_handler(ReportWhenAllDone())


@operation(is_idempotent=True)
def no_check_fails(failed_checks: list[str]):
    """Fails this host, when it runs, if any check FAILs; it changes nothing either way."""
    if not failed_checks:
        host.noop("no check fails")
    elif host.state.is_executing:
        message = f"doctor: {len(failed_checks)} checks FAIL: {', '.join(failed_checks)}"
        yield FunctionCommand(stop, [message], {})
