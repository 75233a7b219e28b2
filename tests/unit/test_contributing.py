"""CONTRIBUTING.md's walk-throughs, each followed on a scratch copy of the tree and judged by what it made."""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tasks.doctor.checks import CHECKS

ROOT = Path(__file__).resolve().parents[2]
CONTRIBUTING = ROOT / "CONTRIBUTING.md"
# Where each table a walk-through changes is today, named once: a table that moves to a page of its own
# changes one line here.
TROUBLESHOOTING_PAGE = "docs/troubleshooting.md"
SETTINGS_PAGE = "docs/settings.md"
PLATFORMS_PAGE = "README.md"
# The tests that hold those pages equal to their sources: what fails until `python3 -m tools.readme` has run.
PAGE_TESTS = re.compile(r"^FAILED tests/unit/test_(readme|docs)\w*\.py::", re.M)
# A fenced block: its indent, language, what its opening fence says after the language, and its text.
FENCE = re.compile(r"^( *)```(\w+)(?: (.+?))?\n(.*?)^ *```$", re.M | re.S)
# Where a block goes: "path", "path, in NAME", or "path, after LINE", "before LINE" or "replacing LINE".
WHERE = re.compile(r"^(?P<path>[\w./-]+\.\w+)(?:, (?P<how>in|after|before|replacing) (?P<anchor>.+))?$")
PYTHON = (".venv/bin/python", "python3")


@dataclass(frozen=True)
class Step:
    """A block to put in a file (kind "block"), or commands to run ("run"; "twins": they start twins)."""

    kind: str
    text: str
    path: str = ""
    how: str | None = None
    anchor: str = ""

    @property
    def commands(self) -> list[str]:
        return [line for line in self.text.splitlines() if line.strip()] if self.kind != "block" else []


def section(title: str) -> str:
    text = CONTRIBUTING.read_text()
    assert f"\n## {title}\n" in text, f"CONTRIBUTING.md has no section {title!r}"
    return text.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def steps(title: str) -> list[Step]:
    """A section's blocks and commands, in the order a reader meets them."""
    found = []
    for indent, language, fence, body in FENCE.findall(section(title)):
        body = textwrap.dedent("\n".join(line[len(indent):] for line in body.splitlines()))
        if language == "sh":
            found.append(Step("twins" if fence == "twins" else "run", body))
            continue
        where = fence
        if not where:
            first, _, body = body.partition("\n")
            assert first.startswith("# "), f"a {language} block in {title!r} does not say where it goes: {first!r}"
            where = first[2:]
        match = WHERE.match(where)
        assert match, f"a block in {title!r} says it goes to {where!r}"
        found.append(Step("block", body.rstrip("\n") + "\n", match["path"], match["how"], match["anchor"] or ""))
    return found


def is_definition(code: str) -> bool:
    """A top-level def, class or decorated one, which sits between two blank lines."""
    return bool(re.match(r"(def|class|@)\b|async def", code))


def indented(code: str, indent: int) -> list[str]:
    return [(" " * indent + line) if line.strip() else "" for line in code.rstrip("\n").splitlines()]


def the_line(lines: list[str], anchor: str) -> int:
    found = [i for i, line in enumerate(lines) if line.strip().startswith(anchor)]
    assert len(found) == 1, f"{len(found)} lines start with {anchor!r}, where one should"
    return found[0]


def literal(text: str, name: str) -> ast.expr:
    for node in ast.parse(text).body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
            node, ast.AnnAssign) else []
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            assert isinstance(node.value, (ast.List, ast.Dict, ast.Tuple, ast.Set)), f"{name} is no literal"
            return node.value
    raise AssertionError(f"no top-level {name} = [...] or {{...}}")


def into(text: str, name: str, code: str) -> str:
    """text with code as the last entries of its literal name, as a reader adds them."""
    node = literal(text, name)
    lines = text.splitlines()
    row, col = node.end_lineno - 1, len(lines[node.end_lineno - 1].encode()[:node.end_col_offset - 1].decode())
    before = lines[row][:col]
    if before.strip():  # the literal closes on a line of entries: the new one goes on that line
        assert "\n" not in code.strip(), f"{name} closes on a line of entries: say one entry"
        lines[row] = before.rstrip().rstrip(",") + ", " + code.strip().rstrip(",") + lines[row][col:]
        return "\n".join(lines) + "\n"
    entries = node.keys if isinstance(node, ast.Dict) else node.elts
    first = next((k if k is not None else v for k, v in zip(entries, node.values)), None) if isinstance(
        node, ast.Dict) else (entries[0] if entries else None)
    indent = first.col_offset if first is not None else len(before) + 4
    last = max(i for i in range(row) if lines[i].strip())
    if not lines[last].rstrip().endswith((",", "[", "{", "(")):
        lines[last] = lines[last].rstrip() + ","
    new = indented(code, indent)
    if not new[-1].rstrip().endswith(","):
        new[-1] += ","
    return "\n".join(lines[:row] + new + lines[row:]) + "\n"


def apply(step: Step, root: Path) -> None:
    """Puts a block where it says it goes."""
    path = root / step.path
    code = step.text
    if step.how is None:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(code)
            return
        gap = "\n\n\n" if is_definition(code) else "\n"
        path.write_text(path.read_text().rstrip("\n") + gap + code)
        return
    text = path.read_text()
    if step.how == "in":
        path.write_text(into(text, step.anchor, code))
        return
    lines = text.splitlines()
    at = the_line(lines, step.anchor)
    indent = len(lines[at]) - len(lines[at].lstrip())
    if step.how == "after" and lines[at].rstrip().endswith(":"):
        indent += 4
    new = indented(code, indent)
    if is_definition(code):
        new = [*new, "", ""] if step.how == "before" else ["", "", *new]
    where = at + 1 if step.how == "after" else at
    gone = 1 if step.how == "replacing" else 0
    path.write_text("\n".join(lines[:where] + new + lines[where + gone:]) + "\n")


def environment() -> dict:
    """This environment, without anything that would lead the copy's Python to this checkout."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")}


def run(command: str, root: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    """A command as the walk-through writes it, run in root with this interpreter standing for .venv's."""
    words = shlex.split(command)
    assert "test_contributing" not in command and words[-2:] != ["tests/unit", "-q"], \
        f"{command!r} would run this test inside its own copy"
    if words[0] in PYTHON:
        words[0] = sys.executable
    return subprocess.run(words, cwd=root, capture_output=True, text=True, timeout=timeout, env=environment())


def probe(root: Path, code: str, *args: str):
    """What code prints as JSON, run in root: the copy's own modules, never this checkout's."""
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], cwd=root, capture_output=True,
                          text=True, timeout=120, env=environment())
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


class Walk:
    """A reader following a section of CONTRIBUTING.md in a copy of the tree: each block put in place and
    each command run, in order; the commands that start twins only listed."""

    def __init__(self, title: str, root: Path):
        self.title, self.root, self.steps, self.done = title, root, steps(title), 0
        self.ran: dict[str, subprocess.CompletedProcess] = {}
        self.changed: set[str] = set()

    def follow(self, until=lambda step: False) -> Walk:
        """Every step not yet followed, up to the first for which until() is true."""
        while self.done < len(self.steps) and not until(self.steps[self.done]):
            step = self.steps[self.done]
            self.done += 1
            if step.kind == "block":
                apply(step, self.root)
                self.changed.add(step.path)
            elif step.kind == "run":
                for command in step.commands:
                    self.ran[command] = run(command, self.root)
        return self

    def commands(self, kind: str = "run", has: str = "") -> list[str]:
        return [c for s in self.steps if s.kind == kind for c in s.commands if has in c]

    def failed(self) -> dict[str, str]:
        """{command: its output} of each command run that failed."""
        return {c: (r.stdout + r.stderr)[-3000:] for c, r in self.ran.items() if r.returncode != 0}

    def test_all(self, has: str = "-m pytest") -> subprocess.CompletedProcess:
        """The walk-through's test commands as one run, now."""
        paths = [w for c in self.commands(has=has) for w in shlex.split(c)[3:] if not w.startswith("-")]
        return run(f"python3 -m pytest {' '.join(dict.fromkeys(paths))} -q", self.root)

    def lint(self) -> subprocess.CompletedProcess:
        python = sorted(p for p in self.changed if p.endswith(".py"))
        return subprocess.run([sys.executable, "-m", "ruff", "check", "--quiet", *python], cwd=self.root,
                              capture_output=True, text=True, timeout=120, env=environment())


def lines_added(root: Path, page: str) -> tuple[list[str], list[str]]:
    """(lines the copy's page has that this checkout's has not, and the other way)."""
    mine, theirs = (ROOT / page).read_text().splitlines(), (root / page).read_text().splitlines()
    return [line for line in theirs if line not in mine], [line for line in mine if line not in theirs]


def is_row(line: str, *cells: str) -> bool:
    """A table row that holds these cells in this order, whatever other columns it has (an id, say)."""
    if not line.startswith("| "):
        return False
    found = iter(cell.strip() for cell in line.strip().strip("|").split(" | "))
    return all(cell in found for cell in cells)


def entries(root: Path) -> dict[str, str]:
    """{id: its entry} of a tree's troubleshooting page, each entry's words as one line."""
    text = (root / TROUBLESHOOTING_PAGE).read_text()
    parts = re.split(r"^### `([\w.-]+)`$", text.split("<!-- doctor:begin -->", 1)[1], flags=re.M)[1:]
    return {name: " ".join(body.split("\n## ", 1)[0].split()) for name, body in zip(parts[::2], parts[1::2])}


def entries_added(root: Path) -> dict[str, str]:
    """The copy's troubleshooting entries that are not this checkout's, checking that every other stays."""
    mine, theirs = entries(ROOT), entries(root)
    assert len(mine) > 50
    return {name: text for name, text in theirs.items() if mine.get(name) != text}


def twins_are_ready(walk: Walk) -> None:
    """Each twin command names a module or tests that exist in the copy, and its tests collect there."""
    commands = walk.commands("twins")
    assert commands, f"{walk.title!r} names no twin step"
    for command in commands:
        words = shlex.split(command)
        assert words[0] in PYTHON and words[1] == "-m", command
        if words[2] != "pytest":
            module = walk.root / (words[2].replace(".", "/") + ".py")
            assert module.exists() and "__main__" in module.read_text(), command
            continue
        collected = run(command.replace(" -q", "") + " --collect-only -q", walk.root, timeout=120)
        assert collected.returncode == 0 and re.search(r"^(\d+/)?[1-9]\d* tests? collected", collected.stdout, re.M), \
            (command, collected.stdout[-2000:], collected.stderr[-2000:])


def walked_with_tests_before(title: str, root: Path, until) -> tuple[Walk, subprocess.CompletedProcess]:
    """The walk-through followed, and its tests as they ran just before the first step until() picks."""
    walk = Walk(title, root).follow(until=until)
    before = walk.test_all()
    return walk.follow(), before


# How each walk-through is followed, by the name of its fixture: each gets a copy of its own.
FOLLOWERS = {}


def follower(function):
    """Registers how a walk-through is followed; what it returns is the module fixture named after it."""
    name = function.__name__.removeprefix("follow_")
    FOLLOWERS[name] = function

    def result(followed):
        return followed[name].result()

    return pytest.fixture(scope="module", name=name)(result)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    """copy(name): a fresh copy of the tracked tree, as a clone has it, made from one copy per module."""
    tree = tmp_path_factory.mktemp("tree")
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True)
    for name in filter(None, listed.stdout.split("\0")):
        source = ROOT / name
        if source.is_file():
            (tree / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, tree / name)

    def copy(name: str) -> Path:
        return Path(shutil.copytree(tree, tmp_path_factory.mktemp("walk") / name, symlinks=True))

    return copy


@pytest.fixture(scope="module")
def followed(scratch) -> dict[str, Future]:
    """Every walk-through followed at once, each in its copy: they mostly wait on the commands they run."""
    roots = {name: scratch(name) for name in FOLLOWERS}
    with ThreadPoolExecutor(len(FOLLOWERS)) as pool:
        return {name: pool.submit(follow, roots[name]) for name, follow in FOLLOWERS.items()}


# --- Adding a doctor check -------------------------------------------------------------------------

DOCTOR_PROBE = """
    import json, re, sys
    from tasks.doctor.checks import CHECKS
    from tasks.doctor.report import table
    from testbed.doctor_examples import EXAMPLES, run
    from tools import readme

    name, added = sys.argv[1], int(sys.argv[2])

    def status(facts, settings):
        return {r.check: r for r in run(facts, settings)}[name]

    print(json.dumps({
        "checks": [[c.name, c.layer, c.doc, sorted(c.gives)] for c in CHECKS],
        "good": status({}, {}).status,
        "examples": [[status(f, s).status, status(f, s).fix] for f, s in EXAMPLES[-added:]],
        "desktop": status({}, {"docker_engine": "docker-desktop"}).status,
        "no_binaries": status({"bin": []}, {}).status,
        "table": re.sub(r"\\x1b\\[[0-9;]*m", "", table("laptop-7", run(*EXAMPLES[-1]))),
        "rows": sorted({(r.check, r.status) for r in readme.example_rows()}),
    }))
"""


@follower
def follow_doctor_check(root: Path):
    """The walk-through followed; and its tests as they ran before the README step."""
    walk, before = walked_with_tests_before("Adding a doctor check", root, lambda step: "tools.readme" in step.text)
    return walk, before, probe(walk.root, DOCTOR_PROBE, "toolkit.ctk", "1")


def test_the_new_check_passes_on_a_good_host_and_fails_as_its_examples_say(doctor_check):
    walk, _, found = doctor_check
    [(name, layer, doc, gives)] = [c for c in found["checks"] if c[0] not in {c.name for c in CHECKS}]
    assert name == "toolkit.ctk" and layer == "toolkit" and doc, found["checks"]
    assert found["good"] == "PASS"
    for status, fix in found["examples"]:
        assert status in gives and fix, (status, fix)
    # Step 3's words: without binaries it fails, on GOOD it passes; in Desktop mode it steps aside.
    assert found["no_binaries"] == "FAIL" and found["desktop"] == "INFO"
    assert "toolkit.ctk" not in {c.name for c in CHECKS}, "this checkout is untouched"


def test_the_new_check_runs_last_in_its_layer_and_the_report_shows_it_there(doctor_check):
    _, _, found = doctor_check
    names = [c[0] for c in found["checks"]]
    toolkit = [c.name for c in CHECKS if c.layer == "toolkit"]
    assert names.index("toolkit.ctk") == names.index(toolkit[-1]) + 1
    assert [n for n in names if n != "toolkit.ctk"] == [c.name for c in CHECKS]
    plain = found["table"]
    layer = plain.split("\n    NVIDIA Container Toolkit\n", 1)[1].split("\n    daemon.json\n", 1)[0]
    assert re.search(r"^ +FAIL +toolkit\.ctk +nvidia-ctk is not on the engine's PATH$", layer, re.M), plain


def test_the_new_check_yields_its_troubleshooting_entry_and_every_other_entry_stays(doctor_check):
    walk, _, found = doctor_check
    assert set(entries(walk.root)) >= set(entries(ROOT)), "no entry is lost"
    assert entries_added(walk.root) == {"toolkit.ctk": "- FAIL (`toolkit.ctk`): nvidia-ctk is not on the engine's "
                                        "PATH Fix: `sudo apt-get install --reinstall nvidia-container-toolkit-base`"}
    [gives] = [c[3] for c in found["checks"] if c[0] == "toolkit.ctk"]
    declared = {("toolkit.ctk", status) for status in gives}
    assert declared and declared <= {tuple(r) for r in found["rows"]}


def test_its_tests_fail_until_the_readme_is_rewritten_then_pass(doctor_check):
    walk, before, _ = doctor_check
    assert before.returncode != 0 and PAGE_TESTS.search(before.stdout), before.stdout[-3000:]
    assert walk.ran and walk.failed() == {}
    assert "tests/unit/test_doctor_toolkit.py" in walk.changed
    assert walk.lint().returncode == 0, walk.lint().stdout


def test_the_commands_it_names_are_the_projects(doctor_check):
    walk = doctor_check[0]
    text = section("Adding a doctor check")
    assert "python3 -m tools.readme" in text and (ROOT / "tools" / "readme.py").exists()
    assert "__main__" in (ROOT / "tools" / "readme.py").read_text()
    assert ".venv/bin/python -m pytest tests/unit -q" in text
    assert all((ROOT / path).exists() for path in re.findall(r"`((?:tasks|tests|tools)/[\w/]+\.py)`", text))
    twins_are_ready(walk)


# --- Adding a setting -------------------------------------------------------------------------------

SETTING = "wsl_journal_max_use"


def dry_run(root: Path, settings: dict, scenario: str = "debian-12-converged") -> subprocess.CompletedProcess:
    """The deploy planned with pyinfra --dry --json on a captured scenario's facts (tests/dry), with these
    settings."""
    fixture = root / "tests" / "dry" / f"{scenario}.json"
    inventory = root / f"inventory-{scenario}.py"
    inventory.write_text(f"hosts = [('@local', {{**{json.loads(fixture.read_text())['settings']!r}, "
                         f"**{settings!r}}})]\n")
    done = subprocess.run([sys.executable, "-m", "tests.factrun", "replay", str(fixture), "--dry", "--json",
                           str(inventory), "deploy.py"], cwd=root, capture_output=True, text=True, timeout=300,
                          env=environment())
    return done


def a_dry_run(root: Path, settings: dict, scenario: str = "debian-12-converged") -> dict[str, list[str]]:
    """{"changes": operations that will change the host, "may_change": those that may} of dry_run()."""
    done = dry_run(root, settings, scenario)
    assert done.returncode == 0, done.stderr[-3000:]
    plan = json.loads(done.stdout)["plan"]
    return {"changes": [op["name"] for op in plan if op["hosts_with_change"]],
            "may_change": [op["name"] for op in plan if op["hosts_with_conditional_change"]]}


@follower
def follow_setting(root: Path):
    return walked_with_tests_before("Adding a setting", root, lambda step: "tools.readme" in step.text)


def test_the_new_setting_gets_its_entry_on_the_settings_page_in_its_place(setting):
    walk, before = setting
    assert PAGE_TESTS.search(before.stdout), before.stdout[-3000:]
    added, removed = lines_added(walk.root, SETTINGS_PAGE)
    assert removed == [] and added[0] == f'- **`{SETTING}`** = `"1G"`:', added
    assert "The most the systemd journal may keep (journald's SystemMaxUse=)" in " ".join(added), added
    names = re.findall(r"^- \*\*`(\w+)`\*\*", (walk.root / SETTINGS_PAGE).read_text(), re.M)
    assert names[names.index("wsl_systemd") + 1] == SETTING, names
    assert walk.ran and walk.failed() == {}
    assert walk.lint().returncode == 0, walk.lint().stdout


def test_a_bad_value_of_the_new_setting_stops_the_host_naming_it_and_the_fix(setting):
    walk, _ = setting
    assert probe(walk.root, "import json; from tasks.settings import validate; "
                 f"print(json.dumps(validate({{}}).{SETTING}))") == "1G"
    assert a_dry_run(walk.root, {SETTING: "a lot"}) == {"changes": ["Settings are valid"], "may_change": []}, \
        "the host stops at its settings, before any fact is read"
    message = probe(walk.root, f"""
        import json
        from tasks.settings import SettingsError, validate
        try:
            validate({{{SETTING!r}: "a lot"}})
        except SettingsError as error:
            print(json.dumps([str(p) for p in error.problems]))
    """)
    assert [p for p in message if p.startswith(f"{SETTING} = 'a lot': must be a size")] == message, message
    assert "Fix: correct it in inventory.py" in message[0]


# --- Adding a managed file -------------------------------------------------------------------------

@follower
def follow_managed_file(root: Path):
    return Walk("Adding a managed file", root).follow()


def test_the_managed_file_is_named_once_and_read_in_the_snapshot(managed_file):
    walk = managed_file
    found = probe(walk.root, """
        import json
        from tasks import managed
        from tasks.facts import HostSnapshot
        print(json.dumps([managed.JOURNALD_CONF, managed.JOURNALD_CONF in managed.STATE_FILES,
                          str(HostSnapshot().command())]))
    """)
    path, in_state, snapshot = found
    assert path == "/etc/systemd/journald.conf.d/wsl-gpu-docker.conf" and in_state
    assert path in snapshot, "HostSnapshot's one command reads it"
    assert walk.changed == {"tasks/managed.py"} and walk.lint().returncode == 0, walk.lint().stdout


def test_the_managed_file_walk_through_names_the_projects_own_helpers(managed_file):
    text = section("Adding a managed file")
    operations = (ROOT / "tasks" / "operations.py").read_text() + (ROOT / "tasks" / "apt.py").read_text()
    for name in re.findall(r"`(\w+)\(\)`", text):
        assert re.search(rf"^def {name}\(", operations, re.M) or name == "shell_script", name
    assert {"written", "copied"} <= set(re.findall(r"^(\w+)\(\)", (ROOT / "files/lib/replace.sh").read_text(), re.M))
    twins_are_ready(managed_file)


# --- Adding a platform -----------------------------------------------------------------------------

@follower
def follow_new_platform(root: Path):
    return walked_with_tests_before("Adding a platform", root, lambda step: step.kind == "run")


def test_the_new_platform_gets_its_row_and_passes_the_preflight(new_platform):
    walk, before = new_platform
    assert PAGE_TESTS.search(before.stdout), before.stdout[-3000:]
    assert walk.failed() == {}
    added, removed = lines_added(walk.root, PLATFORMS_PAGE)
    [row] = [line for line in added if "`forky`" in line]
    assert is_row(row, "Debian 14", "`forky`", "nothing"), row
    # The troubleshooting's entry for an unsupported distro lists the platforms too.
    assert entries_added(walk.root) == {
        "wsl.distro": entries(ROOT)["wsl.distro"].replace(" or Debian 13", ", Debian 13 or Debian 14")}
    problems = probe(walk.root, """
        import json
        from tasks.preflight import preflight_problems
        from tasks.settings import validate
        from testbed.facts_examples import GOOD_FACTS
        facts = {**GOOD_FACTS, "distro": "debian", "distro_version": "14", "debian_version": "14.1"}
        print(json.dumps([str(p) for p in preflight_problems(facts, validate({}))]))
    """)
    assert problems == []
    assert walk.lint().returncode == 0, walk.lint().stdout


def test_the_platforms_twin_steps_name_what_exists(new_platform):
    walk, _ = new_platform
    text = section("Adding a platform")
    for path, name in [("testbed/twin/platforms.py", "PLATFORMS"), ("testbed/twin/mirrors.py", "ENGINES"),
                       ("tests/integration/test_platforms.py", "TODAY")]:
        assert f"`{path}`" in text and f"`{name}`" in text, (path, name)
        literal((ROOT / path).read_text(), name)
    twins_are_ready(walk)


# --- Adding a deploy step --------------------------------------------------------------------------

JOURNAL = "/etc/systemd/journald.conf.d/wsl-gpu-docker.conf"
JOURNAL_OP = f"Journal | {JOURNAL} caps the journal at 1G"


def recaptured(root: Path, path: str, text: str) -> None:
    """What tools/capture_facts.py records once twins have the step: a converged twin's snapshot holds the
    file (its line in [stack], where StackState's sha256sum prints it); on a fresh one, where the dry run
    plans the write, file_content()'s own read finds none."""
    digest = hashlib.sha256(text.encode()).hexdigest()
    for fixture in (root / "tests" / "dry").glob("*.json"):
        data = json.loads(fixture.read_text())
        if fixture.stem.endswith("-fresh"):
            data["facts"].append({"command_args": {"path": path}, "fact": "files.Sha256File", "output": [],
                                  "status": True})
        else:
            [snapshot] = [r for r in data["facts"] if r["fact"] == "tasks.facts.HostSnapshot"]
            files = [i for i, line in enumerate(snapshot["output"]) if line.startswith("file=")]
            snapshot["output"].insert(files[-1] + 1, f"file={digest}  {path}")
        fixture.write_text(json.dumps(data, indent=1) + "\n")


@follower
def follow_deploy_step(root: Path):
    """The setting and the managed file first, as the walk-through says; a converged host's dry run as it
    went before the fixtures were recaptured."""
    first = [Walk("Adding a setting", root).follow(), Walk("Adding a managed file", root).follow()]
    walk = Walk("Adding a deploy step", root)
    walk.follow(until=lambda step: step.kind == "run")
    before = dry_run(root, {})
    recaptured(root, JOURNAL, "[Journal]\nSystemMaxUse=1G\n")
    walk.follow()
    walk.changed |= {p for w in first for p in w.changed}
    return walk, first, before, probe(root, DOCTOR_PROBE, "systemd.journal", "1")


def test_the_step_is_planned_on_a_fresh_host_and_its_tests_pass(deploy_step):
    walk, first, before, _ = deploy_step
    assert all(w.failed() == {} for w in first) and walk.failed() == {}, "\n".join(walk.failed().values())
    assert any("tests/dry" in c for c in walk.ran) and any("tests/operations" in c for c in walk.ran)
    assert JOURNAL_OP in a_dry_run(walk.root, {}, "debian-12-fresh")["changes"]
    order = " ".join(ast.get_docstring(ast.parse((walk.root / "deploy.py").read_text())).split())
    assert "preflight -> the journal's cap -> network" in order, "deploy.py's docstring tells the run's order"
    assert walk.lint().returncode == 0, walk.lint().stdout


def test_converged_hosts_plan_it_until_their_fixtures_are_recaptured_then_plan_nothing(deploy_step):
    walk, _, before, _ = deploy_step
    assert before.returncode != 0, before.stdout[-3000:]
    assert f"has no reading of {{'fact': 'files.Sha256File', 'command_args': {{'path': '{JOURNAL}'}}}}: " \
           "rerun tools/capture_facts.py" in before.stderr, before.stderr[-3000:]
    # Once recaptured, the dry tier's own test of a converged host (no change) passes with the rest.
    [after] = [r for command, r in walk.ran.items() if "tests/dry" in command]
    assert after.returncode == 0 and re.search(r"^\d+ passed in ", after.stdout.splitlines()[-1]), after.stdout[-3000:]


def test_the_steps_doctor_check_warns_in_the_systemd_layer_and_gets_its_row(deploy_step):
    walk, _, _, found = deploy_step
    names = [c[0] for c in found["checks"]]
    systemd = [c.name for c in CHECKS if c.layer == "systemd"]
    assert names.index("systemd.journal") == names.index(systemd[-1]) + 1
    assert found["good"] == "PASS" and found["desktop"] == "PASS"
    [(status, fix)] = found["examples"]
    assert status == "WARN" and "rerun the deploy" in fix
    layer = re.split(r"\n {4}(?=\S)", found["table"].split("\n    systemd\n", 1)[1])[0]
    # The table wraps a long finding onto the lines below, under its first words.
    assert f"WARN systemd.journal {JOURNAL} does not cap the journal at 1G" in " ".join(layer.split()), \
        found["table"]
    assert entries_added(walk.root) == {"systemd.journal": (
        f"- WARN (`systemd.journal`): {JOURNAL} does not cap the journal at 1G Fix: rerun the deploy (deploy.py), "
        "which writes it")}


def test_the_steps_twin_test_and_capture_exist(deploy_step):
    walk = deploy_step[0]
    source = (walk.root / "tests/integration/test_deploy.py").read_text()
    assert "def test_a_missing_journal_cap_is_written_and_then_left_alone(" in source
    assert "changed == []" in source.split("def test_a_missing_journal_cap", 1)[1], "a rerun that changes nothing"
    twins_are_ready(walk)


def test_every_walk_through_is_followed_here():
    titles = re.findall(r"^## (Adding .+)$", CONTRIBUTING.read_text(), re.M)
    assert titles == ["Adding a doctor check", "Adding a setting", "Adding a managed file", "Adding a platform",
                      "Adding a deploy step"]
    for title in titles:
        assert steps(title), title
