"""Our facts parse the output captured on twins (tools/capture_facts.py) into the values kept beside it."""

import json
from pathlib import Path

import pytest
from pyinfra.api.exceptions import FactProcessError

from tasks.apt import AptState, RepositoryState
from tasks.facts import HostSnapshot, StackState, parse_lines

FACTS = {cls.__name__: cls for cls in (HostSnapshot, StackState, AptState, RepositoryState)}
CASES = sorted(Path(__file__).parent.glob("*/*.json"))


def test_every_fact_has_cases_from_a_fresh_twin_and_a_converged_or_ubuntu_one():
    names = {(case.parent.name, case.stem.split("-fresh")[0]) for case in CASES if "fresh" in case.stem}
    assert {(fact, platform) for fact in FACTS for platform in ("debian-12", "ubuntu-26.04")} <= names
    assert {case.parent.name for case in CASES if "converged" in case.stem} == {"HostSnapshot", "StackState"}


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.stem}" for c in CASES])
def test_the_fact_makes_the_value_of_the_captured_output(case):
    data = json.loads(case.read_text())
    fact = FACTS[case.parent.name]()
    fact.command(**data["command_args"])  # the arguments are still the fact's
    assert fact.process(data["output"]) == data["value"]


def test_a_key_outside_the_lists_given_twice_is_an_error_naming_both_values():
    with pytest.raises(FactProcessError, match="distro= appears more than once: 'debian', then 'ubuntu'"):
        parse_lines(["distro=debian", "users=root", "distro=ubuntu"], {"users"})


def test_keys_in_the_lists_collect_every_value_in_order():
    assert parse_lines(["users=root", "distro=debian", "users=dev"], {"users", "wsl_conf"}) == {
        "users": ["root", "dev"], "wsl_conf": [], "distro": "debian"}
