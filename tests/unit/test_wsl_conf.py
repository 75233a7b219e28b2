"""/etc/wsl.conf: read as WSL reads it, and the merge that sets [boot] systemd=true keeping everything else."""

import pytest

from tasks.wslconf import Entry, boolean, cgroup_version, invalid_booleans, merge_systemd, read, systemd_enabled
from testbed import realtext as real

USER_CONF = """# written by a person
[automount]
enabled = true
options = "metadata,umask=22,fmask=11"

[network]
generateResolvConf = false
"""


def test_an_empty_file_gets_the_boot_section():
    assert merge_systemd("") == "[boot]\nsystemd=true\n"


def test_other_sections_and_comments_are_kept():
    merged = merge_systemd(USER_CONF)
    assert merged.startswith(USER_CONF)
    assert merged.endswith("\n[boot]\nsystemd=true\n")


@pytest.mark.parametrize("line", ["systemd=false", "systemd = false", "  systemd=False"])
def test_an_existing_systemd_key_is_switched_on(line):
    merged = merge_systemd(f"[boot]\ncommand = service ssh start\n{line}\n[user]\ndefault=alice\n")
    assert merged == "[boot]\ncommand = service ssh start\nsystemd=true\n[user]\ndefault=alice\n"


def test_a_boot_section_without_the_key_gets_it():
    merged = merge_systemd("[boot]\ncommand = echo hi\n\n[user]\ndefault=alice\n")
    assert merged == "[boot]\ncommand = echo hi\nsystemd=true\n\n[user]\ndefault=alice\n"


def test_systemd_in_another_section_is_not_touched():
    merged = merge_systemd("[other]\nsystemd=false\n")
    assert merged == "[other]\nsystemd=false\n\n[boot]\nsystemd=true\n"


def test_the_merge_is_a_fixed_point():
    once = merge_systemd(USER_CONF)
    assert merge_systemd(once) == once


# --- read by WSL's own rules (microsoft/WSL src/shared/configfile) ---------------------------

def test_names_match_without_regard_to_case_and_the_first_occurrence_wins():
    lines = ["[Boot]", "Systemd=false", "systemd=true"]
    assert read(lines)["boot.systemd"] == Entry("false", 1)
    assert not systemd_enabled(lines)


def test_a_capitalised_false_is_switched_on_in_place_not_shadowed_by_a_new_line():
    text = "[boot]\nSystemd=false\ncommand = echo hi\n"
    merged = merge_systemd(text)
    assert merged == "[boot]\nsystemd=true\ncommand = echo hi\n"
    assert systemd_enabled(merged.splitlines())


def test_the_first_of_two_keys_is_the_one_changed():
    assert merge_systemd("[boot]\nsystemd=0\nsystemd=true\n") == "[boot]\nsystemd=true\nsystemd=true\n"


@pytest.mark.parametrize("value, reading", [
    ("true", True), ("false", False), ("1", True), ("0", False), ("TRUE", True), ("False", False),
    ("yes", None), ("on", None), ("enabled", None), ("", None),
])
def test_only_true_false_1_and_0_are_booleans(value, reading):
    assert boolean(value) is reading


@pytest.mark.parametrize("line, value", [
    ("systemd = true   # needed by docker", "true"),
    ('systemd = "true"', "true"),
    ("  systemd\t=\ttrue  ", "true"),
])
def test_values_lose_comments_quotes_and_blanks(line, value):
    assert read(["[boot]", line])["boot.systemd"].value == value


def test_a_value_wsl_ignores_is_rewritten_and_every_invalid_boolean_is_named():
    text = "[boot]\nsystemd=yes\n[interop]\nappendWindowsPath = off\n[user]\ndefault = yes\n"
    assert invalid_booleans(text.splitlines()) == {"boot.systemd": "yes", "interop.appendwindowspath": "off"}
    assert not systemd_enabled(text.splitlines())
    merged = merge_systemd(text)
    assert merged == text.replace("systemd=yes", "systemd=true")
    assert invalid_booleans(merged.splitlines()) == {"interop.appendwindowspath": "off"}


def test_a_second_boot_section_is_read_but_a_new_key_joins_the_first():
    text = "[boot]\ncommand = echo hi\n[user]\ndefault=alice\n[boot]\nprotectBinfmt=false\n"
    assert read(text.splitlines())["boot.protectbinfmt"] == Entry("false", 5)
    assert merge_systemd(text) == text.replace("echo hi\n", "echo hi\nsystemd=true\n")


def test_a_section_wsl_cannot_parse_starts_no_boot_section():
    assert not systemd_enabled(["[boot-options]", "systemd=true"])


@pytest.mark.parametrize("text, version", [
    ("", "v2"), ("[automount]\ncgroups=v1\n", "v1"), ("[AutoMount]\nCgroups = V1 # for an old tool\n", "v1"),
    ("[automount]\ncgroups=v2\ncgroups=v1\n", "v2"), ("[boot]\ncgroups=v1\n", "v2"),
    ("[automount]\ncgroups=1\n", "v2"),
])
def test_cgroups_are_v2_unless_automount_names_v1(text, version):
    # WSL's key is automount.cgroups, its values v1 and v2 matched without regard to case
    # (src/linux/init/WslDistributionConfig.cpp); any other value keeps the default, v2.
    assert real.WSL_CONFIG_KEY_CGROUPS.startswith('ConfigKey("automount.cgroups"')
    assert cgroup_version(text.splitlines()) == version
