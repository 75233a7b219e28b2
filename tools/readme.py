"""README.md's generated sections: `python3 -m tools.readme` rewrites them from the code's own data."""

from __future__ import annotations

from pathlib import Path

from tasks.doctor.checks import CHECKS, layer
from tasks.doctor.registry import FAIL, WARN, Result
from tasks.platforms import ARCHES, PLATFORMS
from tests.unit.doctor_examples import EXAMPLES, run

README = Path(__file__).resolve().parent.parent / "README.md"


def platform_table() -> str:
    """The supported platforms, from tasks/platforms.py."""
    rows = ["| platform | Docker's apt suite | what differs there |", "|---|---|---|"]
    rows += [f"| {p.name} | `{p.codename}` | {p.differs or 'nothing'} |" for p in PLATFORMS]
    return "\n".join(rows) + f"\n\nOn {' and '.join(ARCHES)}; any other distro or release is refused by name."


def example_rows(checks=CHECKS, examples=EXAMPLES) -> list[Result]:
    """Every FAIL or WARN the examples bring, once each, in the checks' order (bottom to top)."""
    order = [c.name for c in checks]
    rows: dict[tuple, Result] = {}
    for facts, settings in examples:
        for r in run(facts, settings, checks):
            if r.status in (FAIL, WARN):
                rows.setdefault((r.check, r.found, r.fix), r)
    return sorted(rows.values(), key=lambda r: order.index(r.check))


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def troubleshooting_table(checks=CHECKS, examples=EXAMPLES) -> str:
    """Doctor's checks, one row for each way the examples make one fail or warn, with its fix."""
    rows = ["| layer | check | what doctor finds (example) | fix |", "|---|---|---|---|"]
    rows += [f"| {layer(r.check)} | `{r.check}` | {cell(r.found)} | {cell(r.fix)} |"
             for r in example_rows(checks, examples)]
    return "\n".join(rows)


SECTIONS = {"platforms": platform_table, "doctor": troubleshooting_table}


def _markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:begin -->", f"<!-- {name}:end -->"


def section(text: str, name: str) -> str:
    """What README text holds between `<!-- name:begin -->` and `<!-- name:end -->`."""
    begin, end = _markers(name)
    return text.split(begin, 1)[1].split(end, 1)[0].strip("\n")


def rewrite(text: str) -> str:
    """text with every generated section made anew."""
    for name, make in SECTIONS.items():
        begin, end = _markers(name)
        head, rest = text.split(begin, 1)
        text = f"{head}{begin}\n{make()}\n{end}{rest.split(end, 1)[1]}"
    return text


if __name__ == "__main__":
    README.write_text(rewrite(README.read_text()))
