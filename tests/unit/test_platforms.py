"""The supported platforms, as data, and the Docker suite each gets: the one get.docker.com writes."""

import pytest

from tasks.docker import docker_source_line
from tasks.platforms import PLATFORMS, docker_codename, names, platform
from tasks.preflight import preflight_problems
from tasks.settings import validate
from testbed.facts_examples import GOOD_FACTS


@pytest.mark.parametrize("distro, version", [
    ("ubuntu", "22.04"), ("ubuntu", "24.04"), ("ubuntu", "26.04"), ("debian", "12"), ("debian", "13"),
])
def test_todays_distros_pass_the_preflight(distro, version):
    facts = {**GOOD_FACTS, "distro": distro, "distro_version": version}
    assert preflight_problems(facts, validate({})) == []


@pytest.mark.parametrize("distro, version", [("ubuntu", "20.04"), ("ubuntu", "25.10"), ("debian", "11"),
                                             ("fedora", "41"), ("", "")])
def test_other_distros_are_refused_by_name_with_the_list(distro, version):
    facts = {**GOOD_FACTS, "distro": distro, "distro_version": version}
    [problem] = map(str, preflight_problems(facts, validate({})))
    # The list is the data's (test_the_list_in_words_is_the_data), so that a new platform changes no test.
    assert problem == (f"distro: {f'{distro} {version}'.strip() or 'unknown'} is not supported. "
                       f"Fix: use {names()}")
    assert names().startswith("Ubuntu 22.04, Ubuntu 24.04, Ubuntu 26.04, Debian 12")


def test_the_list_in_words_is_the_data():
    assert names() == ", ".join(p.name for p in PLATFORMS[:-1]) + " or " + PLATFORMS[-1].name
    assert platform("ubuntu", "26.04").codename == "resolute"


# As get.docker.com reads them: /etc/debian_version on Debian, `lsb_release --codename` on Ubuntu.
@pytest.mark.parametrize("facts, suite", [
    ({"distro": "debian", "debian_version": "13.2", "codename": "trixie"}, "trixie"),
    ({"distro": "debian", "debian_version": "12.12", "codename": "bookworm"}, "bookworm"),
    # Debian's minbase images may lack VERSION_CODENAME; the script does not read it.
    ({"distro": "debian", "debian_version": "13.0", "codename": ""}, "trixie"),
    ({"distro": "debian", "debian_version": "trixie/sid", "codename": "trixie"}, "trixie"),
    ({"distro": "ubuntu", "debian_version": "trixie/sid", "lsb_codename": "resolute", "codename": "resolute"},
     "resolute"),
    ({"distro": "ubuntu", "debian_version": "bookworm/sid", "lsb_codename": "noble", "codename": "noble"},
     "noble"),
    ({"distro": "ubuntu", "lsb_codename": "", "codename": "jammy"}, "jammy"),
])
def test_dockers_suite_is_the_one_the_install_script_writes(facts, suite):
    assert docker_codename(facts) == suite


def test_each_platforms_suite_is_the_one_the_script_derives_on_it():
    for p in PLATFORMS:
        facts = {"distro": p.distro, "codename": p.codename, "lsb_codename": p.codename,
                 "debian_version": f"{p.version}.1" if p.distro == "debian" else "trixie/sid"}
        assert docker_codename(facts) == p.codename, p


def test_the_source_line_on_debian_13_names_trixie():
    facts = {"arch": "amd64", "distro": "debian", "debian_version": "13.2", "codename": "trixie"}
    assert docker_source_line(validate({}), facts) == (
        "deb [arch=amd64 signed-by=/etc/apt/keyrings/docker.asc] https://download.docker.com/linux/debian "
        "trixie stable")
