"""The README's settings table is the defaults file, setting for setting."""

import json
import re
from pathlib import Path

from defaults import DEFAULTS
from tools import readme

README = Path(__file__).resolve().parents[2] / "README.md"
ROW = re.compile(r"^\| (\w+) \| (.+?) \| .+ \|$")


def readme_settings() -> dict:
    section = README.read_text().split("## Settings", 1)[1].split("\n## ", 1)[0]
    rows = (ROW.match(line) for line in section.splitlines())
    return {m.group(1): m.group(2) for m in rows if m and m.group(1) != "setting"}


def test_the_readme_lists_every_setting_in_order():
    assert list(readme_settings()) == list(DEFAULTS)


def test_the_readme_defaults_are_the_defaults():
    for name, text in readme_settings().items():
        assert json.loads(text.replace("none", "null")) == DEFAULTS[name], name


def test_every_promise_names_a_test_that_exists():
    section = README.read_text().split("## What it promises", 1)[1].split("\n## ", 1)[0]
    named = re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", section)
    assert len(named) >= 15
    for path, name in named:
        source = (README.parent / path).read_text()
        assert re.search(rf"^def {name}\(", source, re.M), f"{path}::{name}"


def test_the_readmes_generated_sections_are_the_codes_own_data():
    text = README.read_text()
    assert readme.rewrite(text) == text, "README.md is out of date: run `python3 -m tools.readme`"
    assert "| Ubuntu 26.04 | `resolute` |" in readme.section(text, "platforms")
