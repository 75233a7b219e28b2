"""Doctor's page: the team's JSON report as one self-contained HTML file, a grid of hosts by layers."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup, escape

from tasks.doctor.checks import LAYERS
from tasks.findings import FAIL, INFO, PASS, WARN

TEMPLATE = Path(__file__).resolve().parents[2] / "templates" / "doctor-report.html.j2"
# Worst last: a cell takes the worst status of its checks; INFO (a check that does not apply) is the mildest.
SEVERITY = (INFO, PASS, WARN, FAIL)


def worst(statuses) -> str:
    return max(statuses, key=SEVERITY.index, default=INFO)


def code(text: str) -> Markup:
    """Text with its `backticked` commands as <code>, every part of it escaped."""
    parts = str(text).split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: no code spans
        return escape(text)
    return Markup("").join(Markup("<code>%s</code>") % p if i % 2 else escape(p) for i, p in enumerate(parts))


def grid(report: dict) -> tuple[list[str], list[dict]]:
    """The layers, bottom to top, and a row per host: its status and a cell per layer with that layer's checks."""
    seen = [c["layer"] for found in report["hosts"].values() for c in found["checks"]]
    layers = [name for name in LAYERS.values() if name in seen]
    layers += [name for name in dict.fromkeys(seen) if name not in layers]
    rows = []
    for name, found in report["hosts"].items():
        cells = []
        for layer in layers:
            checks = [c for c in found["checks"] if c["layer"] == layer]
            cells.append({"layer": layer, "checks": checks, "status": worst(c["status"] for c in checks)})
        status = worst(c["status"] for c in found["checks"])
        rows.append({"name": name, "cells": cells, "status": PASS if status == INFO else status})
    return layers, rows


def page(report: dict) -> str:
    layers, rows = grid(report)
    totals = {s: sum(r["status"] == s for r in rows) for s in (FAIL, WARN, PASS)}
    env = Environment(loader=FileSystemLoader(TEMPLATE.parent), autoescape=True, trim_blocks=True,
                      lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["code"] = code
    return env.get_template(TEMPLATE.name).render(
        report=report, layers=layers, rows=rows, totals=totals, statuses=SEVERITY[::-1])
