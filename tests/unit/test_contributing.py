"""CONTRIBUTING.md's walk-throughs, followed to the letter: their code, where they say to put it, works."""

import importlib
import re
from pathlib import Path

import pytest

from tasks.doctor import registry
from tasks.doctor.checks import CHECKS, MODULES, ordered
from tasks.doctor.report import table
from testbed import doctor_examples
from testbed.doctor_examples import EXAMPLES, run
from tools import readme

ROOT = Path(__file__).resolve().parents[2]
CONTRIBUTING = ROOT / "CONTRIBUTING.md"
# A fenced block whose first line names where it goes: "# path" or "# path, in NAME".
BLOCK = re.compile(r"^ *```python\n *# (\S+?)(?:, in (\w+))?\n(.*?)^ *```", re.M | re.S)


def section(title: str) -> str:
    text = CONTRIBUTING.read_text()
    return text.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def blocks(title: str) -> list[tuple[str, str | None, str]]:
    """(path, name in it, code) of each Python block of a section, indented as a file's top level."""
    found = []
    for path, name, code in BLOCK.findall(section(title)):
        indent = min(len(line) - len(line.lstrip()) for line in code.splitlines() if line.strip())
        found.append((path, name, "\n".join(line[indent:] for line in code.splitlines()) + "\n"))
    return found


@pytest.fixture
def walked_through():
    """The section's check, declared in its layer's module of a copy of the registry, and its examples."""
    (check_path, _, check_code), (examples_path, into, examples_code) = blocks("Adding a doctor check")
    module = importlib.import_module(check_path.removesuffix(".py").replace("/", "."))
    assert module.__name__ in MODULES, f"{check_path} is not a layer's module"
    assert (examples_path, into) == ("testbed/doctor_examples.py", "EXAMPLES")
    copy = registry.REGISTRY.copy()
    namespace = {**vars(module), "check": copy.check}  # the module's own imports, as the code would have
    exec(compile(check_code, check_path, "exec"), namespace)
    [added] = [c for c in ordered(copy) if c not in CHECKS]
    examples = eval(f"[{examples_code}]", vars(doctor_examples))
    return added, ordered(copy), examples


def test_the_new_check_passes_on_a_good_host_and_fails_as_its_examples_say(walked_through):
    added, checks, examples = walked_through
    assert added.name == "toolkit.ctk" and added.layer == "toolkit" and added.doc
    assert {r.check: r for r in run({}, {}, checks)}[added.name].status == "PASS"
    for facts, settings in examples:
        r = {r.check: r for r in run(facts, settings, checks)}[added.name]
        assert r.status in added.gives and r.fix, r
    # Step 3's words: without binaries it fails, on GOOD it passes; in Desktop mode it steps aside.
    assert {r.check: r for r in run({"bin": []}, {}, checks)}[added.name].status == "FAIL"
    assert {r.check: r for r in run({}, {"docker_engine": "docker-desktop"}, checks)}[added.name].status == "INFO"
    assert added.name not in {c.name for c in CHECKS}, "the real registry is untouched"


def test_the_new_check_runs_last_in_its_layer_and_the_report_shows_it_there(walked_through):
    added, checks, examples = walked_through
    names = [c.name for c in checks]
    toolkit = [c.name for c in CHECKS if c.layer == "toolkit"]
    assert names.index(added.name) == names.index(toolkit[-1]) + 1
    facts, settings = examples[0]
    plain = re.sub(r"\x1b\[[0-9;]*m", "", table("laptop-7", run(facts, settings, checks)))
    layer = plain.split("\n    NVIDIA Container Toolkit\n", 1)[1].split("\n    daemon.json\n", 1)[0]
    assert re.search(r"^ +FAIL +toolkit\.ctk +nvidia-ctk is not on the engine's PATH$", layer, re.M), plain


def test_the_new_check_yields_its_readme_row_and_every_other_row_stays(walked_through):
    added, checks, examples = walked_through
    before = readme.troubleshooting_table().splitlines()
    after = readme.troubleshooting_table(checks, EXAMPLES + examples).splitlines()
    row = ("| `toolkit.ctk` | NVIDIA Container Toolkit | `toolkit.ctk` | nvidia-ctk is not on the engine's PATH | "
           "`sudo apt-get install --reinstall nvidia-container-toolkit-base` |")
    assert [line for line in after if line not in before] == [row]
    assert [line for line in after if line != row] == before
    declared = {(added.name, status) for status in added.gives}
    assert declared <= {(r.check, r.status) for r in readme.example_rows(checks, EXAMPLES + examples)}


def test_the_commands_it_names_are_the_projects():
    text = section("Adding a doctor check")
    assert "python3 -m tools.readme" in text and (ROOT / "tools" / "readme.py").exists()
    assert "__main__" in (ROOT / "tools" / "readme.py").read_text()
    assert ".venv/bin/python -m pytest tests/unit -q" in text
    assert all((ROOT / path).exists() for path in re.findall(r"`((?:tasks|tests|tools)/[\w/]+\.py)`", text))
