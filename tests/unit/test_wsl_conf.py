"""The wsl.conf merge sets [boot] systemd=true and keeps everything else."""

import pytest

from tasks.wsl import merge_wsl_conf

USER_CONF = """# written by a person
[automount]
enabled = true
options = "metadata,umask=22,fmask=11"

[network]
generateResolvConf = false
"""


def test_an_empty_file_gets_the_boot_section():
    assert merge_wsl_conf("") == "[boot]\nsystemd=true\n"


def test_other_sections_and_comments_are_kept():
    merged = merge_wsl_conf(USER_CONF)
    assert merged.startswith(USER_CONF)
    assert merged.endswith("\n[boot]\nsystemd=true\n")


@pytest.mark.parametrize("line", ["systemd=false", "systemd = false", "  systemd=False"])
def test_an_existing_systemd_key_is_switched_on(line):
    merged = merge_wsl_conf(f"[boot]\ncommand = service ssh start\n{line}\n[user]\ndefault=alice\n")
    assert merged == "[boot]\ncommand = service ssh start\nsystemd=true\n[user]\ndefault=alice\n"


def test_a_boot_section_without_the_key_gets_it():
    merged = merge_wsl_conf("[boot]\ncommand = echo hi\n\n[user]\ndefault=alice\n")
    assert merged == "[boot]\ncommand = echo hi\nsystemd=true\n\n[user]\ndefault=alice\n"


def test_systemd_in_another_section_is_not_touched():
    merged = merge_wsl_conf("[other]\nsystemd=false\n")
    assert merged == "[other]\nsystemd=false\n\n[boot]\nsystemd=true\n"


def test_the_merge_is_a_fixed_point():
    once = merge_wsl_conf(USER_CONF)
    assert merge_wsl_conf(once) == once
