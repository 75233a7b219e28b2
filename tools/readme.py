"""README.md's generated sections: `python3 -m tools.readme` rewrites them from the code's own data."""

from __future__ import annotations

import json
from pathlib import Path

from tasks.doctor.checks import CHECKS, layer
from tasks.findings import FAIL, WARN, Finding
from tasks.platforms import ARCHES, PLATFORMS
from testbed.doctor_examples import DEPLOY_EXAMPLES, EXAMPLES, run

README = Path(__file__).resolve().parent.parent / "README.md"
# bench/run.py's figures: of its last full run, and of its last --noop-only runs, without and with --proxy.
RESULTS, RESULTS_NOOP = README.parent / "bench" / "results.json", README.parent / "bench" / "results-noop.json"
RESULTS_NOOP_PROXY = README.parent / "bench" / "results-noop-proxy.json"


def platform_table() -> str:
    """The supported platforms, from tasks/platforms.py."""
    rows = ["| platform | Docker's apt suite | what differs there |", "|---|---|---|"]
    rows += [f"| {p.name} | `{p.codename}` | {p.differs or 'nothing'} |" for p in PLATFORMS]
    return "\n".join(rows) + f"\n\nOn {' and '.join(ARCHES)}; any other distro or release is refused by name."


def example_rows(checks=CHECKS, examples=EXAMPLES) -> list[Finding]:
    """Every FAIL or WARN the examples bring, once for each id, in the checks' order (bottom to top)."""
    order = [c.name for c in checks]
    rows: dict[str, Finding] = {}
    for facts, settings in examples:
        for r in run(facts, settings, checks):
            if r.status in (FAIL, WARN):
                rows.setdefault(r.id, r)
    return sorted(rows.values(), key=lambda r: order.index(r.check))


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def troubleshooting_table(checks=CHECKS, examples=EXAMPLES, deploy_examples=DEPLOY_EXAMPLES) -> str:
    """A row for each finding's id: doctor's checks, as the examples make each fail or warn, then what only a
    deploy run finds; each with its fix."""
    rows = ["| id | layer | check | what is found (example) | fix |", "|---|---|---|---|---|"]
    found = [(layer(r.check), f"`{r.check}`", r) for r in example_rows(checks, examples)]
    found += [(where, r.check, r) for where, r in deploy_examples]
    rows += [f"| `{r.id}` | {where} | {check} | {cell(r.found)} | {cell(r.fix)} |" for where, check, r in found]
    return "\n".join(rows)


def _commands(n: int) -> str:
    return f"{n} command{'' if n == 1 else 's'}"


def _ratio(targets: dict, name: str) -> str:
    v = targets.get(name)
    return f"{v['value']:.2f} ×" if v else ""


def _verdict(targets: dict, name: str) -> str:
    v = targets.get(name)
    return f"≤ {v['target']:g} ×: {'met' if v['met'] else 'missed'}" if v else ""


def _noop_rows(noop: dict, how: str) -> list[str]:
    """The no-op rerun's rows of one --noop-only run; how names the run, e.g. `--noop-only --proxy`."""
    one = noop["ssh"][0]
    local = one["local"]
    t = noop["targets"]
    via = ", through tinyproxy with credentials" if noop.get("proxy") else ""
    return [
        f"| no-op rerun over SSH{via} | {one['noop_s']:.2f} s, {_commands(one['noop_commands_per_host'])}; floor "
        f"{one['floor_s']:.2f} s: {_ratio(t, 'noop_vs_floor_ssh')} (`{how}`) |"
        f" {_verdict(t, 'noop_vs_floor_ssh')} |",
        f"| no-op rerun @local, as dev with `--sudo`{via} | {local['noop_s']:.2f} s, "
        f"{_commands(local['noop_commands'])} taking {local['noop_commands_s']:.2f} s; floor {local['floor_s']:.2f} s: "
        f"{_ratio(t, 'noop_vs_floor_local')} (`{how}`) | {_verdict(t, 'noop_vs_floor_local')} |",
        f"| commands in a no-op rerun{via} | {one['noop_commands_per_host']} (`{how}`) | "
        f"≤ {t['noop_commands']['target']}: {'met' if t['noop_commands']['met'] else 'missed'} |",
    ]


def bench_table(full_path: Path = RESULTS, noop_path: Path = RESULTS_NOOP,
                proxy_path: Path = RESULTS_NOOP_PROXY) -> str:
    """bench/run.py's figures: the no-op rows from its last --noop-only runs (with --proxy too), the others
    from its last full run."""
    full = json.loads(full_path.read_text())
    rows = ["| figure | result | target |", "|---|---|---|"]
    rows += _noop_rows(json.loads(noop_path.read_text()), "--noop-only")
    if proxy_path.exists():
        rows += _noop_rows(json.loads(proxy_path.read_text()), "--noop-only --proxy")
    d, t = full["docker_connector"], full["targets"]
    by_n = {s["n"]: s for s in full["ssh"] if not s["sudo_password"]}
    password = next(s for s in full["ssh"] if s["sudo_password"])
    split = by_n[1]["converge_split_s"]
    rows += [
        f"| fresh twin, converge over SSH | {by_n[1]['converge_s']:.1f} s: apt {split['apt']:.1f} s, the deploy's "
        f"other commands {split['other_commands']:.1f} s, pyinfra {split['pyinfra']:.1f} s | |",
        f"| fresh twin, converge over the docker connector | {d['converge_s']:.1f} s: apt "
        f"{d['converge_split_s']['apt']:.1f} s, other commands {d['converge_split_s']['other_commands']:.1f} s, "
        f"pyinfra {d['converge_split_s']['pyinfra']:.1f} s | |",
        f"| no-op rerun over the docker connector | {d['noop_s']:.2f} s, {d['noop_commands']} commands; floor "
        f"{d['floor_s']:.2f} s: {_ratio(t, 'noop_vs_floor_docker')} | {_verdict(t, 'noop_vs_floor_docker')} |",
        f"| no-op rerun over SSH, sudo with a password | {password['noop_s']:.2f} s, "
        f"{password['noop_commands_per_host']} commands; floor {password['floor_s']:.2f} s: "
        f"{password['noop_s'] / password['floor_s']:.2f} × | |",
    ]
    ns = sorted(by_n)
    most = max(ns)
    converge = t.get(f"ssh_{most}_vs_1_converge")
    if converge:
        counts = " / ".join(map(str, ns))
        converges = " / ".join(f"{by_n[n]['converge_s']:.1f}" for n in ns)
        noops = " / ".join(f"{by_n[n]['noop_s']:.2f}" for n in ns)
        rows += [
            f"| converge, {counts} twins over SSH | {converges} s: {most} twins "
            f"{converge['value']:.2f} × one; the twins' CPU time alone allows no less than "
            f"{converge['cpu_floor']:.2f} × | {_verdict(t, f'ssh_{most}_vs_1_converge')} |",
            f"| no-op rerun, {counts} twins over SSH | {noops} s: {most} twins "
            f"{_ratio(t, f'ssh_{most}_vs_1_noop')} one | {_verdict(t, f'ssh_{most}_vs_1_noop')} |",
        ]
    return "\n".join(rows)


SECTIONS = {"platforms": platform_table, "doctor": troubleshooting_table, "bench": bench_table}


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
