"""The generated sections of README.md, docs/ and bench/README.md: `python3 -m tools.readme` rewrites them all."""

from __future__ import annotations

import ast
import io
import json
import re
import textwrap
import tokenize
from pathlib import Path

from defaults import DEFAULTS
from tasks.doctor.checks import CHECKS, LAYERS, MODULES, ORDER, layer
from tasks.findings import FAIL, WARN, Finding
from tasks.platforms import ARCHES, PLATFORMS
from tasks.restart import RELOADABLE_KEYS
from testbed.doctor_examples import DEPLOY_EXAMPLES, EXAMPLES, run

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
TROUBLESHOOTING, SETTINGS, ARCHITECTURE = DOCS / "troubleshooting.md", DOCS / "settings.md", DOCS / "architecture.md"
BENCH = ROOT / "bench" / "README.md"
DEFAULTS_PY, DEPLOY_PY = ROOT / "defaults.py", ROOT / "deploy.py"
# bench/run.py's figures: of its last full run, and of its last --noop-only runs, without and with --proxy.
RESULTS, RESULTS_NOOP = ROOT / "bench" / "results.json", ROOT / "bench" / "results-noop.json"
RESULTS_NOOP_PROXY = ROOT / "bench" / "results-noop-proxy.json"
# Its last --converge run: the first converge against bench/floor.sh, and where the converge's time goes.
RESULTS_CONVERGE = ROOT / "bench" / "results-converge.json"
# Prose is wrapped to this width; tests hold every page's lines to 200 characters.
WIDTH = 110
# A wrapped line that starts like this would turn into a list, a quote, a heading or a rule.
BLOCK_START = re.compile(r"^(?:[-+*>#]+|=+|\d+[.)])(?:\s|$)")


def wrap(text: str, indent: str = "  ", first: str = "") -> str:
    """text as lines of at most WIDTH, the first after `first`, the others after `indent`; no line starts a
    markdown block: a narrower width avoids one, else its first mark is escaped."""
    text = words(text)
    for width in range(WIDTH, WIDTH - 20, -1):
        lines = textwrap.wrap(text, width, initial_indent=first, subsequent_indent=indent,
                              break_long_words=False, break_on_hyphens=False)
        if not any(BLOCK_START.match(line.lstrip()) for line in lines[1:]):
            return "\n".join(lines)
    lines = textwrap.wrap(text, WIDTH, initial_indent=first, subsequent_indent=indent,
                          break_long_words=False, break_on_hyphens=False)
    return "\n".join(lines[:1] + [re.sub(r"^(\s*\d*)(\S)", r"\1\\\2", line) if BLOCK_START.match(line.lstrip())
                                   else line for line in lines[1:]])


def inline(text: str) -> str:
    """text with the asterisks and tildes outside code spans escaped, so that a masked `user:***@proxy` or a
    version `5:27.3.1-1~ubuntu.24.04~noble` shows as written, not as emphasis or strikethrough."""
    parts = re.split(r"(`[^`]*`)", text)
    return "".join(p if i % 2 else re.sub(r"([*~])", r"\\\1", p) for i, p in enumerate(parts))


def words(text: str) -> str:
    """text with every run of whitespace as one space: what a wrapped paragraph reads as."""
    return " ".join(text.split())


def platform_table() -> str:
    """The supported platforms, from tasks/platforms.py."""
    rows = ["| platform | Docker's apt suite | what differs there |", "|---|---|---|"]
    rows += [f"| {p.name} | `{p.codename}` | {p.differs or 'nothing'} |" for p in PLATFORMS]
    return "\n".join(rows) + f"\n\nOn {' and '.join(ARCHES)}; any other distro or release is refused by name."


# --- docs/troubleshooting.md ---------------------------------------------------------------

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


def finding_rows(checks=CHECKS, examples=EXAMPLES, deploy_examples=DEPLOY_EXAMPLES) -> list[tuple[str, str, Finding]]:
    """(layer, check, finding) for each finding's id: doctor's checks, as the examples make each fail or warn,
    then what only a deploy run finds."""
    return ([(layer(r.check), f"`{r.check}`", r) for r in example_rows(checks, examples)]
            + [(where, r.check, r) for where, r in deploy_examples])


def troubleshooting_table(checks=CHECKS, examples=EXAMPLES, deploy_examples=DEPLOY_EXAMPLES) -> str:
    """The same findings as troubleshooting(), a row each: the form in which two registries' rows compare."""
    rows = ["| id | layer | check | what is found (example) | fix |", "|---|---|---|---|---|"]
    rows += [f"| `{r.id}` | {where} | {check} | {cell(r.found)} | {cell(r.fix)} |"
             for where, check, r in finding_rows(checks, examples, deploy_examples)]
    return "\n".join(rows)


def troubleshooting(checks=CHECKS, examples=EXAMPLES, deploy_examples=DEPLOY_EXAMPLES) -> str:
    """Every finding's id under its layer, bottom to top, with an example of what is found and its fix."""
    out, last_layer = [], None
    for where, check, r in finding_rows(checks, examples, deploy_examples):
        if where != last_layer:
            last_layer = where
            out += [f"## {where}", ""]
        out += [f"### `{r.id}`", "", wrap(f"{r.status} ({check}): {inline(r.found)}", first="- "), "",
                wrap(f"Fix: {inline(r.fix)}", first="  "), ""]
    return "\n".join(out).rstrip("\n")


# --- docs/settings.md ----------------------------------------------------------------------

SECTION_COMMENT = re.compile(r"^# -+ (.+?) -+$")


def defaults_documented(path: Path = DEFAULTS_PY) -> list[tuple[str, list[list[str]], str]]:
    """defaults.py as written: (its section, the settings its comment covers, that comment) in order. A
    setting with no comment of its own shares the one above it (https_proxy, http_proxy's)."""
    source = path.read_text()
    comments = {tok.start[0]: tok.string for tok in tokenize.generate_tokens(io.StringIO(source).readline)
                if tok.type == tokenize.COMMENT}
    [assign] = [n for n in ast.parse(source).body if isinstance(n, ast.Assign) and n.targets[0].id == "DEFAULTS"]
    groups: list[tuple[str, list[str], str]] = []
    for key in assign.value.keys:
        line, above = key.lineno - 1, []
        while line in comments and not SECTION_COMMENT.match(comments[line]):
            above.insert(0, comments[line].removeprefix("#").strip())
            line -= 1
        section = SECTION_COMMENT.match(comments[line]).group(1) if line in comments else None
        if above or not groups:
            groups.append((section or groups[-1][0], [key.value], " ".join(above)))
        else:
            groups[-1][1].append(key.value)
    return groups


def literal(value) -> str:
    """A default as Python writes it in inventory.py: None, True, "text", [], {}."""
    return json.dumps(value) if isinstance(value, str) else repr(value)


def settings_list(path: Path = DEFAULTS_PY, defaults: dict = DEFAULTS) -> str:
    """Every setting of defaults.py under its section, in order, with its default and its comment."""
    out, last = [], None
    for section, names, comment in defaults_documented(path):
        if section != last:
            last = section
            out += [f"## {section}", ""]
        head = ", ".join(f"**`{name}`** = `{literal(defaults[name])}`" for name in names)
        out += [f"- {head}:", wrap(inline(comment or "(no comment in defaults.py)"), first="  "), ""]
    return "\n".join(out).rstrip("\n")


# --- docs/architecture.md ------------------------------------------------------------------

def _deploy_name(module: str, function: str) -> str | None:
    """The name a step's @deploy(...) gives it in its module, if it is one."""
    tree = ast.parse((ROOT / (module.replace(".", "/") + ".py")).read_text())
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == function:
            for d in node.decorator_list:
                if isinstance(d, ast.Call) and getattr(d.func, "id", "") == "deploy" and d.args:
                    return d.args[0].value
    return None


def run_order(path: Path = DEPLOY_PY) -> str:
    """deploy.py's steps in the order a run takes them, each with the comments deploy.py gives it there: a
    step is a call of a @deploy function of tasks/, or an operation given a name=."""
    source = path.read_text()
    lines = source.splitlines()
    tree = ast.parse(source)
    imported = {a.asname or a.name: n.module for n in tree.body if isinstance(n, ast.ImportFrom)
                and n.module.startswith("tasks.") for a in n.names}
    last: dict[str, tuple[int, str, str]] = {}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in imported):
            continue
        function, module = node.func.id, imported[node.func.id]
        named = [k.value.value for k in node.keywords if k.arg == "name" and isinstance(k.value, ast.Constant)]
        label = _deploy_name(module, function) or (named[0] if named else None)
        if label:
            last[function] = max(last.get(function, (0, "", "")), (node.lineno, module, label))
    out = []
    for n, (function, (lineno, module, label)) in enumerate(sorted(last.items(), key=lambda i: i[1][0]), 1):
        why, i = [], lineno - 2  # the comment lines just above the call, then the one after it
        while i >= 0 and lines[i].strip().startswith("#"):
            why.insert(0, lines[i].strip().removeprefix("#").strip())
            i -= 1
        if "#" in lines[lineno - 1]:
            why.append(lines[lineno - 1].split("#", 1)[1].strip())
        path_ = module.replace(".", "/") + ".py"
        head = f"{n}. **{label}** (`{function}` in [`{path_}`](../{path_}))"
        out.append(wrap(f"{head}{': ' + ' '.join(why) if why else ''}", indent="   "))
    return "\n".join(out)


def reload_keys() -> str:
    """The daemon.json keys dockerd reloads live, as tasks/restart.py lists them."""
    return wrap(", ".join(f"`{key}`" for key in sorted(RELOADABLE_KEYS)) + ".", indent="")


def stack() -> str:
    """Doctor's layers, bottom to top, each with its checks and what each one holds true."""
    out = []
    for key, module in zip(ORDER, MODULES):
        path_ = module.replace(".", "/") + ".py"
        out += [f"### {LAYERS[key]}", "", f"Checked in [`{path_}`](../{path_}):", ""]
        for c in CHECKS:
            if c.layer == key:
                out.append(wrap(f"`{c.name}`: {inline(c.doc.split(chr(10) + chr(10))[0])}", first="- "))
        out.append("")
    return "\n".join(out).rstrip("\n")

# --- bench/README.md ----------------------------------------------------------------------

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


CONNECTORS = {"docker": "over the docker connector", "ssh": "over SSH", "local": "@local with `--sudo`"}


def _converge_rows(converge: dict) -> list[str]:
    """The first converge against the floor (bench/floor.sh), the medians of alternating rounds: one row per
    connector and platform, each from its last --converge run."""
    rows = []
    for f in converge["converge"]:
        how = f["command"].removeprefix("python -m bench.run ")
        load = f.get("load_average")
        where = f"; load {load[2]:.1f}" if load else ""
        rows.append(
            f"| first converge {CONNECTORS[f['connector']]}{' with the proxy' if f.get('proxy') else ''},"
            f" {f['platform']} | {f['deploy_median_s']:.1f} s, "
            f"{f['commands']:g} commands; floor {f['floor_median_s']:.1f} s: {f['ratio']:.2f} × (`{how}`{where})"
            f" | ≤ {converge['target']:g} ×: "
            f"{'met' if f['ratio'] <= converge['target'] else 'missed'} |")
    return rows


def bench_profile(path: Path = RESULTS_CONVERGE) -> str:
    """Where a first converge's time goes, step by step, for each connector and platform measured."""
    if not path.exists():
        return "No `--converge` run yet."
    runs = json.loads(path.read_text())["converge"]
    names = list(dict.fromkeys(name for f in runs for name in f["profile"]))
    heads = [f"{f['connector']}{', proxy' if f.get('proxy') else ''}, {f['platform']}" for f in runs]
    rows = ["| step | " + " | ".join(heads) + " |", "|---|" + "---:|" * len(runs)]
    for name in names:
        cells = []
        for f in runs:
            step = f["profile"].get(name)
            cells.append(f"{step['seconds']:.2f} s, {step['commands']:g}" if step else "")
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
    rows.append("| **the converge** | " + " | ".join(
        f"**{f['deploy_median_s']:.1f} s, {f['commands']:g}**" for f in runs) + " |")
    rows.append("| the floor | " + " | ".join(f"{f['floor_median_s']:.1f} s, 1" for f in runs) + " |")
    return "\n".join(rows)


def bench_table(full_path: Path = RESULTS, noop_path: Path = RESULTS_NOOP,
                proxy_path: Path = RESULTS_NOOP_PROXY, converge_path: Path = RESULTS_CONVERGE) -> str:
    """bench/run.py's figures: the no-op rows from its last --noop-only runs (with --proxy too), the others
    from its last full run."""
    full = json.loads(full_path.read_text())
    rows = ["| figure | result | target |", "|---|---|---|"]
    if converge_path.exists():
        rows += _converge_rows(json.loads(converge_path.read_text()))
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


# Each page and its generated sections, by the name in its markers.
PAGES = {
    README: {"platforms": platform_table},
    TROUBLESHOOTING: {"doctor": troubleshooting},
    SETTINGS: {"settings": settings_list},
    ARCHITECTURE: {"run-order": run_order, "reload-keys": reload_keys, "stack": stack},
    BENCH: {"bench": bench_table, "bench-profile": bench_profile},
}


def _markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:begin -->", f"<!-- {name}:end -->"


def section(text: str, name: str) -> str:
    """What a page's text holds between `<!-- name:begin -->` and `<!-- name:end -->`."""
    begin, end = _markers(name)
    return text.split(begin, 1)[1].split(end, 1)[0].strip("\n")


def rewrite(text: str, sections: dict | None = None) -> str:
    """A page's text with each of its generated sections made anew (README.md's, unless told)."""
    for name, make in (PAGES[README] if sections is None else sections).items():
        begin, end = _markers(name)
        head, rest = text.split(begin, 1)
        text = f"{head}{begin}\n{make()}\n{end}{rest.split(end, 1)[1]}"
    return text


if __name__ == "__main__":
    for page, sections in PAGES.items():
        page.write_text(rewrite(page.read_text(), sections))
